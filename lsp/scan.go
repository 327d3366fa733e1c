package lsp

import (
	"strings"
	"unicode/utf8"

	"github.com/wf-lang/wf/lang"
)

// The scanner splits WF source into tokens the way lang's lexer does, with
// the same states (code, "…" strings, ${…} interpolations and braces inside
// them, raw """…""" strings, # comments), but without building participle
// tokens. The server uses it to see what surrounds the cursor in a file
// that does not parse (lang.DeclCuts cuts files into declarations).

// tokKind is the kind of a scanned token.
type tokKind uint8

const (
	tkIdent    tokKind = iota // a name or keyword
	tkPunct                   // an operator or bracket; "${" and the "}" that ends it too
	tkNumber                  // a number or duration
	tkString                  // a whole "…" string (start to end quote), from code
	tkRaw                     // a """…""" string
	tkComment                 // a # comment
	tkInvalid                 // any other character
	tkStrStart                // the opening quote of a string that holds ${…}
	tkStrText                 // text inside a string, between interpolations
	tkStrEnd                  // the closing quote (or line end) of such a string
)

// token is one scanned token: its kind and byte range. Code tokens (idents,
// punctuation) keep their text in val.
type token struct {
	kind       tokKind
	start, end int
	val        string
}

var puncts = []string{"??", "?.", "->", "==", "!=", "<=", ">="}

// scanState is where the scanner is: code at the top level, in a string,
// in an interpolation, or in braces inside an interpolation.
type scanState uint8

const (
	stCode scanState = iota
	stString
	stInterp
	stBraces
)

// scanner tokenizes src up to limit.
type scanner struct {
	src    string
	limit  int
	pos    int
	states []scanState
	toks   []token
	// strOpen is the offset of the quote that opened each string on the
	// state stack (for the cursor context).
	strOpen []int
}

// scan tokenizes src[:limit]. The result also tells the state at limit.
func scan(src string, limit int) *scanner {
	s := &scanner{src: src, limit: min(limit, len(src)), states: []scanState{stCode}}
	s.toks = make([]token, 0, s.limit/5+1)
	for s.pos < s.limit {
		if s.top() == stString {
			s.stringToken()
		} else {
			s.codeToken()
		}
	}
	return s
}

func (s *scanner) top() scanState { return s.states[len(s.states)-1] }

func (s *scanner) push(st scanState) { s.states = append(s.states, st) }

func (s *scanner) pop() {
	if len(s.states) > 1 {
		s.states = s.states[:len(s.states)-1]
	}
}

func (s *scanner) emit(k tokKind, start, end int) {
	end = min(end, s.limit)
	t := token{kind: k, start: start, end: end}
	if k == tkIdent || k == tkPunct {
		t.val = s.src[start:end]
	}
	s.toks = append(s.toks, t)
	s.pos = end
}

func (s *scanner) codeToken() {
	src, i := s.src, s.pos
	c := src[i]
	switch {
	case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		for i < s.limit && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
			i++
		}
		s.pos = i
	case isIdentStart(c):
		j := i + 1
		for j < len(src) && isIdentChar(src[j]) {
			j++
		}
		s.emit(tkIdent, i, j)
	case c >= '0' && c <= '9':
		s.emit(tkNumber, i, i+lang.NumberLen(src[i:]))
	case c == '"':
		s.quote(i)
	case c == '#':
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			j = len(src) - i
		}
		s.emit(tkComment, i, i+j)
	case c == '{' && s.top() != stCode:
		s.push(stBraces)
		s.emit(tkPunct, i, i+1)
	case c == '}' && s.top() != stCode:
		s.pop() // ends an interpolation or inner braces
		s.emit(tkPunct, i, i+1)
	default:
		s.punct(i)
	}
}

func (s *scanner) punct(i int) {
	for _, p := range puncts {
		if strings.HasPrefix(s.src[i:], p) {
			s.emit(tkPunct, i, i+2)
			return
		}
	}
	if strings.IndexByte(".,:()[]{}=<>+-*/%?", s.src[i]) >= 0 {
		s.emit(tkPunct, i, i+1)
		return
	}
	_, size := decodeRune(s.src[i:])
	s.emit(tkInvalid, i, i+size)
}

// quote handles a " in code: a raw string, or the start of a string.
func (s *scanner) quote(i int) {
	if strings.HasPrefix(s.src[i:], `"""`) {
		j := strings.Index(s.src[i+3:], `"""`)
		end := len(s.src)
		if j >= 0 {
			end = i + 3 + j + 3
		}
		s.emit(tkRaw, i, end)
		return
	}
	s.push(stString)
	s.strOpen = append(s.strOpen, i)
	s.emit(tkStrStart, i, i+1)
}

// stringToken scans one token inside a "…" string, as lang's lexer does:
// a run of text, an escape, a lone $, the start of ${, or the end (the
// closing quote or the end of the line).
func (s *scanner) stringToken() {
	src, i := s.src, s.pos
	switch src[i] {
	case '"', '\n':
		s.endString(i, i+1)
		return
	case '\\':
		s.text(i, i+escapeLen(src[i:]))
		return
	case '$':
		if i+1 < len(src) && src[i+1] == '{' {
			s.push(stInterp)
			s.emit(tkPunct, i, i+2)
			return
		}
		s.text(i, i+1)
		return
	}
	j := i
	for j < len(src) && src[j] != '"' && src[j] != '\\' && src[j] != '$' && src[j] != '\n' {
		j++
	}
	s.text(i, j)
}

// escapeLen returns the length of the escape at the start of s (which
// starts with a backslash): \n, \u0041, \u{1F600}, or a backslash and any
// one character.
func escapeLen(s string) int {
	if len(s) >= 6 && s[1] == 'u' && isHex(s[2:6]) {
		return 6
	}
	if len(s) >= 4 && s[1] == 'u' && s[2] == '{' {
		if j := strings.IndexByte(s[3:], '}'); j >= 1 && j <= 6 && isHex(s[3:3+j]) {
			return 3 + j + 1
		}
	}
	if len(s) == 1 {
		return 1
	}
	_, size := decodeRune(s[1:])
	return 1 + size
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (s *scanner) text(start, end int) {
	end = min(end, s.limit)
	s.toks = append(s.toks, token{kind: tkStrText, start: start, end: end})
	s.pos = end
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// isKeyword reports whether an ident token is a reserved word.
func (t token) isKeyword() bool { return t.kind == tkIdent && lang.IsKeyword(t.val) }

// code reports whether the token is seen by the parser (not a comment).
func (t token) code() bool { return t.kind != tkComment }

func decodeRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }

func (s *scanner) endString(start, end int) {
	s.pop()
	s.strOpen = s.strOpen[:len(s.strOpen)-1]
	s.emit(tkStrEnd, start, end)
}
