package lang

// Error recovery. A syntax error inside a statement costs that statement:
// the parser reports it, skips to where the next statement plausibly
// starts, puts a BadExpr where the statement was and goes on with the
// block. The rest of the declaration is parsed and checked as usual, and
// the BadExpr tells the checker to hold the warnings a missing statement
// would cause (an unused name, a workflow without an on clause).

// stmtRecover parses one workflow item (when w is set, an on clause is
// allowed, added to w) or statement, pushing the statement on the parser's
// stack; after a syntax error it pushes what recoverStmt makes of the
// broken statement instead.
func (p *parser) stmtRecover(w *WorkflowDecl, body int) {
	start := p.pos
	p.recovering(func() {
		if w != nil && p.is("on") {
			t := p.on()
			p.trigger(w, p.stmts.buf[body:], t)
			return
		}
		p.stmts.push(p.stmt())
	}, func() { p.stmts.push(p.recoverStmt(start)) })
}

// recovering runs parse; after a syntax error in it, it restores the
// parser's nesting count and list stacks and runs broken, which skips the
// rest of what failed (it may read p.partial, what the broken part had
// built).
func (p *parser) recovering(parse, broken func()) {
	nest, marks := p.nest, p.marks()
	p.partial, p.partialX = nil, nil
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.nest = nest
			p.lists.truncate(marks)
			broken()
		}
	}()
	parse()
}

// recoverStmt skips the rest of the statement that started at token start
// and failed at the current token, and returns what stands for it: the let
// or const being bound with a BadExpr value, so its name stays bound, or
// a BadExpr statement over the text skipped.
func (p *parser) recoverStmt(start int) Stmt {
	p.skipStmt(start)
	from := p.toks[start].start()
	end := from
	if p.pos > start {
		end = p.toks[p.pos-1].end(p.src)
	}
	x := p.partialX
	p.partialX = nil
	if let, ok := p.partial.(*LetStmt); ok && p.partialStart == start {
		let.Value = &BadExpr{Sp: Span{let.Sp.End, end}, X: x}
		let.Sp.End = end
		return let
	}
	return &ExprStmt{X: &BadExpr{Sp: Span{from, end}, X: x}}
}

// skipStmt moves past the rest of a broken statement that started at
// token start. It stops at the end of the input, at a } that closes the
// enclosing block, or at a statement keyword or a name that begins a line
// no further right than the broken statement (continuation lines are
// indented further). Braces opened in the statement are skipped whole, so
// the body of a `when` whose condition is broken is skipped with it. When
// the statement, left unfinished, ran on into such a line (`x.` takes the
// `when` of the next line as a field name), it is cut back to that line.
func (p *parser) skipStmt(start int) { p.skipTo(start, p.resumesAt) }

// skipTo moves past the rest of a broken statement or clause that started
// at token start, to the first token i after it for which resumes(i, col)
// holds (col is the broken one's column), or to a } that closes the
// enclosing block, or to the end of the input. Braces opened after start
// are skipped whole; when the broken part ran on past such a token, it is
// cut back to it.
func (p *parser) skipTo(start int, resumes func(i, col int) bool) {
	col := p.toks[start].start().Col
	for i := start + 1; i < p.pos; i++ {
		if resumes(i, col) {
			p.pos = i
			p.setTok()
			return
		}
	}
	depth := 0
	for i := start; i < p.pos; i++ {
		depth = p.braceDepth(&p.toks[i], depth)
	}
	if p.pos == start && p.tok.typ != tEOF && !p.is("}") {
		depth = p.braceDepth(p.next(), depth) // make progress
	}
	for p.tok.typ != tEOF {
		t := p.tok
		if resumes(p.pos, col) {
			return
		}
		if t.typ == tPunct && t.text(p.src) == "}" && depth == 0 {
			return
		}
		depth = p.braceDepth(t, depth)
		p.next()
	}
}

// resumesAt reports whether token i begins a line, no further right than
// col, with a statement keyword, a name or a } (which then closes a block
// around the statement).
func (p *parser) resumesAt(i, col int) bool {
	t := &p.toks[i]
	if t.start().Col > col || !p.lineStart(i) {
		return false
	}
	return p.resumesStmt(t) || (t.typ == tPunct && t.text(p.src) == "}" && t.start().Col < col)
}

// lineStart reports whether token i is the first token on its line (an
// unterminated string ends with the line break).
func (p *parser) lineStart(i int) bool {
	if i == 0 {
		return true
	}
	prev := &p.toks[i-1]
	return prev.typ == tUnterm || prev.end(p.src).Line < int(p.toks[i].line)
}

// braceDepth returns depth after token t: one more after {, one less after }.
func (p *parser) braceDepth(t *token, depth int) int {
	if t.typ != tPunct {
		return depth
	}
	switch t.text(p.src) {
	case "{":
		return depth + 1
	case "}":
		return max(depth-1, 0)
	}
	return depth
}

// resumesStmt reports whether t is a good place to resume after a broken
// statement: a statement keyword, `on`, or a name.
func (p *parser) resumesStmt(t *token) bool {
	switch t.typ {
	case tIdent:
		return true
	case tKeyword:
		switch t.text(p.src) {
		case "let", "when", "for", "parallel", "try", "output", "fail", "stop", "log", "emit", "return", "run", "wait", "on":
			return true
		}
	}
	return false
}

// closeBlock ends a block or workflow body at the current token: its },
// or, when the input ends first, the end (reported once for all the
// blocks still open there). It returns the position of the } and the end
// of the block.
func (p *parser) closeBlock() (rbrace, end Pos) {
	if p.is("}") {
		t := p.next()
		return t.start(), t.end(p.src)
	}
	p.syntaxError(`"}"`)
	return p.tok.start(), p.tok.start()
}
