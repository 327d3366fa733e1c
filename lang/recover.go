package lang

// Error recovery. A syntax error inside a statement costs that statement:
// the parser reports it, skips to where the next statement plausibly
// starts, puts a BadExpr where the statement was and goes on with the
// block. The rest of the declaration is parsed and checked as usual, and
// the BadExpr tells the checker to hold the warnings a missing statement
// would cause (an unused name, a workflow without an on clause).

// stmtRecover parses one workflow item (when item is set, an on clause is
// allowed) or statement, adding it to list; after a syntax error it adds
// what recoverStmt makes of the broken statement instead.
func (p *parser) stmtRecover(list *[]Stmt, w *WorkflowDecl) {
	start, nest := p.pos, p.nest
	p.partial, p.partialX = nil, nil
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.nest = nest
			*list = append(*list, p.recoverStmt(start))
		}
	}()
	if w != nil && p.tok.is("on") {
		p.trigger(w, p.on())
		return
	}
	*list = append(*list, p.stmt())
}

// recoverStmt skips the rest of the statement that started at token start
// and failed at the current token, and returns what stands for it: the let
// or const being bound with a BadExpr value, so its name stays bound, or
// a BadExpr statement over the text skipped.
func (p *parser) recoverStmt(start int) Stmt {
	p.skipStmt(start)
	from := p.toks[start].pos
	end := from
	if p.pos > start {
		end = p.toks[p.pos-1].end()
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
func (p *parser) skipStmt(start int) {
	col := p.toks[start].pos.Col
	for i := start + 1; i < p.pos; i++ {
		if p.resumesAt(i, col) {
			p.pos = i
			p.setTok()
			return
		}
	}
	depth := 0
	for i := start; i < p.pos; i++ {
		depth = braceDepth(&p.toks[i], depth)
	}
	if p.pos == start && p.tok.typ != tEOF && !p.tok.is("}") {
		depth = braceDepth(p.next(), depth) // make progress
	}
	for p.tok.typ != tEOF {
		t := p.tok
		if p.resumesAt(p.pos, col) {
			return
		}
		if t.typ == tPunct && t.val == "}" && depth == 0 {
			return
		}
		depth = braceDepth(t, depth)
		p.next()
	}
}

// resumesAt reports whether token i begins a line, no further right than
// col, with a statement keyword, a name or a } (which then closes a block
// around the statement).
func (p *parser) resumesAt(i, col int) bool {
	t := &p.toks[i]
	if t.pos.Col > col || !lineStart(p.toks, i) {
		return false
	}
	return resumesStmt(t) || (t.typ == tPunct && t.val == "}" && t.pos.Col < col)
}

// lineStart reports whether toks[i] is the first token on its line (an
// unterminated string ends with the line break).
func lineStart(toks []token, i int) bool {
	if i == 0 {
		return true
	}
	prev := &toks[i-1]
	return prev.typ == tUnterm || prev.end().Line < toks[i].pos.Line
}

// braceDepth returns depth after token t: one more after {, one less after }.
func braceDepth(t *token, depth int) int {
	if t.typ != tPunct {
		return depth
	}
	switch t.val {
	case "{":
		return depth + 1
	case "}":
		return max(depth-1, 0)
	}
	return depth
}

// resumesStmt reports whether t is a good place to resume after a broken
// statement: a statement keyword, `on`, or a name.
func resumesStmt(t *token) bool {
	switch t.typ {
	case tIdent:
		return true
	case tKeyword:
		switch t.val {
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
	if p.tok.is("}") {
		t := p.next()
		return t.pos, t.end()
	}
	p.syntaxError(`"}"`)
	return p.tok.pos, p.tok.pos
}
