package lang_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// A syntax error in a test clause costs the clause, not the test: the
// other clauses are parsed and checked (a typo in a later clause is still
// reported), and nothing the lost clause would have provided is reported
// missing.
func TestBrokenTestClauseCostsTheClause(t *testing.T) {
	src := `test "adult passes" {
  workflow w
  event "inquiry.completed" {fields: {birthdate: "1990-01-01"}
  mock inquiry.approve returns {}
  expect no run inquiry.declin
  expect status "completed"
}
`
	f, diags := lang.Parse("w_test.wf", []byte(src))
	require.Len(t, diags, 1)
	assert.Equal(t, 4, diags[0].Span.Start.Line)
	require.Len(t, f.Decls, 1)
	d := f.Decls[0].(*lang.TestDecl)
	assert.True(t, d.Broken)
	var kinds []lang.TestKind
	for _, c := range d.Clauses {
		kinds = append(kinds, c.Kind)
	}
	assert.Equal(t, []lang.TestKind{lang.TestWorkflow, lang.TestMock, lang.TestExpectNoRun, lang.TestExpectStatus}, kinds)

	wf, wdiags := lang.Parse("w.wf", []byte("workflow w {\n  on event \"inquiry.completed\"\n\n  run inquiry.decline(trigger.id)\n}\n"))
	require.Empty(t, wdiags)
	_, cdiags := lang.Check([]*lang.File{wf, f}, stdlib.Default())
	var msgs []string
	for _, d := range cdiags {
		msgs = append(msgs, d.Message)
	}
	require.Len(t, cdiags, 1, "%v", msgs)
	assert.Contains(t, cdiags[0].Message, "declin")
}
