package lsp

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

const testedFlow = `workflow review {
  on event "inquiry.completed"

  run inquiry.mark_for_review(trigger.id)
  run slack.post("https://hooks.example.com/x", "minor")
}

js fn score(x) """
  return 1
"""
`

// A test file is checked with the workflows beside it: an action the
// workflow runs that the test does not answer is reported on the test.
func TestTestFileDiagnostics(t *testing.T) {
	h := newHarness(t)
	h.open("flows.wf", testedFlow)
	diags := h.open("flows_test.wf", "test \"t\" {\n  workflow review\n  event \"inquiry.completed\" {id: \"inq_1\"}\n  mock inquiry.mark_for_review\n}\n")
	require.Len(t, diags, 1)
	assert.True(t, strings.HasPrefix(fmt.Sprint(diags[0].Message), "review runs slack.post, which this test does not mock"), diags[0].Message)
	assert.Equal(t, uint32(1), diags[0].Range.Start.Line)
	diags = h.change("flows_test.wf", 2, "test \"t\" {\n  workflow review\n  event \"inquiry.completed\" {id: \"inq_1\"}\n  mock inquiry.mark_for_review\n  mock slack.post\n}\n")
	assert.Empty(t, diags)
}

// Completion in a test offers the clause words, then what follows them.
func TestTestCompletion(t *testing.T) {
	for _, c := range []struct {
		src           string
		want, notWant []string
	}{
		{"@@", []string{"test", "workflow", "fn"}, nil},
		{"test \"t\" {\n  @@\n}", []string{"workflow", "event", "mock", "expect", "cases", "deliver"}, []string{"let", "when"}},
		{"test \"t\" {\n  workflow @@\n}", []string{"review"}, []string{"inquiry", "let"}},
		{"test \"t\" {\n  mock @@\n}", []string{"inquiry", "slack", "score"}, []string{"lower"}},
		{"test \"t\" {\n  expect run @@\n}", []string{"inquiry", "slack"}, []string{"score"}},
		{"test \"t\" {\n  expect @@\n}", []string{"run", "no run", "steps", "output", "status", "error"}, nil},
		{"test \"t\" {\n  mock slack.post @@\n}", []string{"once", "returns", "fails"}, nil},
		{"test \"t\" {\n  expect steps [slack.post] @@\n}", []string{"in any order", "when"}, nil},
		{"test \"t\" {\n  backend @@\n}", []string{"local"}, nil},
		{"test \"t\" {\n  mock inquiry.mark_for_review(@@)\n}", []string{"id:", "comment:"}, nil},
	} {
		h := newHarness(t)
		h.open("flows.wf", testedFlow)
		text, p := splitCursor(t, c.src)
		h.open("flows_test.wf", text)
		got := labels(h.complete("flows_test.wf", p))
		for _, w := range c.want {
			assert.Contains(t, got, w, "%q", c.src)
		}
		for _, w := range c.notWant {
			assert.NotContains(t, got, w, "%q", c.src)
		}
	}
}

// Above each test, a lens runs it; the outline lists it.
func TestTestLensAndOutline(t *testing.T) {
	h := newHarness(t)
	h.open("flows.wf", testedFlow)
	h.open("flows_test.wf", "test \"minor (17)\" {\n  workflow review\n  event \"inquiry.completed\" {id: \"inq_1\"}\n  expect steps []\n}\n")
	u := docURI("flows_test.wf")
	lenses, err := call[[]protocol.CodeLens](h, protocol.MethodTextDocumentCodeLens, &protocol.CodeLensParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	require.NoError(t, err)
	require.Len(t, lenses, 1)
	l := lenses[0]
	assert.Equal(t, "▶ Run test", l.Command.Title)
	assert.Equal(t, RunTestCommand, l.Command.Command)
	var args []string
	for _, a := range l.Command.Arguments {
		var s string
		require.NoError(t, json.Unmarshal(a, &s))
		args = append(args, s)
	}
	require.Len(t, args, 3)
	assert.True(t, strings.HasSuffix(args[0], "flows_test.wf"))
	assert.Equal(t, "minor (17)", args[1])
	re := regexp.MustCompile(args[2])
	assert.True(t, re.MatchString("minor (17)") && re.MatchString("minor (17)/row 2") && !re.MatchString("minor (17)x"))
	assert.Equal(t, uint32(0), l.Range.Start.Line)

	syms, err := call[[]protocol.DocumentSymbol](h, protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	require.NoError(t, err)
	require.Len(t, syms, 1)
	assert.Equal(t, "minor (17)", syms[0].Name)
	assert.Equal(t, "test", *syms[0].Detail)
}
