package lang

// Declarations, triggers and statements: DeclG, OnG and StmtG in grammar.go.

// decl parses one declaration.
func (p *parser) decl() Decl {
	t := p.tok
	switch {
	case t.is(p.src, "workflow") && p.peek().typ == tIdent:
		return p.workflow()
	case t.is(p.src, "const"):
		return p.constDecl()
	case t.is(p.src, "fn"):
		return p.fnDecl()
	case t.is(p.src, "js") && p.peek().is(p.src, "fn"):
		return p.jsFnDecl()
	case p.startsFields():
		return p.fieldsDecl()
	case t.is(p.src, "test") && p.peek().typ == tStrStart:
		return p.testDecl()
	}
	p.failf(p.declWords())
	return nil
}

// declWords lists the declarations a file may hold, for syntax errors.
func (p *parser) declWords() string {
	if IsTestFile(p.file) {
		return "workflow, test, fn, js fn, const or fields"
	}
	return "workflow, fn, js fn, const or fields"
}

// startsFields reports whether `fields name {` starts here.
func (p *parser) startsFields() bool {
	if !p.is("fields") || p.peek().typ != tIdent {
		return false
	}
	return p.pos+2 < len(p.toks) && p.toks[p.pos+2].is(p.src, "{")
}

// fieldsDecl parses `fields object { name: type … }`.
func (p *parser) fieldsDecl() Decl {
	start := p.next().start()
	d := &FieldsDecl{Object: p.name()}
	d.Lbrace = p.expect("{").start()
	for p.tok.typ == tIdent || p.tok.typ == tKeyword {
		name := p.anyName()
		p.expect(":")
		typ := p.name()
		if p.is(",") {
			p.next()
		}
		d.Fields = append(d.Fields, p.fieldDecl(name, typ))
	}
	if !p.is("}") {
		p.failf(`field or "}"`)
	}
	rb := p.next()
	d.Rbrace = rb.start()
	d.Sp = Span{start, rb.end(p.src)}
	return d
}

// startsDecl reports whether the current token begins a declaration, as
// DeclG's alternatives see it.
func (p *parser) startsDecl() bool {
	t := p.tok
	return (t.is(p.src, "workflow") && p.peek().typ == tIdent) || t.is(p.src, "const") || t.is(p.src, "fn") ||
		(t.is(p.src, "js") && p.peek().is(p.src, "fn")) || p.startsFields() || (t.is(p.src, "test") && p.peek().typ == tStrStart)
}

func (p *parser) workflow() *WorkflowDecl {
	start := p.next().start()
	w := &WorkflowDecl{Name: p.name()}
	w.Lbrace = p.expect("{").start()
	body := p.stmts.mark()
	for !p.is("}") && p.tok.typ != tEOF {
		p.stmtRecover(w, body)
	}
	w.Body = p.stmts.take(body)
	var end Pos
	w.Rbrace, end = p.closeBlock()
	w.Sp = Span{start, end}
	return w
}

func (p *parser) constDecl() Decl {
	idx := p.pos
	start := p.next().start()
	c := &ConstDecl{Name: p.name()}
	p.expect("=")
	c.Sp = Span{start, p.prev().end(p.src)}
	p.partial, p.partialStart = c, idx
	c.Value = p.expr()
	p.partial = nil
	c.Sp.End = c.Value.Span().End
	return c
}

func (p *parser) fnDecl() Decl {
	start := p.next().start()
	f := &FnDecl{Name: p.name()}
	f.Params = p.params()
	f.Body = p.block()
	f.Sp = Span{start, f.Body.Sp.End}
	return f
}

func (p *parser) jsFnDecl() Decl {
	start := p.next().start()
	p.next() // fn
	name := p.name()
	params := p.params()
	if p.tok.typ != tRaw && p.tok.typ != tRawBad {
		p.failf(`"""string"""`)
	}
	code := p.next()
	return p.jsFn(start, name, params, code.start(), code.text(p.src))
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
	mark := p.lists.params.mark()
	for p.tok.typ == tIdent {
		p.lists.params.push(p.param())
		if !p.is(",") {
			break
		}
		p.next()
	}
	return p.lists.params.take(mark)
}

func (p *parser) param() *Param {
	name := p.name()
	var typ *Ident
	opt := false
	if p.is(":") {
		p.next()
		typ = p.name()
		if p.is("?") {
			p.next()
			opt = true
		}
	}
	var def Expr
	if p.is("=") {
		p.next()
		def = p.expr()
	}
	return p.builder.param(name, typ, opt, def)
}

// on parses an on clause.
func (p *parser) on() Trigger {
	start := p.next().start()
	t := p.tok
	switch {
	case t.is(p.src, "event"):
		p.next()
		pattern := p.str()
		var where Expr
		if p.is("where") {
			p.next()
			where = p.expr()
		}
		return p.eventTrigger(start, pattern, where)
	case t.is(p.src, "api") || t.is(p.src, "workflow") || t.is(p.src, "manual"):
		p.next()
		p.expect("(")
		params := p.paramList()
		end := p.expect(")").end(p.src)
		return &ParamTrigger{Sp: Span{start, end}, Kind: t.text(p.src), Params: params}
	case t.is(p.src, "schedule"):
		p.next()
		cron := p.str()
		var tz *StringLit
		if p.is("tz") {
			p.next()
			tz = p.str()
		}
		return p.scheduleTrigger(start, cron, tz)
	case t.is(p.src, "every"):
		p.next()
		if p.tok.typ != tDuration {
			p.failf("duration")
		}
		d := p.next()
		every := p.duration(d.start(), d.text(p.src))
		return &EveryTrigger{Sp: Span{start, every.Sp.End}, Every: every}
	}
	p.failf("event, api, workflow, manual, schedule or every")
	return nil
}

// block parses `{ statements }`.
func (p *parser) block() *Block {
	lb := p.expect("{")
	b := &Block{}
	mark := p.stmts.mark()
	for !p.is("}") && p.tok.typ != tEOF {
		p.stmtRecover(nil, 0)
	}
	b.Stmts = p.stmts.take(mark)
	var end Pos
	b.Rbrace, end = p.closeBlock()
	b.Sp = Span{lb.start(), end}
	return b
}

// stmt parses one statement.
func (p *parser) stmt() Stmt {
	t := p.tok
	switch {
	case t.is(p.src, "let"):
		return p.let()
	case t.is(p.src, "when"):
		return p.when()
	case t.is(p.src, "{"):
		return &BlockStmt{Block: p.block()}
	case p.startsExpr():
		return p.simpleStmt()
	case t.is(p.src, "for"):
		return p.forStmt(t.start(), false)
	case t.is(p.src, "parallel"):
		p.next()
		if p.is("for") {
			return p.forStmt(t.start(), true)
		}
		body := p.block()
		return &ParallelStmt{Sp: Span{t.start(), body.Sp.End}, Body: body}
	case t.is(p.src, "log"):
		p.next()
		x := p.expr()
		return &LogStmt{Sp: Span{t.start(), x.Span().End}, Message: x}
	case t.is(p.src, "output"):
		p.next()
		m := p.mapLit()
		return &OutputStmt{Sp: Span{t.start(), m.Sp.End}, Value: m}
	case t.is(p.src, "return"):
		p.next()
		r := &ReturnStmt{Sp: Span{t.start(), advanceASCII(t.start(), "return")}}
		if p.startsExpr() {
			r.Value = p.expr()
			r.Sp.End = r.Value.Span().End
		}
		return r
	case t.is(p.src, "try"):
		return p.try()
	case t.is(p.src, "fail"):
		p.next()
		x := p.expr()
		return &FailStmt{Sp: Span{t.start(), x.Span().End}, Reason: x}
	case t.is(p.src, "stop"):
		p.next()
		return &StopStmt{Sp: Span{t.start(), advanceASCII(t.start(), "stop")}}
	case t.is(p.src, "emit"):
		p.next()
		e := &EmitStmt{Name: p.expr()}
		end := e.Name.Span().End
		if p.is("{") {
			e.Payload = p.mapLit()
			end = e.Payload.Sp.End
		}
		e.Sp = Span{t.start(), end}
		return e
	}
	p.failf("statement")
	return nil
}

func (p *parser) let() Stmt {
	idx := p.pos
	start := p.next().start()
	l := &LetStmt{Name: p.name()}
	p.expect("=")
	l.Sp = Span{start, p.prev().end(p.src)}
	p.partial, p.partialStart = l, idx
	v := p.expr()
	p.partial = nil
	return p.builder.let(start, l.Name, v)
}

// simpleStmt parses an expression statement or an assignment.
func (p *parser) simpleStmt() Stmt {
	x := p.expr()
	if !p.is("=") {
		return p.simple(x, Pos{}, nil)
	}
	eq := p.next().start()
	return p.simple(x, eq, p.expr())
}

func (p *parser) when() Stmt {
	out := &WhenStmt{}
	for {
		start := p.next().start() // when
		br := &WhenBranch{Cond: p.expr(), Body: p.block()}
		br.Sp = Span{start, br.Body.Sp.End}
		out.Branches = append(out.Branches, br)
		if !p.is("else") {
			break
		}
		elsePos := p.next().start()
		if p.is("when") {
			continue
		}
		if !p.is("{") {
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
	if p.is(",") {
		p.next()
		second = p.name()
	}
	p.expect("in")
	iter := p.expr()
	var limit Expr
	if p.is("limit") {
		p.next()
		limit = p.expr()
	}
	return p.builder.forStmt(start, parallel, first, second, iter, limit, p.block())
}

func (p *parser) try() Stmt {
	start := p.next().start()
	t := &TryStmt{Body: p.block()}
	p.expect("catch")
	if p.tok.typ == tIdent {
		t.Err = p.name()
	}
	t.Catch = p.block()
	t.Sp = Span{start, t.Catch.Sp.End}
	return t
}
