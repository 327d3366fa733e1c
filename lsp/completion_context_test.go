package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Completion that depends on what comes before the cursor: what may follow
// run, the keys and methods of the value before a dot (by its type and
// shape), and the values a string argument names.
func TestCompletionInContext(t *testing.T) {
	wf := func(body string) string { return strings.Replace(inquiryWorkflow, "%s", body, 1) }
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{"modules with actions after run", wf("run @@"), []string{"inquiry", "slack", "report", "workflow", "http"},
			[]string{"abs", "ceil", "lower", "age", "json", "true"}},
		{"actions after run and a module", wf("let r = run inquiry.@@"), []string{"decline", "approve", "get"}, []string{"lower"}},
		{"string methods", wf("let s = \"x\"\n  log s.@@"), []string{"lower", "upper", "len", "starts_with", "str"},
			[]string{"keys", "abs", "filter", "decline"}},
		{"trigger fields then map methods", wf("log trigger.@@"), []string{"status", "fields", "keys", "has"},
			[]string{"lower", "abs", "filter", "upper"}},
		{"step result", wf("let r = run report.run(\"watchlist\", name: \"x\")\n  log r.@@"),
			[]string{"matched", "status", "id", "matches", "keys"}, []string{"lower", "abs"}},
		{"step result of an action through a let", wf("let d = run inquiry.decline(trigger.id)\n  let e = d\n  log e.@@"),
			[]string{"status", "fields", "tags"}, []string{"lower"}},
		{"http response", wf("let resp = run http.get(\"https://example.com\")\n  log resp.@@"),
			[]string{"status", "headers", "body", "json"}, []string{"lower"}},
		{"error in a catch", wf("try {\n    stop\n  } catch err {\n    log err.@@\n  }"),
			[]string{"message", "kind", "step", "line", "column"}, []string{"abs"}},
		{"awaited event", wf("let e = wait event \"inquiry.approved\" timeout 1d\n  log e.@@"),
			[]string{"name", "id", "created_at", "trigger"}, nil},
		{"awaited event's object", wf("let e = wait event \"inquiry.approved\" timeout 1d\n  log e.trigger.@@"),
			[]string{"status", "fields", "name_first"}, nil},
		{"const map", "const CFG = {limit: 3, region: {name: \"eu\"}}\n\nworkflow w {\n  on manual()\n\n  log CFG.@@\n}\n",
			[]string{"limit", "region", "keys"}, []string{"lower"}},
		{"nested const map", "const CFG = {limit: 3, region: {name: \"eu\"}}\n\nworkflow w {\n  on manual()\n\n  log CFG.region.@@\n}\n",
			[]string{"name"}, []string{"limit"}},
		{"outputs of a called workflow", "workflow callee {\n  on workflow()\n\n  output {score: 1, verdict: \"ok\"}\n}\n\nworkflow w {\n  on manual()\n\n  let out = run workflow.call(\"callee\")\n  log out.@@\n}\n",
			[]string{"score", "verdict"}, nil},
		{"workflow names in workflow.call", "workflow callee {\n  on workflow()\n}\n\nworkflow w {\n  on manual()\n\n  run workflow.call(\"@@\n}\n",
			[]string{"callee"}, []string{"inquiry.completed", "age"}},
		{"time zones after tz", "workflow w {\n  on schedule \"0 9 * * *\" tz \"Eur@@\"\n}\n",
			[]string{"Europe/Paris", "Europe/London", "UTC"}, []string{"inquiry.completed"}},
		{"list names used elsewhere", "workflow other {\n  on manual()\n\n  log list(\"blocked-ips\").match(\"1.2.3.4\")\n}\n\n" + wf("let m = list(\"@@"),
			[]string{"blocked-ips"}, []string{"age"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { completeAt(t, tt.src, tt.want, tt.notWant) })
	}
}

// Keys come before methods, and methods made for the value's type before
// those that take any value.
func TestCompletionRanksFieldsThenTypedMethods(t *testing.T) {
	h := newHarness(t)
	text, p := splitCursor(t, strings.Replace(inquiryWorkflow, "%s", "log trigger.@@", 1))
	h.open("c.wf", text)
	items := h.complete("c.wf", p)
	sortOf := func(label string) string {
		it := item(items, label)
		require.NotNil(t, it, label)
		s, _ := it.SortText.Get()
		return s
	}
	assert.Less(t, sortOf("status"), sortOf("keys"))
	assert.Less(t, sortOf("keys"), sortOf("str"))
}

// List names come from fixture files beside the document and from the
// store (Options.ListNames), with where each was found.
func TestCompletionListNamesFromFixturesAndStore(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "fixtures.json"),
		[]byte(`{"lists": {"failed-tins": {"kind": "government_id_number", "items": []}}}`), 0o644))
	var asked string
	h := newHarnessWith(t, Options{Universe: testUniverse(), ListNames: func(d string) []string {
		asked = d
		return []string{"vip-emails"}
	}}, &protocol.InitializeParams{})
	text, p := splitCursor(t, "workflow w {\n  on manual()\n\n  let l = list(\"@@\")\n}\n")
	u := uri.File(filepath.Join(dir, "l.wf"))
	require.NoError(t, h.srv.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: "wf", Version: 1, Text: text}}))
	h.waitDiags(u, 1)
	res, err := call[protocol.CompletionResult](h, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{
		TextDocumentPositionParams: protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: p}})
	require.NoError(t, err)
	items := res.(*protocol.CompletionList).Items
	assert.Equal(t, []string{"failed-tins", "vip-emails"}, labels(items))
	assert.Equal(t, dir, asked)
	fx := item(items, "failed-tins")
	detail, _ := fx.Detail.Get()
	assert.Equal(t, "List (fixtures.json)", detail)
	edit, ok := fx.TextEdit.(*protocol.TextEdit)
	require.True(t, ok)
	assert.Equal(t, p, edit.Range.Start)
}
