package lang

// Expressions: ExprG down to PrimaryG in grammar.go, one function per
// precedence level, each folding its operators to the left.

// startsExpr reports whether the current token can begin an expression.
func (p *parser) startsExpr() bool {
	return p.is("not") || p.startsUnary()
}

// startsUnary reports whether the current token can begin a UnaryG.
func (p *parser) startsUnary() bool {
	return p.is("-") || p.startsPrimary()
}

// startsPrimary reports whether the current token can begin a PrimaryG.
func (p *parser) startsPrimary() bool {
	t := p.tok
	switch t.typ {
	case tIdent, tStrStart, tNumber, tDuration, tRaw, tRawBad:
		return true
	}
	switch t.text(p.src) {
	case "true", "false", "null", "[", "{", "(", "run", "wait":
		return true
	}
	return false
}

// expr parses an expression, which must start here.
func (p *parser) expr() Expr {
	if !p.startsExpr() {
		p.failf("expression")
	}
	x := p.or()
	for p.is("??") {
		op := p.next().start()
		x = p.binary(x, OpCoalesce, op, p.or())
	}
	return x
}

func (p *parser) or() Expr {
	x := p.and()
	for p.is("or") {
		op := p.next().start()
		x = p.binary(x, OpOr, op, p.and())
	}
	return x
}

func (p *parser) and() Expr {
	x := p.not()
	for p.is("and") {
		op := p.next().start()
		x = p.binary(x, OpAnd, op, p.not())
	}
	return x
}

// not parses NotG: any number of `not`, then a comparison.
func (p *parser) not() Expr {
	var nots []Pos
	for p.is("not") {
		nots = append(nots, p.next().start())
	}
	x := p.cmp()
	for i := len(nots) - 1; i >= 0; i-- {
		x = p.unary(OpNot, nots[i], x)
	}
	return x
}

// cmpOp returns the comparison operator written s (`not in` is read
// apart).
func cmpOp(s string) (Op, bool) {
	switch s {
	case "==":
		return OpEq, true
	case "!=":
		return OpNe, true
	case "<=":
		return OpLe, true
	case ">=":
		return OpGe, true
	case "<":
		return OpLt, true
	case ">":
		return OpGt, true
	case "matches":
		return OpMatches, true
	case "in":
		return OpIn, true
	}
	return OpIllegal, false
}

func (p *parser) cmp() Expr {
	x := p.add()
	for {
		t := p.tok
		op, ok := cmpOp(t.text(p.src))
		switch {
		case ok:
			p.next()
		case t.is(p.src, "not"):
			p.next()
			p.expect("in")
			op = OpNotIn
		default:
			return x
		}
		x = p.binary(x, op, t.start(), p.add())
	}
}

func (p *parser) add() Expr {
	x := p.mul()
	for {
		t := p.tok
		var op Op
		switch {
		case t.is(p.src, "+"):
			op = OpAdd
		case t.is(p.src, "-"):
			op = OpSub
		default:
			return x
		}
		p.next()
		x = p.binary(x, op, t.start(), p.mul())
	}
}

func (p *parser) mul() Expr {
	x := p.unaryExpr()
	for {
		t := p.tok
		var op Op
		switch {
		case t.is(p.src, "*"):
			op = OpMul
		case t.is(p.src, "/"):
			op = OpDiv
		case t.is(p.src, "%"):
			op = OpMod
		default:
			return x
		}
		p.next()
		x = p.binary(x, op, t.start(), p.unaryExpr())
	}
}

// unaryExpr parses UnaryG: any number of `-`, then a postfix expression.
func (p *parser) unaryExpr() Expr {
	var negs []Pos
	for p.is("-") {
		negs = append(negs, p.next().start())
	}
	x := p.postfix()
	for i := len(negs) - 1; i >= 0; i-- {
		x = p.unary(OpNeg, negs[i], x)
	}
	return x
}

// postfix parses a primary expression and its suffixes: .name, ?.name,
// [index] and (arguments).
func (p *parser) postfix() Expr {
	x := p.primary()
	for {
		t := p.tok
		switch {
		case t.is(p.src, ".") || t.is(p.src, "?."):
			p.next()
			if p.tok.typ != tIdent && p.tok.typ != tKeyword || p.tok.start().Line > t.start().Line {
				p.unfinishedSelector(x, t)
			}
			x = p.selector(x, p.anyName(), t.text(p.src) == "?.")
		case t.is(p.src, "["):
			p.next()
			idx := p.expr()
			end := p.expect("]").end(p.src)
			x = p.index(x, idx, end)
		case t.is(p.src, "("):
			p.next()
			args := p.args()
			rparen := p.expect(")").start()
			x = p.call(x, t.start(), rparen, args)
		default:
			return x
		}
	}
}

// unfinishedSelector fails at `x.` with no name after the dot on its line,
// keeping x.<empty name> as the part that parsed (BadExpr.X), so the
// language server can complete after the dot.
func (p *parser) unfinishedSelector(x Expr, dot *token) {
	end := dot.end(p.src)
	p.partialX = &SelectorExpr{Sp: Span{x.Span().Start, end}, X: x, Name: &Ident{Sp: Span{end, end}}, Optional: dot.text(p.src) == "?."}
	if p.tok.typ == tEOF || p.tok.start().Line == dot.start().Line {
		p.failf("name")
	}
	if p.fail < 0 { // the name is on the next line: see nameOnNextLine
		p.fail = p.tok.start().Offset
	}
	p.errorf(Span{end, end}, "syntax", "expected a name after %q, found the end of the line", dot.text(p.src))
	panic(bailout{})
}

// args parses ArgListG, when one starts here.
func (p *parser) args() []*Arg {
	mark := p.lists.args.mark()
	for p.startsExpr() {
		v := p.expr()
		var named Expr
		if p.is(":") {
			p.next()
			named = p.expr()
		}
		p.lists.args.push(p.arg(v, named))
		if !p.is(",") {
			break
		}
		p.next()
	}
	return p.lists.args.take(mark)
}

// exprList parses ExprListG, when one starts here.
func (p *parser) exprList() []Expr {
	mark := p.exprs.mark()
	for p.startsExpr() {
		p.exprs.push(p.expr())
		if !p.is(",") {
			break
		}
		p.next()
	}
	return p.exprs.take(mark)
}

func (p *parser) primary() Expr {
	t := p.tok
	switch t.typ {
	case tIdent:
		p.next()
		id := p.ident(t.start(), t.text(p.src))
		if p.is("->") {
			arrow := p.next().start()
			p.enter()
			body := p.expr()
			p.leave()
			return p.lambda(t.start(), []*Ident{id}, arrow, body)
		}
		return id
	case tStrStart:
		return p.str()
	case tNumber:
		p.next()
		return p.number(t.start(), t.text(p.src))
	case tDuration:
		p.next()
		return p.duration(t.start(), t.text(p.src))
	case tRaw, tRawBad:
		p.next()
		return p.raw(t.start(), t.text(p.src))
	}
	switch {
	case t.is(p.src, "true") || t.is(p.src, "false") || t.is(p.src, "null"):
		p.next()
		return p.literal(t.start(), t.text(p.src))
	case t.is(p.src, "["):
		p.next()
		elems := p.exprList()
		end := p.expect("]").end(p.src)
		if elems == nil {
			elems = []Expr{}
		}
		return &ListLit{Sp: Span{t.start(), end}, Elems: elems}
	case t.is(p.src, "{"):
		return p.mapLit()
	case t.is(p.src, "("):
		p.next()
		elems := p.exprList()
		end := p.expect(")").end(p.src)
		if p.is("->") {
			arrow := p.next().start()
			p.enter()
			body := p.expr()
			p.leave()
			return p.paren(t.start(), end, elems, arrow, body)
		}
		return p.paren(t.start(), end, elems, Pos{}, nil)
	case t.is(p.src, "run"):
		p.next()
		if !p.startsPrimary() {
			p.failf("expression")
		}
		p.enter()
		x := p.postfix()
		p.leave()
		var with *MapLit
		if p.is("with") {
			p.next()
			with = p.mapLit()
		}
		return p.run(t.start(), x, with)
	case t.is(p.src, "wait"):
		return p.wait()
	}
	p.failf("expression")
	return nil
}

func (p *parser) wait() Expr {
	start := p.next().start()
	p.enter()
	defer p.leave()
	if p.is("event") && p.peek().typ == tStrStart {
		p.next()
		name := p.str()
		var where, timeout Expr
		if p.is("where") {
			p.next()
			where = p.expr()
		}
		if p.is("timeout") {
			p.next()
			if !p.startsPrimary() {
				p.failf("duration")
			}
			timeout = p.postfix()
		}
		return p.waitEvent(start, name, where, timeout)
	}
	if !p.startsPrimary() {
		p.failf("duration")
	}
	d := p.postfix()
	return &WaitExpr{Sp: Span{start, d.Span().End}, Duration: d}
}

// mapLit parses `{ [entry {, entry} [,]] }`.
func (p *parser) mapLit() *MapLit {
	lb := p.expect("{")
	m := &MapLit{}
	mark := p.entries.mark()
	for p.tok.typ == tIdent || p.tok.typ == tKeyword || p.tok.typ == tStrStart {
		var name *Ident
		var quoted *StringLit
		if p.tok.typ == tStrStart {
			quoted = p.str()
		} else {
			name = p.anyName()
		}
		if !p.is(":") {
			d := p.syntaxError(`":"`)
			if d != nil && p.entries.mark() == mark && p.lineStart(p.pos-1) {
				d.Hint("the { at %s starts a map here: is the expression before it unfinished?", lb.start())
			}
			panic(bailout{})
		}
		p.next()
		p.entries.push(p.mapEntry(name, quoted, p.expr()))
		if !p.is(",") {
			break
		}
		p.next()
	}
	if !p.is("}") {
		p.failf(`map key or "}"`)
	}
	end := p.next().end(p.src)
	if m.Entries = p.entries.take(mark); m.Entries == nil {
		m.Entries = []*MapEntry{}
	}
	m.Sp = Span{lb.start(), end}
	return m
}

// str parses a "…" string.
func (p *parser) str() *StringLit {
	if p.tok.typ != tStrStart {
		p.failf("string")
	}
	s := p.startString(p.next().start())
	for {
		t := p.tok
		switch t.typ {
		case tChars, tEscape, tDollar:
			s.piece(t.start(), t.text(p.src))
		case tBadEscape:
			s.bad(t.start(), t.text(p.src))
		case tInterpStart:
			p.next()
			x := p.expr()
			if p.tok.typ != tInterpEnd {
				p.failf(`"}" to close ${…}`)
			}
			s.interp(t.start(), x)
		case tStrEnd, tUnterm:
			p.next()
			return s.end(t.start(), t.text(p.src))
		default:
			p.failf(`end of string`)
		}
		p.next()
	}
}
