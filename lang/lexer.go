package lang

import (
	"io"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is a participle stateful lexer with these states:
//
//   - Root: ordinary code: white space, then Code.
//   - Code: the tokens of code, shared by Root, Interp and Braces. Rules
//     are ordered by how often they match in real scripts (names and
//     punctuation first), because the lexer tries them in order; any
//     other character but a line break is Invalid.
//   - String: inside "…": text, escapes and the start of ${…}. A line
//     break ends the string (Unterminated).
//   - Interp: inside ${…}: code, ended by the matching }. A line break
//     ends it too (Return), and then the string, so a string left open
//     while it is being typed does not swallow the lines after it.
//   - Braces: inside a { … } nested in ${…}, so a map literal inside an
//     interpolation does not end the interpolation early.
//
// Keywords are lexed as Ident and reclassified afterwards by a table lookup,
// which is cheaper than a keyword rule tried before every name. Comments are
// kept as tokens for the formatter and removed before parsing.
var lexRules = lexer.Rules{
	"Root": {
		{Name: "whitespace", Pattern: `[ \t\r\n]+`},
		lexer.Include("Code"),
	},
	"Code": {
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Punct", Pattern: `\?\?|\?\.|->|==|!=|<=|>=|[.,:()\[\]{}=<>+\-*/%?]`},
		{Name: "Duration", Pattern: `[0-9]+(?:ms|s|m|h|d|w)(?:[0-9]+(?:ms|s|m|h|d))*\b`},
		{Name: "Number", Pattern: `[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?`},
		{Name: "RawString", Pattern: `"""(?s:.*?)"""`},
		{Name: "RawUnterminated", Pattern: `"""(?s:.*)`},
		{Name: "StringStart", Pattern: `"`, Action: lexer.Push("String")},
		{Name: "Comment", Pattern: `#[^\n]*`},
		{Name: "Invalid", Pattern: `[^\n]`},
	},
	"String": {
		{Name: "Chars", Pattern: `[^"\\$\n]+`},
		{Name: "StringEnd", Pattern: `"`, Action: lexer.Pop()},
		{Name: "InterpStart", Pattern: `\$\{`, Action: lexer.Push("Interp")},
		{Name: "Escape", Pattern: `\\(?:[nrt"\\$]|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]{1,6}\})`},
		{Name: "BadEscape", Pattern: `\\(?s:.)?`},
		{Name: "Dollar", Pattern: `\$`},
		{Name: "Unterminated", Pattern: `\n`, Action: lexer.Pop()},
	},
	"Interp": {
		{Name: "InterpEnd", Pattern: `\}`, Action: lexer.Pop()},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Braces")},
		{Name: "space", Pattern: `[ \t\r]+`},
		lexer.Include("Code"),
		lexer.Return(),
	},
	"Braces": {
		{Name: "RBrace", Pattern: `\}`, Action: lexer.Pop()},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Braces")},
		{Name: "space", Pattern: `[ \t\r]+`},
		lexer.Include("Code"),
		lexer.Return(),
	},
}

// keywords are the reserved words. Words that only mean something in one
// place (event, api, workflow, schedule, every, manual, tz, where, limit,
// timeout, js) stay names, so they can also be used as names elsewhere:
// `workflow.call(…)`, `event.name`.
var keywords = map[string]bool{
	"let": true, "when": true, "else": true, "for": true, "in": true,
	"not": true, "and": true, "or": true, "parallel": true, "run": true,
	"with": true, "try": true, "catch": true, "wait": true, "output": true,
	"fail": true, "stop": true, "log": true, "emit": true, "return": true,
	"fn": true, "const": true, "true": true, "false": true, "null": true,
	"matches": true, "on": true,
}

// IsKeyword reports whether name is a reserved word.
func IsKeyword(name string) bool { return isKeyword(name) }

// isKeyword is keywords[name] for names the length of a keyword only.
func isKeyword(name string) bool { return len(name) >= 2 && len(name) <= 8 && keywords[name] }

// Keywords returns the reserved words.
func Keywords() []string {
	out := make([]string, 0, len(keywords))
	for k := range keywords {
		out = append(out, k)
	}
	return out
}

// theLexer is participle's view of the lexer, built on first use: only
// the grammar (Grammar, the reference parser of the tests) needs it.
var theLexer = sync.OnceValue(newLexer)

// wfLexer is the lexer definition handed to participle: the stateful
// lexer over lexRules with the Keyword token type added. The parser that
// runs is fed by the scanner (tokenize); participle sees the same tokens
// through Lex.
type wfLexer struct {
	def     *lexer.StatefulDefinition
	symbols map[string]lexer.TokenType
	// types maps each tokType to participle's token type, and back.
	types [numTokTypes]lexer.TokenType
	back  map[lexer.TokenType]tokType
}

func newLexer() *wfLexer {
	def := lexer.MustStateful(lexRules)
	l := &wfLexer{def: def, symbols: map[string]lexer.TokenType{}, back: map[lexer.TokenType]tokType{}}
	low := lexer.TokenType(0)
	for k, v := range def.Symbols() {
		l.symbols[k] = v
		low = min(low, v)
	}
	l.symbols["Keyword"] = low - 1
	for t := range numTokTypes {
		typ, ok := l.symbols[tokNames[t]]
		if !ok {
			panic("lexRules has no token " + tokNames[t])
		}
		l.types[t] = typ
		l.back[typ] = t
	}
	return l
}

// Symbols implements lexer.Definition.
func (l *wfLexer) Symbols() map[string]lexer.TokenType { return l.symbols }

// Lex implements lexer.Definition, with the scanner.
func (l *wfLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return nil, err
	}
	src := b.String()
	toks, _ := tokenize(src)
	return &sliceLexer{toks: l.lexerTokens(toks, src, filename)}, nil
}

// tokenize lexes the whole source. It returns the tokens for the parser
// (comments removed, keywords reclassified, ending in EOF) and the comments.
func tokenize(src string) (toks, comments []token) {
	sc := newScanner(src)
	if strings.HasPrefix(src, byteOrderMark) {
		// The UTF-8 byte order mark some editors write is not text: the
		// file starts after it, at line 1, column 1 (offsets still count it).
		sc.advance(len(byteOrderMark))
		sc.pos.Col = 1
	}
	toks = make([]token, 0, len(src)/4+16) // code runs 4 to 6 bytes a token
	for {
		t := sc.Next()
		switch t.typ {
		case tComment:
			comments = append(comments, t)
			continue
		case tIdent:
			if isKeyword(t.text(src)) {
				t.typ = tKeyword
			}
		}
		toks = append(toks, t)
		if t.typ == tEOF {
			return toks, comments
		}
	}
}

// byteOrderMark is U+FEFF in UTF-8.
const byteOrderMark = "\ufeff"

// tokenizeRules lexes with participle's stateful lexer over lexRules: the
// definition the scanner implements, kept for tests that compare them.
func (l *wfLexer) tokenizeRules(filename, src string) ([]lexer.Token, error) {
	lx, err := l.def.LexString(filename, src)
	if err != nil {
		return nil, err
	}
	var out []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.EOF() {
			return out, nil
		}
	}
}

// sliceLexer replays a slice of tokens.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

// Next implements lexer.Lexer.
func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return s.toks[len(s.toks)-1], nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}
