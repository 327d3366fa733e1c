package lang

// Expressions: ExprG down to PrimaryG in grammar.go, one function per
// precedence level, each folding its operators to the left.

// startsExpr reports whether the current token can begin an expression.
func (p *parser) startsExpr() bool {
	return p.tok.is("not") || p.startsUnary()
}

// startsUnary reports whether the current token can begin a UnaryG.
func (p *parser) startsUnary() bool {
	return p.tok.is("-") || p.startsPrimary()
}

// startsPrimary reports whether the current token can begin a PrimaryG.
func (p *parser) startsPrimary() bool {
	t := p.tok
	switch t.typ {
	case tIdent, tStrStart, tNumber, tDuration, tRaw, tRawBad:
		return true
	}
	switch t.val {
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
	for p.tok.is("??") {
		op := p.next().pos
		x = p.binary(x, OpCoalesce, op, p.or())
	}
	return x
}

func (p *parser) or() Expr {
	x := p.and()
	for p.tok.is("or") {
		op := p.next().pos
		x = p.binary(x, OpOr, op, p.and())
	}
	return x
}

func (p *parser) and() Expr {
	x := p.not()
	for p.tok.is("and") {
		op := p.next().pos
		x = p.binary(x, OpAnd, op, p.not())
	}
	return x
}

// not parses NotG: any number of `not`, then a comparison.
func (p *parser) not() Expr {
	var nots []Pos
	for p.tok.is("not") {
		nots = append(nots, p.next().pos)
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
		op, ok := cmpOp(t.val)
		switch {
		case ok:
			p.next()
		case t.is("not"):
			p.next()
			p.expect("in")
			op = OpNotIn
		default:
			return x
		}
		x = p.binary(x, op, t.pos, p.add())
	}
}

func (p *parser) add() Expr {
	x := p.mul()
	for {
		t := p.tok
		var op Op
		switch {
		case t.is("+"):
			op = OpAdd
		case t.is("-"):
			op = OpSub
		default:
			return x
		}
		p.next()
		x = p.binary(x, op, t.pos, p.mul())
	}
}

func (p *parser) mul() Expr {
	x := p.unaryExpr()
	for {
		t := p.tok
		var op Op
		switch {
		case t.is("*"):
			op = OpMul
		case t.is("/"):
			op = OpDiv
		case t.is("%"):
			op = OpMod
		default:
			return x
		}
		p.next()
		x = p.binary(x, op, t.pos, p.unaryExpr())
	}
}

// unaryExpr parses UnaryG: any number of `-`, then a postfix expression.
func (p *parser) unaryExpr() Expr {
	var negs []Pos
	for p.tok.is("-") {
		negs = append(negs, p.next().pos)
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
		case t.is(".") || t.is("?."):
			p.next()
			if p.tok.typ != tIdent && p.tok.typ != tKeyword || p.tok.pos.Line > t.pos.Line {
				p.unfinishedSelector(x, t)
			}
			x = p.selector(x, p.anyName(), t.val == "?.")
		case t.is("["):
			p.next()
			idx := p.expr()
			end := p.expect("]").end()
			x = p.index(x, idx, end)
		case t.is("("):
			p.next()
			args := p.args()
			rparen := p.expect(")").pos
			x = p.call(x, t.pos, rparen, args)
		default:
			return x
		}
	}
}

// unfinishedSelector fails at `x.` with no name after the dot on its line,
// keeping x.<empty name> as the part that parsed (BadExpr.X), so the
// language server can complete after the dot.
func (p *parser) unfinishedSelector(x Expr, dot *token) {
	end := dot.end()
	p.partialX = &SelectorExpr{Sp: Span{x.Span().Start, end}, X: x, Name: &Ident{Sp: Span{end, end}}, Optional: dot.val == "?."}
	if p.tok.typ == tEOF || p.tok.pos.Line == dot.pos.Line {
		p.failf("name")
	}
	if p.fail < 0 { // the name is on the next line: see nameOnNextLine
		p.fail = p.tok.pos.Offset
	}
	p.errorf(Span{end, end}, "syntax", "expected a name after %q, found the end of the line", dot.val)
	panic(bailout{})
}

// args parses ArgListG, when one starts here.
func (p *parser) args() []*Arg {
	var out []*Arg
	for p.startsExpr() {
		v := p.expr()
		var named Expr
		if p.tok.is(":") {
			p.next()
			named = p.expr()
		}
		out = append(out, p.arg(v, named))
		if !p.tok.is(",") {
			break
		}
		p.next()
	}
	return out
}

// exprList parses ExprListG, when one starts here.
func (p *parser) exprList() []Expr {
	var out []Expr
	for p.startsExpr() {
		out = append(out, p.expr())
		if !p.tok.is(",") {
			break
		}
		p.next()
	}
	return out
}

func (p *parser) primary() Expr {
	t := p.tok
	switch t.typ {
	case tIdent:
		p.next()
		id := p.ident(t.pos, t.val)
		if p.tok.is("->") {
			arrow := p.next().pos
			p.enter()
			body := p.expr()
			p.leave()
			return p.lambda(t.pos, []*Ident{id}, arrow, body)
		}
		return id
	case tStrStart:
		return p.str()
	case tNumber:
		p.next()
		return p.number(t.pos, t.val)
	case tDuration:
		p.next()
		return p.duration(t.pos, t.val)
	case tRaw, tRawBad:
		p.next()
		return p.raw(t.pos, t.val)
	}
	switch {
	case t.is("true") || t.is("false") || t.is("null"):
		p.next()
		return p.literal(t.pos, t.val)
	case t.is("["):
		p.next()
		elems := p.exprList()
		end := p.expect("]").end()
		if elems == nil {
			elems = []Expr{}
		}
		return &ListLit{Sp: Span{t.pos, end}, Elems: elems}
	case t.is("{"):
		return p.mapLit()
	case t.is("("):
		p.next()
		elems := p.exprList()
		end := p.expect(")").end()
		if p.tok.is("->") {
			arrow := p.next().pos
			p.enter()
			body := p.expr()
			p.leave()
			return p.paren(t.pos, end, elems, arrow, body)
		}
		return p.paren(t.pos, end, elems, Pos{}, nil)
	case t.is("run"):
		p.next()
		if !p.startsPrimary() {
			p.failf("expression")
		}
		p.enter()
		x := p.postfix()
		p.leave()
		var with *MapLit
		if p.tok.is("with") {
			p.next()
			with = p.mapLit()
		}
		return p.run(t.pos, x, with)
	case t.is("wait"):
		return p.wait()
	}
	p.failf("expression")
	return nil
}

func (p *parser) wait() Expr {
	start := p.next().pos
	p.enter()
	defer p.leave()
	if p.tok.is("event") && p.peek().typ == tStrStart {
		p.next()
		name := p.str()
		var where, timeout Expr
		if p.tok.is("where") {
			p.next()
			where = p.expr()
		}
		if p.tok.is("timeout") {
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
	for p.tok.typ == tIdent || p.tok.typ == tKeyword || p.tok.typ == tStrStart {
		var name *Ident
		var quoted *StringLit
		if p.tok.typ == tStrStart {
			quoted = p.str()
		} else {
			name = p.anyName()
		}
		if !p.tok.is(":") {
			d := p.syntaxError(`":"`)
			if d != nil && len(m.Entries) == 0 && lineStart(p.toks, p.pos-1) {
				d.Hint("the { at %s starts a map here: is the expression before it unfinished?", lb.pos)
			}
			panic(bailout{})
		}
		p.next()
		m.Entries = append(m.Entries, p.mapEntry(name, quoted, p.expr()))
		if !p.tok.is(",") {
			break
		}
		p.next()
	}
	if !p.tok.is("}") {
		p.failf(`map key or "}"`)
	}
	end := p.next().end()
	if m.Entries == nil {
		m.Entries = []*MapEntry{}
	}
	m.Sp = Span{lb.pos, end}
	return m
}

// str parses a "…" string.
func (p *parser) str() *StringLit {
	if p.tok.typ != tStrStart {
		p.failf("string")
	}
	s := p.startString(p.next().pos)
	for {
		t := p.tok
		switch t.typ {
		case tChars, tEscape, tDollar:
			s.piece(t.pos, t.val)
		case tBadEscape:
			s.bad(t.pos, t.val)
		case tInterpStart:
			p.next()
			x := p.expr()
			if p.tok.typ != tInterpEnd {
				p.failf(`"}" to close ${…}`)
			}
			s.interp(t.pos, x)
		case tStrEnd, tUnterm:
			p.next()
			return s.end(t.pos, t.val)
		default:
			p.failf(`end of string`)
		}
		p.next()
	}
}
