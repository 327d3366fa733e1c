package lsp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

// cursorMark marks the cursor in test sources; it is removed before use.
const cursorMark = "@@"

// splitCursor removes the mark and returns the text and the cursor's
// position.
func splitCursor(t *testing.T, src string) (string, protocol.Position) {
	t.Helper()
	i := strings.Index(src, cursorMark)
	require.GreaterOrEqual(t, i, 0, "no cursor mark")
	text := src[:i] + src[i+len(cursorMark):]
	return text, newLineIndex(text).position(i)
}

func (h *harness) complete(name string, p protocol.Position) []protocol.CompletionItem {
	h.t.Helper()
	res, err := call[protocol.CompletionResult](h, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{TextDocumentPositionParams: tdp(name, p)})
	require.NoError(h.t, err)
	list, ok := res.(*protocol.CompletionList)
	require.True(h.t, ok, "result is %T", res)
	return list.Items
}

func labels(items []protocol.CompletionItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Label
	}
	return out
}

func item(items []protocol.CompletionItem, label string) *protocol.CompletionItem {
	for i := range items {
		if items[i].Label == label {
			return &items[i]
		}
	}
	return nil
}

// completeAt opens src (with its cursor mark) and checks the labels
// completion offers at the mark hold want and none of notWant.
func completeAt(t *testing.T, src string, want, notWant []string) []string {
	t.Helper()
	h := newHarness(t)
	text, p := splitCursor(t, src)
	h.open("c.wf", text)
	got := labels(h.complete("c.wf", p))
	for _, w := range want {
		assert.Contains(t, got, w)
	}
	for _, w := range notWant {
		assert.NotContains(t, got, w)
	}
	return got
}

const inquiryWorkflow = `workflow w {
  on event "inquiry.completed"

  let age = years_since(date(trigger.fields.birthdate))
  %s
}
`

func TestCompletion(t *testing.T) {
	wf := func(body string) string { return strings.Replace(inquiryWorkflow, "%s", body, 1) }
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{"named argument in an unfinished call", wf("run inquiry.decline(trigger.id, co@@"),
			[]string{"comment:"}, []string{"id:"}},
		{"named argument after one given", wf("run slack.post(secret(\"h\"), text: \"x\", @@"),
			[]string{"blocks:"}, []string{"text:", "webhook_url:"}},
		{"event names", "workflow w {\n  on event \"inq@@\"\n}\n",
			[]string{"inquiry.completed", "inquiry.approved", "report/watchlist.matched"}, nil},
		{"trigger fields of an inquiry", wf("log trigger.@@"),
			[]string{"id", "status", "inquiry_template", "reference_id", "name_first", "birthdate", "email_address", "ip_address", "country_code", "fields", "created_at"}, nil},
		{"custom fields", wf("log trigger.fields.@@"), []string{"birthdate", "name_first", "selfie_similarity"}, []string{"template_id"}},
		{"event envelope", wf("log event.@@"), []string{"name", "id", "created_at"}, []string{"lower"}},
		{"module functions", wf("run inquiry.@@"), []string{"decline", "approve", "mark_for_review"}, []string{"inquiry", "age"}},
		{"names in an expression", wf("let b = a@@"),
			[]string{"age", "trigger", "event", "inquiry", "slack", "lower", "years_since", "true"}, []string{"b", "let"}},
		{"statement start", wf("@@"), []string{"let", "when", "parallel", "for", "run", "on", "age", "inquiry"}, []string{"const", "fn"}},
		{"top level", "workflow a {\n  on manual()\n}\n\n@@", []string{"workflow", "fn", "const", "js fn"}, []string{"let", "lower"}},
		{"methods on a value", wf("let b = age.@@"), []string{"abs", "round", "str"}, []string{"decline", "lower", "keys"}},
		{"run options", wf("run inquiry.approve(trigger.id) with {re@@"), []string{"retries", "timeout", "backoff", "continue_on_error"}, []string{"age"}},
		{"trigger kinds after on", "workflow w {\n  on @@\n}\n", []string{"event", "api", "schedule", "every", "manual", "workflow"}, []string{"let"}},
		{"operators after an operand", wf("when age @@"), []string{"and", "or", "in", "matches"}, []string{"age"}},
		{"where after an event", "workflow w {\n  on event \"inquiry.completed\" @@\n}\n", []string{"where"}, nil},
		{"tz after a schedule", "workflow w {\n  on schedule \"0 9 * * *\" @@\n}\n", []string{"tz"}, []string{"where"}},
		{"limit in a parallel for", wf("parallel for x in [1] @@"), []string{"limit"}, nil},
		{"event after wait", wf("let e = wait @@"), []string{"event", "age"}, nil},
		{"where and timeout after wait event", wf("let e = wait event \"inquiry.approved\" @@"), []string{"where", "timeout"}, nil},
		{"nothing in a comment", wf("# let x = a@@"), nil, []string{"age", "let"}},
		{"nothing in a plain string", wf("log \"a@@\""), nil, []string{"age", "inquiry.completed"}},
		{"names inside an interpolation", wf("log \"${a@@\""), []string{"age", "trigger"}, nil},
		{"loop variable inside its loop", wf("for item in [1, 2] {\n    log i@@\n  }"), []string{"item", "age"}, nil},
		{"loop variable not after its loop", wf("for item in [1, 2] {\n    log item\n  }\n  log i@@"), []string{"age"}, []string{"item"}},
		{"lambda parameter in its body", wf("let xs = [1].map(x -> x@@)"), []string{"x", "age"}, []string{"xs"}},
		{"catch variable", wf("try {\n    stop\n  } catch err {\n    log e@@\n  }"), []string{"err", "age"}, nil},
		{"else after a when block", wf("when age > 1 {\n    stop\n  } @@"), []string{"else", "let"}, nil},
		{"parallel names after the block", wf("parallel {\n    let a = 1\n    let b = 2\n  }\n  log @@"), []string{"a", "b", "age"}, nil},
		{"fn parameters and return", "fn f(alpha, beta) {\n  @@\n}\n", []string{"alpha", "beta", "return"}, []string{"run", "trigger"}},
		{"api parameters as trigger fields", "workflow w {\n  on api(business_name: string)\n\n  log trigger.@@\n}\n", []string{"business_name"}, nil},
		{"globals from other declarations", "const LIMIT = 3\n\nfn helper(x) {\n  return x\n}\n\nworkflow w {\n  on manual()\n\n  let y = h@@\n}\n", []string{"LIMIT", "helper"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := completeAt(t, tt.src, tt.want, tt.notWant)
			if tt.want == nil {
				assert.Empty(t, got)
			}
		})
	}
}

func TestCompletionInFileWithSyntaxErrors(t *testing.T) {
	h := newHarness(t)
	// The workflow being typed does not parse, and neither does the one
	// after it; names before the cursor are still offered.
	text, p := splitCursor(t, "fn helper(x) {\n  return x\n}\n\nworkflow w {\n  on event \"inquiry.completed\"\n\n  let age = 3\n  when age > \n  let score = a@@\n\nworkflow broken {\n  let = \n}\n")
	diags := h.open("c.wf", text)
	require.NotEmpty(t, diags)
	got := labels(h.complete("c.wf", p))
	assert.Contains(t, got, "age")
	assert.Contains(t, got, "helper")
	assert.Contains(t, got, "trigger")
	assert.NotContains(t, got, "score")

	// A name bound after the broken line is found too.
	text, p = splitCursor(t, "workflow w {\n  on manual()\n\n  when 1 >\n  let first = 1\n  let second = f@@\n}\n")
	h.change("c.wf", 2, text)
	got = labels(h.complete("c.wf", p))
	assert.Contains(t, got, "first")
}

func TestCompletionItemsCarryDocs(t *testing.T) {
	h := newHarness(t)
	text, p := splitCursor(t, strings.Replace(inquiryWorkflow, "%s", "run inquiry.@@", 1))
	h.open("c.wf", text)
	it := item(h.complete("c.wf", p), "decline")
	require.NotNil(t, it)
	detail, _ := it.Detail.Get()
	assert.True(t, strings.HasPrefix(detail, "inquiry.decline(id: string, comment: "), detail)
	doc, ok := it.Documentation.(*protocol.MarkupContent)
	require.True(t, ok)
	assert.Contains(t, doc.Value, "Declines the inquiry")
	assert.Contains(t, doc.Value, "run inquiry.decline(trigger.id")
	assert.Contains(t, doc.Value, "Action: call it with `run`")
}

func TestCompletionEventReplacesTypedText(t *testing.T) {
	h := newHarness(t)
	// Non-ASCII text before the cursor: the edit's range is in UTF-16.
	text, p := splitCursor(t, "workflow w { # é😀\n  on event \"😀inq@@\"\n}\n")
	h.open("c.wf", text)
	it := item(h.complete("c.wf", p), "inquiry.completed")
	require.NotNil(t, it)
	edit, ok := it.TextEdit.(*protocol.TextEdit)
	require.True(t, ok)
	assert.Equal(t, protocol.Range{Start: protocol.Position{Line: 1, Character: 12}, End: protocol.Position{Line: 1, Character: 17}}, edit.Range)
	assert.Equal(t, p, edit.Range.End)
}
