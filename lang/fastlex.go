package lang

import (
	"strings"
	"unicode/utf8"
)

// scanner is the lexer the parser runs: a hand-coded state machine that
// implements the rules in lexRules exactly (the same states, the same rule
// order, the same token types and positions). participle's stateful lexer
// tries each rule's regular expression in turn, which costs a few
// microseconds a token; this does the same work in one pass. The rules stay
// the definition: TestScannerMatchesRules and FuzzScanner compare the two
// on every test file and on random input. Keywords come out as Ident, as
// from the rules; tokenize reclassifies them.
type scanner struct {
	src   string
	pos   Pos
	stack []lexState
}

type lexState uint8

const (
	stRoot lexState = iota
	stString
	stInterp
	stBraces
)

func newScanner(src string) *scanner {
	return &scanner{src: src, pos: Pos{Offset: 0, Line: 1, Col: 1}, stack: []lexState{stRoot}}
}

func (s *scanner) state() lexState { return s.stack[len(s.stack)-1] }

func (s *scanner) push(st lexState) { s.stack = append(s.stack, st) }

func (s *scanner) pop() { s.stack = s.stack[:len(s.stack)-1] }

// emit makes a token of the first n bytes and moves past them.
func (s *scanner) emit(t tokType, n int) token {
	tok := token{off: int32(s.pos.Offset), n: int32(n), line: int32(s.pos.Line), col: int32(s.pos.Col), typ: t}
	s.advance(n)
	return tok
}

func (s *scanner) advance(n int) {
	text := s.src[:n]
	s.src = s.src[n:]
	s.pos.Offset += n
	if nl := strings.LastIndexByte(text, '\n'); nl >= 0 {
		s.pos.Line += strings.Count(text, "\n")
		s.pos.Col = utf8.RuneCountInString(text[nl:])
		return
	}
	if isASCII(text) {
		s.pos.Col += n
	} else {
		s.pos.Col += utf8.RuneCountInString(text)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Next returns the next token (EOF at the end).
func (s *scanner) Next() token {
	for len(s.src) > 0 {
		c := s.src[0]
		switch s.state() {
		case stString:
			return s.string()
		case stRoot:
			if n := spaceLen(s.src, true); n > 0 {
				s.advance(n)
				continue
			}
		case stInterp, stBraces:
			switch c {
			case '}':
				s.pop()
				if s.state() == stString {
					return s.emit(tInterpEnd, 1)
				}
				return s.emit(tRBrace, 1)
			case '{':
				s.push(stBraces)
				return s.emit(tLBrace, 1)
			case '\n':
				s.pop() // Return(): the enclosing state ends at the line break too
				continue
			}
			if n := spaceLen(s.src, false); n > 0 {
				s.advance(n)
				continue
			}
		}
		if tok, ok := s.code(); ok {
			return tok
		}
		_, w := utf8.DecodeRuneInString(s.src)
		return s.emit(tInvalid, w)
	}
	return s.emit(tEOF, 0)
}

// spaceLen matches `[ \t\r\n]+` (with newline) or `[ \t\r]+`.
func spaceLen(src string, newline bool) int {
	n := 0
	for n < len(src) {
		switch src[n] {
		case ' ', '\t', '\r':
			n++
			continue
		case '\n':
			if newline {
				n++
				continue
			}
		}
		break
	}
	return n
}

// code applies the Code rules.
func (s *scanner) code() (token, bool) {
	src := s.src
	c := src[0]
	if isIdentStart(c) {
		n := 1
		for n < len(src) && isIdentChar(src[n]) {
			n++
		}
		return s.emit(tIdent, n), true
	}
	if n := punctLen(src); n > 0 {
		return s.emit(tPunct, n), true
	}
	if isDigit(c) {
		if n := durationEnd(src, 0, true); n > 0 {
			return s.emit(tDuration, n), true
		}
		return s.emit(tNumber, numberLen(src)), true
	}
	if c == '"' {
		if strings.HasPrefix(src, `"""`) {
			if end := strings.Index(src[3:], `"""`); end >= 0 {
				return s.emit(tRaw, end+6), true
			}
			return s.emit(tRawBad, len(src)), true
		}
		s.push(stString)
		return s.emit(tStrStart, 1), true
	}
	if c == '#' {
		n := strings.IndexByte(src, '\n')
		if n < 0 {
			n = len(src)
		}
		return s.emit(tComment, n), true
	}
	return token{}, false
}

// string applies the String rules.
func (s *scanner) string() token {
	src := s.src
	switch c := src[0]; c {
	case '"':
		s.pop()
		return s.emit(tStrEnd, 1)
	case '\n':
		s.pop()
		return s.emit(tUnterm, 1)
	case '$':
		if len(src) > 1 && src[1] == '{' {
			s.push(stInterp)
			return s.emit(tInterpStart, 2)
		}
		return s.emit(tDollar, 1)
	case '\\':
		if n := escapeLen(src); n > 0 {
			return s.emit(tEscape, n)
		}
		if len(src) == 1 {
			return s.emit(tBadEscape, 1)
		}
		_, w := utf8.DecodeRuneInString(src[1:])
		return s.emit(tBadEscape, 1+w)
	}
	n := 0
	for n < len(src) && src[n] != '"' && src[n] != '\\' && src[n] != '$' && src[n] != '\n' {
		n++
	}
	return s.emit(tChars, n)
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexByte(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// punctLen matches `\?\?|\?\.|->|==|!=|<=|>=|[.,:()\[\]{}=<>+\-*/%?]`.
func punctLen(src string) int {
	if len(src) >= 2 {
		switch src[:2] {
		case "??", "?.", "->", "==", "!=", "<=", ">=":
			return 2
		}
	}
	switch src[0] {
	case '.', ',', ':', '(', ')', '[', ']', '{', '}', '=', '<', '>', '+', '-', '*', '/', '%', '?':
		return 1
	}
	return 0
}

var firstUnits = []string{"ms", "s", "m", "h", "d", "w"}
var laterUnits = []string{"ms", "s", "m", "h", "d"}

// durationEnd matches `[0-9]+(?:ms|s|m|h|d|w)(?:[0-9]+(?:ms|s|m|h|d))*\b`
// from i with the regexp's preferences (earlier units first, greedy
// repetition), returning the end or 0.
func durationEnd(src string, i int, first bool) int {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j == i {
		return 0
	}
	units := laterUnits
	if first {
		units = firstUnits
	}
	for _, u := range units {
		if !strings.HasPrefix(src[j:], u) {
			continue
		}
		k := j + len(u)
		if end := durationEnd(src, k, false); end > 0 {
			return end
		}
		if k == len(src) || !isIdentChar(src[k]) {
			return k
		}
	}
	return 0
}

// NumberLen returns the length of the duration or number literal at the
// start of src as the lexer reads it (a duration when one fits, as 1h30m),
// or 0 when src does not start with a digit. The language server's
// scanner uses it, so the two cannot disagree.
func NumberLen(src string) int {
	if src == "" || !isDigit(src[0]) {
		return 0
	}
	if n := durationEnd(src, 0, true); n > 0 {
		return n
	}
	return numberLen(src)
}

// numberLen matches `[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?`.
func numberLen(src string) int {
	n := 1
	for n < len(src) && (isDigit(src[n]) || src[n] == '_') {
		n++
	}
	if n+1 < len(src) && src[n] == '.' && isDigit(src[n+1]) {
		n += 2
		for n < len(src) && (isDigit(src[n]) || src[n] == '_') {
			n++
		}
	}
	if n < len(src) && (src[n] == 'e' || src[n] == 'E') {
		m := n + 1
		if m < len(src) && (src[m] == '+' || src[m] == '-') {
			m++
		}
		if m < len(src) && isDigit(src[m]) {
			for m < len(src) && isDigit(src[m]) {
				m++
			}
			n = m
		}
	}
	return n
}

// escapeLen matches `\\(?:[nrt"\\$]|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]{1,6}\})`.
func escapeLen(src string) int {
	if len(src) < 2 {
		return 0
	}
	switch src[1] {
	case 'n', 'r', 't', '"', '\\', '$':
		return 2
	case 'u':
		if len(src) >= 6 && isHexByte(src[2]) && isHexByte(src[3]) && isHexByte(src[4]) && isHexByte(src[5]) {
			return 6
		}
		if len(src) >= 4 && src[2] == '{' {
			k := 3
			for k < len(src) && k < 9 && isHexByte(src[k]) {
				k++
			}
			if k > 3 && k < len(src) && src[k] == '}' {
				return k + 1
			}
		}
	}
	return 0
}
