package lang

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Expressions are the bulk of every script, so they are parsed by hand: the
// struct-tag grammar in grammar.go drives declarations, triggers and
// statements, and hands each expression to exprG.Parse below (participle's
// Parseable hook). The hand parser fills the same grammar structs the tags
// describe, so lowering is the same either way; it just avoids participle's
// reflection and backtracking, which cost hundreds of allocations per line.
// The expression grammar, in EBNF, is exprGrammar (part of Grammar()).

const exprGrammar = `letG = "let" <ident> "=" exprG .
simpleG = exprG [ "=" exprG ] .
exprG = UnaryG { BinOp UnaryG } .
BinOp = "??" | "or" | "and" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "+" | "-" | "*" | "/" | "%" | "matches" | "in" | "not" "in" .
UnaryG = { "not" | "-" } PostfixG .
PostfixG = PrimaryG { "." Name | "?." Name | "[" exprG "]" | "(" [ ArgG { "," ArgG } [ "," ] ] ")" } .
ArgG = exprG [ ":" exprG ] .
PrimaryG = <ident> [ "->" exprG ]
         | stringG | <number> | <duration> | "true" | "false" | "null"
         | "[" [ exprG { "," exprG } [ "," ] ] "]"
         | mapG
         | "(" [ exprG { "," exprG } [ "," ] ] ")" [ "->" exprG ]
         | "run" PostfixG [ "with" mapG ]
         | "wait" ( "event" stringG [ "where" exprG ] [ "timeout" PostfixG ] | PostfixG )
         | <rawstring> | <rawunterminated> .
mapG = "{" [ EntryG { "," EntryG } [ "," ] ] "}" .
EntryG = ( Name | stringG ) ":" exprG .
stringG = <stringstart> { <chars> | <escape> | <dollar> | <badescape> | <interpstart> exprG <interpend> } ( <stringend> | <unterminated> ) .
Name = <ident> | <keyword> .`

// handParser parses one expression from a PeekingLexer.
type handParser struct {
	lex *lexer.PeekingLexer
}

// Parse implements participle.Parseable.
func (e *exprG) Parse(lex *lexer.PeekingLexer) error {
	p := handParser{lex: lex}
	if !p.startsExpr() {
		return participle.NextMatch
	}
	return p.expr(e)
}

// Parse implements participle.Parseable: `let name = expr`, the most
// common statement, without participle's reflection.
func (l *letG) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if t.Value != "let" || t.Type != tokKeyword {
		return participle.NextMatch
	}
	lex.Next()
	p := handParser{lex: lex}
	n := p.peek()
	if n.Type != tokIdent {
		return p.fail("name")
	}
	p.next()
	l.Name = &nameG{Pos: n.Pos, Name: n.Value}
	if err := p.expect("="); err != nil {
		return err
	}
	if !p.startsExpr() {
		return p.fail("expression")
	}
	l.Value = &exprG{}
	return p.expr(l.Value)
}

// Parse implements participle.Parseable: an expression used as a
// statement, or an assignment `target = value`.
func (s *simpleG) Parse(lex *lexer.PeekingLexer) error {
	p := handParser{lex: lex}
	if !p.startsExpr() || p.peek().Value == "{" {
		return participle.NextMatch
	}
	s.X = &exprG{}
	if err := p.expr(s.X); err != nil {
		return err
	}
	if t := p.peek(); t.Value == "=" {
		p.next()
		s.Eq = &eqG{Pos: t.Pos, Eq: "="}
		if !p.startsExpr() {
			return p.fail("expression")
		}
		s.Value = &exprG{}
		return p.expr(s.Value)
	}
	return nil
}

// Parse implements participle.Parseable, for maps in statement position
// (`output {…}`, `emit "x" {…}`).
func (m *mapG) Parse(lex *lexer.PeekingLexer) error {
	p := handParser{lex: lex}
	if p.peek().Value != "{" {
		return participle.NextMatch
	}
	return p.mapLit(m)
}

// Parse implements participle.Parseable, for event names, cron expressions
// and time zones.
func (s *stringG) Parse(lex *lexer.PeekingLexer) error {
	p := handParser{lex: lex}
	if p.peek().Type != tokStringStart {
		return participle.NextMatch
	}
	return p.str(s)
}

var (
	tokIdent, tokKeyword, tokNumber, tokDuration, tokStringStart, tokRaw, tokRawBad       lexer.TokenType
	tokChars, tokEscape, tokDollar, tokBadEscape, tokInterpStart, tokStringEnd, tokUnterm lexer.TokenType
)

func init() {
	s := theLexer.symbols
	tokIdent, tokKeyword, tokNumber, tokDuration = s["Ident"], s["Keyword"], s["Number"], s["Duration"]
	tokStringStart, tokRaw, tokRawBad = s["StringStart"], s["RawString"], s["RawUnterminated"]
	tokChars, tokEscape, tokDollar, tokBadEscape = s["Chars"], s["Escape"], s["Dollar"], s["BadEscape"]
	tokInterpStart, tokStringEnd, tokUnterm = s["InterpStart"], s["StringEnd"], s["Unterminated"]
}

func (p *handParser) peek() *lexer.Token { return p.lex.Peek() }

func (p *handParser) next() *lexer.Token { return p.lex.Next() }

// peek2 returns the token after the next one.
func (p *handParser) peek2() *lexer.Token {
	cp := p.lex.MakeCheckpoint()
	p.lex.Next()
	t := p.lex.Peek()
	p.lex.LoadCheckpoint(cp)
	return t
}

func (p *handParser) fail(expect string) error {
	return &participle.UnexpectedTokenError{Unexpected: *p.peek(), Expect: expect}
}

func (p *handParser) expect(value string) error {
	if p.peek().Value != value {
		return p.fail(`"` + value + `"`)
	}
	p.next()
	return nil
}

// startsExpr reports whether the next token can begin an expression.
func (p *handParser) startsExpr() bool {
	t := p.peek()
	switch t.Type {
	case tokIdent, tokNumber, tokDuration, tokStringStart, tokRaw, tokRawBad:
		return true
	case tokKeyword:
		switch t.Value {
		case "not", "true", "false", "null", "run", "wait":
			return true
		}
		return false
	}
	switch t.Value {
	case "-", "[", "{", "(":
		return true
	}
	return false
}

var binOps = map[string]bool{
	"??": true, "or": true, "and": true, "==": true, "!=": true, "<=": true, ">=": true, "<": true, ">": true,
	"+": true, "-": true, "*": true, "/": true, "%": true, "matches": true, "in": true,
}

func (p *handParser) expr(e *exprG) error {
	e.First = &unaryG{}
	if err := p.unary(e.First); err != nil {
		return err
	}
	for {
		t := p.peek()
		op := t.Value
		if t.Type == tokStringStart || t.Type == tokRaw || !binOps[op] {
			if op != "not" || t.Type != tokKeyword || p.peek2().Value != "in" {
				return nil
			}
			op = "notin"
			p.next()
		}
		b := &binG{Pos: t.Pos, Op: op, Right: &unaryG{}}
		p.next()
		if err := p.unary(b.Right); err != nil {
			return err
		}
		e.Rest = append(e.Rest, b)
	}
}

func (p *handParser) unary(u *unaryG) error {
	for {
		t := p.peek()
		if (t.Value == "not" && t.Type == tokKeyword) || (t.Value == "-" && t.Type != tokChars) {
			u.Prefix = append(u.Prefix, &prefixG{Pos: t.Pos, Op: t.Value})
			p.next()
			continue
		}
		break
	}
	u.X = &postfixG{}
	return p.postfix(u.X)
}

func (p *handParser) postfix(x *postfixG) error {
	x.X = &primaryG{}
	if err := p.primary(x.X); err != nil {
		return err
	}
	for {
		t := p.peek()
		switch t.Value {
		case ".", "?.":
			p.next()
			n := p.peek()
			if n.Type != tokIdent && n.Type != tokKeyword {
				return p.fail("name")
			}
			p.next()
			x.Suffixes = append(x.Suffixes, &suffixG{Field: &fieldG{Op: t.Value, Name: &anyNameG{Pos: n.Pos, Name: n.Value}}})
		case "[":
			start := p.lex.RawCursor()
			p.next()
			idx := &indexG{Index: &exprG{}}
			if !p.startsExpr() {
				return p.fail("expression")
			}
			if err := p.expr(idx.Index); err != nil {
				return err
			}
			if err := p.expect("]"); err != nil {
				return err
			}
			idx.Tokens, idx.Close = p.lex.Range(start, p.lex.RawCursor()), "]"
			x.Suffixes = append(x.Suffixes, &suffixG{Index: idx})
		case "(":
			c, err := p.call()
			if err != nil {
				return err
			}
			x.Suffixes = append(x.Suffixes, &suffixG{Call: c})
		default:
			return nil
		}
	}
}

func (p *handParser) call() (*callG, error) {
	start := p.lex.RawCursor()
	c := &callG{Pos: p.next().Pos}
	for p.peek().Value != ")" {
		if !p.startsExpr() {
			return nil, p.fail(`")" or argument`)
		}
		a := &argG{Value: &exprG{}}
		if err := p.expr(a.Value); err != nil {
			return nil, err
		}
		if p.peek().Value == ":" {
			p.next()
			a.Named = &exprG{}
			if !p.startsExpr() {
				return nil, p.fail("expression")
			}
			if err := p.expr(a.Named); err != nil {
				return nil, err
			}
		}
		c.Args = append(c.Args, a)
		if p.peek().Value != "," {
			break
		}
		p.next()
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	c.Tokens, c.Close = p.lex.Range(start, p.lex.RawCursor()), ")"
	return c, nil
}

func (p *handParser) primary(x *primaryG) error {
	t := p.peek()
	x.Pos = t.Pos
	switch t.Type {
	case tokIdent:
		p.next()
		x.Ident = &identG{Name: t.Value}
		if p.peek().Value == "->" {
			a, err := p.arrow()
			if err != nil {
				return err
			}
			x.Ident.Arrow = a
		}
		return nil
	case tokStringStart:
		x.Str = &stringG{}
		return p.str(x.Str)
	case tokNumber:
		p.next()
		x.Number = t.Value
		return nil
	case tokDuration:
		p.next()
		x.Duration = t.Value
		return nil
	case tokRaw, tokRawBad:
		p.next()
		x.Raw = &rawG{Pos: t.Pos, Text: t.Value}
		return nil
	case tokKeyword:
		switch t.Value {
		case "true", "false", "null":
			p.next()
			x.Lit = t.Value
			return nil
		case "run":
			return p.run(x)
		case "wait":
			return p.wait(x)
		}
	}
	switch t.Value {
	case "[":
		x.List = &listG{}
		return p.list(x.List)
	case "{":
		x.Map = &mapG{}
		return p.mapLit(x.Map)
	case "(":
		x.Paren = &parenG{}
		return p.paren(x.Paren)
	}
	return p.fail("expression")
}

func (p *handParser) arrow() (*arrowG, error) {
	a := &arrowG{Pos: p.next().Pos, Body: &exprG{}}
	if !p.startsExpr() {
		return nil, p.fail("expression")
	}
	return a, p.expr(a.Body)
}

// exprList parses `expr {, expr} [,]` up to the closing token.
func (p *handParser) exprList(close string) ([]*exprG, error) {
	var out []*exprG
	for p.peek().Value != close {
		if !p.startsExpr() {
			return nil, p.fail(`"` + close + `" or expression`)
		}
		e := &exprG{}
		if err := p.expr(e); err != nil {
			return nil, err
		}
		out = append(out, e)
		if p.peek().Value != "," {
			break
		}
		p.next()
	}
	return out, p.expect(close)
}

func (p *handParser) list(l *listG) error {
	start := p.lex.RawCursor()
	p.next()
	elems, err := p.exprList("]")
	if err != nil {
		return err
	}
	l.Elems, l.Tokens, l.Close = elems, p.lex.Range(start, p.lex.RawCursor()), "]"
	return nil
}

func (p *handParser) paren(x *parenG) error {
	start := p.lex.RawCursor()
	p.next()
	elems, err := p.exprList(")")
	if err != nil {
		return err
	}
	x.Elems, x.Tokens, x.Close = elems, p.lex.Range(start, p.lex.RawCursor()), ")"
	if p.peek().Value == "->" {
		a, err := p.arrow()
		if err != nil {
			return err
		}
		x.Arrow = a
	}
	return nil
}

func (p *handParser) mapLit(m *mapG) error {
	start := p.lex.RawCursor()
	m.Pos = p.next().Pos
	for p.peek().Value != "}" {
		e := &entryG{Pos: p.peek().Pos}
		switch t := p.peek(); t.Type {
		case tokIdent, tokKeyword:
			p.next()
			e.Name = &anyNameG{Pos: t.Pos, Name: t.Value}
		case tokStringStart:
			e.Str = &stringG{}
			if err := p.str(e.Str); err != nil {
				return err
			}
		default:
			return p.fail(`"}" or map key`)
		}
		if err := p.expect(":"); err != nil {
			return err
		}
		e.Value = &exprG{}
		if !p.startsExpr() {
			return p.fail("expression")
		}
		if err := p.expr(e.Value); err != nil {
			return err
		}
		m.Entries = append(m.Entries, e)
		if p.peek().Value != "," {
			break
		}
		p.next()
	}
	if err := p.expect("}"); err != nil {
		return err
	}
	m.Tokens, m.Close = p.lex.Range(start, p.lex.RawCursor()), "}"
	return nil
}

func (p *handParser) str(s *stringG) error {
	start := p.lex.RawCursor()
	s.Pos = p.next().Pos
	for {
		t := p.peek()
		switch t.Type {
		case tokChars, tokEscape, tokDollar:
			p.next()
			s.Parts = append(s.Parts, &strPartG{Pos: t.Pos, Text: t.Value})
		case tokBadEscape:
			p.next()
			s.Parts = append(s.Parts, &strPartG{Pos: t.Pos, Bad: t.Value})
		case tokInterpStart:
			p.next()
			part := &strPartG{Pos: t.Pos, Interp: &exprG{}}
			if !p.startsExpr() {
				return &participle.UnexpectedTokenError{Unexpected: *t, Expect: "expression"}
			}
			if err := p.expr(part.Interp); err != nil {
				return err
			}
			if p.peek().Value != "}" {
				return p.fail(`"}"`)
			}
			p.next()
			s.Parts = append(s.Parts, part)
		case tokStringEnd, tokUnterm:
			p.next()
			s.End = t.Value
			s.Tokens = p.lex.Range(start, p.lex.RawCursor())
			return nil
		default:
			return p.fail("stringend")
		}
	}
}

func (p *handParser) run(x *primaryG) error {
	p.next()
	r := &runG{Call: &postfixG{}}
	if !p.startsExpr() {
		return p.fail("expression")
	}
	if err := p.postfix(r.Call); err != nil {
		return err
	}
	if t := p.peek(); t.Value == "with" && t.Type == tokKeyword {
		p.next()
		if p.peek().Value != "{" {
			return p.fail(`"{"`)
		}
		r.With = &mapG{}
		if err := p.mapLit(r.With); err != nil {
			return err
		}
	}
	x.Run = r
	return nil
}

func (p *handParser) wait(x *primaryG) error {
	p.next()
	w := &waitG{}
	x.Wait = w
	if t := p.peek(); t.Value == "event" && t.Type == tokIdent && p.peek2().Type == tokStringStart {
		p.next()
		w.Event = &waitEventG{Name: &stringG{}}
		if err := p.str(w.Event.Name); err != nil {
			return err
		}
		if t := p.peek(); t.Value == "where" && t.Type == tokIdent {
			p.next()
			w.Event.Where = &exprG{}
			if !p.startsExpr() {
				return p.fail("expression")
			}
			if err := p.expr(w.Event.Where); err != nil {
				return err
			}
		}
		if t := p.peek(); t.Value == "timeout" && t.Type == tokIdent {
			p.next()
			w.Event.Timeout = &postfixG{}
			if !p.startsExpr() {
				return p.fail("duration")
			}
			return p.postfix(w.Event.Timeout)
		}
		return nil
	}
	w.For = &postfixG{}
	if !p.startsExpr() {
		return p.fail("duration")
	}
	return p.postfix(w.For)
}
