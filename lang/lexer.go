package lang

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer is a participle stateful lexer with four states:
//
//   - Root: ordinary code. Rules are ordered by how often they match in real
//     scripts (whitespace, names and punctuation first), because the lexer
//     tries them in order.
//   - String: inside "…": text, escapes and the start of ${…}.
//   - Interp: inside ${…}: code, ended by the matching }.
//   - Braces: inside a { … } nested in ${…}, so a map literal inside an
//     interpolation does not end the interpolation early.
//
// Keywords are lexed as Ident and reclassified afterwards by a table lookup,
// which is cheaper than a keyword rule tried before every name. Comments are
// kept as tokens for the formatter and removed before parsing.
var lexRules = lexer.Rules{
	"Root": {
		{Name: "whitespace", Pattern: `[ \t\r\n]+`},
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Punct", Pattern: `\?\?|\?\.|->|==|!=|<=|>=|[.,:()\[\]{}=<>+\-*/%?]`},
		{Name: "Duration", Pattern: `[0-9]+(?:ms|s|m|h|d|w)(?:[0-9]+(?:ms|s|m|h|d))*\b`},
		{Name: "Number", Pattern: `[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?`},
		{Name: "RawString", Pattern: `"""(?s:.*?)"""`},
		{Name: "RawUnterminated", Pattern: `"""(?s:.*)`},
		{Name: "StringStart", Pattern: `"`, Action: lexer.Push("String")},
		{Name: "Comment", Pattern: `#[^\n]*`},
		{Name: "Invalid", Pattern: `(?s:.)`},
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
		lexer.Include("Root"),
	},
	"Braces": {
		{Name: "RBrace", Pattern: `\}`, Action: lexer.Pop()},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Braces")},
		lexer.Include("Root"),
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
func IsKeyword(name string) bool { return keywords[name] }

// Keywords returns the reserved words.
func Keywords() []string {
	out := make([]string, 0, len(keywords))
	for k := range keywords {
		out = append(out, k)
	}
	return out
}

// wfLexer is the lexer definition handed to participle. It wraps the
// stateful lexer and adds the Keyword token type.
type wfLexer struct {
	def     *lexer.StatefulDefinition
	sym     *symbols
	symbols map[string]lexer.TokenType
	keyword lexer.TokenType
	ident   lexer.TokenType
	comment lexer.TokenType
}

func newLexer() *wfLexer {
	def := lexer.MustStateful(lexRules)
	syms := map[string]lexer.TokenType{}
	min := lexer.TokenType(0)
	for k, v := range def.Symbols() {
		syms[k] = v
		if v < min {
			min = v
		}
	}
	kw := min - 1
	syms["Keyword"] = kw
	return &wfLexer{def: def, sym: newSymbols(syms), symbols: syms, keyword: kw, ident: syms["Ident"], comment: syms["Comment"]}
}

// Symbols implements lexer.Definition.
func (l *wfLexer) Symbols() map[string]lexer.TokenType { return l.symbols }

// Lex implements lexer.Definition. The parser is always fed through tokenize,
// so this is only here to satisfy the interface.
func (l *wfLexer) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	var b strings.Builder
	if _, err := io.Copy(&b, r); err != nil {
		return nil, err
	}
	toks, _, err := l.tokenize(filename, b.String())
	if err != nil {
		return nil, err
	}
	return &sliceLexer{toks: toks}, nil
}

// tokenize lexes the whole source. It returns the tokens for the parser
// (comments removed, keywords reclassified, ending in EOF) and the comments.
func (l *wfLexer) tokenize(filename, src string) (toks, comments []lexer.Token, err error) {
	sc := &scanner{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}, stack: []lexState{stRoot}, sym: l.sym}
	toks = make([]lexer.Token, 0, len(src)/6+1)
	for {
		t := sc.Next()
		switch t.Type {
		case l.comment:
			comments = append(comments, t)
			continue
		case l.ident:
			if keywords[t.Value] {
				t.Type = l.keyword
			}
		}
		toks = append(toks, t)
		if t.EOF() {
			return toks, comments, nil
		}
	}
}

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

func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return s.toks[len(s.toks)-1], nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}
