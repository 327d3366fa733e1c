package lsp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

const navSource = `const LIMIT = 18

fn is_minor(birthdate) {
  return years_since(date(birthdate)) < LIMIT
}

workflow review {
  on event "inquiry.completed"

  # é😀 before the names, to check UTF-16 columns
  let age = years_since(date(trigger.fields.birthdate))
  when is_minor(trigger.fields.birthdate) and age < LIMIT {
    run inquiry.mark_for_review(trigger.id, comment: "😀 age ${age}")
  }
  for item in [1, 2] {
    log "${item} ${age}"
  }
  let tags = ["a"].map(t -> t.upper())
  log lower(trigger.status)
  output {age: age, tags: tags}
}

workflow caller {
  on manual()

  run workflow.call("review", {})
}
`

func hoverText(t *testing.T, h *harness, p protocol.Position) string {
	t.Helper()
	res, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp("n.wf", p)})
	require.NoError(t, err)
	if res == nil {
		return ""
	}
	mc, ok := res.Contents.(*protocol.MarkupContent)
	require.True(t, ok)
	return mc.Value
}

func TestHover(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	tests := []struct {
		name string
		at   protocol.Position
		want []string
	}{
		{"library function", at(navSource, "years_since(date(trigger", 2), []string{"years_since(", "```wf"}},
		{"module function", at(navSource, "mark_for_review", 3), []string{"inquiry.mark_for_review(id: string", "Marks the inquiry for manual review", "Action: call it with `run`"}},
		{"let binding", at(navSource, "age < LIMIT", 1), []string{"let age", "let age = years_since(date(trigger.fields.birthdate))", "Bound at line 11"}},
		{"fn parameter", at(navSource, "date(birthdate)", 6), []string{"parameter birthdate", "Bound at line 3"}},
		{"const", at(navSource, "LIMIT {", 1), []string{"const LIMIT: int", "const LIMIT = 18", "Bound at line 1"}},
		{"fn", at(navSource, "is_minor(trigger", 1), []string{"fn is_minor(birthdate)", "Bound at line 3"}},
		{"loop variable", at(navSource, "item} ${age}", 0), []string{"loop variable item"}},
		{"lambda parameter", at(navSource, "t.upper", 0), []string{"lambda parameter t"}},
		{"method", at(navSource, "upper()", 1), []string{"upper(s: string) -> string"}},
		{"trigger", at(navSource, "trigger.status", 2), []string{"# workflow review\ntrigger: ", "The object that started the run", "Here: `inquiry`."}},
		{"trigger field", at(navSource, "status)", 1), []string{"trigger.status"}},
		{"custom field", at(navSource, "birthdate))\n", 2), []string{"trigger.fields.birthdate", "Date of birth"}},
		{"event name", at(navSource, "inquiry.completed", 3), []string{"Persona event `inquiry.completed`", "inquiry object"}},
		{"named argument", at(navSource, "comment:", 2), []string{"comment:", "Parameter of `inquiry.mark_for_review`"}},
		{"workflow in a call", at(navSource, `"review"`, 2), []string{"workflow review", `on event "inquiry.completed"`}},
		{"module", at(navSource, "inquiry.mark", 2), []string{"module inquiry", "`mark_for_review`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hoverText(t, h, tt.at)
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
		})
	}
	assert.Empty(t, hoverText(t, h, at(navSource, "# é", 1)), "nothing on a comment")
}

func TestHoverRangeCountsUTF16(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on manual()\n\n  let é😀x = 1\n  log \"😀${é😀x}\"\n}\n"
	// é😀x is not a WF name; use a name after non-ASCII text on its line.
	src = strings.ReplaceAll(src, "é😀x", "x")
	src = strings.Replace(src, "let x = 1", "let x = 1 # 😀é", 1)
	h.open("n.wf", src)
	p := at(src, "x}", 0)
	assert.Equal(t, uint32(11), p.Character, "😀 is two UTF-16 units")
	res, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp("n.wf", p)})
	require.NoError(t, err)
	require.NotNil(t, res)
	require.NotNil(t, res.Range)
	assert.Equal(t, protocol.Range{Start: p, End: protocol.Position{Line: p.Line, Character: p.Character + 1}}, *res.Range)
}

func (h *harness) definition(p protocol.Position) []protocol.Location {
	h.t.Helper()
	res, err := call[protocol.DefinitionResult](h, protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: tdp("n.wf", p)})
	require.NoError(h.t, err)
	switch r := res.(type) {
	case *protocol.Location:
		return []protocol.Location{*r}
	case protocol.LocationSlice:
		return r
	case protocol.DefinitionLinkSlice: // how an empty array decodes
		require.Empty(h.t, r)
		return nil
	}
	h.t.Fatalf("unexpected definition result %T", res)
	return nil
}

func TestDefinition(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	tests := []struct {
		name string
		from protocol.Position
		to   protocol.Position
	}{
		{"let", at(navSource, "age < LIMIT", 0), at(navSource, "age = years_since", 0)},
		{"const", at(navSource, "LIMIT {", 0), at(navSource, "LIMIT = 18", 0)},
		{"fn", at(navSource, "is_minor(trigger", 0), at(navSource, "is_minor(birthdate)", 0)},
		{"parameter", at(navSource, "date(birthdate)", 5), at(navSource, "birthdate) {", 0)},
		{"loop variable", at(navSource, "item} ${age}", 0), at(navSource, "item in", 0)},
		{"lambda parameter", at(navSource, "t.upper", 0), at(navSource, "t -> ", 0)},
		{"trigger goes to the on clause", at(navSource, "trigger.status", 0), at(navSource, `on event "inquiry`, 0)},
		{"workflow string", at(navSource, `"review"`, 1), at(navSource, "review {", 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			locs := h.definition(tt.from)
			require.Len(t, locs, 1)
			assert.Equal(t, docURI("n.wf"), locs[0].URI)
			assert.Equal(t, tt.to, locs[0].Range.Start)
		})
	}
	assert.Empty(t, h.definition(at(navSource, "lower(", 1)), "library names have no definition in the file")
}

func (h *harness) references(p protocol.Position, withDecl bool) []protocol.Position {
	h.t.Helper()
	res, err := h.srv.References(h.ctx, &protocol.ReferenceParams{TextDocumentPositionParams: tdp("n.wf", p),
		Context: protocol.ReferenceContext{IncludeDeclaration: withDecl}})
	require.NoError(h.t, err)
	out := make([]protocol.Position, len(res))
	for i, l := range res {
		out[i] = l.Range.Start
	}
	return out
}

func TestReferences(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	ageUses := []protocol.Position{at(navSource, "age < LIMIT", 0), at(navSource, "age}\")", 0), at(navSource, "age}\"\n", 0),
		at(navSource, "age: age", 5)}
	assert.ElementsMatch(t, append([]protocol.Position{at(navSource, "age = years", 0)}, ageUses...),
		h.references(at(navSource, "age = years", 0), true), "from the definition")
	assert.ElementsMatch(t, ageUses, h.references(at(navSource, "age < LIMIT", 0), false), "from a use, without the definition")
	assert.ElementsMatch(t, []protocol.Position{at(navSource, "LIMIT = 18", 0), at(navSource, "LIMIT\n}", 0), at(navSource, "LIMIT {", 0)},
		h.references(at(navSource, "LIMIT {", 0), true), "const")
	assert.ElementsMatch(t, []protocol.Position{at(navSource, "is_minor(birthdate)", 0), at(navSource, "is_minor(trigger", 0)},
		h.references(at(navSource, "is_minor(trigger", 0), true), "fn")
	assert.ElementsMatch(t, []protocol.Position{at(navSource, "review {", 0), at(navSource, `"review"`, 0)},
		h.references(at(navSource, "review {", 0), true), "workflow")
	assert.ElementsMatch(t, []protocol.Position{at(navSource, "birthdate) {", 0), at(navSource, "birthdate)) <", 0)},
		h.references(at(navSource, "birthdate) {", 0), true), "parameter")
	assert.Len(t, h.references(at(navSource, "years_since(date(trigger", 0), true), 2, "library function")
}

func TestDocumentHighlight(t *testing.T) {
	h := newHarness(t)
	h.open("n.wf", navSource)
	res, err := h.srv.DocumentHighlight(h.ctx, &protocol.DocumentHighlightParams{TextDocumentPositionParams: tdp("n.wf", at(navSource, "item} ${age}", 0))})
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.Equal(t, protocol.DocumentHighlightKindWrite, res[0].Kind)
	assert.Equal(t, protocol.DocumentHighlightKindRead, res[1].Kind)
}

func TestReferencesOfJsFn(t *testing.T) {
	h := newHarness(t)
	src := "js fn score(x) \"\"\"\n  return 1\n\"\"\"\n\nworkflow w {\n  on manual()\n\n  log \"${score(1)} ${score(2)}\"\n}\n"
	h.open("n.wf", src)
	got := h.references(at(src, "score(1)", 0), true)
	assert.Equal(t, []protocol.Position{at(src, "score(x)", 0), at(src, "score(1)", 0), at(src, "score(2)", 0)}, got)
	locs := h.definition(at(src, "score(2)", 1))
	require.Len(t, locs, 1)
	assert.Equal(t, at(src, "score(x)", 0), locs[0].Range.Start)
}
