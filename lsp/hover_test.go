package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

const docSource = `# Reports whether the applicant is under the limit.
# The limit is in years.
fn is_minor(birthdate, limit: int = 18) {
  return years_since(date(birthdate)) < limit
}

# Not a doc: a blank line follows.

fn plain(x) {
  return x
}

workflow review {
  on event "inquiry.completed"

  parallel {
    run inquiry.approve(trigger.id) with {retries: 3}
  }
  let e = wait event "inquiry.approved" timeout 1d
  log is_minor(trigger.fields.birthdate) and plain(e) != null
  log inquiry.get(trigger.id)
  log get({}, "k")
}
`

// Hover shows a fn's doc comment and its parameters with their defaults,
// explains keywords and run options; signature help shows defaults and
// optional parameters as written.
func TestHoverDocsKeywordsAndOptions(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", docSource)
	hover := func(p protocol.Position) string {
		res, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp("n.wf", p)})
		require.NoError(t, err)
		if res == nil {
			return ""
		}
		return res.Contents.(*protocol.MarkupContent).Value
	}
	fn := hover(at(docSource, "is_minor(trigger", 2))
	assert.Contains(t, fn, "fn is_minor(birthdate, limit: int = 18)")
	assert.Contains(t, fn, "Reports whether the applicant is under the limit.\nThe limit is in years.")
	assert.NotContains(t, hover(at(docSource, "plain(e)", 1)), "Not a doc")

	assert.Contains(t, hover(at(docSource, "parallel {", 3)), "Runs each statement of the block")
	assert.Contains(t, hover(at(docSource, "wait event", 1)), "Pauses the run")
	assert.Contains(t, hover(at(docSource, "timeout 1d", 2)), "How long a wait event waits")
	retries := hover(at(docSource, "retries: 3", 2))
	assert.Contains(t, retries, "retries: int")
	assert.Contains(t, retries, "Attempts after the first failure")
	assert.Empty(t, hover(at(docSource, "# Not a doc", 3)), "no hover in a comment")

	sig := func(marker string) string {
		res, err := h.srv.SignatureHelp(h.ctx, &protocol.SignatureHelpParams{TextDocumentPositionParams: tdp("n.wf", after(docSource, marker))})
		require.NoError(t, err)
		require.NotNil(t, res, marker)
		return res.Signatures[0].Label
	}
	assert.Equal(t, "fn is_minor(birthdate, limit: int = 18)", sig("log is_minor("))
	assert.Equal(t, "inquiry.approve(id: string, comment: string?) -> map", sig("run inquiry.approve("))
	assert.Equal(t, "get(m: map, key: string, default: any?) -> any", sig("log get("))
}

// A fn's doc comment comes with its completion item.
func TestCompletionCarriesDocComments(t *testing.T) {
	h := newHarness(t)
	text, p := splitCursor(t, docSource+"\nworkflow other {\n  on manual()\n\n  log is_@@\n}\n")
	h.open("c.wf", text)
	it := item(h.complete("c.wf", p), "is_minor")
	require.NotNil(t, it)
	doc, ok := it.Documentation.(*protocol.MarkupContent)
	require.True(t, ok)
	assert.Contains(t, doc.Value, "Reports whether the applicant is under the limit.")
	detail, _ := it.Detail.Get()
	assert.Equal(t, "fn is_minor(birthdate, limit: int = 18)", detail)
}

const testClauseSource = `test "a minor" {
  workflow review
  event "inquiry.completed" {fields: {birthdate: "2010-01-01"}}
  mock inquiry.approve once returns {}
  deliver event "inquiry.approved" {id: "inq_1"} after 1h
  expect no   run inquiry.decline
  expect steps [inquiry.approve] in any order
  expect status "completed"
}
`

// Hover on the words that start a test clause explains the clause; every
// clause kind has a text.
func TestHoverExplainsTestClauses(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", docSource)
	h.open("n_test.wf", testClauseSource)
	hover := func(marker string, delta int) string {
		res, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp("n_test.wf", at(testClauseSource, marker, delta))})
		require.NoError(t, err)
		if res == nil {
			return ""
		}
		return res.Contents.(*protocol.MarkupContent).Value
	}
	assert.Contains(t, hover("workflow review", 2), "The workflow the test runs.")
	assert.Contains(t, hover("event \"inquiry.completed\"", 1), "Starts the run with an event")
	assert.Contains(t, hover("mock inquiry", 1), "Answers the calls of an action")
	assert.Contains(t, hover("deliver event", 9), "An event for the run's event waits")
	assert.Contains(t, hover("no   run", 6), "Holds when no step matched", "the words of a clause, spaces and all")
	assert.Contains(t, hover("steps [", 1), "exactly these")
	assert.Contains(t, hover("expect status", 0), "Holds when the run ended so")
	assert.NotContains(t, hover("inquiry.decline", 3), "Test clause", "a step's name is not the clause's words")

	for k := lang.TestWorkflow; k <= lang.TestExpectError; k++ {
		assert.NotEmpty(t, testClauseDocs[k][1], "test clause %s has no hover text", k)
	}
}
