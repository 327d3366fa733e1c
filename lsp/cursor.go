package lsp

import (
	"strings"
)

// cursor describes the text around a position, read from the tokens before
// it, so it works whether or not the file parses.
type cursor struct {
	text   string
	off    int    // the cursor's byte offset
	prefix string // the name characters just before the cursor
	start  int    // where prefix starts
	// toks are the code tokens (comments dropped) that end at or before
	// start; prefix's own token is not among them.
	toks []token
	// open lists the brackets still open at start, innermost last, as
	// indexes into toks; a string being typed counts as an open `"`.
	open      []int
	inComment bool
	inString  bool // in the text of a "…" string (not in a ${…} inside it)
	inRaw     bool // in a """…""" string or a js fn body
	strStart  int  // the opening quote of the string the cursor is in
}

// cursorAt reads the context of byte offset off in text.
func cursorAt(text string, off int) *cursor {
	off = max(0, min(off, len(text)))
	c := &cursor{text: text, off: off}
	sc := scan(text, off)
	if n := len(sc.toks); n > 0 {
		last := sc.toks[n-1]
		switch {
		case last.kind == tkComment && last.end == off:
			c.inComment = true
		case last.kind == tkRaw && last.end == off && (off-last.start < 6 || !strings.HasSuffix(text[last.start:off], `"""`)):
			c.inRaw = true
		}
	}
	if sc.top() == stString {
		c.inString = true
		c.strStart = sc.strOpen[len(sc.strOpen)-1]
	}
	c.start = off
	if !c.inString {
		for c.start > 0 && isIdentChar(text[c.start-1]) {
			c.start--
		}
	}
	c.prefix = text[c.start:off]
	for _, t := range sc.toks {
		if t.end <= c.start && t.code() {
			c.toks = append(c.toks, t)
		}
	}
	c.open = openBrackets(c.toks)
	return c
}

// openBrackets returns the indexes of the brackets (and string quotes) in
// toks that are not closed, outermost first. A closer pops whatever is
// open, as lang's nesting count does.
func openBrackets(toks []token) []int {
	var stack []int
	for i, t := range toks {
		switch {
		case t.kind == tkStrStart:
			stack = append(stack, i)
		case t.kind == tkStrEnd:
			stack = popTo(stack, toks, tkStrStart)
		case t.kind != tkPunct:
		case t.val == "(" || t.val == "[" || t.val == "{" || t.val == "${":
			stack = append(stack, i)
		case t.val == ")" || t.val == "]" || t.val == "}":
			if len(stack) > 0 && toks[stack[len(stack)-1]].kind != tkStrStart {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return stack
}

func popTo(stack []int, toks []token, kind tokKind) []int {
	for len(stack) > 0 {
		top := toks[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		if top.kind == kind {
			break
		}
	}
	return stack
}

// prev returns the code token n places before the prefix (0 is the one
// right before it), or a zero token.
func (c *cursor) prev(n int) token {
	if i := len(c.toks) - 1 - n; i >= 0 {
		return c.toks[i]
	}
	return token{kind: tkInvalid, start: -1, end: -1}
}

// innermost returns the innermost open bracket token and its index in
// toks, or -1.
func (c *cursor) innermost() (token, int) {
	if len(c.open) == 0 {
		return token{kind: tkInvalid}, -1
	}
	i := c.open[len(c.open)-1]
	return c.toks[i], i
}

// lineStart reports whether only white space stands between the start of
// the line and the prefix.
func (c *cursor) lineStart() bool {
	i := strings.LastIndexByte(c.text[:c.start], '\n') + 1
	return strings.TrimSpace(c.text[i:c.start]) == ""
}

// chainBefore returns the names of a dotted chain ending just before token
// index i (exclusive), such as ["inquiry"] for `inquiry.` or ["trigger",
// "fields"] for `trigger.fields.`, and false when something other than
// names and dots (a call, an index) is in it.
func (c *cursor) chainBefore(i int) ([]string, bool) {
	var chain []string
	for j := i - 1; j >= 0; j -= 2 {
		t := c.toks[j]
		if t.kind != tkIdent || t.isKeyword() {
			return nil, false
		}
		chain = append([]string{t.val}, chain...)
		if j == 0 || (c.toks[j-1].val != "." && c.toks[j-1].val != "?.") || c.toks[j-1].kind != tkPunct {
			return chain, true
		}
	}
	return chain, len(chain) > 0
}

// blockBrace reports whether the { at token index i opens a block (of a
// workflow, fn, when, for, try, parallel…) rather than a map literal.
func (c *cursor) blockBrace(i int) bool {
	if i == 0 {
		return false
	}
	p := c.toks[i-1]
	switch {
	case p.kind == tkIdent:
		return p.val != "output" && p.val != "with" && !c.lineStartsWith(i, "emit")
	case p.kind == tkPunct:
		return p.val == ")" || p.val == "]" || p.val == "}"
	case p.kind == tkStrEnd:
		return !c.lineStartsWith(i, "emit")
	}
	return true
}

// lineStartsWith reports whether the first code token on the line of token
// i is the word w.
func (c *cursor) lineStartsWith(i int, w string) bool {
	lineStart := strings.LastIndexByte(c.text[:c.toks[i].start], '\n') + 1
	for j := i; j >= 0 && c.toks[j].start >= lineStart; j-- {
		if j == 0 || c.toks[j-1].start < lineStart {
			return c.toks[j].val == w
		}
	}
	return false
}

// matchingOpen returns the index of the bracket that the closer at token
// index i closes, or -1.
func (c *cursor) matchingOpen(i int) int {
	depth := 0
	for j := i; j >= 0; j-- {
		t := c.toks[j]
		if t.kind != tkPunct {
			continue
		}
		switch t.val {
		case ")", "]", "}":
			depth++
		case "(", "[", "{", "${":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
