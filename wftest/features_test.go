package wftest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSrc writes a workflow file and a test file (and extra files) to a
// temporary folder and runs its tests.
func runSrc(t *testing.T, workflow, tests string, extra ...string) ([]*Result, *Suite) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flow.wf"), []byte(workflow), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flow_test.wf"), []byte(tests), 0o644))
	for i := 0; i+1 < len(extra); i += 2 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, extra[i]), []byte(extra[i+1]), 0o644))
	}
	s := loadDir(t, dir)
	return Run(context.Background(), []*Suite{s}, Options{}), s
}

// outcome is a result in a line: its name, and each failure's position
// and message.
func outcome(rs []*Result) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		out[r.Name] = []string{}
		for _, f := range r.Failures {
			out[r.Name] = append(out[r.Name], f.Pos.String()+" "+f.Message)
		}
	}
	return out
}

const notifyFlow = `
workflow notify {
  on manual(id: string)

  let r = run http.post("https://hooks.example.com/x", json: {id: id}) with {retries: 2, backoff: 1s}
  output {status: r.status, at: now()}
}
`

// A mock answers once per call, in the order written: a retry is a call,
// so failures then a success test a step's retries, on the fake clock (the
// backoff is 1s then 2s, times the jitter factor, fixed at 0.75 in tests).
func TestMocksAnswerPerCallAndRetriesRunOnTheFakeClock(t *testing.T) {
	rs, _ := runSrc(t, notifyFlow, `
test "two failures, then an answer" {
  workflow notify
  inputs {id: "x1"}
  now "2026-03-01T10:00:00Z"
  mock http.post once fails "503"
  mock http.post once fails "502"
  mock http.post returns {status: 200}
  expect steps [http.post(json: {id: "x1"})]
  expect output {status: 200, at: date("2026-03-01T10:00:00Z") + 750ms + 1500ms}
}

test "failures outlast the retries" {
  workflow notify
  inputs {id: "x1"}
  mock http.post fails "503 service unavailable"
  expect status "failed"
  expect error {kind: "step", step: "http.post", message: "http.post: 503 service unavailable"}
}

test "arguments choose the mock" {
  workflow notify
  inputs {id: id}
  cases [{id: "a", status: 201}, {id: "b", status: 202}]
  mock http.post(json: {id: "a"}) returns {status: 201}
  mock http.post returns r -> {status: 202, echo: r.json.id}
  expect output {status: status}
}
`)
	assert.Equal(t, map[string][]string{"two failures, then an answer": {}, "failures outlast the retries": {},
		"arguments choose the mock/row 1": {}, "arguments choose the mock/row 2": {}}, outcome(rs))
}

// A step that no mock answers fails without running, and fails the test,
// even when the workflow goes on past it.
func TestAnUnmockedStepFailsTheTest(t *testing.T) {
	rs, _ := runSrc(t, `
workflow w {
  on manual()

  run slack.post("https://hooks.example.com/x", "hi") with {continue_on_error: true}
  run inquiry.add_tag("inq_1", "seen")
}
`, `
test "a mock answers only its arguments" {
  workflow w
  mock slack.post("https://hooks.example.com/other")
  mock inquiry.add_tag
  expect run inquiry.add_tag("inq_1", "seen")
}

test "the local backend performs Persona actions, not Slack" {
  workflow w
  backend local
  persona {type: "inquiry", id: "inq_1", status: "completed"}
  mock slack.post
  expect steps [slack.post, inquiry.add_tag("inq_1", "seen")]
}
`)
	assert.Equal(t, map[string][]string{
		"a mock answers only its arguments":                     {"3:3 slack.post ran, and this test does not mock it: the step failed instead of running"},
		"the local backend performs Persona actions, not Slack": {},
	}, outcome(rs))
	require.Len(t, rs[0].Steps, 2)
	assert.Equal(t, "continued", rs[0].Steps[0].Status)
	assert.Equal(t, "not mocked in this test", rs[0].Steps[0].Error)
	assert.Equal(t, "completed", rs[1].Steps[1].Status, "performed by the local backend")
}

const approvalFlow = `
workflow approval {
  on manual(case_id: string)

  wait 1h
  let e = wait event "case.resolved" where e.trigger.id == case_id timeout 2d
  output {answered: e != null, at: now()}
}
`

// Waits end at once, the clock moved on; an event wait takes the first
// delivered event that matches its name and where clause and arrives
// before its timeout, and now() is then the event's time.
func TestDeliveredEventsAnswerWaits(t *testing.T) {
	rs, _ := runSrc(t, approvalFlow, `
test "answered" {
  workflow approval
  inputs {case_id: "cas_1"}
  now "2026-03-01T00:00:00Z"
  deliver event "case.resolved" {id: "cas_2"} after 2h
  deliver event "case.resolved" {id: "cas_1"} after 1d
  expect output {answered: true, at: date("2026-03-02T00:00:00Z")}
}

test "too late" {
  workflow approval
  inputs {case_id: "cas_1"}
  now "2026-03-01T00:00:00Z"
  deliver event "case.resolved" {id: "cas_1"} after 3d
  expect output {answered: false, at: date("2026-03-03T01:00:00Z")}
}

test "already there when the wait began" {
  workflow approval
  inputs {case_id: "cas_1"}
  now "2026-03-01T00:00:00Z"
  deliver event "case.resolved" {id: "cas_1"}
  expect output {answered: true, at: date("2026-03-01T01:00:00Z")}
}
`)
	assert.Equal(t, map[string][]string{"answered": {}, "too late": {}, "already there when the wait began": {}}, outcome(rs))
}

// A js fn runs as written unless a mock answers it.
func TestJsFnsRunOrAreMocked(t *testing.T) {
	rs, _ := runSrc(t, `
js fn score(x) """
  return x * 2
"""

workflow scored {
  on manual(x: int)

  output {score: score(x)}
}
`, `
test "real" {
  workflow scored
  inputs {x: 21}
  expect output {score: 42}
}

test "mocked for one argument" {
  workflow scored
  inputs {x: x}
  cases [{x: 1, want: 100}, {x: 2, want: 4}]
  mock score(1) returns 100
  expect output {score: want}
}
`)
	assert.Equal(t, map[string][]string{"real": {}, "mocked for one argument/row 1": {}, "mocked for one argument/row 2": {}}, outcome(rs))
}

const threeFlow = `
workflow three {
  on manual()

  parallel {
    run case.add_tag("c", "a")
    run case.add_tag("c", "b")
  }
  run case.add_comment("c", "done")
  fail "stop here"
}
`

// Failures say what was expected and what happened, line by line.
func TestFailuresShowExpectedAndActual(t *testing.T) {
	rs, _ := runSrc(t, threeFlow, `
test "wrong" {
  workflow three
  mock case.add_tag
  mock case.add_comment
  expect steps [case.add_tag("c", "a"), case.add_comment("c", "other")]
  expect steps [case.add_comment, case.add_tag, case.add_tag(tag: "a")] in any order
  expect status "completed"
  expect error {kind: "fail"}
  expect output {x: 1}
  expect run case.add_comment(text: "me")
  expect no run case.add_tag
}

test "right" {
  workflow three
  mock case.add_tag
  mock case.add_comment
  expect steps [case.add_tag("c", "a"), case.add_tag("c", "b"), case.add_comment("c", "done")]
  expect steps [case.add_comment, case.add_tag(tag: "b"), case.add_tag] in any order
  expect status "failed"
  expect error "stop here"
  expect error {kind: "fail", message: "stop here"}
}
`)
	require.Len(t, rs, 2)
	assert.Empty(t, rs[1].Failures, "right")
	wrong := rs[0]
	var msgs []string
	for _, f := range wrong.Failures {
		msgs = append(msgs, f.Pos.String()+" "+f.Message)
	}
	assert.Equal(t, []string{
		"6:3 expect steps: the steps differ (the run failed (stop here))",
		"8:3 expect status: the run ended failed (stop here)",
		"10:3 expect output: the outputs differ (the run failed (stop here))",
		"11:3 expect run: no step matched case.add_comment(text: \"me\") (the run failed (stop here))",
		"12:3 expect no run: 2 steps matched case.add_tag",
	}, msgs)
	steps := wrong.Failures[0]
	assert.Equal(t, []string{`case.add_tag("c", "a")`, `case.add_comment("c", "other")`, ""}, steps.Expected)
	assert.Equal(t, []string{`case.add_tag(id: "c", tag: "a")`, `case.add_tag(id: "c", tag: "b")`,
		`case.add_comment(id: "c", text: "done")`}, steps.Actual)
	assert.Equal(t, []bool{true, false, false}, steps.Same)

	var out strings.Builder
	WriteText(&out, rs, false)
	text := out.String()
	assert.Contains(t, text, "--- FAIL: wrong (")
	assert.Contains(t, text, "flow_test.wf:6:3: expect steps: the steps differ")
	assert.Regexp(t, `(?m)^ {6}  case\.add_tag\("c", "a"\) +│ case\.add_tag\(id: "c", tag: "a"\)$`, text)
	assert.Regexp(t, `(?m)^ {6}✗ case\.add_comment\("c", "other"\) +│ case\.add_tag\(id: "c", tag: "b"\)$`, text)
	assert.Contains(t, text, "FAIL  ")
	assert.Contains(t, text, "1 of 2 tests failed")
}

// Problems that keep a test from running are failures at their clause.
func TestSetupProblemsAreFailures(t *testing.T) {
	rs, _ := runSrc(t, `
workflow w {
  on event "inquiry.completed"
  on manual(n: int)

  log "x"
}
`, `
const BAD = {n: "not a number"}

test "no such file" {
  workflow w
  event file "missing.json"
}

test "bad inputs" {
  workflow w
  inputs BAD
}

test "bad now" {
  workflow w
  inputs {n: 1}
  now "yesterday"
}

test "bad event" {
  workflow w
  event file "bad.json"
}
`, "bad.json", `[1, 2]`)
	got := outcome(rs)
	assert.Equal(t, []string{"6:3 event file: stat " + filepath.Join(filepath.Dir(rs[0].File), "missing.json") + ": no such file or directory"}, got["no such file"])
	assert.Equal(t, []string{"11:3 inputs: input n must be int, got string"}, got["bad inputs"])
	assert.Equal(t, []string{`17:3 now: "yesterday" is not a time: write "2026-03-01T10:00:00Z" or "2026-03-01"`}, got["bad now"])
	assert.Equal(t, []string{"22:3 event file bad.json: the event must be a JSON object, got an array"}, got["bad event"])
}

// --run selects tests and rows by name.
func TestRunSelectsByName(t *testing.T) {
	_, s := runSrc(t, notifyFlow, `
test "one" {
  workflow notify
  inputs {id: id}
  cases [{name: "first", id: "a"}, {name: "second", id: "b"}]
  mock http.post returns {status: 200}
}

test "two" {
  workflow notify
  inputs {id: "z"}
  mock http.post returns {status: 200}
}
`)
	rs := Run(context.Background(), []*Suite{s}, Options{Run: regexp.MustCompile(`^one/sec`)})
	require.Len(t, rs, 1)
	assert.Equal(t, "one/second", rs[0].Name)
	assert.Equal(t, 2, rs[0].Row)
}

// Steps of parallel branches and of loop iterations are listed in the
// order of the text, whatever order they ran in.
func TestStepOrder(t *testing.T) {
	keys := []string{"v:3~0", "v:1.f.0~0[1]", "v:1.f.1~0[0]", "v:1.f.0~0[0]", "v:2.p1~0", "v:2.p0.1~0", "v:2.p0.0~0",
		"v:0~0", "v:0.w0.0~0", "v:4.c.0~0", "v:4.t.0~0", "v:1~0"}
	want := []string{"v:0~0", "v:0.w0.0~0", "v:1~0", "v:1.f.0~0[0]", "v:1.f.1~0[0]", "v:1.f.0~0[1]",
		"v:2.p0.0~0", "v:2.p0.1~0", "v:2.p1~0", "v:3~0", "v:4.t.0~0", "v:4.c.0~0"}
	got := append([]string(nil), keys...)
	for i := range got { // insertion sort with stepLess
		for j := i; j > 0 && stepLess(got[j], got[j-1]); j-- {
			got[j], got[j-1] = got[j-1], got[j]
		}
	}
	assert.Equal(t, want, got)
}
