package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// DocumentSymbol implements protocol.Server: the document's outline.
// Workflows hold their triggers and their top-level bindings; fns, js fns,
// consts and tests stand alone.
func (s *server) DocumentSymbol(ctx context.Context, params *protocol.DocumentSymbolParams) (protocol.DocumentSymbolResult, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := protocol.DocumentSymbolSlice{}
	for _, d := range an.file.Decls {
		if sym, ok := an.declSymbol(d); ok {
			out = append(out, sym)
		}
	}
	return out, nil
}

func (an *analysis) declSymbol(d lang.Decl) (protocol.DocumentSymbol, bool) {
	if t, ok := d.(*lang.TestDecl); ok && t.Name != nil {
		detail := "test"
		return protocol.DocumentSymbol{Name: t.Title(), Detail: &detail, Kind: protocol.SymbolKindMethod,
			Range: an.lines.rng(t.Sp), SelectionRange: an.lines.rng(t.Name.Sp)}, true
	}
	name := d.DeclName()
	if name == nil || name.Name == "" {
		return protocol.DocumentSymbol{}, false
	}
	sym := protocol.DocumentSymbol{
		Name:           name.Name,
		Range:          an.lines.rng(d.Span()),
		SelectionRange: an.lines.rng(name.Sp),
	}
	sym.Kind = declKind(d)
	detail := ""
	switch d := d.(type) {
	case *lang.WorkflowDecl:
		detail = "workflow"
		sym.Children = an.workflowChildren(d)
	case *lang.FnDecl:
		detail = "fn(" + strings.Join(an.paramLabels(an.self, d.Params), ", ") + ")"
	case *lang.JsFnDecl:
		detail = "js fn(" + strings.Join(an.paramLabels(an.self, d.Params), ", ") + ")"
	case *lang.ConstDecl:
		detail = "const"
	}
	sym.Detail = &detail
	return sym, true
}

// workflowChildren lists a workflow's on clauses and its top-level lets.
func (an *analysis) workflowChildren(w *lang.WorkflowDecl) []protocol.DocumentSymbol {
	var out []protocol.DocumentSymbol
	for _, t := range w.Triggers {
		r := an.lines.rng(t.Span())
		detail := "trigger"
		out = append(out, protocol.DocumentSymbol{
			Name: an.lineOf(t.Span().Start.Offset), Detail: &detail, Kind: protocol.SymbolKindEvent,
			Range: r, SelectionRange: r,
		})
	}
	for _, st := range w.Body {
		if l, ok := st.(*lang.LetStmt); ok && l.Name != nil {
			detail := "let"
			out = append(out, protocol.DocumentSymbol{
				Name: l.Name.Name, Detail: &detail, Kind: protocol.SymbolKindVariable,
				Range: an.lines.rng(l.Sp), SelectionRange: an.lines.rng(l.Name.Sp),
			})
		}
	}
	return out
}
