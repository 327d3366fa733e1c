package repl

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func texts(cs []Candidate) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

func completingREPL(t *testing.T) *REPL {
	t.Helper()
	r, out := newTestREPL(t, false)
	_, failed := runScript(t, r, out, ":load testdata/flows.wf\n:event testdata/inquiry.json\nlet s = \"Text\"\n")
	require.Zero(t, failed, out.String())
	return r
}

func TestCompleteCandidates(t *testing.T) {
	r := completingREPL(t)
	tests := []struct {
		line string
		want []string
	}{
		{"trig", []string{"trigger"}},
		{"tri", []string{"trigger", "trim("}},
		{"trigger.fie", []string{"trigger.fields"}},
		{"trigger?.fie", []string{"trigger?.fields"}},
		{"trigger.fields.bir", []string{"trigger.fields.birthdate"}},
		{"trigger.nope.x", []string{}},
		{"event.na", []string{"event.name"}},
		{"inquiry.dec", []string{"inquiry.decline("}},
		{"years_si", []string{"years_since("}},
		{"is_mi", []string{"is_minor("}},
		{"whe", []string{"when"}},
		{"s.low", []string{"s.lower("}},
		{"report.wat", []string{"report.watchlist("}},
		{":lo", []string{":load "}},
		{":q", []string{":quit"}},
		{":load testdata/fl", []string{"testdata/flows.wf"}},
		{":event testdata/in", []string{"testdata/inquiry.json"}},
		{":event testd", []string{"testdata/"}},
		{":fire fl", []string{"flag_minor"}},
		{":fire greet {na", []string{}},
		{"", []string{}},
		{"1 + ", []string{}},
		// The parameters a call can still take, at the start of an argument.
		{"inquiry.decline(trigger.id, co", []string{"comment: "}},
		{"inquiry.decline(trigger.id, comment: \"x\", co", []string{"const", "collect(", "contains(", "count("}},
		{"run inquiry.decline(trigger.id, ", []string{"comment: "}},
		{"inquiry.decline(", []string{"id: ", "comment: "}},
		{"s.replace(ol", []string{"old: "}},
		{"is_minor(bi", []string{"birthdate: "}},
		{"inquiry.decline(\"(co", []string{}}, // nothing inside a string
		{"log \"${tri", []string{"trigger", "trim("}},
		{"1 # tri", []string{}},
		// Run options in with {…}, and nothing else.
		{"run inquiry.approve(trigger.id) with {ret", []string{"retries: "}},
		{"run inquiry.approve(trigger.id) with {time", []string{"timeout: "}},
		{"let m = {ret", []string{"return"}},
	}
	var options []string
	for _, name := range sortedOptions() {
		options = append(options, name+": ")
	}
	tests = append(tests, struct {
		line string
		want []string
	}{"run inquiry.approve(trigger.id) with {retries: 2, ", options})
	for _, tt := range tests {
		c := r.Complete(tt.line, len([]rune(tt.line)))
		assert.Equal(t, tt.want, texts(c.Candidates), "%q", tt.line)
	}
}

func TestCompleteKeepsTheTextAround(t *testing.T) {
	r := completingREPL(t)
	line := "when trigger.fie == 1"
	c := r.Complete(line, len("when trigger.fie"))
	assert.Equal(t, "when ", c.Head)
	assert.Equal(t, "trigger.fie", c.Word)
	assert.Equal(t, " == 1", c.Tail)
	assert.Equal(t, []string{"trigger.fields"}, texts(c.Candidates))
	assert.Equal(t, "map", c.Candidates[0].Detail)

	c = r.Complete("x = é + trig", 12)
	assert.Equal(t, "x = é + ", c.Head)
	assert.Equal(t, []string{"trigger"}, texts(c.Candidates))
}

func TestWordCompleterShowsSignatures(t *testing.T) {
	r, out := newTestREPL(t, false)

	head, cands, tail := r.wordCompleter("years_si", 8)
	assert.Equal(t, "", head)
	assert.Equal(t, []string{"years_since("}, cands)
	assert.Equal(t, "", tail)
	assert.Equal(t, "\nyears_since(t: string or time) -> int\n", out.String(), "a unique function shows its signature")

	out.Reset()
	_, cands, _ = r.wordCompleter("inquiry.", 8)
	assert.Equal(t, []string{"inquiry."}, cands, "no common prefix to add: the line stays")
	assert.Contains(t, out.String(), "\ninquiry.approve(id: string, comment: string?) -> map\n")
	assert.Contains(t, out.String(), "\ninquiry.decline(id: string, comment: string?) -> map\n")

	out.Reset()
	_, cands, _ = r.wordCompleter("inquiry.re", 10)
	assert.Equal(t, []string{"inquiry.re"}, cands)
	assert.Contains(t, out.String(), "inquiry.redact(")
	assert.Contains(t, out.String(), "inquiry.resume(")

	out.Reset()
	_, cands, _ = r.wordCompleter("inquiry.ex", 10)
	assert.Equal(t, []string{"inquiry.expire("}, cands)

	out.Reset()
	head, cands, tail = r.wordCompleter("x(years_since() + 1", 14)
	assert.Equal(t, "x(years_since(", head)
	assert.Equal(t, []string{""}, cands)
	assert.Equal(t, ") + 1", tail)
	assert.Contains(t, out.String(), "years_since(t: string or time) -> int  Returns the whole years")

	out.Reset()
	_, cands, _ = r.wordCompleter("zzz", 3)
	assert.Empty(t, cands)
	assert.Empty(t, out.String())
}

func TestWordCompleterExtendsToTheCommonPrefix(t *testing.T) {
	r, out := newTestREPL(t, false)
	require.False(t, !r.Exec(context.Background(), "in[1]", "let applicant_name = 1\nlet applicant_age = 2"), out.String())
	out.Reset()
	_, cands, _ := r.wordCompleter("appl", 4)
	assert.Equal(t, []string{"applicant_"}, cands)
	assert.Empty(t, out.String())
	_, cands, _ = r.wordCompleter("applicant_", 10)
	assert.Equal(t, []string{"applicant_"}, cands)
	assert.Contains(t, out.String(), "applicant_name")
	assert.Contains(t, out.String(), "applicant_age")
}
