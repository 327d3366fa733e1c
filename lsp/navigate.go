package lsp

import (
	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// pathTo returns the nodes from the declaration at off down to the
// innermost node holding off.
func (an *analysis) pathTo(off int) []lang.Node {
	d := an.declAt(off)
	if d == nil {
		return nil
	}
	var path []lang.Node
	lang.Inspect(d, func(n lang.Node) bool {
		if !n.Span().Contains(off) {
			return false
		}
		path = append(path, n)
		return true
	})
	return path
}

// target is what a name at the cursor refers to.
type target struct {
	ident *lang.Ident // the name under the cursor
	sym   *lang.Symbol
	// fn is the library function a module member or method names
	// (`decline` in inquiry.decline, `lower` in s.lower()).
	fn *lang.FuncDecl
	// workflow is set when the name is a workflow's, or a string naming
	// one in workflow.call / start / schedule.
	workflow *lang.WorkflowDecl
	// str is that string, when the cursor is on one.
	str *lang.StringLit
}

// targetAt finds what the name (or workflow string) at off refers to, or
// nil.
func (an *analysis) targetAt(off int) *target {
	path := an.pathTo(off)
	if len(path) == 0 {
		return nil
	}
	info := an.prog.Info
	switch n := path[len(path)-1].(type) {
	case *lang.Ident:
		t := &target{ident: n}
		if ref, ok := info.Refs[n]; ok {
			t.sym = ref.Sym
		} else if sym := info.Defs[n]; sym != nil {
			t.sym = sym
		}
		if len(path) >= 2 {
			an.memberTarget(t, path[len(path)-2], path)
		}
		return t
	case *lang.StringLit:
		if w := an.workflowNamed(n); w != nil {
			return &target{workflow: w, str: n}
		}
	}
	return nil
}

// memberTarget fills in t for a name that is not a symbol on its own: a
// workflow's name, or the member name of a library call.
func (an *analysis) memberTarget(t *target, parent lang.Node, path []lang.Node) {
	switch p := parent.(type) {
	case *lang.WorkflowDecl:
		if p.Name == t.ident {
			t.workflow = p
		}
	case *lang.SelectorExpr:
		if p.Name != t.ident || len(path) < 3 {
			return
		}
		if call, ok := path[len(path)-3].(*lang.CallExpr); ok && call.Fn == p {
			if cal := an.prog.Info.Calls[call]; cal != nil && cal.Func != nil {
				t.fn = cal.Func
			}
		}
	}
}

// workflowNamed returns the workflow a string names when the string is the
// first argument of workflow.call, workflow.start or workflow.schedule.
func (an *analysis) workflowNamed(s *lang.StringLit) *lang.WorkflowDecl {
	name, ok := s.Static()
	if !ok {
		return nil
	}
	for call, cal := range an.prog.Info.Calls {
		if cal.Func != nil && cal.Func.Module() == "workflow" && len(call.Args) > 0 && call.Args[0].Value == s {
			return an.prog.Workflow(name)
		}
	}
	return nil
}

// sameSymbol reports whether two symbols are the same binding. Library
// names get a fresh Symbol at each use, so they compare by kind and name.
func sameSymbol(a, b *lang.Symbol) bool {
	if a == nil || b == nil {
		return false
	}
	if a == b {
		return true
	}
	if a.Kind == lang.SymBuiltin || a.Kind == lang.SymModule {
		return a.Kind == b.Kind && a.Name == b.Name
	}
	return false
}

// occ is an occurrence of a name: a span in one of the package's files.
type occ struct {
	f  *srcFile
	sp lang.Span
}

// occurrences returns every place that names what t refers to:
// definitions first (when withDefs), then uses. Locals and library names
// are looked for in the document; consts, fns, js fns and workflows in
// every file of the package.
func (an *analysis) occurrences(t *target, withDefs bool) []occ {
	var defs, uses []occ
	info := an.prog.Info
	files := []*srcFile{an.self}
	if t.workflow != nil || (t.sym != nil && (t.sym.Kind == lang.SymConst || t.sym.Kind == lang.SymFn || t.sym.Kind == lang.SymJsFn)) {
		files = an.files
	}
	for _, f := range files {
		switch {
		case t.workflow != nil:
			if an.fileOfDecl(t.workflow) == f {
				defs = append(defs, occ{f, t.workflow.Name.Sp})
			}
			uses = append(uses, an.workflowStrings(f, t.workflow.Name.Name)...)
		case t.fn != nil:
			uses = append(uses, an.callsOf(f, t.fn)...)
		case t.sym != nil:
			lang.Inspect(f.file, func(n lang.Node) bool {
				id, ok := n.(*lang.Ident)
				if !ok {
					return true
				}
				if sym := info.Defs[id]; sym != nil && sameSymbol(sym, t.sym) {
					defs = append(defs, occ{f, id.Sp})
				} else if ref, ok := info.Refs[id]; ok && sameSymbol(ref.Sym, t.sym) {
					uses = append(uses, occ{f, id.Sp})
				}
				return true
			})
			if t.sym.Kind == lang.SymBuiltin && t.sym.Func != nil {
				uses = append(uses, an.callsOf(f, t.sym.Func)...)
			}
		}
	}
	if !withDefs {
		defs = nil
	}
	return dedupeOccs(append(defs, uses...))
}

// callsOf returns the member names of calls of library function d written
// as module.fn(…) or value.fn(…) in file f.
func (an *analysis) callsOf(f *srcFile, d *lang.FuncDecl) []occ {
	var out []occ
	lang.Inspect(f.file, func(n lang.Node) bool {
		call, ok := n.(*lang.CallExpr)
		if !ok {
			return true
		}
		if cal := an.prog.Info.Calls[call]; cal != nil && cal.Func == d {
			if sel, ok := call.Fn.(*lang.SelectorExpr); ok {
				out = append(out, occ{f, sel.Name.Sp})
			}
		}
		return true
	})
	return out
}

// workflowStrings returns the strings of file f that name workflow name in
// calls of workflow.call, workflow.start and workflow.schedule.
func (an *analysis) workflowStrings(f *srcFile, name string) []occ {
	var out []occ
	lang.Inspect(f.file, func(n lang.Node) bool {
		if s, ok := n.(*lang.StringLit); ok {
			if v, _ := s.Static(); v == name && an.workflowNamed(s) != nil {
				out = append(out, occ{f, s.Sp})
			}
		}
		return true
	})
	return out
}

func dedupeOccs(list []occ) []occ {
	type key struct {
		f   *srcFile
		off int
	}
	seen := map[key]bool{}
	out := list[:0]
	for _, o := range list {
		if k := (key{o.f, o.sp.Start.Offset}); !seen[k] {
			seen[k] = true
			out = append(out, o)
		}
	}
	return out
}

// location converts an occurrence to an LSP location.
func (o occ) location() protocol.Location {
	return protocol.Location{URI: o.f.uri, Range: o.f.lines.rng(o.sp)}
}
