package lang

import (
	"strings"
)

// parser is the parser that runs: recursive descent over the rules in
// grammar.go, building the AST directly (through builder, which the
// reference parser shares). It differs from participle's parse of those
// rules in one way only, and only after a syntax error: it reports the
// error, skips the rest of the statement (recover.go) and goes on, so one
// error costs one statement and the rest of the declaration is kept.
//
// A syntax error unwinds to the nearest recovery point with a bailout
// panic: the statement being parsed, or the declaration when its header
// is broken.
type parser struct {
	builder
	src  string  // the source the tokens point into
	toks []token // the tokens being parsed, without their end
	eof  token   // their end: EOF at the next declaration or at the end of the file
	pos  int     // index of the current token in toks (len(toks) at the end)
	tok  *token  // the current token
	// srcLen is the length of the file, to tell "the next declaration"
	// from the end of the file.
	srcLen int
	// fail is the offset of the token where the first syntax error of the
	// current declaration was found, or -1.
	fail int
	// eofReported is set once an error at the end has been reported, so
	// the blocks still open there are not reported again each.
	eofReported bool
	// partial is the let or const whose value is being parsed, so a
	// syntax error in the value keeps the binding (see recoverStmt).
	partial      Node
	partialStart int
	// partialX is what parsed of the expression that failed, when the
	// failure leaves something worth keeping (see BadExpr.X).
	partialX Expr
	// nest counts the lambdas, runs and waits the parser is inside, which
	// nest without brackets (checkNesting bounds the brackets).
	nest int
}

// bailout is the panic value that unwinds a syntax error to the nearest
// recovery point.
type bailout struct{}

func newParser(file, src string, diags *Diagnostics) *parser {
	return &parser{builder: builder{file: file, diags: diags}, src: src, srcLen: len(src), fail: -1}
}

// is reports whether the current token is the punctuation or word s.
func (p *parser) is(s string) bool { return p.tok.is(p.src, s) }

// reset makes the parser read toks, then end.
func (p *parser) reset(toks []token, end token) {
	p.toks, p.eof, p.pos = toks, end, 0
	p.fail, p.eofReported, p.partial = -1, false, nil
	p.setTok()
}

func (p *parser) setTok() {
	if p.pos < len(p.toks) {
		p.tok = &p.toks[p.pos]
	} else {
		p.tok = &p.eof
	}
}

// next moves past the current token and returns it.
func (p *parser) next() *token {
	t := p.tok
	if p.pos < len(p.toks) {
		p.pos++
		p.setTok()
	}
	return t
}

// peek returns the token after the current one.
func (p *parser) peek() *token {
	if p.pos+1 < len(p.toks) {
		return &p.toks[p.pos+1]
	}
	return &p.eof
}

// prev returns the token before the current one, or nil.
func (p *parser) prev() *token {
	if p.pos == 0 {
		return nil
	}
	return &p.toks[p.pos-1]
}

// expect moves past the punctuation or word s, or fails.
func (p *parser) expect(s string) *token {
	if !p.is(s) {
		p.failf(`"` + s + `"`)
	}
	return p.next()
}

// name reads a name (an Ident token).
func (p *parser) name() *Ident {
	if p.tok.typ != tIdent {
		p.failf("name")
	}
	t := p.next()
	return p.ident(t.start(), t.text(p.src))
}

// anyName reads a name or a keyword, as after a dot or as a map key.
func (p *parser) anyName() *Ident {
	if p.tok.typ != tIdent && p.tok.typ != tKeyword {
		p.failf("name")
	}
	t := p.next()
	return p.ident(t.start(), t.text(p.src))
}

// enter goes one level deeper into a lambda, run or wait; leave comes
// back out.
func (p *parser) enter() {
	p.nest++
	if p.nest > MaxNesting {
		p.errorf(p.tok.span(p.src), "limit", "nesting is too deep (the limit is %d levels)", MaxNesting).
			Hint("split the expression with let, or the logic into fn helpers")
		if p.fail < 0 {
			p.fail = p.tok.start().Offset
		}
		panic(bailout{})
	}
}

func (p *parser) leave() { p.nest-- }

// failf reports a syntax error at the current token, where the grammar
// wanted `want`, and bails out.
func (p *parser) failf(want string) {
	p.syntaxError(want)
	panic(bailout{})
}

// syntaxError reports that the current token is not what the grammar
// allows there: want says what it allows. It returns the diagnostic, or
// nil when none was added (the end was already reported).
func (p *parser) syntaxError(want string) *Diagnostic {
	t := p.tok
	if p.fail < 0 {
		p.fail = t.start().Offset
	}
	if t.typ == tEOF {
		if p.eofReported {
			return nil
		}
		p.eofReported = true
	}
	sp := t.span(p.src)
	switch t.typ {
	case tInvalid:
		d := p.errorf(sp, "syntax", "unexpected character %s", t.describe(p.src))
		switch t.text(p.src) {
		case ";":
			d.Hint("WF needs no semicolons: end statements with a new line")
		case "&", "|", "!":
			d.Hint("write and, or and not")
		}
		return d
	case tRawBad:
		return p.errorf(Span{t.start(), advanceASCII(t.start(), `"""`)}, "syntax", "raw string not terminated").Hint(`close it with """`)
	case tUnterm: // a line break ends the ${…} inside a string
		return p.errorf(Span{t.start(), t.start()}, "syntax", "expected %s, found end of line", want).
			Hint(`a string and its ${…} end on the line they start on`)
	case tEOF:
		if open, ok := p.unclosedString(); ok {
			return p.errorf(Span{open.start(), advanceASCII(open.start(), `"`)}, "syntax", "string not terminated").
				Hint(`close the string with " on the same line; for text over several lines use """…"""`)
		}
	}
	if prev := p.prev(); prev != nil && prev.typ == tInterpStart && want == "expression" {
		return p.errorf(sp, "syntax", "expected an expression inside ${…}").
			Hint(`to write a literal ${ in a string, escape the dollar: \${`)
	}
	found := t.describe(p.src)
	if t.typ == tEOF && t.start().Offset < p.srcLen {
		found = "the next declaration"
	}
	d := p.errorf(sp, "syntax", "expected %s, found %s", want, found)
	switch {
	case t.text(p.src) == "=" && strings.Contains(want, "statement"):
		d.Hint("to bind a new name write let name = value")
	case t.text(p.src) == "if":
		d.Hint("WF uses when for conditions: when cond { … } else { … }")
	case t.typ == tKeyword && strings.Contains(want, "name"):
		d.Hint("%q is a reserved word and cannot be used as a name", t.text(p.src))
	}
	return d
}

// unclosedString finds the outermost string still open at the current
// token, which happens when the input ends inside a string or its ${…}.
func (p *parser) unclosedString() (*token, bool) {
	var open []*token
	for i := range p.toks[:p.pos] {
		switch t := &p.toks[i]; t.typ {
		case tStrStart:
			open = append(open, t)
		case tStrEnd, tUnterm:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return nil, false
	}
	return open[0], true
}
