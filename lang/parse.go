package lang

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Limits on what the parser accepts. Input beyond them gets a diagnostic,
// never a crash or a long wait.
const (
	MaxFileSize = 4 << 20 // bytes
	MaxNesting  = 200     // brackets, braces, parentheses and ${ } inside each other
)

var (
	theLexer   = newLexer()
	declParser = participle.MustBuild[declG](
		participle.Lexer(theLexer),
		participle.UseLookahead(1),
	)
	exprParser = participle.MustBuild[exprG](
		participle.Lexer(theLexer),
		participle.UseLookahead(1),
	)
	replParser = participle.MustBuild[replG](
		participle.Lexer(theLexer),
		participle.UseLookahead(1),
	)
	stmtParser = participle.MustBuild[stmtG](
		participle.Lexer(theLexer),
		participle.UseLookahead(1),
	)
	onParser = participle.MustBuild[onG](
		participle.Lexer(theLexer),
		participle.UseLookahead(1),
	)
)

// replG is what one REPL entry may hold: declarations, trigger-less
// statements, or an expression.
type replG struct {
	Items []*replItemG `parser:"@@*"`
}

type replItemG struct {
	Decl *declG `parser:"  @@"`
	Stmt *stmtG `parser:"| @@"`
}

// Grammar returns the grammar in EBNF, as participle prints it.
func Grammar() string {
	return "# declarations\n" + declParser.String() + "\n\n# REPL entries\n" + replParser.String() +
		"\n\n# expressions (parsed by hand: see exprparse.go)\n" + exprGrammar + "\n"
}

// Parse parses a .wf file. It always returns a File holding every
// declaration that parsed, with diagnostics for the rest: a syntax error in
// one declaration does not hide the others.
func Parse(path string, src []byte) (*File, Diagnostics) {
	f := &File{Path: path, Src: src}
	var diags Diagnostics
	if len(src) > MaxFileSize {
		diags.Errorf(path, Span{Pos{0, 1, 1}, Pos{0, 1, 1}}, "limit",
			"file is too large: %s (the limit is %s)", byteSize(len(src)), byteSize(MaxFileSize))
		return f, diags
	}
	toks, comments, err := theLexer.tokenize(path, string(src))
	if err != nil { // the rules match any input, so this means a lexer bug
		diags.Errorf(path, Span{}, "syntax", "%v", err)
		return f, diags
	}
	f.EOF = lpos(toks[len(toks)-1].Pos)
	if !utf8.Valid(src) {
		low := &lowerer{file: path, diags: &diags}
		badUTF8(low, toks)
		badUTF8(low, comments)
	}
	for _, c := range comments {
		p := lpos(c.Pos)
		f.Comments = append(f.Comments, &Comment{Sp: Span{p, advance(p, c.Value)}, Text: c.Value})
	}
	low := &lowerer{file: path, srcLen: len(src), diags: &diags}
	for _, c := range splitDecls(toks) {
		if d := parseChunk(low, c); d != nil {
			f.Decls = append(f.Decls, d)
		}
	}
	diags.Normalize()
	return f, diags
}

// badUTF8 reports invalid UTF-8 inside strings and comments, once per
// token. Elsewhere the lexer makes such bytes Invalid tokens, which the
// parser reports.
func badUTF8(low *lowerer, toks []lexer.Token) {
	for _, t := range toks {
		if t.Type == symbol("Invalid") || utf8.ValidString(t.Value) {
			continue
		}
		i := 0
		for i < len(t.Value) {
			r, n := utf8.DecodeRuneInString(t.Value[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		p := advance(lpos(t.Pos), t.Value[:i])
		low.errorf(Span{p, advance(p, t.Value[i:i+1])}, "syntax", "invalid UTF-8 byte %#02x", t.Value[i]).
			Hint("save the file as UTF-8")
	}
}

// ParseExpr parses a single expression, for the REPL and tools.
func ParseExpr(path string, src string) (Expr, Diagnostics) {
	var diags Diagnostics
	toks, _, err := theLexer.tokenize(path, src)
	if err != nil {
		diags.Errorf(path, Span{}, "syntax", "%v", err)
		return &BadExpr{}, diags
	}
	low := &lowerer{file: path, diags: &diags}
	if !checkNesting(low, toks) {
		return &BadExpr{}, diags
	}
	g, err := exprParser.ParseFromLexer(peek(toks))
	if err != nil {
		low.syntaxError(err, toks)
		return &BadExpr{}, diags
	}
	e := low.expr(g)
	diags.Normalize()
	return e, diags
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
	toks, _, err := theLexer.tokenize(path, src)
	if err != nil {
		diags.Errorf(path, Span{}, "syntax", "%v", err)
		return out, diags
	}
	low := &lowerer{file: path, diags: &diags}
	if !checkNesting(low, toks) {
		return out, diags
	}
	g, err := replParser.ParseFromLexer(peek(toks))
	if err != nil {
		low.syntaxError(err, toks)
		return out, diags
	}
	for _, it := range g.Items {
		if it.Decl != nil {
			d := low.decl(it.Decl)
			out.Decls = append(out.Decls, d)
			out.Order = append(out.Order, d)
			continue
		}
		s := low.replStmt(it.Stmt)
		out.Stmts = append(out.Stmts, s)
		out.Order = append(out.Order, s)
	}
	diags.Normalize()
	return out, diags
}

// replStmt lowers a statement typed at the REPL, where a bare expression
// prints its value instead of being an error.
func (l *lowerer) replStmt(s *stmtG) Stmt {
	if s.Simple != nil && s.Simple.Eq == nil {
		return &ExprStmt{X: l.expr(s.Simple.X)}
	}
	return l.stmt(s)
}

func peek(toks []lexer.Token) *lexer.PeekingLexer {
	p, _ := lexer.Upgrade(&sliceLexer{toks: toks})
	return p
}

// parseChunk parses the tokens of one declaration.
func parseChunk(low *lowerer, c chunk) Decl {
	toks := c.toks
	if !checkNesting(low, toks) {
		return nil
	}
	if t := toks[0]; !declKeywords[t.Value] {
		d := low.errorf(Span{lpos(t.Pos), tokEnd(t)}, "syntax", "expected workflow, fn, js fn or const, found %s", describeToken(t))
		if stmtStarts[t.Value] {
			d.Hint("statements belong inside a workflow { … } or fn body")
		}
		return nil
	}
	lex, _ := lexer.Upgrade(&chunkLexer{c: c})
	g, err := declParser.ParseFromLexer(lex)
	if err != nil {
		low.syntaxError(err, c.all())
		return nil
	}
	return low.decl(g)
}

// checkNesting reports input nested deeper than MaxNesting, before the
// recursive parser sees it.
func checkNesting(low *lowerer, toks []lexer.Token) bool {
	depth := 0
	for _, t := range toks {
		switch t.Value {
		case "{", "(", "[", "${":
			depth++
			if depth > MaxNesting {
				p := lpos(t.Pos)
				low.errorf(Span{p, tokEnd(t)}, "limit", "nesting is too deep (the limit is %d levels)", MaxNesting).
					Hint("split the expression with let, or the logic into fn helpers")
				return false
			}
		case "}", ")", "]":
			if depth > 0 {
				depth--
			}
		}
	}
	return true
}

// declStarts reports whether toks[i] begins a top-level declaration.
func declStarts(toks []lexer.Token, i int) bool {
	t := toks[i]
	if t.Type != theLexer.ident && t.Type != theLexer.keyword {
		return false
	}
	next := lexer.Token{}
	if i+1 < len(toks) {
		next = toks[i+1]
	}
	switch t.Value {
	case "workflow":
		return next.Type == theLexer.ident
	case "fn", "const":
		return next.Type == theLexer.ident
	case "js":
		return next.Value == "fn"
	}
	return false
}

// splitDecls cuts the token stream into one slice per declaration, each
// ending in an EOF token. A declaration starts at a declaration keyword at
// bracket depth zero, or at the start of a line (so a missing } does not
// swallow the rest of the file). Tokens before the first declaration form
// a chunk of their own, so they get an error.
func splitDecls(toks []lexer.Token) []chunk {
	eof := toks[len(toks)-1]
	var chunks []chunk
	start, depth := 0, 0
	for i := 0; i < len(toks)-1; i++ {
		t := toks[i]
		if i > start && declStarts(toks, i) && (depth == 0 || t.Pos.Column == 1) && toks[i-1].Value != "js" {
			chunks = append(chunks, withEOF(toks[start:i], t))
			start, depth = i, 0
		}
		switch t.Value {
		case "{", "(", "[", "${":
			depth++
		case "}", ")", "]":
			if depth > 0 {
				depth--
			}
		}
	}
	if start < len(toks)-1 {
		chunks = append(chunks, withEOF(toks[start:len(toks)-1], eof))
	}
	return chunks
}

// DeclCuts returns the byte offsets where Parse starts a new declaration
// (after 0, which is always first), leaving out places inside a string or
// an interpolation, so that each piece of the source lexes the same on its
// own. An editor re-parses only the pieces an edit touched.
func DeclCuts(src string) []int {
	sc := &scanner{src: src, pos: lexer.Position{Line: 1, Column: 1}, stack: []lexState{stRoot}, sym: theLexer.sym}
	var toks []lexer.Token
	var nested []bool
	for {
		inside := len(sc.stack) > 1
		t := sc.Next()
		if t.Type == theLexer.comment {
			continue
		}
		if t.Type == theLexer.ident && keywords[t.Value] {
			t.Type = theLexer.keyword
		}
		toks = append(toks, t)
		nested = append(nested, inside)
		if t.EOF() {
			break
		}
	}
	cuts := []int{0}
	for n, c := range splitDecls(toks) {
		if n == 0 || len(c.toks) == 0 {
			continue
		}
		first := c.toks[0]
		i := tokenIndex(toks, first.Pos.Offset)
		if first.Pos.Offset > 0 && !nested[i] {
			cuts = append(cuts, first.Pos.Offset)
		}
	}
	return cuts
}

// chunk is the tokens of one declaration, ended by an EOF token placed at
// the first token after it, so "found end of declaration" points there.
type chunk struct {
	toks []lexer.Token // without the EOF
	eof  lexer.Token
}

// withEOF makes a chunk of toks ended at next.
func withEOF(toks []lexer.Token, next lexer.Token) chunk {
	return chunk{toks: toks, eof: lexer.EOFToken(next.Pos)}
}

// all returns the chunk's tokens with the EOF, copying them.
func (c chunk) all() []lexer.Token {
	out := make([]lexer.Token, len(c.toks), len(c.toks)+1)
	copy(out, c.toks)
	return append(out, c.eof)
}

// chunkLexer feeds a chunk to participle without copying it first.
type chunkLexer struct {
	c chunk
	i int
}

func (l *chunkLexer) Next() (lexer.Token, error) {
	if l.i < len(l.c.toks) {
		l.i++
		return l.c.toks[l.i-1], nil
	}
	return l.c.eof, nil
}

// syntaxError turns a participle error into a diagnostic that reads
// "expected X, found Y".
func (l *lowerer) syntaxError(err error, toks []lexer.Token) {
	err = refine(err, toks)
	var perr participle.Error
	if !errors.As(err, &perr) {
		l.errorf(Span{}, "syntax", "%v", err)
		return
	}
	pos := perr.Position()
	tok := tokenAt(toks, pos)
	sp := Span{lpos(pos), tokEnd(tok)}
	found := describeToken(tok)
	if tok.EOF() && tok.Pos.Offset < l.srcLen {
		found = "the next declaration"
	}
	var ute *participle.UnexpectedTokenError
	expected := ""
	if errors.As(err, &ute) {
		expected = describeExpected(perr.Message())
	} else {
		expected = describeExpected(perr.Message())
	}
	switch tok.Type {
	case symbol("Invalid"):
		d := l.errorf(sp, "syntax", "unexpected character %s", found)
		switch tok.Value {
		case ";":
			d.Hint("WF needs no semicolons: end statements with a new line")
		case "&", "|", "!":
			d.Hint("write and, or and not")
		}
		return
	case symbol("RawUnterminated"):
		l.errorf(Span{sp.Start, advance(sp.Start, `"""`)}, "syntax", "raw string not terminated").Hint(`close it with """`)
		return
	case symbol("Unterminated"):
		l.errorf(sp, "syntax", "string not terminated").Hint(`close the string with " on the same line`)
		return
	}
	if tok.EOF() {
		if open, ok := unclosedString(toks); ok {
			p := lpos(open.Pos)
			l.errorf(Span{p, advance(p, `"`)}, "syntax", "string not terminated").
				Hint(`close the string with " on the same line; for text over several lines use """…"""`)
			return
		}
	}
	if tok.Value == "${" {
		l.errorf(sp, "syntax", "expected an expression inside ${…}").
			Hint(`to write a literal ${ in a string, escape the dollar: \${`)
		return
	}
	if expected == "" {
		expected = "something else"
	}
	d := l.errorf(sp, "syntax", "expected %s, found %s", expected, found)
	hintFor(d, tok, expected)
}

// unclosedString finds the outermost string still open at the end of toks,
// which happens when the file ends inside a string or its ${…}.
func unclosedString(toks []lexer.Token) (lexer.Token, bool) {
	var open []lexer.Token
	for _, t := range toks {
		switch t.Type {
		case symbol("StringStart"):
			open = append(open, t)
		case symbol("StringEnd"), symbol("Unterminated"):
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return lexer.Token{}, false
	}
	return open[0], true
}

// refine looks for a deeper error. participle backtracks out of a statement
// that fails one token after its keyword and then reports the enclosing
// block's error at the keyword ("expected }, found let"). When an error
// lands on the first token of a statement or an on clause, parsing that
// statement on its own finds the real problem; repeat while it gets deeper
// and the error is again such a backtrack (so `let when = 1` stops at the
// keyword, and `let x =` before `let = 2` reports the missing expression).
func refine(err error, toks []lexer.Token) error {
	for range 32 {
		var perr participle.Error
		if !errors.As(err, &perr) {
			return err
		}
		if !strings.HasSuffix(perr.Message(), `(expected "}")`) {
			return err // not a statement backtracked out of its block
		}
		at := perr.Position().Offset
		i := tokenIndex(toks, at)
		t := toks[i]
		var err2 error
		switch {
		case t.Value == "on":
			_, err2 = onParser.ParseFromLexer(peek(toks[i:]), participle.AllowTrailing(true))
		case stmtStarts[t.Value] && (t.Type == theLexer.keyword || t.Value == "{"):
			_, err2 = stmtParser.ParseFromLexer(peek(toks[i:]), participle.AllowTrailing(true))
		default:
			return err
		}
		var perr2 participle.Error
		if err2 == nil || !errors.As(err2, &perr2) || perr2.Position().Offset <= at {
			return err
		}
		err = err2
	}
	return err
}

var declKeywords = map[string]bool{"workflow": true, "fn": true, "const": true, "js": true}

var stmtStarts = map[string]bool{
	"let": true, "when": true, "parallel": true, "for": true, "try": true, "output": true,
	"fail": true, "stop": true, "log": true, "emit": true, "return": true, "{": true,
	"run": true, "wait": true, "else": true,
}

func tokenIndex(toks []lexer.Token, offset int) int {
	lo, hi := 0, len(toks)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if toks[mid].Pos.Offset < offset {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func symbol(name string) lexer.TokenType { return theLexer.symbols[name] }

func hintFor(d *Diagnostic, tok lexer.Token, expected string) {
	switch {
	case tok.Value == "=" && strings.Contains(expected, "statement"):
		d.Hint("to bind a new name write let name = value")
	case tok.Value == "if":
		d.Hint("WF uses when for conditions: when cond { … } else { … }")
	case tok.Value == "&&" || tok.Value == "||" || tok.Value == "!":
		d.Hint("write and, or and not")
	case tok.Type == theLexer.keyword && strings.Contains(expected, "name"):
		d.Hint("%q is a reserved word and cannot be used as a name", tok.Value)
	}
}

// tokenAt finds the token at pos (or the EOF token).
func tokenAt(toks []lexer.Token, pos lexer.Position) lexer.Token {
	return toks[tokenIndex(toks, pos.Offset)]
}

// describeToken says what a token is, for "found …".
func describeToken(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "end of file"
	case theLexer.ident:
		return fmt.Sprintf("name %s", t.Value)
	case theLexer.keyword:
		return fmt.Sprintf("keyword %s", t.Value)
	case symbol("Number"):
		return fmt.Sprintf("number %s", t.Value)
	case symbol("Duration"):
		return fmt.Sprintf("duration %s", t.Value)
	case symbol("StringStart"), symbol("RawString"):
		return "string"
	case symbol("Invalid"):
		r, _ := utf8.DecodeRuneInString(t.Value)
		if r == utf8.RuneError || r < ' ' {
			return fmt.Sprintf("byte %#02x", t.Value[0])
		}
		return fmt.Sprintf("%q", t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}

// describeExpected rewrites participle's "(expected …)" grammar fragment in
// words a script author knows.
func describeExpected(msg string) string {
	i := strings.LastIndex(msg, "(expected ")
	if i < 0 {
		return ""
	}
	frag := strings.TrimSuffix(msg[i+len("(expected "):], ")")
	var alts []string
	seen := map[string]bool{}
	for _, part := range splitAlternatives(frag) {
		w := words(part)
		if w != "" && !seen[w] {
			seen[w] = true
			alts = append(alts, w)
		}
	}
	switch len(alts) {
	case 0:
		return ""
	case 1:
		return alts[0]
	}
	if len(alts) > 4 {
		alts = alts[:4]
	}
	return strings.Join(alts[:len(alts)-1], ", ") + " or " + alts[len(alts)-1]
}

// splitAlternatives splits a grammar fragment on top-level "|".
func splitAlternatives(frag string) []string {
	var out []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(frag); i++ {
		switch c := frag[i]; {
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == '|' && depth == 0:
			out = append(out, strings.TrimSpace(frag[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(frag[start:]))
}

// ruleWords names the grammar rules in words.
var ruleWords = map[string]string{
	"exprG": "expression", "mapG": `"{"`, "stringG": "string",
	"ExprG": "expression", "UnaryG": "expression", "PostfixG": "expression", "PrimaryG": "expression",
	"StmtG": "statement", "ItemG": "statement", "BlockG": `"{"`, "NameG": "name", "AnyNameG": "name",
	"<ident>": "name", "DeclG": "workflow, fn, js fn or const", "StringG": "string", "<stringstart>": "string",
	"MapG": `"{"`, "ParamG": "parameter", "ArgG": "argument", "EntryG": "map key", "DurationG": "duration",
	"<duration>": "duration", "<rawstring>": `"""string"""`, "RawG": `"""string"""`, "OnG": "on clause",
	"<number>": "number", "SuffixG": `".", "[" or "("`, "CallG": `"("`, "ElseG": `"when" or "{"`,
	"WhenG": `"when"`, "ForG": `"for"`, "LetG": "let",
}

func words(part string) string {
	part = strings.TrimSpace(part)
	first := part
	if i := strings.IndexAny(part, " ?*+"); i > 0 {
		first = part[:i]
	}
	first = strings.Trim(first, "()")
	if w, ok := ruleWords[first]; ok {
		return w
	}
	if strings.HasPrefix(first, `"`) {
		return first
	}
	if strings.HasPrefix(first, "<") {
		return strings.Trim(first, "<>")
	}
	return first
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
