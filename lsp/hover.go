package lsp

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// Hover implements protocol.Server. On a library function or module it
// shows the declaration's signature, documentation and example; on a name
// of the file, what it is bound to (let, parameter, const, fn…), with the
// binding's line and place; on a workflow, its triggers; on an event name,
// the object it carries.
func (s *server) Hover(ctx context.Context, params *protocol.HoverParams) (*protocol.Hover, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if an.tooLarge {
		return nil, nil
	}
	off := an.lines.offset(params.Position)
	text, sp, ok := an.hoverText(off)
	if !ok {
		return nil, nil
	}
	rng := an.lines.rng(sp)
	return &protocol.Hover{Contents: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &rng}, nil
}

// hoverText returns the Markdown for the thing at off and its span.
func (an *analysis) hoverText(off int) (string, lang.Span, bool) {
	if s, ok := an.eventAt(off); ok {
		name, _ := s.Static()
		return eventDoc(an.u, name), s.Sp, true
	}
	if s, sp, ok := an.runOptionAt(off); ok {
		return s, sp, true
	}
	if s, sp, ok := an.testClauseAt(off); ok {
		return s, sp, true
	}
	t := an.targetAt(off)
	switch {
	case t == nil:
		return an.keywordAt(off)
	case t.workflow != nil:
		sp := t.workflow.Name.Sp
		if t.str != nil {
			sp = t.str.Sp
		}
		return an.workflowDoc(t.workflow), sp, true
	case t.fn != nil:
		return funcDoc(t.fn), t.ident.Sp, true
	case t.sym == nil:
		if doc, ok := an.argDoc(off, t.ident); ok {
			return doc, t.ident.Sp, true
		}
		return an.fieldDoc(off, t.ident)
	}
	return an.symbolDoc(t.sym), t.ident.Sp, true
}

// symbolDoc describes a symbol: a library declaration's docs, or a
// binding's kind, type, source line and place.
func (an *analysis) symbolDoc(sym *lang.Symbol) string {
	switch sym.Kind {
	case lang.SymBuiltin:
		if sym.Func != nil {
			return funcDoc(sym.Func)
		}
	case lang.SymModule:
		var names []string
		for _, d := range lang.ModuleFuncs(an.u, sym.Name) {
			names = append(names, d.Short())
		}
		return fmt.Sprintf("```wf\nmodule %s\n```\n\nFunctions: %s", sym.Name, joinCode(names))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "```wf\n%s\n```\n", an.describeSymbol(sym))
	if d, ok := sym.Node.(lang.Decl); ok {
		if doc := docComment(an.fileOf(sym), d); doc != "" {
			b.WriteString("\n" + doc + "\n")
		}
	}
	switch {
	case sym.Implicit && sym.Name == "trigger":
		b.WriteString("\nThe object that started the run: the Persona object of an event, or the input of an api, workflow or manual trigger.")
		if w, ok := sym.Node.(*lang.WorkflowDecl); ok {
			if types := triggerTypes(an.u, w); len(types) > 0 {
				fmt.Fprintf(&b, " Here: %s.", joinCode(types))
			}
		}
		b.WriteString("\n")
	case sym.Implicit && sym.Name == "event":
		b.WriteString("\nThe event's envelope: `name`, `id`, `created_at`.\n")
	}
	if sym.Ident != nil {
		f, sp := an.fileOf(sym), sym.Ident.Sp
		if line := f.lineOf(sp.Start.Offset); line != "" {
			fmt.Fprintf(&b, "\n```wf\n%s\n```\n", line)
		}
		where := ""
		if f != an.self {
			where = " of " + filepath.Base(f.path)
		}
		fmt.Fprintf(&b, "\nBound at line %d, column %d%s.\n", sp.Start.Line, sp.Start.Col, where)
	}
	return b.String()
}

// lineOf returns the trimmed source line of the document holding off.
func (an *analysis) lineOf(off int) string { return an.self.lineOf(off) }

// lineOf returns the trimmed source line holding off.
func (f *srcFile) lineOf(off int) string {
	p := f.lines.position(off)
	start := f.lines.starts[p.Line]
	return strings.TrimSpace(f.text[start:f.lines.lineEnd(int(p.Line))])
}

// workflowDoc describes a workflow: its name and triggers.
func (an *analysis) workflowDoc(w *lang.WorkflowDecl) string {
	var b strings.Builder
	f := an.fileOfDecl(w)
	fmt.Fprintf(&b, "```wf\nworkflow %s\n```\n", w.Name.Name)
	if doc := docComment(f, w); doc != "" {
		b.WriteString("\n" + doc + "\n")
	}
	for _, t := range w.Triggers {
		fmt.Fprintf(&b, "\n- `%s`", f.lineOf(t.Span().Start.Offset))
	}
	fmt.Fprintf(&b, "\n\nDeclared at line %d of %s.\n", w.Name.Sp.Start.Line, filepath.Base(f.path))
	return b.String()
}

// eventAt returns the event name string (of on event or wait event) at off.
func (an *analysis) eventAt(off int) (*lang.StringLit, bool) {
	for _, n := range an.pathTo(off) {
		switch n := n.(type) {
		case *lang.EventTrigger:
			if n.Pattern != nil && n.Pattern.Sp.Contains(off) {
				return n.Pattern, true
			}
		case *lang.WaitEventExpr:
			if n.Name != nil && n.Name.Sp.Contains(off) {
				return n.Name, true
			}
		}
	}
	return nil, false
}

// eventDoc describes an event name or pattern.
func eventDoc(u lang.Universe, name string) string {
	var known []string
	for _, e := range eventNames(u) {
		if lang.EventMatches(name, e) {
			known = append(known, e)
		}
	}
	switch {
	case len(known) == 0:
		return fmt.Sprintf("Event `%s`: not a Persona event WF knows (your own, from emit?).", name)
	case len(known) == 1:
		return fmt.Sprintf("Persona event `%s`: `trigger` is the %s object.", known[0], lang.EventObjectType(known[0]))
	}
	if len(known) > 12 {
		known = append(known[:12], "…")
	}
	return fmt.Sprintf("Event pattern `%s` matches %s.", name, joinCode(known))
}

// fieldDoc describes a field of trigger (trigger.status,
// trigger.fields.birthdate) from the table of Persona fields.
func (an *analysis) fieldDoc(off int, id *lang.Ident) (string, lang.Span, bool) {
	c := cursorAt(an.text, id.Sp.Start.Offset)
	if c.prev(0).val != "." && c.prev(0).val != "?." {
		return "", lang.Span{}, false
	}
	chain, ok := c.chainBefore(len(c.toks) - 1)
	if !ok || chain[0] != "trigger" {
		return "", lang.Span{}, false
	}
	w, _ := an.declAt(off).(*lang.WorkflowDecl)
	if w == nil {
		return "", lang.Span{}, false
	}
	for _, fl := range fieldsAt(triggerTypes(an.u, w), chain[1:]) {
		if fl.name == id.Name {
			return fmt.Sprintf("```wf\n%s.%s\n```\n\n%s", strings.Join(chain, "."), fl.name, fl.doc), id.Sp, true
		}
	}
	return "", lang.Span{}, false
}

// argDoc describes the parameter a named argument (`comment:` in
// inquiry.decline(id, comment: "…")) fills.
func (an *analysis) argDoc(off int, id *lang.Ident) (string, bool) {
	path := an.pathTo(off)
	if len(path) < 3 {
		return "", false
	}
	arg, ok := path[len(path)-2].(*lang.Arg)
	call, ok2 := path[len(path)-3].(*lang.CallExpr)
	if !ok || !ok2 || arg.Name != id {
		return "", false
	}
	cal := an.prog.Info.Calls[call]
	if cal == nil || cal.Func == nil {
		return "", false
	}
	for _, p := range cal.Func.Params {
		if p.Name == id.Name {
			return fmt.Sprintf("```wf\n%s: %s\n```\n\nParameter of `%s`.\n\n%s", p.Name, p.Type, cal.Func.Name, funcDoc(cal.Func)), true
		}
	}
	return "", false
}
