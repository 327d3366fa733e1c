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

// token is one token as the parser sees it: where its text is in the
// source, and its type. It holds no pointer, so a file's tokens are one
// allocation the garbage collector never scans; the text is src[off:off+n].
// Sources are at most MaxFileSize, so the offsets fit in 32 bits.
type token struct {
	off, n    int32
	line, col int32
	typ       tokType
}

// text returns the token's text.
func (t *token) text(src string) string { return src[t.off : t.off+t.n] }

// is reports whether the token is the punctuation or word s. It compares
// the text only, as participle matches a quoted literal of the grammar.
func (t *token) is(src, s string) bool {
	return int(t.n) == len(s) && src[t.off:t.off+t.n] == s
}

// start returns the token's position.
func (t *token) start() Pos { return Pos{Offset: int(t.off), Line: int(t.line), Col: int(t.col)} }

// end returns the position just after the token.
func (t *token) end(src string) Pos {
	text := t.text(src)
	switch t.typ {
	case tRaw, tRawBad, tUnterm, tBadEscape:
		return advance(t.start(), text) // may hold a line break
	}
	p := t.start()
	p.Offset += len(text)
	if isASCII(text) {
		p.Col += len(text)
	} else {
		p.Col += utf8.RuneCountInString(text)
	}
	return p
}

// span returns the token's range.
func (t *token) span(src string) Span { return Span{t.start(), t.end(src)} }

// describe says what a token is, for "found …".
func (t *token) describe(src string) string {
	text := t.text(src)
	switch t.typ {
	case tEOF:
		return "end of file"
	case tIdent:
		return "name " + text
	case tKeyword:
		return "keyword " + text
	case tNumber:
		return "number " + text
	case tDuration:
		return "duration " + text
	case tStrStart, tRaw, tRawBad:
		return "string"
	case tInvalid:
		r, _ := utf8.DecodeRuneInString(text)
		if r == utf8.RuneError || r < ' ' {
			return fmt.Sprintf("byte %#02x", text[0])
		}
	}
	return fmt.Sprintf("%q", text)
}

// lexerToken converts a token to participle's form, for the reference
// parser and for the tests that compare the scanner with lexRules.
func (l *wfLexer) lexerToken(t token, src, filename string) lexer.Token {
	pos := lexer.Position{Filename: filename, Offset: int(t.off), Line: int(t.line), Column: int(t.col)}
	if t.typ == tEOF {
		return lexer.EOFToken(pos)
	}
	return lexer.Token{Type: l.types[t.typ], Value: t.text(src), Pos: pos}
}

// lexerTokens converts a token slice to participle's form.
func (l *wfLexer) lexerTokens(toks []token, src, filename string) []lexer.Token {
	out := make([]lexer.Token, len(toks))
	for i, t := range toks {
		out[i] = l.lexerToken(t, src, filename)
	}
	return out
}
