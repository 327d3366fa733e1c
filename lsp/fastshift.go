package lsp

import (
	"reflect"

	"github.com/wf-lang/wf/lang"
)

// fastShift is the shifter for the AST types lang has today, written out
// by hand: an edit near the top of a large file shifts most of it, and the
// reflective shifter is ten times slower. A node type it does not know
// goes to the reflective shifter, so a new node type is still shifted
// right; a test compares the two on many trees, so a new field is noticed.
//
// It is total: a nil node, or an interface holding a nil pointer, is
// returned as it is, so it has no panic of its own for a caller to recover.
type fastShift struct {
	dOff, dLine int
	slow        *shifter
}

func newFastShift(dOff, dLine int) *fastShift {
	return &fastShift{dOff: dOff, dLine: dLine, slow: newShifter(dOff, dLine)}
}

// typedNil reports whether n holds a nil pointer: a node field of an
// interface type set to a nil *T.
func typedNil(n any) bool {
	v := reflect.ValueOf(n)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func (s *fastShift) pos(p lang.Pos) lang.Pos {
	if p.IsValid() {
		p.Offset += s.dOff
		p.Line += s.dLine
	}
	return p
}

func (s *fastShift) span(sp lang.Span) lang.Span {
	return lang.Span{Start: s.pos(sp.Start), End: s.pos(sp.End)}
}

func (s *fastShift) ident(id *lang.Ident) *lang.Ident {
	if id == nil {
		return nil
	}
	c := *id
	c.Sp = s.span(c.Sp)
	return &c
}

func (s *fastShift) idents(ids []*lang.Ident) []*lang.Ident {
	if ids == nil {
		return nil
	}
	out := make([]*lang.Ident, len(ids))
	for i, id := range ids {
		out[i] = s.ident(id)
	}
	return out
}

func (s *fastShift) decls(ds []lang.Decl) []lang.Decl {
	if ds == nil {
		return nil
	}
	out := make([]lang.Decl, len(ds))
	for i, d := range ds {
		out[i] = s.decl(d)
	}
	return out
}

func (s *fastShift) decl(d lang.Decl) lang.Decl {
	if typedNil(d) {
		return d
	}
	switch d := d.(type) {
	case *lang.WorkflowDecl:
		c := *d
		c.Sp, c.Name, c.Lbrace, c.Rbrace = s.span(d.Sp), s.ident(d.Name), s.pos(d.Lbrace), s.pos(d.Rbrace)
		if d.Triggers != nil {
			c.Triggers = make([]lang.Trigger, len(d.Triggers))
			for i, t := range d.Triggers {
				c.Triggers[i] = s.trigger(t)
			}
		}
		c.Body = s.stmts(d.Body)
		return &c
	case *lang.ConstDecl:
		c := *d
		c.Sp, c.Name, c.Value = s.span(d.Sp), s.ident(d.Name), s.expr(d.Value)
		return &c
	case *lang.FnDecl:
		c := *d
		c.Sp, c.Name, c.Params, c.Body = s.span(d.Sp), s.ident(d.Name), s.params(d.Params), s.block(d.Body)
		return &c
	case *lang.JsFnDecl:
		c := *d
		c.Sp, c.Name, c.Params, c.CodePos, c.CodeSp = s.span(d.Sp), s.ident(d.Name), s.params(d.Params), s.pos(d.CodePos), s.span(d.CodeSp)
		return &c
	case nil:
		return nil
	}
	return shiftCopy(s.slow, d)
}

func (s *fastShift) params(ps []*lang.Param) []*lang.Param {
	if ps == nil {
		return nil
	}
	out := make([]*lang.Param, len(ps))
	for i, p := range ps {
		if p == nil {
			continue
		}
		c := *p
		c.Sp, c.Name, c.Default = s.span(p.Sp), s.ident(p.Name), s.expr(p.Default)
		if p.Type != nil {
			t := *p.Type
			t.Sp = s.span(t.Sp)
			c.Type = &t
		}
		out[i] = &c
	}
	return out
}

func (s *fastShift) trigger(t lang.Trigger) lang.Trigger {
	if typedNil(t) {
		return t
	}
	switch t := t.(type) {
	case *lang.EventTrigger:
		c := *t
		c.Sp, c.Pattern, c.Where = s.span(t.Sp), s.str(t.Pattern), s.expr(t.Where)
		return &c
	case *lang.ParamTrigger:
		c := *t
		c.Sp, c.Params = s.span(t.Sp), s.params(t.Params)
		return &c
	case *lang.ScheduleTrigger:
		c := *t
		c.Sp, c.Cron, c.TZ = s.span(t.Sp), s.str(t.Cron), s.str(t.TZ)
		return &c
	case *lang.EveryTrigger:
		c := *t
		c.Sp = s.span(t.Sp)
		if t.Every != nil {
			e := *t.Every
			e.Sp = s.span(e.Sp)
			c.Every = &e
		}
		return &c
	case nil:
		return nil
	}
	return shiftCopy(s.slow, t)
}

func (s *fastShift) block(b *lang.Block) *lang.Block {
	if b == nil {
		return nil
	}
	c := *b
	c.Sp, c.Stmts, c.Rbrace = s.span(b.Sp), s.stmts(b.Stmts), s.pos(b.Rbrace)
	return &c
}

func (s *fastShift) stmts(list []lang.Stmt) []lang.Stmt {
	if list == nil {
		return nil
	}
	out := make([]lang.Stmt, len(list))
	for i, st := range list {
		out[i] = s.stmt(st)
	}
	return out
}

func (s *fastShift) stmt(st lang.Stmt) lang.Stmt {
	if typedNil(st) {
		return st
	}
	switch st := st.(type) {
	case *lang.LetStmt:
		c := *st
		c.Sp, c.Name, c.Value = s.span(st.Sp), s.ident(st.Name), s.expr(st.Value)
		return &c
	case *lang.AssignStmt:
		c := *st
		c.Sp, c.Target, c.OpPos, c.Value = s.span(st.Sp), s.expr(st.Target), s.pos(st.OpPos), s.expr(st.Value)
		return &c
	case *lang.ExprStmt:
		return &lang.ExprStmt{X: s.expr(st.X)}
	case *lang.WhenStmt:
		c := *st
		c.Sp, c.Else, c.ElsePos = s.span(st.Sp), s.block(st.Else), s.pos(st.ElsePos)
		if st.Branches != nil {
			c.Branches = make([]*lang.WhenBranch, len(st.Branches))
			for i, br := range st.Branches {
				if br != nil {
					b := *br
					b.Sp, b.Cond, b.Body = s.span(br.Sp), s.expr(br.Cond), s.block(br.Body)
					c.Branches[i] = &b
				}
			}
		}
		return &c
	case *lang.ParallelStmt:
		c := *st
		c.Sp, c.Body = s.span(st.Sp), s.block(st.Body)
		return &c
	case *lang.ForStmt:
		c := *st
		c.Sp, c.Key, c.Value = s.span(st.Sp), s.ident(st.Key), s.ident(st.Value)
		c.Iter, c.Limit, c.Body = s.expr(st.Iter), s.expr(st.Limit), s.block(st.Body)
		return &c
	case *lang.TryStmt:
		c := *st
		c.Sp, c.Body, c.Err, c.Catch = s.span(st.Sp), s.block(st.Body), s.ident(st.Err), s.block(st.Catch)
		return &c
	case *lang.BlockStmt:
		return &lang.BlockStmt{Block: s.block(st.Block)}
	case nil:
		return nil
	}
	return s.simpleStmt(st)
}

// simpleStmt shifts the statements that hold only expressions.
func (s *fastShift) simpleStmt(st lang.Stmt) lang.Stmt {
	switch st := st.(type) {
	case *lang.OutputStmt:
		c := *st
		c.Sp, c.Value = s.span(st.Sp), s.mapLit(st.Value)
		return &c
	case *lang.FailStmt:
		c := *st
		c.Sp, c.Reason = s.span(st.Sp), s.expr(st.Reason)
		return &c
	case *lang.StopStmt:
		c := *st
		c.Sp = s.span(st.Sp)
		return &c
	case *lang.LogStmt:
		c := *st
		c.Sp, c.Message = s.span(st.Sp), s.expr(st.Message)
		return &c
	case *lang.EmitStmt:
		c := *st
		c.Sp, c.Name, c.Payload = s.span(st.Sp), s.expr(st.Name), s.mapLit(st.Payload)
		return &c
	case *lang.ReturnStmt:
		c := *st
		c.Sp, c.Value = s.span(st.Sp), s.expr(st.Value)
		return &c
	}
	return shiftCopy(s.slow, st)
}

func (s *fastShift) exprs(es []lang.Expr) []lang.Expr {
	if es == nil {
		return nil
	}
	out := make([]lang.Expr, len(es))
	for i, e := range es {
		out[i] = s.expr(e)
	}
	return out
}

func (s *fastShift) expr(e lang.Expr) lang.Expr {
	if typedNil(e) {
		return e
	}
	switch e := e.(type) {
	case nil:
		return nil
	case *lang.Ident:
		return s.ident(e)
	case *lang.StringLit:
		return s.str(e)
	case *lang.MapLit:
		return s.mapLit(e)
	case *lang.CallExpr:
		return s.call(e)
	case *lang.SelectorExpr:
		c := *e
		c.Sp, c.X, c.Name = s.span(e.Sp), s.expr(e.X), s.ident(e.Name)
		return &c
	case *lang.BinaryExpr:
		c := *e
		c.Sp, c.OpPos, c.X, c.Y = s.span(e.Sp), s.pos(e.OpPos), s.expr(e.X), s.expr(e.Y)
		return &c
	}
	return s.otherExpr(e)
}

// otherExpr shifts the less common expressions.
func (s *fastShift) otherExpr(e lang.Expr) lang.Expr {
	switch e := e.(type) {
	case *lang.NullLit:
		return &lang.NullLit{Sp: s.span(e.Sp)}
	case *lang.BoolLit:
		c := *e
		c.Sp = s.span(e.Sp)
		return &c
	case *lang.IntLit:
		c := *e
		c.Sp = s.span(e.Sp)
		return &c
	case *lang.FloatLit:
		c := *e
		c.Sp = s.span(e.Sp)
		return &c
	case *lang.DurationLit:
		c := *e
		c.Sp = s.span(e.Sp)
		return &c
	case *lang.ListLit:
		c := *e
		c.Sp, c.Elems = s.span(e.Sp), s.exprs(e.Elems)
		return &c
	case *lang.UnaryExpr:
		c := *e
		c.Sp, c.OpPos, c.X = s.span(e.Sp), s.pos(e.OpPos), s.expr(e.X)
		return &c
	case *lang.IndexExpr:
		c := *e
		c.Sp, c.X, c.Index = s.span(e.Sp), s.expr(e.X), s.expr(e.Index)
		return &c
	case *lang.LambdaExpr:
		c := *e
		c.Sp, c.Params, c.Arrow, c.Body = s.span(e.Sp), s.idents(e.Params), s.pos(e.Arrow), s.expr(e.Body)
		return &c
	case *lang.ParenExpr:
		c := *e
		c.Sp, c.X = s.span(e.Sp), s.expr(e.X)
		return &c
	case *lang.RunExpr:
		c := *e
		c.Sp, c.With, c.Call = s.span(e.Sp), s.mapLit(e.With), s.call(e.Call)
		return &c
	case *lang.WaitExpr:
		c := *e
		c.Sp, c.Duration = s.span(e.Sp), s.expr(e.Duration)
		return &c
	case *lang.WaitEventExpr:
		c := *e
		c.Sp, c.Name, c.Where, c.Timeout = s.span(e.Sp), s.str(e.Name), s.expr(e.Where), s.expr(e.Timeout)
		return &c
	case *lang.BadExpr:
		return &lang.BadExpr{Sp: s.span(e.Sp), X: s.expr(e.X)}
	}
	return shiftCopy(s.slow, e)
}

func (s *fastShift) str(e *lang.StringLit) *lang.StringLit {
	if e == nil {
		return nil
	}
	c := *e
	c.Sp = s.span(e.Sp)
	if e.Parts != nil {
		c.Parts = make([]lang.StringPart, len(e.Parts))
		for i, p := range e.Parts {
			p.Sp, p.Expr = s.span(p.Sp), s.expr(p.Expr)
			c.Parts[i] = p
		}
	}
	return &c
}

func (s *fastShift) mapLit(m *lang.MapLit) *lang.MapLit {
	if m == nil {
		return nil
	}
	c := *m
	c.Sp = s.span(m.Sp)
	if m.Entries != nil {
		c.Entries = make([]*lang.MapEntry, len(m.Entries))
		for i, en := range m.Entries {
			if en != nil {
				x := *en
				x.Sp, x.KeySp, x.Value = s.span(en.Sp), s.span(en.KeySp), s.expr(en.Value)
				c.Entries[i] = &x
			}
		}
	}
	return &c
}

func (s *fastShift) call(e *lang.CallExpr) *lang.CallExpr {
	if e == nil {
		return nil
	}
	c := *e
	c.Sp, c.Fn, c.Lparen, c.Rparen = s.span(e.Sp), s.expr(e.Fn), s.pos(e.Lparen), s.pos(e.Rparen)
	if e.Args != nil {
		c.Args = make([]*lang.Arg, len(e.Args))
		for i, a := range e.Args {
			if a != nil {
				x := *a
				x.Sp, x.Name, x.Value = s.span(a.Sp), s.ident(a.Name), s.expr(a.Value)
				c.Args[i] = &x
			}
		}
	}
	return &c
}

func (s *fastShift) comments(cs []*lang.Comment) []*lang.Comment {
	if cs == nil {
		return nil
	}
	out := make([]*lang.Comment, len(cs))
	for i, c := range cs {
		if c == nil {
			continue
		}
		x := *c
		x.Sp = s.span(c.Sp)
		out[i] = &x
	}
	return out
}

func (s *fastShift) diags(ds lang.Diagnostics) lang.Diagnostics {
	if ds == nil {
		return nil
	}
	out := make(lang.Diagnostics, len(ds))
	for i, d := range ds {
		if d == nil {
			continue
		}
		c := *d
		c.Span = s.span(d.Span)
		if d.Related != nil {
			c.Related = make([]lang.Related, len(d.Related))
			for j, r := range d.Related {
				r.Span = s.span(r.Span)
				c.Related[j] = r
			}
		}
		if d.Fixes != nil {
			c.Fixes = make([]lang.Fix, len(d.Fixes))
			for j, fx := range d.Fixes {
				fx.Span = s.span(fx.Span)
				c.Fixes[j] = fx
			}
		}
		out[i] = &c
	}
	return out
}
