package repl

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A script read from a pipe prints only results: no banner, no prompts.
func TestScriptPrintsOnlyResults(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `1 + 2
let m = {
  a: 1,
  b: [1, 2, "x"]
}

# a comment line prints nothing
m
m.b.count()
fn double(n) {
  return n * 2
}
double(m.a + 20)
let inc = n -> n + 1
inc(41)
{a: 1}
`)
	assert.Equal(t, `3
{a: 1, b: [1, 2, "x"]}
3
42
42
{a: 1}
`, got)
	assert.Zero(t, failed)
}

func TestScriptErrorsPrintDiagnosticsAndGoOn(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `let x = 1
undefined_name + 1
null.field
x + 1
trigger
`)
	assert.Equal(t, `in[2]:1:1: error: undefined name undefined_name [undefined]
   |
 1 | undefined_name + 1
   | ^~~~~~~~~~~~~~
in[3]:1:1: error: cannot read field field of null: null is null [runtime/null]
   |
 1 | null.field
   | ^~~~~~~~~~
2
in[5]:1:1: error: undefined name trigger [undefined]
   |
 1 | trigger
   | ^~~~~~~
   = hint: bind trigger and event from a webhook payload with :event FILE.json
`, got)
	assert.Equal(t, 3, failed)
}

func TestScriptUnclosedEntryIsReportedAtTheEnd(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, "1\nlet m = {\n  a: 1\n")
	assert.Contains(t, got, "1\nin[2]:")
	assert.Contains(t, got, "found end of file")
	assert.Equal(t, 1, failed)
}

func TestScriptEventAndFire(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `:load testdata/flows.wf
:event testdata/inquiry.json
trigger.fields.birthdate
is_minor(trigger.fields.birthdate)
:type trigger.fields
:fire flag_minor
:fire greet {name: "Ada"}
:runs
`)
	assert.Equal(t, `loaded testdata/flows.wf: workflow flag_minor, workflow greet, fn is_minor
event inquiry.completed bound: trigger is inquiry inq_Test0001
workflows on inquiry.completed: flag_minor (starts)
"2010-09-30"
true
any (map here)
run run_ID  flag_minor
  ✓ inquiry.mark_for_review  completed
completed
run run_ID  greet
  log hello Ada
completed
`, got[:strings.Index(got, "\nID ")+1])
	// The store stamps runs with the session's clock, which this test holds
	// still: both runs started at the same instant, so either may be first.
	table := got[strings.Index(got, "\nID ")+1:]
	assert.Regexp(t, `^ID +WORKFLOW +STATUS +STARTED\n`, table)
	assert.Regexp(t, `(?m)^run_ID +greet +completed +2026-03-01T12:00:00Z$`, table)
	assert.Regexp(t, `(?m)^run_ID +flag_minor +completed +2026-03-01T12:00:00Z$`, table)
	assert.Equal(t, 3, strings.Count(table, "\n"))
	assert.Zero(t, failed)
}

func TestScriptDryRunRecordsEffects(t *testing.T) {
	r, out := newTestREPL(t, true)
	got, failed := runScript(t, r, out, `:event testdata/inquiry.json
let r = run inquiry.decline(trigger.id, comment: "test")
r
run inquiry.get(trigger.id)
`)
	assert.Equal(t, `event inquiry.completed bound: trigger is inquiry inq_Test0001
○ inquiry.decline  dry-run  {id: "inq_Test0001", comment: "test"}
null
○ inquiry.get  dry-run  {id: "inq_Test0001"}
null
`, got)
	assert.Zero(t, failed)
}

func TestScriptStepsLogsAndOutputs(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `:event testdata/inquiry.json
log "checking ${trigger.id}"
let inq = run inquiry.decline(trigger.id, comment: "no")
inq.status
output { status: inq.status }
run inquiry.decline("inq_missing")
`)
	assert.Equal(t, `event inquiry.completed bound: trigger is inquiry inq_Test0001
log checking inq_Test0001
✓ inquiry.decline  completed
"declined"
output {status: "declined"}
✗ inquiry.decline  failed
`, got[:len(got)-len(tail(got))])
	assert.Contains(t, tail(got), "in[6]:1:1: error: inquiry.decline:")
	assert.Equal(t, 1, failed)
}

// tail returns the output from the first diagnostic on.
func tail(s string) string {
	for i := 0; i+3 < len(s); i++ {
		if s[i:i+3] == "in[" && (i == 0 || s[i-1] == '\n') {
			return s[i:]
		}
	}
	return ""
}

func TestScriptCommands(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `:doc years_since
:lod x
:doc nothing_here
let x = 1
:doc x
:reset
x
:quit
1 + 1
`)
	assert.Equal(t, `years_since(t: string or time) -> int  (pure)

  Returns the whole years from t to now() (an age, for a birthdate).

  example:
    years_since(date(trigger.fields.birthdate)) < 18
error: unknown command :lod (did you mean :load?); :help lists the commands
error: :doc: nothing is named nothing_here
x is a session name holding an int
session reset
in[7]:1:1: error: undefined name x [undefined]
   |
 1 | x
   | ^
`, got)
	assert.Equal(t, 3, failed)
}

func TestScriptWaitsEndAtOnce(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `let d = 0s
when true {
  let before = now()
  wait 2h
  d = now() - before
}
d
wait 1h
let e = wait event "inquiry.approved" timeout 1h
e
`)
	assert.Equal(t, `✓ wait  completed
2h
✓ wait  completed
✓ wait event  completed
null
`, got)
	assert.Zero(t, failed)
}

func TestScriptLoadsConfiguredFilesFirst(t *testing.T) {
	r, out := newTestREPL(t, false)
	r.cfg.Load = []string{"testdata/flows.wf", "testdata/missing.wf"}
	got, failed := runScript(t, r, out, "is_minor(\"2000-01-01\")\n")
	assert.Equal(t, `loaded testdata/flows.wf: workflow flag_minor, workflow greet, fn is_minor
error: :load: testdata/missing.wf: no such file or directory
false
`, got)
	assert.Equal(t, 1, failed)
}

// An entry stopped by a limit or cancelled has no place in its text: the
// error names the entry, without a made-up line and column.
func TestScriptLimitAndCancelErrorsNameTheEntry(t *testing.T) {
	r, out := newTestREPL(t, false)
	xs := strings.Repeat("x,", 999) + "x"
	got, failed := runScript(t, r, out, "let xs = split(\""+xs+"\")\nfor _ in xs {\n  for _ in xs {\n    let _c = 1\n  }\n}\n")
	assert.Equal(t, 1, failed)
	assert.Regexp(t, `^in\[2\]: error: the run executed more than 1000000 statements.* \[runtime/limit\]\n`+
		`   = hint: the entry reached one of the engine's limits; the session goes on\n$`, got)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out.Reset()
	assert.False(t, r.Exec(ctx, "in[3]", "for _ in xs {\n  for _ in xs {\n    let _c = 1\n  }\n}"))
	assert.Equal(t, "in[3]: error: the run was cancelled [runtime/cancel]\n"+
		"   = hint: the entry was stopped; the session goes on\n", out.String())
}

// An entry goes on while the grammar wants more, as in a file: after an
// operator, an = or a when without its block.
func TestScriptContinuesAsTheFileGrammar(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, "let ok = 1 > 0 and\n  2 > 1\nlet n = 1 +\n\n  2\nwhen ok\n{\n  log \"yes\"\n}\nok\nn\n")
	assert.Zero(t, failed, got)
	assert.Equal(t, "log yes\ntrue\n3\n", got)
}

// :fire waits for the runs its run starts in the background and names each
// one that did not complete; the entry then counts as failed.
func TestScriptFireNamesAFailedBackgroundRun(t *testing.T) {
	r, out := newTestREPL(t, false)
	got, failed := runScript(t, r, out, `workflow starter {
  on manual()

  emit "risk.flagged" {score: 91}
}
workflow on_flag {
  on event "risk.flagged"

  fail "no good"
}
:fire starter
`)
	assert.Contains(t, got, "completed\nnote: run run_ID (workflow on_flag), started in the background, failed: no good\n")
	assert.Equal(t, 1, failed)
}
