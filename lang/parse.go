package lang

import (
	"fmt"
	"unicode/utf8"
)

// Limits on what the parser accepts. Input beyond them gets a diagnostic,
// never a crash or a long wait.
const (
	MaxFileSize = 4 << 20 // bytes
	// MaxNesting bounds brackets, braces, parentheses and ${ } inside each
	// other, lambdas inside lambdas, and runs of prefix operators.
	MaxNesting = 200
)

// Parse parses a .wf file. It always returns a File holding every
// declaration that parsed, with diagnostics for the rest. The file is cut
// into declarations first (see splitDecls), each parsed on its own, so a
// missing } costs one declaration; inside a declaration a syntax error
// costs the statement it is in (see recover.go).
func Parse(path string, src []byte) (*File, Diagnostics) {
	f := &File{Path: path, Src: src}
	var diags Diagnostics
	if tooLarge(path, len(src), &diags) {
		return f, diags
	}
	text := string(src)
	toks, comments := tokenize(text)
	f.EOF = toks[len(toks)-1].start()
	p := newParser(path, text, &diags)
	if !utf8.Valid(src) {
		badUTF8(p, toks)
		badUTF8(p, comments)
	}
	if len(comments) > 0 {
		f.Comments = make([]*Comment, len(comments))
		for i, c := range comments {
			f.Comments[i] = &Comment{Sp: c.span(text), Text: c.text(text)}
		}
	}
	for _, c := range splitDecls(text, toks) {
		if d := p.chunk(c); d != nil {
			f.Decls = append(f.Decls, d)
		}
	}
	diags.Normalize()
	return f, diags
}

// tooLarge reports a source over MaxFileSize.
func tooLarge(path string, n int, diags *Diagnostics) bool {
	if n <= MaxFileSize {
		return false
	}
	diags.Errorf(path, Span{Pos{0, 1, 1}, Pos{0, 1, 1}}, "limit",
		"file is too large: %s (the limit is %s)", byteSize(n), byteSize(MaxFileSize))
	return true
}

// chunk parses the tokens of one declaration. It returns nil when there is
// no declaration to keep: the tokens do not start one, or its header is
// broken.
func (p *parser) chunk(c chunk) (d Decl) {
	p.reset(c.toks, c.eof)
	p.partialX = nil
	p.lists.truncate(listMarks{})
	if !checkNesting(&p.builder, p.src, c.toks) {
		p.fail = c.toks[0].start().Offset
		return nil
	}
	if t := p.tok; !declKeywords[t.text(p.src)] {
		p.fail = t.start().Offset
		d := p.errorf(t.span(p.src), "syntax", "expected %s, found %s", p.declWords(), t.describe(p.src))
		if stmtStarts[t.text(p.src)] {
			d.Hint("statements belong inside a workflow { … } or fn body")
		}
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			d = nil
			if c, ok := p.partial.(*ConstDecl); ok {
				c.Value = &BadExpr{Sp: Span{c.Sp.End, p.tok.start()}, X: p.partialX}
				c.Sp.End = p.tok.start()
				d = c
			}
		}
	}()
	d = p.decl()
	if p.tok.typ != tEOF {
		p.failf("the end of the declaration")
	}
	return d
}

var declKeywords = map[string]bool{"workflow": true, "fn": true, "const": true, "js": true, "fields": true, "test": true}

var stmtStarts = map[string]bool{
	"let": true, "when": true, "parallel": true, "for": true, "try": true, "output": true,
	"fail": true, "stop": true, "log": true, "emit": true, "return": true, "{": true,
	"run": true, "wait": true, "else": true,
}

// badUTF8 reports invalid UTF-8 inside strings and comments, once per
// token. Elsewhere the lexer makes such bytes Invalid tokens, which the
// parser reports.
func badUTF8(p *parser, toks []token) {
	for _, t := range toks {
		text := t.text(p.src)
		if t.typ == tInvalid || utf8.ValidString(text) {
			continue
		}
		i := 0
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		pos := advance(t.start(), text[:i])
		p.errorf(Span{pos, advance(pos, text[i:i+1])}, "syntax", "invalid UTF-8 byte %#02x", text[i]).
			Hint("save the file as UTF-8")
	}
}

// ParseExpr parses a single expression, for the REPL and tools.
func ParseExpr(path string, src string) (Expr, Diagnostics) {
	var diags Diagnostics
	if tooLarge(path, len(src), &diags) {
		return &BadExpr{}, diags
	}
	toks, _ := tokenize(src)
	p := newParser(path, src, &diags)
	p.reset(toks[:len(toks)-1], toks[len(toks)-1])
	if !checkNesting(&p.builder, src, toks) {
		return &BadExpr{}, diags
	}
	x, ok := p.whole(func() Node { return p.expr() })
	diags.Normalize()
	if !ok {
		return &BadExpr{}, diags
	}
	return x.(Expr), diags
}

// whole runs parse, which must read all the input, and reports whether it
// did without a syntax error.
func (p *parser) whole(parse func() Node) (n Node, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			n, ok = nil, false
		}
	}()
	n = parse()
	if p.tok.typ != tEOF {
		p.failf("the end of the input")
	}
	return n, p.fail < 0
}

// Entry is what one REPL entry holds: declarations and statements, in order.
type Entry struct {
	Decls []Decl
	Stmts []Stmt
	// Order lists each item as a Decl or a Stmt, in source order.
	Order []Node
}

// ParseEntry parses a REPL entry: any mix of declarations and statements.
// A bare expression is an ExprStmt.
func ParseEntry(path string, src string) (*Entry, Diagnostics) {
	var diags Diagnostics
	out := &Entry{}
	if tooLarge(path, len(src), &diags) {
		return out, diags
	}
	toks, _ := tokenize(src)
	p := newParser(path, src, &diags)
	p.reset(toks[:len(toks)-1], toks[len(toks)-1])
	if !checkNesting(&p.builder, src, toks) {
		return out, diags
	}
	p.whole(func() Node {
		p.entry(out)
		return nil
	})
	diags.Normalize()
	return out, diags
}

// entry parses the items of a REPL entry into out, until one fails.
func (p *parser) entry(out *Entry) {
	for p.tok.typ != tEOF && (p.startsDecl() || p.startsStmt()) {
		if p.startsDecl() {
			d := p.decl()
			out.Decls = append(out.Decls, d)
			out.Order = append(out.Order, d)
			continue
		}
		var s Stmt
		if p.startsExpr() && !p.is("{") {
			x := p.expr() // a bare expression prints its value
			if s = (&ExprStmt{X: x}); p.is("=") {
				eq := p.next().start()
				s = p.simple(x, eq, p.expr())
			}
		} else {
			s = p.stmt()
		}
		out.Stmts = append(out.Stmts, s)
		out.Order = append(out.Order, s)
	}
}

// startsStmt reports whether the current token can begin a statement.
func (p *parser) startsStmt() bool {
	switch t := p.tok; {
	case p.startsExpr():
		return true
	case t.typ == tEOF:
		return false
	default:
		return stmtWords[t.text(p.src)]
	}
}

var stmtWords = map[string]bool{
	"let": true, "when": true, "{": true, "for": true, "parallel": true, "log": true, "output": true,
	"return": true, "try": true, "fail": true, "stop": true, "emit": true,
}

// checkNesting reports input nested deeper than MaxNesting, before the
// recursive parser sees it: brackets of every kind and ${ }, and runs of
// prefix operators (lambdas, run and wait the parser counts itself).
func checkNesting(b *builder, src string, toks []token) bool {
	depth, run := 0, 0
	for i := range toks {
		t := &toks[i]
		text := t.text(src)
		switch text {
		case "{", "(", "[", "${":
			depth++
		case "}", ")", "]":
			if depth > 0 {
				depth--
			}
		}
		if text == "not" || text == "-" {
			run++
		} else {
			run = 0
		}
		if depth > MaxNesting || run > MaxNesting {
			b.errorf(t.span(src), "limit", "nesting is too deep (the limit is %d levels)", MaxNesting).
				Hint("split the expression with let, or the logic into fn helpers")
			return false
		}
	}
	return true
}

// declStarts reports whether toks[i] begins a top-level declaration.
func declStarts(src string, toks []token, i int) bool {
	t := &toks[i]
	if t.typ != tIdent && t.typ != tKeyword {
		return false
	}
	next := &toks[min(i+1, len(toks)-1)]
	switch t.text(src) {
	case "workflow", "fn", "const":
		return next.typ == tIdent
	case "js":
		return next.is(src, "fn")
	case "fields":
		return next.typ == tIdent && i+2 < len(toks) && toks[i+2].is(src, "{")
	case "test":
		return next.typ == tStrStart
	}
	return false
}

// chunk is the tokens of one declaration, ended by an EOF token placed at
// the first token after it, so "found the next declaration" points there.
type chunk struct {
	toks []token // without the EOF
	eof  token
}

// splitDecls cuts the token stream into one chunk per declaration. A
// declaration starts at a declaration keyword at bracket depth zero, or at
// the start of a line (so a missing } does not swallow the rest of the
// file). Tokens before the first declaration form a chunk of their own, so
// they get an error.
func splitDecls(src string, toks []token) []chunk {
	eof := toks[len(toks)-1]
	var chunks []chunk
	start, depth := 0, 0
	for i := 0; i < len(toks)-1; i++ {
		t := &toks[i]
		if i > start && declStarts(src, toks, i) && (depth == 0 || t.col == 1) && !toks[i-1].is(src, "js") {
			end := *t
			end.typ, end.n = tEOF, 0
			chunks = append(chunks, chunk{toks: toks[start:i], eof: end})
			start, depth = i, 0
		}
		switch t.text(src) {
		case "{", "(", "[", "${":
			depth++
		case "}", ")", "]":
			if depth > 0 {
				depth--
			}
		}
	}
	if start < len(toks)-1 {
		chunks = append(chunks, chunk{toks: toks[start : len(toks)-1], eof: eof})
	}
	return chunks
}

// DeclCuts returns the byte offsets where Parse starts a new declaration
// (after 0, which is always first), leaving out places inside a string or
// an interpolation, so that each piece of the source lexes the same on its
// own. An editor re-parses only the pieces an edit touched.
func DeclCuts(src string) []int {
	sc := newScanner(src)
	var toks []token
	var nested []bool
	for {
		inside := len(sc.stack) > 1
		t := sc.Next()
		if t.typ == tComment {
			continue
		}
		if t.typ == tIdent && isKeyword(t.text(src)) {
			t.typ = tKeyword
		}
		toks = append(toks, t)
		nested = append(nested, inside)
		if t.typ == tEOF {
			break
		}
	}
	cuts := []int{0}
	i := 0
	for n, c := range splitDecls(src, toks) {
		if n > 0 && c.toks[0].off > 0 && !nested[i] {
			cuts = append(cuts, int(c.toks[0].off))
		}
		i += len(c.toks)
	}
	return cuts
}

func byteSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
