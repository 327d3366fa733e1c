package lang

// Declarations, triggers and statements: DeclG, OnG and StmtG in grammar.go.

// decl parses one declaration.
func (p *parser) decl() Decl {
	t := p.tok
	switch {
	case t.is("workflow") && p.peek().typ == tIdent:
		return p.workflow()
	case t.is("const"):
		return p.constDecl()
	case t.is("fn"):
		return p.fnDecl()
	case t.is("js") && p.peek().is("fn"):
		return p.jsFnDecl()
	}
	p.failf("workflow, fn, js fn or const")
	return nil
}

// startsDecl reports whether the current token begins a declaration, as
// DeclG's alternatives see it.
func (p *parser) startsDecl() bool {
	t := p.tok
	return (t.is("workflow") && p.peek().typ == tIdent) || t.is("const") || t.is("fn") || (t.is("js") && p.peek().is("fn"))
}

func (p *parser) workflow() *WorkflowDecl {
	start := p.next().pos
	w := &WorkflowDecl{Name: p.name()}
	w.Lbrace = p.expect("{").pos
	for !p.tok.is("}") && p.tok.typ != tEOF {
		p.stmtRecover(&w.Body, w)
	}
	var end Pos
	w.Rbrace, end = p.closeBlock()
	w.Sp = Span{start, end}
	return w
}

func (p *parser) constDecl() Decl {
	idx := p.pos
	start := p.next().pos
	c := &ConstDecl{Name: p.name()}
	p.expect("=")
	c.Sp = Span{start, p.prev().end()}
	p.partial, p.partialStart = c, idx
	c.Value = p.expr()
	p.partial = nil
	c.Sp.End = c.Value.Span().End
	return c
}

func (p *parser) fnDecl() Decl {
	start := p.next().pos
	f := &FnDecl{Name: p.name()}
	f.Params = p.params()
	f.Body = p.block()
	f.Sp = Span{start, f.Body.Sp.End}
	return f
}

func (p *parser) jsFnDecl() Decl {
	start := p.next().pos
	p.next() // fn
	name := p.name()
	params := p.params()
	if p.tok.typ != tRaw && p.tok.typ != tRawBad {
		p.failf(`"""string"""`)
	}
	code := p.next()
	return p.jsFn(start, name, params, code.pos, code.val)
}

// params parses `( [param {, param} [,]] )`.
func (p *parser) params() []*Param {
	p.expect("(")
	out := p.paramList()
	p.expect(")")
	return out
}

// paramList parses ParamListG, when one starts here.
func (p *parser) paramList() []*Param {
	var out []*Param
	for p.tok.typ == tIdent {
		out = append(out, p.param())
		if !p.tok.is(",") {
			break
		}
		p.next()
	}
	return out
}

func (p *parser) param() *Param {
	name := p.name()
	var typ *Ident
	opt := false
	if p.tok.is(":") {
		p.next()
		typ = p.name()
		if p.tok.is("?") {
			p.next()
			opt = true
		}
	}
	var def Expr
	if p.tok.is("=") {
		p.next()
		def = p.expr()
	}
	return p.builder.param(name, typ, opt, def)
}

// on parses an on clause.
func (p *parser) on() Trigger {
	start := p.next().pos
	t := p.tok
	switch {
	case t.is("event"):
		p.next()
		pattern := p.str()
		var where Expr
		if p.tok.is("where") {
			p.next()
			where = p.expr()
		}
		return p.eventTrigger(start, pattern, where)
	case t.is("api") || t.is("workflow") || t.is("manual"):
		p.next()
		p.expect("(")
		params := p.paramList()
		end := p.expect(")").end()
		return &ParamTrigger{Sp: Span{start, end}, Kind: t.val, Params: params}
	case t.is("schedule"):
		p.next()
		cron := p.str()
		var tz *StringLit
		if p.tok.is("tz") {
			p.next()
			tz = p.str()
		}
		return p.scheduleTrigger(start, cron, tz)
	case t.is("every"):
		p.next()
		if p.tok.typ != tDuration {
			p.failf("duration")
		}
		d := p.next()
		every := p.duration(d.pos, d.val)
		return &EveryTrigger{Sp: Span{start, every.Sp.End}, Every: every}
	}
	p.failf("event, api, workflow, manual, schedule or every")
	return nil
}

// block parses `{ statements }`.
func (p *parser) block() *Block {
	lb := p.expect("{")
	b := &Block{}
	for !p.tok.is("}") && p.tok.typ != tEOF {
		p.stmtRecover(&b.Stmts, nil)
	}
	var end Pos
	b.Rbrace, end = p.closeBlock()
	b.Sp = Span{lb.pos, end}
	return b
}

// stmt parses one statement.
func (p *parser) stmt() Stmt {
	t := p.tok
	switch {
	case t.is("let"):
		return p.let()
	case t.is("when"):
		return p.when()
	case t.is("{"):
		return &BlockStmt{Block: p.block()}
	case p.startsExpr():
		return p.simpleStmt()
	case t.is("for"):
		return p.forStmt(t.pos, false)
	case t.is("parallel"):
		p.next()
		if p.tok.is("for") {
			return p.forStmt(t.pos, true)
		}
		body := p.block()
		return &ParallelStmt{Sp: Span{t.pos, body.Sp.End}, Body: body}
	case t.is("log"):
		p.next()
		x := p.expr()
		return &LogStmt{Sp: Span{t.pos, x.Span().End}, Message: x}
	case t.is("output"):
		p.next()
		m := p.mapLit()
		return &OutputStmt{Sp: Span{t.pos, m.Sp.End}, Value: m}
	case t.is("return"):
		p.next()
		r := &ReturnStmt{Sp: Span{t.pos, advanceASCII(t.pos, "return")}}
		if p.startsExpr() {
			r.Value = p.expr()
			r.Sp.End = r.Value.Span().End
		}
		return r
	case t.is("try"):
		return p.try()
	case t.is("fail"):
		p.next()
		x := p.expr()
		return &FailStmt{Sp: Span{t.pos, x.Span().End}, Reason: x}
	case t.is("stop"):
		p.next()
		return &StopStmt{Sp: Span{t.pos, advanceASCII(t.pos, "stop")}}
	case t.is("emit"):
		p.next()
		e := &EmitStmt{Name: p.expr()}
		end := e.Name.Span().End
		if p.tok.is("{") {
			e.Payload = p.mapLit()
			end = e.Payload.Sp.End
		}
		e.Sp = Span{t.pos, end}
		return e
	}
	p.failf("statement")
	return nil
}

func (p *parser) let() Stmt {
	idx := p.pos
	start := p.next().pos
	l := &LetStmt{Name: p.name()}
	p.expect("=")
	l.Sp = Span{start, p.prev().end()}
	p.partial, p.partialStart = l, idx
	v := p.expr()
	p.partial = nil
	return p.builder.let(start, l.Name, v)
}

// simpleStmt parses an expression statement or an assignment.
func (p *parser) simpleStmt() Stmt {
	x := p.expr()
	if !p.tok.is("=") {
		return p.simple(x, Pos{}, nil)
	}
	eq := p.next().pos
	return p.simple(x, eq, p.expr())
}

func (p *parser) when() Stmt {
	out := &WhenStmt{}
	for {
		start := p.next().pos // when
		br := &WhenBranch{Cond: p.expr(), Body: p.block()}
		br.Sp = Span{start, br.Body.Sp.End}
		out.Branches = append(out.Branches, br)
		if !p.tok.is("else") {
			break
		}
		elsePos := p.next().pos
		if p.tok.is("when") {
			continue
		}
		if !p.tok.is("{") {
			p.failf(`"when" or "{"`)
		}
		out.ElsePos, out.Else = elsePos, p.block()
		break
	}
	out.Sp = Span{out.Branches[0].Sp.Start, out.Branches[len(out.Branches)-1].Sp.End}
	if out.Else != nil {
		out.Sp.End = out.Else.Sp.End
	}
	return out
}

// forStmt parses `for …` at the current token; start is where the
// statement began (at parallel, for a parallel for).
func (p *parser) forStmt(start Pos, parallel bool) Stmt {
	p.next() // for
	first := p.name()
	var second *Ident
	if p.tok.is(",") {
		p.next()
		second = p.name()
	}
	p.expect("in")
	iter := p.expr()
	var limit Expr
	if p.tok.is("limit") {
		p.next()
		limit = p.expr()
	}
	return p.builder.forStmt(start, parallel, first, second, iter, limit, p.block())
}

func (p *parser) try() Stmt {
	start := p.next().pos
	t := &TryStmt{Body: p.block()}
	p.expect("catch")
	if p.tok.typ == tIdent {
		t.Err = p.name()
	}
	t.Catch = p.block()
	t.Sp = Span{start, t.Catch.Sp.End}
	return t
}
