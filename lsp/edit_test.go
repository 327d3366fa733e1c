package lsp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// applyEdits applies LSP text edits (non-overlapping) to text.
func applyEdits(t testing.TB, text string, edits []protocol.TextEdit) string {
	t.Helper()
	li := newLineIndex(text)
	type span struct {
		lo, hi int
		s      string
	}
	var spans []span
	for _, e := range edits {
		spans = append(spans, span{li.offset(e.Range.Start), li.offset(e.Range.End), e.NewText})
	}
	for i := 1; i < len(spans); i++ {
		for j := i; j > 0 && spans[j].lo > spans[j-1].lo; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	for _, sp := range spans { // from the end, so offsets stay valid
		text = text[:sp.lo] + sp.s + text[sp.hi:]
	}
	return text
}

func (h *harness) rename(p protocol.Position, name string) (string, error) {
	h.t.Helper()
	res, err := h.srv.Rename(h.ctx, &protocol.RenameParams{TextDocumentPositionParams: tdp("n.wf", p), NewName: name})
	if err != nil {
		return "", err
	}
	require.Len(h.t, res.Changes, 1)
	return applyEdits(h.t, navSource, res.Changes[docURI("n.wf")]), nil
}

func TestRename(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	got, err := h.rename(at(navSource, "age < LIMIT", 1), "applicant_age")
	require.NoError(t, err)
	want := strings.NewReplacer("let age", "let applicant_age", "and age", "and applicant_age", "${age}", "${applicant_age}",
		"age: age", "age: applicant_age").Replace(navSource)
	assert.Equal(t, want, got, "the map key and the text in the string stay")

	got, err = h.rename(at(navSource, "item in", 0), "row")
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(navSource, "item", "row"), got)

	got, err = h.rename(at(navSource, "birthdate) {", 0), "born")
	require.NoError(t, err)
	assert.Contains(t, got, "fn is_minor(born) {\n  return years_since(date(born)) < LIMIT")
	assert.Contains(t, got, "trigger.fields.birthdate", "fields are not the parameter")

	got, err = h.rename(at(navSource, "LIMIT {", 0), "MAX_AGE")
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(navSource, "LIMIT", "MAX_AGE"), got)
}

func TestRenameRefused(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	tests := []struct {
		name string
		at   protocol.Position
		to   string
		want string
	}{
		{"library function", at(navSource, "lower(", 0), "low", "library"},
		{"module function", at(navSource, "mark_for_review", 0), "mark", "library function"},
		{"module", at(navSource, "inquiry.mark", 0), "inq", "library name"},
		{"trigger", at(navSource, "trigger.status", 0), "t", "bound by the workflow itself"},
		{"workflow", at(navSource, "review {", 0), "r", "workflow"},
		{"keyword", at(navSource, "age < LIMIT", 0), "when", "reserved word"},
		{"invalid name", at(navSource, "age < LIMIT", 0), "2age", "not a valid name"},
		{"library name as new name", at(navSource, "age < LIMIT", 0), "lower", "library"},
		{"clash in the same block", at(navSource, "age < LIMIT", 0), "tags", "would"},
		{"capture by an inner name", at(navSource, "age}\")", 0), "item", "would"},
		{"nothing here", at(navSource, "# é", 0), "x", "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.rename(tt.at, tt.to)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestPrepareRename(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	res, err := call[protocol.PrepareRenameResult](h, protocol.MethodTextDocumentPrepareRename, &protocol.PrepareRenameParams{TextDocumentPositionParams: tdp("n.wf", at(navSource, "item} ${age}", 2))})
	require.NoError(t, err)
	ph, ok := res.(*protocol.PrepareRenamePlaceholder)
	require.True(t, ok, "%T", res)
	assert.Equal(t, "item", ph.Placeholder)
	assert.Equal(t, at(navSource, "item} ${age}", 0), ph.Range.Start)
	_, err = h.srv.PrepareRename(h.ctx, &protocol.PrepareRenameParams{TextDocumentPositionParams: tdp("n.wf", at(navSource, "lower(", 0))})
	require.Error(t, err)
}

func TestDocumentSymbols(t *testing.T) {
	h := newHarness(t)
	src := navSource + "\njs fn score(x) \"\"\"\n  return 1\n\"\"\"\n"
	h.open("n.wf", src)
	res, err := call[protocol.DocumentSymbolResult](h, protocol.MethodTextDocumentDocumentSymbol, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("n.wf")}})
	require.NoError(t, err)
	syms, ok := res.(protocol.DocumentSymbolSlice)
	require.True(t, ok, "%T", res)
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"LIMIT", "is_minor", "review", "caller", "score"}, names)
	assert.Equal(t, protocol.SymbolKindConstant, syms[0].Kind)
	assert.Equal(t, protocol.SymbolKindFunction, syms[1].Kind)
	assert.Equal(t, protocol.SymbolKindFunction, syms[4].Kind)
	review := syms[2]
	assert.Equal(t, at(src, "review {", 0), review.SelectionRange.Start)
	require.NotEmpty(t, review.Children)
	assert.Equal(t, `on event "inquiry.completed"`, review.Children[0].Name)
	assert.Equal(t, protocol.SymbolKindEvent, review.Children[0].Kind)
	var lets []string
	for _, c := range review.Children[1:] {
		lets = append(lets, c.Name)
	}
	assert.Equal(t, []string{"age", "tags"}, lets)
}

func (h *harness) format(name string) ([]protocol.TextEdit, error) {
	return h.srv.Formatting(h.ctx, &protocol.DocumentFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI(name)}})
}

func TestFormatting(t *testing.T) {
	h := newHarness(t)
	messy := "workflow   w{\n on manual()\n    let   x=[1,2]   # é😀\n log \"${x}\"\n}\n"
	h.open("f.wf", messy)
	edits, err := h.format("f.wf")
	require.NoError(t, err)
	require.Len(t, edits, 1)
	want := "workflow w {\n  on manual()\n\n  let x = [1, 2] # é😀\n  log \"${x}\"\n}\n"
	assert.Equal(t, want, applyEdits(t, messy, edits))
	assert.Greater(t, edits[0].Range.Start.Character+edits[0].Range.Start.Line, uint32(0), "the edit skips the unchanged start")

	h.change("f.wf", 2, want)
	edits, err = h.format("f.wf")
	require.NoError(t, err)
	assert.Empty(t, edits, "a formatted file needs no edit")

	h.change("f.wf", 3, "workflow w {\n  let = \n}\n")
	_, err = h.format("f.wf")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "syntax")
}

func TestMinimalEditKeepsCharactersWhole(t *testing.T) {
	an := &analysis{text: "a é b\r\nc", lines: newLineIndex("a é b\r\nc")}
	for _, want := range []string{"a è b\r\nc", "a é b\nc", "a é b\r\nc!", "x", ""} {
		e, ok := an.minimalEdit(want)
		require.True(t, ok)
		assert.Equal(t, want, applyEdits(t, an.text, []protocol.TextEdit{e}), "to %q", want)
	}
}

func TestCodeActionQuickFixes(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on event \"inquiry.complete\"\n\n  let é = 1\n  let age = 3\n  log \"${agee}\"\n  inquiry.approve(trigger.id)\n}\n"
	src = strings.Replace(src, "  let é = 1\n", "  # é😀\n", 1)
	diags := h.open("q.wf", src)
	require.Len(t, diags, 4) // the three fixed below, and age unused (until agee is fixed)
	res, err := call[[]protocol.CommandOrCodeAction](h, protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: docURI("q.wf")},
		Range:        protocol.Range{Start: protocol.Position{}, End: protocol.Position{Line: 9}},
		Context:      protocol.CodeActionContext{Diagnostics: diags},
	})
	require.NoError(t, err)
	fixed := src
	var titles []string
	for _, r := range res {
		ca, ok := r.(*protocol.CodeAction)
		require.True(t, ok)
		titles = append(titles, ca.Title)
		if ca.Title == "Rename to _age" {
			continue // the next fix uses age
		}
		assert.Equal(t, protocol.CodeActionKindQuickFix, *ca.Kind)
		require.Len(t, ca.Diagnostics, 1)
		fixed = applyEdits(t, fixed, ca.Edit.Changes[docURI("q.wf")])
		h.change("q.wf", int32(len(titles)+1), fixed)
	}
	assert.ElementsMatch(t, []string{"Change to inquiry.completed", "Change to age", "Add run", "Rename to _age"}, titles)
	assert.Empty(t, h.change("q.wf", 10, fixed), "every fix applied, no diagnostic left")

	only, err := call[[]protocol.CommandOrCodeAction](h, protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
		TextDocument: protocol.TextDocumentIdentifier{URI: docURI("q.wf")},
		Context:      protocol.CodeActionContext{Only: []protocol.CodeActionKind{protocol.CodeActionKindRefactor}},
	})
	require.NoError(t, err)
	assert.Empty(t, only)
}

func TestSignatureHelp(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		src    string
		label  string
		active int
	}{
		{"run inquiry.decline(trigger.id, @@", "inquiry.decline(id: string, comment: ", 1},
		{"run inquiry.decline(@@", "inquiry.decline(", 0},
		{"run inquiry.decline(trigger.id, comment: \"a ${lower(\"x\")}\"@@", "inquiry.decline(", 1},
		{"log replace(\"a\", [1, 2, @@", "replace(s: string, old: string, new: string) -> string", 1},
		{"log \"x\".replace(\"a\", @@", ".replace(old: string, new: string) -> string", 1},
		{"log min(1, 2, 3, @@", "min(...values: any) -> any", 0},
		{"log helper(1, @@", "fn helper(a, b)", 1},
	}
	for i, tt := range tests {
		src := "fn helper(a, b) {\n  return a\n}\n\nworkflow w {\n  on event \"inquiry.completed\"\n\n  " + tt.src + "\n}\n"
		text, p := splitCursor(t, src)
		name := "s" + string(rune('a'+i)) + ".wf"
		h.open(name, text)
		res, err := h.srv.SignatureHelp(h.ctx, &protocol.SignatureHelpParams{TextDocumentPositionParams: tdp(name, p)})
		require.NoError(t, err)
		require.NotNil(t, res, tt.src)
		require.Len(t, res.Signatures, 1)
		sig := res.Signatures[0]
		assert.True(t, strings.HasPrefix(sig.Label, tt.label), "%q", sig.Label)
		active, ok := res.ActiveParameter.Get()
		require.True(t, ok, tt.src)
		assert.Equal(t, uint32(tt.active), active, tt.src)
		lbl, ok := sig.Parameters[active].Label.(protocol.ParameterInformationLabelTuple)
		require.True(t, ok)
		assert.NotEmpty(t, sig.Label[lbl[0]:lbl[1]])
	}
}

func TestSignatureHelpOutsideCalls(t *testing.T) {
	h := newHarness(t)
	text, p := splitCursor(t, "workflow w {\n  on manual()\n\n  when lower(\"a\") == \"a\" {\n    @@\n  }\n}\n")
	h.open("s.wf", text)
	res, err := h.srv.SignatureHelp(h.ctx, &protocol.SignatureHelpParams{TextDocumentPositionParams: tdp("s.wf", p)})
	require.NoError(t, err)
	assert.Nil(t, res)
}

func TestRequestsAboutUnknownDocuments(t *testing.T) {
	h := newHarness(t)
	p := tdp("never-opened.wf", protocol.Position{})
	_, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown document")
	var werr *jsonrpc2.Error
	require.ErrorAs(t, err, &werr)
	assert.Equal(t, jsonrpc2.InvalidParams, werr.Code)
	_, err = h.srv.Completion(h.ctx, &protocol.CompletionParams{TextDocumentPositionParams: p})
	require.Error(t, err)
	_, err = h.format("never-opened.wf")
	require.Error(t, err)
	// The connection is still fine.
	h.open("ok.wf", "workflow w {\n  on manual()\n}\n")
}

// Fixes are offered with the cursor anywhere on the diagnostic's line and
// no diagnostics sent with the request (as Neovim 0.7 and some clients
// ask); "Add run" parenthesizes a call that is the operand of a field
// read; an unused name can be renamed.
func TestCodeActionsWithoutClientDiagnostics(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on event \"inquiry.completed\"\n\n  when inquiry.get(trigger.id).status == \"approved\" {\n    stop\n  }\n  let unused = 1\n}\n"
	require.Len(t, h.open("q.wf", src), 2)
	fixesOn := func(line uint32) []*protocol.CodeAction {
		res, err := call[[]protocol.CommandOrCodeAction](h, protocol.MethodTextDocumentCodeAction, &protocol.CodeActionParams{
			TextDocument: protocol.TextDocumentIdentifier{URI: docURI("q.wf")},
			Range:        protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line}},
		})
		require.NoError(t, err)
		var out []*protocol.CodeAction
		for _, r := range res {
			ca, ok := r.(*protocol.CodeAction)
			require.True(t, ok)
			out = append(out, ca)
		}
		return out
	}
	run := fixesOn(3)
	require.Len(t, run, 1)
	assert.Equal(t, "Add run", run[0].Title)
	fixed := applyEdits(t, src, run[0].Edit.Changes[docURI("q.wf")])
	assert.Contains(t, fixed, "when (run inquiry.get(trigger.id)).status == \"approved\" {")

	rename := fixesOn(6)
	require.Len(t, rename, 1)
	assert.Equal(t, "Rename to _unused", rename[0].Title)
	fixed = applyEdits(t, fixed, rename[0].Edit.Changes[docURI("q.wf")])
	assert.Empty(t, h.change("q.wf", 2, fixed), "both fixes applied, nothing left:\n%s", fixed)
	assert.Empty(t, fixesOn(1))
}
