package lsp

import (
	"context"
	"sort"
	"strings"

	"go.lsp.dev/protocol"
)

// FoldingRanges implements protocol.Server: every bracket pair (a
// declaration's or a block's braces, a map or list literal, a call's
// arguments) that spans lines, multi-line """ strings, and runs of two or
// more comment lines. It reads the scanner's tokens, so it works in a file
// that does not parse.
func (s *server) FoldingRanges(ctx context.Context, params *protocol.FoldingRangeParams) ([]protocol.FoldingRange, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.FoldingRange{}
	if an.tooLarge {
		return out, nil
	}
	li := an.lines
	line := func(off int) uint32 { return li.position(off).Line }
	fold := func(start, end int, kind protocol.FoldingRangeKind) {
		// The last line stays visible: it holds the closer.
		if s, e := line(start), line(end); e > s+1 || (kind != "" && e > s) {
			if kind == "" {
				e--
			}
			out = append(out, protocol.FoldingRange{StartLine: s, EndLine: e, Kind: kind})
		}
	}
	toks := scan(an.text, len(an.text)).toks
	var stack []int
	commentStart, commentEnd := -1, -1
	for _, t := range toks {
		switch {
		case t.kind == tkComment:
			if commentStart >= 0 && line(t.start) == line(commentEnd)+1 && lineBlank(an.text, t.start) {
				commentEnd = t.start
				continue
			}
			if commentStart >= 0 {
				fold(commentStart, commentEnd, protocol.FoldingRangeKindComment)
			}
			commentStart, commentEnd = -1, -1
			if lineBlank(an.text, t.start) {
				commentStart, commentEnd = t.start, t.start
			}
		case t.kind == tkRaw:
			fold(t.start, t.end, protocol.FoldingRangeKindRegion)
		case t.kind != tkPunct:
		case t.val == "{" || t.val == "(" || t.val == "[":
			stack = append(stack, t.start)
		case t.val == "}" || t.val == ")" || t.val == "]":
			if len(stack) > 0 {
				fold(stack[len(stack)-1], t.start, "")
				stack = stack[:len(stack)-1]
			}
		}
	}
	if commentStart >= 0 {
		fold(commentStart, commentEnd, protocol.FoldingRangeKindComment)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartLine < out[j].StartLine })
	return out, nil
}

// lineBlank reports whether only white space comes before off on its line.
func lineBlank(text string, off int) bool {
	return strings.TrimSpace(text[strings.LastIndexByte(text[:off], '\n')+1:off]) == ""
}
