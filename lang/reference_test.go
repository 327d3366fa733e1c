package lang

import (
	"errors"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The reference parser: participle parses with the rules of grammar.go and
// the structs it fills are turned into the AST through the same builder
// the hand-written parser uses. grammar_diff_test.go compares the two.

// refChunk is the reference parse of one declaration (or REPL entry).
type refChunk struct {
	node Node // the declaration, or nil
	// fail is the offset participle reports its syntax error at, or -1.
	fail int
}

// refParse parses src as Parse does, with participle: the same cut into
// declarations, each parsed with the grammar's DeclG.
func refParse(path string, src []byte) ([]refChunk, Diagnostics) {
	var diags Diagnostics
	text := string(src)
	toks, _ := tokenize(text)
	var out []refChunk
	for _, c := range splitDecls(text, toks) {
		r := refChunk{fail: -1}
		b := &builder{file: path, diags: &diags}
		switch {
		case !checkNesting(b, text, c.toks):
			r.fail = int(c.toks[0].off)
		case !declKeywords[c.toks[0].text(text)]:
			r.fail = int(c.toks[0].off)
		default:
			lx := theLexer().lexerTokens(append(c.toks[:len(c.toks):len(c.toks)], c.eof), text, path)
			g, err := grammar().decl.ParseFromLexer(peekLexer(lx))
			switch {
			case err != nil:
				r.fail = firstOf(errorOffset(err), nameOnNextLine(text, c.toks))
			case nameOnNextLine(text, c.toks) >= 0:
				r.fail = nameOnNextLine(text, c.toks)
			default:
				r.node = (&refLowerer{b}).decl(g)
			}
		}
		out = append(out, r)
	}
	diags.Normalize()
	return out, diags
}

// refEntry parses a REPL entry with participle.
func refEntry(path, src string) (*Entry, int, Diagnostics) {
	var diags Diagnostics
	toks, _ := tokenize(src)
	b := &builder{file: path, diags: &diags}
	if !checkNesting(b, src, toks) {
		return nil, 0, diags
	}
	g, err := grammar().repl.ParseFromLexer(peekLexer(theLexer().lexerTokens(toks, src, path)))
	if err != nil {
		return nil, firstOf(errorOffset(err), nameOnNextLine(src, toks)), diags
	}
	if off := nameOnNextLine(src, toks); off >= 0 {
		return nil, off, diags
	}
	l := &refLowerer{b}
	out := &Entry{}
	for _, it := range g.Items {
		if it.Decl != nil {
			d := l.decl(it.Decl)
			out.Decls = append(out.Decls, d)
			out.Order = append(out.Order, d)
			continue
		}
		var s Stmt
		if it.Stmt.Simple != nil && it.Stmt.Simple.Value == nil {
			s = &ExprStmt{X: l.expr(it.Stmt.Simple.X)}
		} else {
			s = l.stmt(it.Stmt)
		}
		out.Stmts = append(out.Stmts, s)
		out.Order = append(out.Order, s)
	}
	diags.Normalize()
	return out, -1, diags
}

func peekLexer(toks []lexer.Token) *lexer.PeekingLexer {
	p, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		panic(err)
	}
	return p
}

// firstOf returns the smaller of two offsets, -1 meaning none.
func firstOf(a, b int) int {
	if a < 0 || (b >= 0 && b < a) {
		return b
	}
	return a
}

func errorOffset(err error) int {
	var perr participle.Error
	if errors.As(err, &perr) {
		return perr.Position().Offset
	}
	return -2
}

// refLowerer turns the grammar's structs into the AST.
type refLowerer struct{ b *builder }

func lpos(p lexer.Position) Pos { return Pos{Offset: p.Offset, Line: p.Line, Col: p.Column} }

func lastEnd(toks []lexer.Token) Pos {
	t := toks[len(toks)-1]
	return advance(lpos(t.Pos), t.Value)
}

func lastPos(toks []lexer.Token) Pos { return lpos(toks[len(toks)-1].Pos) }

func (l *refLowerer) name(n *nameG) *Ident {
	if n == nil {
		return nil
	}
	return l.b.ident(lpos(n.Pos), n.Name)
}

func (l *refLowerer) anyName(n *anyNameG) *Ident { return l.b.ident(lpos(n.Pos), n.Name) }

func (l *refLowerer) decl(d *declG) Decl {
	switch {
	case d.Workflow != nil:
		return l.workflow(d.Workflow)
	case d.Const != nil:
		c := d.Const
		v := l.expr(c.Value)
		return &ConstDecl{Sp: Span{lpos(c.Pos), v.Span().End}, Name: l.name(c.Name), Value: v}
	case d.Fn != nil:
		f := d.Fn
		name, params := l.name(f.Name), l.params(f.Params)
		body := l.block(f.Body)
		return &FnDecl{Sp: Span{lpos(f.Pos), body.Sp.End}, Name: name, Params: params, Body: body}
	case d.Test != nil:
		return l.test(d.Test)
	case d.JsFn != nil:
		f := d.JsFn
		name, params := l.name(f.Name), l.params(f.Params)
		return l.b.jsFn(lpos(f.Pos), name, params, lpos(f.Body.Pos), f.Body.Text)
	default:
		f := d.Fields
		out := &FieldsDecl{Object: l.name(f.Object), Lbrace: lpos(f.Open.Pos), Rbrace: lastPos(f.Tokens)}
		for _, fd := range f.Fields {
			out.Fields = append(out.Fields, l.b.fieldDecl(l.anyName(fd.Name), l.name(fd.Type)))
		}
		out.Sp = Span{lpos(f.Pos), lastEnd(f.Tokens)}
		return out
	}
}

func (l *refLowerer) test(t *testG) *TestDecl {
	name := l.str(t.Name)
	l.b.static(name, "a test's name")
	d := &TestDecl{Name: name, Lbrace: lpos(t.Open.Pos), Rbrace: lastPos(t.Tokens)}
	d.Sp = Span{lpos(t.Pos), lastEnd(t.Tokens)}
	for _, it := range t.Items {
		d.Clauses = append(d.Clauses, l.testClause(it))
	}
	return d
}

func (l *refLowerer) testClause(it *testItemG) *TestClause {
	c := &TestClause{}
	var step Expr
	opt := func(e *exprG) Expr {
		if e == nil {
			return nil
		}
		return l.expr(e)
	}
	switch {
	case it.Workflow != nil:
		c.Kind, c.Name = TestWorkflow, l.name(it.Workflow)
	case it.Event != nil && it.Event.File != nil:
		c.Kind, c.Str = TestEventFile, l.str(it.Event.File)
	case it.Event != nil:
		c.Kind, c.Str = TestEvent, l.str(it.Event.Name)
		c.Value = l.expr(it.Event.Object)
	case it.Inputs != nil:
		c.Kind, c.Value = TestInputs, l.expr(it.Inputs)
	case it.Now != nil:
		c.Kind, c.Value = TestNow, l.expr(it.Now)
	case it.Backend != nil:
		c.Kind, c.Name = TestBackend, l.name(it.Backend)
	case it.Secrets != nil:
		c.Kind, c.Value = TestSecrets, l.expr(it.Secrets)
	case it.Fixtures != nil:
		c.Kind, c.Str = TestFixtures, l.str(it.Fixtures)
	case it.List != nil:
		c.Kind, c.Str = TestList, l.str(it.List.Name)
		c.Value = l.expr(it.List.Value)
	case it.Persona != nil:
		c.Kind, c.Value = TestPersona, l.expr(it.Persona)
	case it.Cases != nil:
		c.Kind, c.Value = TestCases, l.expr(it.Cases)
	case it.Mock != nil:
		c.Kind, step, c.Once = TestMock, l.postfix(it.Mock.Step), it.Mock.Once != ""
		if r := it.Mock.Result; r != nil {
			c.Fails, c.Value = r.Kind == "fails", l.expr(r.Value)
		}
	case it.Deliver != nil:
		c.Kind, c.Str = TestDeliver, l.str(it.Deliver.Name)
		c.Value = l.expr(it.Deliver.Object)
		if it.Deliver.After != nil {
			c.After = l.postfix(it.Deliver.After)
		}
	default:
		e := it.Expect
		switch {
		case e.Run != nil:
			c.Kind, step = TestExpectRun, l.postfix(e.Run)
		case e.NoRun != nil:
			c.Kind, step = TestExpectNoRun, l.postfix(e.NoRun)
		case e.Steps != nil:
			c.Kind, c.AnyOrder = TestExpectSteps, e.AnyOrder != ""
			c.Value = &ListLit{Sp: Span{lpos(e.Steps.Tokens[0].Pos), lastEnd(e.Steps.Tokens)}, Elems: l.exprs(e.Steps.Elems)}
		case e.Output != nil:
			c.Kind, c.Value = TestExpectOutput, l.mapLit(e.Output)
		case e.Status != nil:
			c.Kind, c.Value = TestExpectStatus, l.expr(e.Status)
		default:
			c.Kind, c.Value = TestExpectError, l.expr(e.Error)
		}
		c.When = opt(e.When)
	}
	return l.b.testClause(lpos(it.Pos), c, step)
}

func (l *refLowerer) workflow(w *workflowG) *WorkflowDecl {
	wf := &WorkflowDecl{Name: l.name(w.Name), Lbrace: lpos(w.Open.Pos), Rbrace: lastPos(w.Tokens)}
	wf.Sp = Span{lpos(w.Pos), lastEnd(w.Tokens)}
	for _, it := range w.Items {
		if it.On != nil {
			l.b.trigger(wf, wf.Body, l.trigger(it.On))
			continue
		}
		wf.Body = append(wf.Body, l.stmt(it.Stmt))
	}
	return wf
}

func (l *refLowerer) params(ps *paramListG) []*Param {
	var out []*Param
	for ; ps != nil; ps = ps.Rest {
		p := ps.First
		name, typ := l.name(p.Name), l.name(p.Type)
		var def Expr
		if p.Default != nil {
			def = l.expr(p.Default)
		}
		out = append(out, l.b.param(name, typ, p.Opt != "", def))
	}
	return out
}

func (l *refLowerer) trigger(o *onG) Trigger {
	start := lpos(o.Pos)
	switch {
	case o.Event != nil:
		pattern := l.str(o.Event.Pattern)
		var where Expr
		if o.Event.Where != nil {
			where = l.expr(o.Event.Where)
		}
		return l.b.eventTrigger(start, pattern, where)
	case o.Params != nil:
		params := l.params(o.Params.Params)
		return &ParamTrigger{Sp: Span{start, lastEnd(o.Params.Tokens)}, Kind: o.Params.Kind, Params: params}
	case o.Schedule != nil:
		cron := l.str(o.Schedule.Cron)
		var tz *StringLit
		if o.Schedule.TZ != nil {
			tz = l.str(o.Schedule.TZ)
		}
		return l.b.scheduleTrigger(start, cron, tz)
	default:
		d := l.b.duration(lpos(o.Every.Every.Pos), o.Every.Every.Value)
		return &EveryTrigger{Sp: Span{start, d.Sp.End}, Every: d}
	}
}

func (l *refLowerer) block(b *blockG) *Block {
	out := &Block{Rbrace: lastPos(b.Tokens)}
	for _, s := range b.Stmts {
		out.Stmts = append(out.Stmts, l.stmt(s))
	}
	out.Sp = Span{lpos(b.Pos), lastEnd(b.Tokens)}
	return out
}

func (l *refLowerer) stmt(s *stmtG) Stmt {
	start := lpos(s.Pos)
	switch {
	case s.Let != nil:
		name := l.name(s.Let.Name)
		return l.b.let(start, name, l.expr(s.Let.Value))
	case s.When != nil:
		return l.when(s.When)
	case s.Parallel != nil:
		if s.Parallel.For != nil {
			return l.forStmt(start, true, s.Parallel.For)
		}
		b := l.block(s.Parallel.Body)
		return &ParallelStmt{Sp: Span{start, b.Sp.End}, Body: b}
	case s.For != nil:
		return l.forStmt(start, false, s.For)
	case s.Try != nil:
		t := &TryStmt{Body: l.block(s.Try.Body), Err: l.name(s.Try.Err)}
		t.Catch = l.block(s.Try.Catch)
		t.Sp = Span{start, t.Catch.Sp.End}
		return t
	case s.Output != nil:
		m := l.mapLit(s.Output.Value)
		return &OutputStmt{Sp: Span{start, m.Sp.End}, Value: m}
	case s.Fail != nil:
		r := l.expr(s.Fail)
		return &FailStmt{Sp: Span{start, r.Span().End}, Reason: r}
	case s.Stop != "":
		return &StopStmt{Sp: Span{start, advance(start, "stop")}}
	case s.Log != nil:
		m := l.expr(s.Log)
		return &LogStmt{Sp: Span{start, m.Span().End}, Message: m}
	case s.Emit != nil:
		e := &EmitStmt{Name: l.expr(s.Emit.Name)}
		end := e.Name.Span().End
		if s.Emit.Payload != nil {
			e.Payload = l.mapLit(s.Emit.Payload)
			end = e.Payload.Sp.End
		}
		e.Sp = Span{start, end}
		return e
	case s.Return != nil:
		r := &ReturnStmt{Sp: Span{start, advance(start, "return")}}
		if s.Return.Value != nil {
			r.Value = l.expr(s.Return.Value)
			r.Sp.End = r.Value.Span().End
		}
		return r
	case s.Block != nil:
		return &BlockStmt{Block: l.block(s.Block)}
	default:
		x := l.expr(s.Simple.X)
		if s.Simple.Value == nil {
			return l.b.simple(x, Pos{}, nil)
		}
		return l.b.simple(x, lpos(s.Simple.Eq.Pos), l.expr(s.Simple.Value))
	}
}

func (l *refLowerer) when(w *whenG) *WhenStmt {
	out := &WhenStmt{}
	for w != nil {
		br := &WhenBranch{Cond: l.expr(w.Cond), Body: l.block(w.Body)}
		br.Sp = Span{lpos(w.Pos), br.Body.Sp.End}
		out.Branches = append(out.Branches, br)
		e, elsePos := w.Else, lpos(w.ElseKw.Pos)
		w = nil
		if e != nil {
			if e.When != nil {
				w = e.When
			} else {
				out.ElsePos = elsePos
				out.Else = l.block(e.Body)
			}
		}
	}
	out.Sp = Span{out.Branches[0].Sp.Start, out.Branches[len(out.Branches)-1].Sp.End}
	if out.Else != nil {
		out.Sp.End = out.Else.Sp.End
	}
	return out
}

func (l *refLowerer) forStmt(start Pos, parallel bool, f *forG) *ForStmt {
	first, second := l.name(f.First), l.name(f.Value)
	iter := l.expr(f.Iter)
	var limit Expr
	if f.Limit != nil {
		limit = l.expr(f.Limit)
	}
	return l.b.forStmt(start, parallel, first, second, iter, limit, l.block(f.Body))
}

// ---- expressions ----

func (l *refLowerer) expr(e *exprG) Expr {
	x := l.or(e.X)
	for _, r := range e.Rest {
		x = l.b.binary(x, OpCoalesce, lpos(r.Op.Pos), l.or(r.Y))
	}
	return x
}

func (l *refLowerer) or(e *orG) Expr {
	x := l.and(e.X)
	for _, r := range e.Rest {
		x = l.b.binary(x, OpOr, lpos(r.Op.Pos), l.and(r.Y))
	}
	return x
}

func (l *refLowerer) and(e *andG) Expr {
	x := l.not(e.X)
	for _, r := range e.Rest {
		x = l.b.binary(x, OpAnd, lpos(r.Op.Pos), l.not(r.Y))
	}
	return x
}

func (l *refLowerer) not(e *notG) Expr {
	if e.Not != nil {
		return l.b.unary(OpNot, lpos(e.Not.Op.Pos), l.not(e.Not.X))
	}
	return l.cmp(e.Cmp)
}

func (l *refLowerer) cmp(e *cmpG) Expr {
	x := l.add(e.X)
	for _, r := range e.Rest {
		op, ok := cmpOp(r.Op.Value)
		if !ok {
			op = OpNotIn // captured as its first token, "not"
		}
		x = l.b.binary(x, op, lpos(r.Op.Pos), l.add(r.Y))
	}
	return x
}

func (l *refLowerer) add(e *addG) Expr {
	x := l.mul(e.X)
	for _, r := range e.Rest {
		op := OpAdd
		if r.Op.Value == "-" {
			op = OpSub
		}
		x = l.b.binary(x, op, lpos(r.Op.Pos), l.mul(r.Y))
	}
	return x
}

func (l *refLowerer) mul(e *mulG) Expr {
	x := l.unary(e.X)
	for _, r := range e.Rest {
		op := map[string]Op{"*": OpMul, "/": OpDiv, "%": OpMod}[r.Op.Value]
		x = l.b.binary(x, op, lpos(r.Op.Pos), l.unary(r.Y))
	}
	return x
}

func (l *refLowerer) unary(e *unaryG) Expr {
	if e.Neg != nil {
		return l.b.unary(OpNeg, lpos(e.Neg.Op.Pos), l.unary(e.Neg.X))
	}
	return l.postfix(e.X)
}

func (l *refLowerer) postfix(p *postfixG) Expr {
	x := l.primary(p.X)
	for _, s := range p.Suffixes {
		switch {
		case s.Field != nil:
			x = l.b.selector(x, l.anyName(s.Field.Name), s.Field.Op.Value == "?.")
		case s.Index != nil:
			x = l.b.index(x, l.expr(s.Index.Index), lastEnd(s.Index.Tokens))
		default:
			var args []*Arg
			for a := s.Call.Args; a != nil; a = a.Rest {
				v := l.expr(a.First.Value)
				var named Expr
				if a.First.Named != nil {
					named = l.expr(a.First.Named)
				}
				args = append(args, l.b.arg(v, named))
			}
			x = l.b.call(x, lpos(s.Call.Pos), lastPos(s.Call.Tokens), args)
		}
	}
	return x
}

func (l *refLowerer) exprs(list *exprListG) []Expr {
	out := []Expr{}
	for ; list != nil; list = list.Rest {
		out = append(out, l.expr(list.First))
	}
	return out
}

func (l *refLowerer) primary(p *primaryG) Expr {
	start := lpos(p.Pos)
	switch {
	case p.Ident != nil:
		id := l.b.ident(start, p.Ident.Name)
		if a := p.Ident.Arrow; a != nil {
			return l.b.lambda(start, []*Ident{id}, lpos(a.Pos), l.expr(a.Body))
		}
		return id
	case p.Str != nil:
		return l.str(p.Str)
	case p.Number != "":
		return l.b.number(start, p.Number)
	case p.Duration != "":
		return l.b.duration(start, p.Duration)
	case p.Lit != "":
		return l.b.literal(start, p.Lit)
	case p.List != nil:
		return &ListLit{Sp: Span{start, lastEnd(p.List.Tokens)}, Elems: l.exprs(p.List.Elems)}
	case p.Map != nil:
		return l.mapLit(p.Map)
	case p.Paren != nil:
		elems := l.exprs(p.Paren.Elems)
		if a := p.Paren.Arrow; a != nil { // a lambda: its span ends with its body
			return l.b.paren(start, Pos{}, elems, lpos(a.Pos), l.expr(a.Body))
		}
		return l.b.paren(start, lastEnd(p.Paren.Tokens), elems, Pos{}, nil)
	case p.Run != nil:
		x := l.postfix(p.Run.Call)
		var with *MapLit
		if p.Run.With != nil {
			with = l.mapLit(p.Run.With)
		}
		return l.b.run(start, x, with)
	case p.Wait != nil:
		if p.Wait.For != nil {
			d := l.postfix(p.Wait.For)
			return &WaitExpr{Sp: Span{start, d.Span().End}, Duration: d}
		}
		e := p.Wait.Event
		name := l.str(e.Name)
		var where, timeout Expr
		if e.Where != nil {
			where = l.expr(e.Where)
		}
		if e.Timeout != nil {
			timeout = l.postfix(e.Timeout)
		}
		return l.b.waitEvent(start, name, where, timeout)
	default:
		return l.b.raw(lpos(p.Raw.Pos), p.Raw.Text)
	}
}

func (l *refLowerer) mapLit(m *mapG) *MapLit {
	out := &MapLit{Sp: Span{lpos(m.Pos), lastEnd(m.Tokens)}, Entries: []*MapEntry{}}
	for list := m.Entries; list != nil; list = list.Rest {
		e := list.First
		var name *Ident
		var quoted *StringLit
		if e.Name != nil {
			name = l.anyName(e.Name)
		} else {
			quoted = l.str(e.Str)
		}
		out.Entries = append(out.Entries, l.b.mapEntry(name, quoted, l.expr(e.Value)))
	}
	return out
}

func (l *refLowerer) str(s *stringG) *StringLit {
	sb := l.b.startString(lpos(s.Pos))
	for _, p := range s.Parts {
		pos := lpos(p.Pos)
		switch {
		case p.Interp != nil:
			sb.interp(pos, l.expr(p.Interp))
		case p.Bad != "":
			sb.bad(pos, p.Bad)
		default:
			sb.piece(pos, p.Text)
		}
	}
	end := s.Tokens[len(s.Tokens)-1]
	return sb.end(lpos(end.Pos), s.End)
}
