package lang

import (
	"fmt"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// tokType is a token's type: one of the token names of lexRules, plus
// Keyword (a reserved word, lexed as Ident and reclassified) and EOF.
type tokType uint8

// The token types, named as in lexRules.
const (
	tEOF tokType = iota
	tIdent
	tKeyword
	tPunct
	tDuration
	tNumber
	tRaw
	tRawBad
	tStrStart
	tComment
	tInvalid
	tChars
	tStrEnd
	tInterpStart
	tEscape
	tBadEscape
	tDollar
	tUnterm
	tInterpEnd
	tLBrace
	tRBrace
	numTokTypes
)

// tokNames are the token types' names in lexRules (and so in participle's
// grammar, where they appear as <ident>, <stringstart>…).
var tokNames = [numTokTypes]string{
	tEOF: "EOF", tIdent: "Ident", tKeyword: "Keyword", tPunct: "Punct", tDuration: "Duration",
	tNumber: "Number", tRaw: "RawString", tRawBad: "RawUnterminated", tStrStart: "StringStart",
	tComment: "Comment", tInvalid: "Invalid", tChars: "Chars", tStrEnd: "StringEnd",
	tInterpStart: "InterpStart", tEscape: "Escape", tBadEscape: "BadEscape", tDollar: "Dollar",
	tUnterm: "Unterminated", tInterpEnd: "InterpEnd", tLBrace: "LBrace", tRBrace: "RBrace",
}

// token is one token as the parser sees it. val is a slice of the source.
type token struct {
	typ tokType
	val string
	pos Pos
}

// end returns the position just after the token.
func (t *token) end() Pos {
	switch t.typ {
	case tRaw, tRawBad, tUnterm, tBadEscape:
		return advance(t.pos, t.val) // may hold a line break
	}
	p := t.pos
	p.Offset += len(t.val)
	if isASCII(t.val) {
		p.Col += len(t.val)
	} else {
		p.Col += utf8.RuneCountInString(t.val)
	}
	return p
}

// span returns the token's range.
func (t *token) span() Span { return Span{t.pos, t.end()} }

// is reports whether the token is the punctuation or word s. It compares
// the text only, as participle matches a quoted literal of the grammar.
func (t *token) is(s string) bool { return t.val == s }

// describe says what a token is, for "found …".
func (t *token) describe() string {
	switch t.typ {
	case tEOF:
		return "end of file"
	case tIdent:
		return "name " + t.val
	case tKeyword:
		return "keyword " + t.val
	case tNumber:
		return "number " + t.val
	case tDuration:
		return "duration " + t.val
	case tStrStart, tRaw, tRawBad:
		return "string"
	case tInvalid:
		r, _ := utf8.DecodeRuneInString(t.val)
		if r == utf8.RuneError || r < ' ' {
			return fmt.Sprintf("byte %#02x", t.val[0])
		}
	}
	return fmt.Sprintf("%q", t.val)
}

// lexerToken converts a token to participle's form, for the reference
// parser and for the tests that compare the scanner with lexRules.
func (l *wfLexer) lexerToken(t token, filename string) lexer.Token {
	pos := lexer.Position{Filename: filename, Offset: t.pos.Offset, Line: t.pos.Line, Column: t.pos.Col}
	if t.typ == tEOF {
		return lexer.EOFToken(pos)
	}
	return lexer.Token{Type: l.types[t.typ], Value: t.val, Pos: pos}
}

// lexerTokens converts a token slice to participle's form.
func (l *wfLexer) lexerTokens(toks []token, filename string) []lexer.Token {
	out := make([]lexer.Token, len(toks))
	for i, t := range toks {
		out[i] = l.lexerToken(t, filename)
	}
	return out
}
