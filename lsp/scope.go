package lsp

import (
	"github.com/wf-lang/wf/lang"
)

// Names in scope at a position. The checker resolves every use but does
// not keep its scopes, so visibleAt rebuilds them from the tree, in the
// checker's order, and takes each binding's Symbol from Info.Defs.

// visibleAt returns the local names visible at byte offset off inside decl
// (innermost last; a later one shadows an earlier one of the same name).
// Globals and library names are not included.
func visibleAt(info *lang.Info, decl lang.Decl, off int) []*lang.Symbol {
	v := &visitor{info: info, off: off}
	switch d := decl.(type) {
	case *lang.WorkflowDecl:
		v.workflow(d)
	case *lang.FnDecl:
		for _, p := range d.Params {
			v.add(p.Name, p, lang.TAny)
		}
		if d.Body != nil {
			v.stmts(d.Body.Stmts)
		}
	case *lang.ConstDecl:
		v.expr(d.Value)
	}
	return v.out
}

type visitor struct {
	info *lang.Info
	off  int
	out  []*lang.Symbol
}

// add records a binding, taking its symbol from the checker when it has
// one (it may not, for a tree checked with errors).
func (v *visitor) add(id *lang.Ident, node lang.Node, t lang.Type) {
	if id == nil || id.Name == "" || id.Name == "_" {
		return
	}
	if sym := v.info.Defs[id]; sym != nil {
		v.out = append(v.out, sym)
		return
	}
	v.out = append(v.out, &lang.Symbol{Name: id.Name, Kind: lang.SymLocal, Ident: id, Node: node, Type: t})
}

func (v *visitor) in(n lang.Node) bool {
	return n != nil && n.Span().Start.Offset <= v.off && v.off <= n.Span().End.Offset
}

func (v *visitor) workflow(w *lang.WorkflowDecl) {
	if wi := v.info.Workflows[w]; wi != nil {
		for _, sym := range []*lang.Symbol{wi.Trigger, wi.Event} {
			if sym != nil {
				v.out = append(v.out, sym)
			}
		}
		for _, tp := range wi.Params {
			v.out = append(v.out, tp.Sym)
		}
	}
	for _, t := range w.Triggers {
		if v.in(t) {
			lang.Inspect(t, v.lambdas)
		}
	}
	v.stmts(w.Body)
}

// stmts adds the bindings of the statements before the position, then
// descends into the statement that holds it.
func (v *visitor) stmts(list []lang.Stmt) {
	for _, s := range list {
		if s.Span().End.Offset < v.off || (s.Span().End.Offset == v.off && !v.openAtEnd(s)) {
			v.after(s)
			continue
		}
		if v.in(s) {
			v.inside(s)
		}
		return
	}
}

// openAtEnd reports whether a statement that ends exactly at the position
// is still being written there (`let x = a|`), so its own binding is not
// visible yet.
func (v *visitor) openAtEnd(s lang.Stmt) bool {
	switch s.(type) {
	case *lang.LetStmt, *lang.AssignStmt, *lang.ExprStmt, *lang.LogStmt, *lang.FailStmt, *lang.ReturnStmt, *lang.EmitStmt:
		return true
	}
	return false
}

// after adds what a finished statement binds for the statements after it.
func (v *visitor) after(s lang.Stmt) {
	switch s := s.(type) {
	case *lang.LetStmt:
		v.add(s.Name, s, lang.TAny)
	case *lang.ParallelStmt:
		if s.Body == nil {
			return
		}
		for _, br := range s.Body.Stmts {
			if bs, ok := br.(*lang.BlockStmt); ok && bs.Block != nil {
				for _, inner := range bs.Block.Stmts {
					if l, ok := inner.(*lang.LetStmt); ok {
						v.add(l.Name, l, lang.TAny)
					}
				}
			} else if l, ok := br.(*lang.LetStmt); ok {
				v.add(l.Name, l, lang.TAny)
			}
		}
	}
}

// inside descends into the statement that holds the position.
func (v *visitor) inside(s lang.Stmt) {
	switch s := s.(type) {
	case *lang.LetStmt:
		if we, ok := s.Value.(*lang.WaitEventExpr); ok && we.Where != nil && v.in(we.Where) {
			v.add(s.Name, we, lang.TMap)
		}
		v.expr(s.Value)
	case *lang.WhenStmt:
		for _, br := range s.Branches {
			if v.in(br.Cond) {
				v.expr(br.Cond)
			}
			v.block(br.Body)
		}
		v.block(s.Else)
	case *lang.ForStmt:
		if v.in(s.Body) {
			v.add(s.Key, s, lang.TInt|lang.TString)
			v.add(s.Value, s, lang.TAny)
			v.block(s.Body)
			return
		}
		v.expr(s.Iter)
		v.expr(s.Limit)
	case *lang.TryStmt:
		v.block(s.Body)
		if v.in(s.Catch) {
			v.add(s.Err, s, lang.TMap)
			v.block(s.Catch)
		}
	case *lang.ParallelStmt:
		v.block(s.Body)
	case *lang.BlockStmt:
		v.block(s.Block)
	default:
		lang.Inspect(s, v.lambdas)
	}
}

func (v *visitor) block(b *lang.Block) {
	if b != nil && v.in(b) {
		v.stmts(b.Stmts)
	}
}

func (v *visitor) expr(e lang.Expr) {
	if e != nil && v.in(e) {
		lang.Inspect(e, v.lambdas)
	}
}

// lambdas adds the parameters of each lambda whose body holds the position.
func (v *visitor) lambdas(n lang.Node) bool {
	if !v.in(n) {
		return false
	}
	if l, ok := n.(*lang.LambdaExpr); ok && v.in(l.Body) {
		for _, p := range l.Params {
			v.add(p, l, lang.TAny)
		}
	}
	return true
}
