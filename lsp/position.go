package lsp

import (
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// lineIndex maps between byte offsets in a document and LSP positions
// (zero-based line, UTF-16 code units within the line). Lines end at "\n",
// "\r\n" or a lone "\r", as the LSP specification says.
type lineIndex struct {
	text   string
	starts []int // byte offset where each line begins
}

func newLineIndex(text string) *lineIndex {
	starts := make([]int, 1, 64)
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			starts = append(starts, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{text: text, starts: starts}
}

// lineEnd returns the offset where line's content ends, before its line
// terminator.
func (li *lineIndex) lineEnd(line int) int {
	if line+1 >= len(li.starts) {
		return len(li.text)
	}
	end := li.starts[line+1] - 1
	if end > li.starts[line] && li.text[end] == '\n' && li.text[end-1] == '\r' {
		end--
	}
	return end
}

// offset converts an LSP position to a byte offset. A line past the end
// clamps to the end of the text, a character past the end of its line to
// the line's end, and a character inside a surrogate pair to the start of
// that character.
func (li *lineIndex) offset(p protocol.Position) int {
	line := int(p.Line)
	if line >= len(li.starts) {
		return len(li.text)
	}
	off, end := li.starts[line], li.lineEnd(line)
	want := int(p.Character)
	for units := 0; off < end; {
		r, size := utf8.DecodeRuneInString(li.text[off:end])
		n := utf16Len(r)
		if units+n > want {
			break
		}
		units += n
		off += size
	}
	return off
}

// position converts a byte offset to an LSP position. An offset inside a
// multi-byte character counts up to that character's start; an offset
// between "\r" and "\n" is the end of its line.
func (li *lineIndex) position(off int) protocol.Position {
	off = max(0, min(off, len(li.text)))
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	end := min(off, li.lineEnd(line))
	units := 0
	for i := li.starts[line]; i < end; {
		r, size := utf8.DecodeRuneInString(li.text[i:end])
		if r == utf8.RuneError && size == 1 && !utf8.FullRuneInString(li.text[i:end]) {
			break // a character cut by off
		}
		units += utf16Len(r)
		i += size
	}
	return protocol.Position{Line: uint32(line), Character: uint32(units)}
}

// pos converts a front-end position to an LSP position through its byte
// offset; an invalid position (line 0) is the start of the document.
func (li *lineIndex) pos(p lang.Pos) protocol.Position {
	if !p.IsValid() {
		return protocol.Position{}
	}
	return li.position(p.Offset)
}

// rng converts a front-end span to an LSP range.
func (li *lineIndex) rng(sp lang.Span) protocol.Range {
	start := li.pos(sp.Start)
	end := start
	if sp.End.IsValid() && sp.End.Offset >= sp.Start.Offset {
		end = li.position(sp.End.Offset)
	}
	return protocol.Range{Start: start, End: end}
}

// offsetRange converts byte offsets to an LSP range.
func (li *lineIndex) offsetRange(start, end int) protocol.Range {
	return protocol.Range{Start: li.position(start), End: li.position(end)}
}

// utf16Len is the number of UTF-16 code units that encode r; an invalid
// byte (decoded as RuneError) counts as one, as editors show it.
func utf16Len(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
