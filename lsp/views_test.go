package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// viewSource exercises the whole-document features: semantic tokens,
// folding, inlay hints and call hierarchy.
const viewSource = `# Limits.
# In years.
const LIMIT = 18

fn is_minor(birthdate) {
  return years_since(date(birthdate)) < LIMIT
}

js fn shout(s) """
  return s.toUpperCase()
"""

workflow review {
  on event "inquiry.completed"

  let age = years_since(date(trigger.fields.birthdate))
  let status = trigger.status
  when is_minor(trigger.fields.birthdate) {
    run inquiry.decline(trigger.id, comment: shout("minor").lower())
  }
  output {age: age, status: status}
}

workflow caller {
  on manual()

  let out = run workflow.call("review")
  log is_minor("2001-01-01")
  log out
}
`

// tok is a decoded semantic token.
type tok struct {
	text, typ string
	mods      []string
}

func decodeTokens(t *testing.T, text string, data []uint32) []tok {
	t.Helper()
	require.Zero(t, len(data)%5)
	li := newLineIndex(text)
	var out []tok
	var line, char uint32
	for i := 0; i < len(data); i += 5 {
		if data[i] > 0 {
			line, char = line+data[i], 0
		}
		char += data[i+1]
		start := li.offset(protocol.Position{Line: line, Character: char})
		end := li.offset(protocol.Position{Line: line, Character: char + data[i+2]})
		tk := tok{text: text[start:end], typ: semTypes[data[i+3]]}
		for b, m := range semModifiers {
			if data[i+4]&(1<<b) != 0 {
				tk.mods = append(tk.mods, m)
			}
		}
		out = append(out, tk)
	}
	return out
}

func TestSemanticTokens(t *testing.T) {
	h := newHarness(t)
	h.open("v.wf", viewSource)
	res, err := h.srv.SemanticTokensFull(h.ctx, &protocol.SemanticTokensParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("v.wf")}})
	require.NoError(t, err)
	toks := decodeTokens(t, viewSource, res.Data)
	find := func(text, typ string) *tok {
		for i := range toks {
			if toks[i].text == text && toks[i].typ == typ {
				return &toks[i]
			}
		}
		return nil
	}
	for _, w := range []struct{ text, typ, mod string }{
		{"# Limits.", "comment", ""}, {"const", "keyword", ""}, {"LIMIT", "variable", "readonly"},
		{"is_minor", "function", "declaration"}, {"birthdate", "parameter", "declaration"},
		{"years_since", "function", "defaultLibrary"}, {"18", "number", ""}, {"workflow", "keyword", ""},
		{"review", "class", "declaration"}, {"on", "keyword", ""}, {"event", "keyword", ""},
		{`"inquiry.completed"`, "string", ""}, {"trigger", "variable", "readonly"}, {"fields", "property", ""},
		{"age", "variable", "declaration"}, {"inquiry", "namespace", "defaultLibrary"}, {"decline", "function", "defaultLibrary"},
		{"comment", "parameter", ""}, {"lower", "method", "defaultLibrary"}, {"shout", "function", ""},
		{"status", "property", ""}, {"run", "keyword", ""}, {"workflow", "namespace", "defaultLibrary"},
		{"  return s.toUpperCase()", "string", ""},
	} {
		got := find(w.text, w.typ)
		if assert.NotNil(t, got, "%s as %s", w.text, w.typ) && w.mod != "" {
			assert.Contains(t, got.mods, w.mod, w.text)
		}
	}
	// A """ string over several lines is cut into one token a line.
	assert.NotNil(t, find(`"""`, "string"))
}

func TestFoldingRanges(t *testing.T) {
	h := newHarness(t)
	h.open("v.wf", viewSource)
	res, err := h.srv.FoldingRanges(h.ctx, &protocol.FoldingRangeParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("v.wf")}})
	require.NoError(t, err)
	type fold struct {
		start, end uint32
		kind       protocol.FoldingRangeKind
	}
	var got []fold
	for _, r := range res {
		got = append(got, fold{r.StartLine, r.EndLine, r.Kind})
	}
	line := func(marker string) uint32 { return at(viewSource, marker, 0).Line }
	assert.Contains(t, got, fold{line("# Limits."), line("# In years."), protocol.FoldingRangeKindComment})
	assert.Contains(t, got, fold{line("fn is_minor"), line("return years_since"), ""})
	assert.Contains(t, got, fold{line("workflow review"), line("output {age"), ""})
	assert.Contains(t, got, fold{line("when is_minor"), line("run inquiry.decline"), ""})
	assert.Contains(t, got, fold{line(`js fn shout`), line(`js fn shout`) + 2, protocol.FoldingRangeKindRegion})
}

func TestInlayHintsShowLetTypes(t *testing.T) {
	h := newHarness(t)
	h.open("v.wf", viewSource)
	res, err := h.srv.InlayHint(h.ctx, &protocol.InlayHintParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("v.wf")},
		Range: protocol.Range{End: newLineIndex(viewSource).position(len(viewSource))}})
	require.NoError(t, err)
	got := map[protocol.Position]string{}
	for _, ih := range res {
		got[ih.Position] = string(ih.Label.(protocol.String))
	}
	assert.Equal(t, ": int", got[after(viewSource, "let age")])
	assert.Equal(t, ": map", got[after(viewSource, "let out")])
	_, typed := got[after(viewSource, "let status")]
	assert.False(t, typed, "no hint where the type is unknown")
}

func TestCallHierarchy(t *testing.T) {
	h := newHarness(t)
	h.open("v.wf", viewSource)
	prepare := func(p protocol.Position) protocol.CallHierarchyItem {
		items, err := h.srv.PrepareCallHierarchy(h.ctx, &protocol.CallHierarchyPrepareParams{TextDocumentPositionParams: tdp("v.wf", p)})
		require.NoError(t, err)
		require.Len(t, items, 1)
		return items[0]
	}
	fn := prepare(at(viewSource, "is_minor(birthdate)", 1))
	assert.Equal(t, "is_minor", fn.Name)
	in, err := h.srv.IncomingCalls(h.ctx, &protocol.CallHierarchyIncomingCallsParams{Item: fn})
	require.NoError(t, err)
	var callers []string
	for _, c := range in {
		callers = append(callers, c.From.Name)
		assert.Len(t, c.FromRanges, 1)
	}
	assert.ElementsMatch(t, []string{"review", "caller"}, callers)

	review := prepare(at(viewSource, `"review"`, 2))
	assert.Equal(t, "review", review.Name)
	out, err := h.srv.OutgoingCalls(h.ctx, &protocol.CallHierarchyOutgoingCallsParams{Item: review})
	require.NoError(t, err)
	var callees []string
	for _, c := range out {
		callees = append(callees, c.To.Name)
	}
	assert.ElementsMatch(t, []string{"is_minor", "shout"}, callees)
	in, err = h.srv.IncomingCalls(h.ctx, &protocol.CallHierarchyIncomingCallsParams{Item: review})
	require.NoError(t, err)
	require.Len(t, in, 1)
	assert.Equal(t, "caller", in[0].From.Name)
	assert.Equal(t, at(viewSource, `"review"`, 0), in[0].FromRanges[0].Start)
}

func TestRangeFormattingTouchesOnlyTheRange(t *testing.T) {
	h := newHarness(t)
	src := "workflow a {\n  on manual()\n      log   1\n}\n\nworkflow b {\n  on manual()\n      log   2\n}\n"
	h.open("f.wf", src)
	rangeFormat := func(r protocol.Range) string {
		res, err := h.srv.RangeFormatting(h.ctx, &protocol.DocumentRangeFormattingParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("f.wf")}, Range: r})
		require.NoError(t, err)
		return applyEdits(t, src, res)
	}
	got := rangeFormat(protocol.Range{Start: protocol.Position{Line: 7}, End: protocol.Position{Line: 7, Character: 3}})
	assert.Equal(t, "workflow a {\n  on manual()\n      log   1\n}\n\nworkflow b {\n  on manual()\n\n  log 2\n}\n", got)
	all, err := h.format("f.wf")
	require.NoError(t, err)
	assert.Equal(t, applyEdits(t, src, all), rangeFormat(protocol.Range{End: protocol.Position{Line: 9}}))
}

func TestWorkspaceSymbols(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "flows"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".wf"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flows", "kyb.wf"), []byte("fn score_business(x) {\n  return x\n}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".wf", "hidden.wf"), []byte("fn score_hidden(x) {\n  return x\n}\n"), 0o644))
	root := uri.File(dir)
	h := newHarnessWith(t, Options{Universe: testUniverse()}, &protocol.InitializeParams{RootURI: &root}) //lint:ignore SA1019 a client that sends only rootUri
	h.openAt(uri.File(filepath.Join(dir, "main.wf")), "workflow scoring {\n  on manual()\n}\n")
	query := func(q string) []string {
		res, err := call[protocol.SymbolInformationSlice](h, protocol.MethodWorkspaceSymbol, &protocol.WorkspaceSymbolParams{Query: q})
		require.NoError(t, err)
		var out []string
		for _, s := range res {
			out = append(out, s.Name+" "+filepath.Base(string(s.Location.URI)))
		}
		return out
	}
	assert.Equal(t, []string{"score_business kyb.wf", "scoring main.wf"}, query("sco"))
	assert.Equal(t, []string{"score_business kyb.wf"}, query("scbus"))
	assert.Empty(t, query("nothing"))
}

func TestCodeLensRunsWorkflowsWithSampleEvents(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "events"), 0o755))
	minor, err := os.ReadFile("../examples/events/inquiry_minor.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "events", "minor.json"), minor, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "approved.json"), []byte(`{"name": "inquiry.approved", "payload": {}}`), 0o644))
	h := newHarnessWith(t, Options{Universe: testUniverse()}, &protocol.InitializeParams{})
	path := filepath.Join(dir, "flows.wf")
	u := uri.File(path)
	h.openAt(u, "workflow review {\n  on event \"inquiry.completed\"\n}\n\nworkflow later {\n  on event \"case.*\"\n}\n\nworkflow nightly {\n  on manual()\n}\n\nworkflow kyb {\n  on api(name: string)\n}\n")
	res, err := call[[]protocol.CodeLens](h, protocol.MethodTextDocumentCodeLens, &protocol.CodeLensParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
	require.NoError(t, err)
	var got []string
	for _, l := range res {
		var args []string
		for _, a := range l.Command.Arguments {
			var s string
			require.NoError(t, json.Unmarshal(a, &s))
			args = append(args, strings.TrimPrefix(s, dir+string(filepath.Separator)))
		}
		assert.Equal(t, RunCommand, l.Command.Command)
		got = append(got, l.Command.Title+" | "+strings.Join(args, " "))
	}
	assert.Equal(t, []string{
		"▶ Run with events/minor.json | flows.wf review events/minor.json",
		"▶ Run with an event… | flows.wf later",
		"▶ Run | flows.wf nightly",
	}, got)
}

// An undefined name that a sibling with a syntax error declares says so,
// and points at that error. (A syntax error in a fn's body keeps the fn:
// the statement is lost, not the declaration; one in its header loses it.)
func TestSyntaxErrorInAnotherFileIsExplained(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "helpers.wf"), []byte("fn is_minor(birthdate {\n  return years_since(date(birthdate)) < 18\n}\n"), 0o644))
	h := newHarness(t)
	diags := h.openAt(uri.File(filepath.Join(dir, "uses.wf")), usesWF)
	var found bool
	for _, d := range diags {
		msg := string(d.Message.(protocol.String))
		if strings.Contains(msg, "undefined name is_minor") {
			found = true
			assert.Contains(t, msg, "is_minor is declared in helpers.wf, which does not parse: fix its syntax error first")
			require.NotEmpty(t, d.RelatedInformation)
			rel := d.RelatedInformation[len(d.RelatedInformation)-1]
			assert.Equal(t, uri.File(filepath.Join(dir, "helpers.wf")), rel.Location.URI)
			assert.Contains(t, rel.Message, "syntax error")
		}
	}
	assert.True(t, found, "%v", diags)
}
