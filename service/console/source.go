package console

import (
	"html"
	"html/template"
	"strings"

	"github.com/wf-lang/wf/lsp"
)

// Source views: WF source highlighted (the language server's scanner says
// what is a keyword, a string, a number or a comment), whole or as an
// excerpt around the place a run failed.

// srcLine is one highlighted line of source.
type srcLine struct {
	N    int
	HTML template.HTML
	Mark bool // the line an excerpt is about
}

// excerpt is a few lines around a place, with a caret under its column.
type excerpt struct {
	File  string
	Line  int
	Col   int
	Lines []srcLine
	Caret string // spaces up to the column, for the caret line
}

// highlight renders src as highlighted lines (1-based numbers from first).
func highlight(src string, first int) []srcLine {
	var b strings.Builder
	at := 0
	plain := func(to int) { b.WriteString(html.EscapeString(src[at:to])) }
	for _, h := range lsp.Highlights(src) {
		if h.Start < at || h.End > len(src) {
			continue
		}
		plain(h.Start)
		// A span over several lines (a """ string) is closed at each line
		// end and opened again, so every line stands alone.
		for i, part := range strings.Split(src[h.Start:h.End], "\n") {
			if i > 0 {
				b.WriteByte('\n')
			}
			if part != "" {
				b.WriteString(`<span class="hl-` + h.Kind + `">` + html.EscapeString(part) + `</span>`)
			}
		}
		at = h.End
	}
	plain(len(src))
	parts := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	out := make([]srcLine, len(parts))
	for i, p := range parts {
		out[i] = srcLine{N: first + i, HTML: template.HTML(p)} //nolint:gosec // built from escaped text
	}
	return out
}

// newExcerpt is the lines of src around line (context lines either side),
// or nil when the line is not in src.
func newExcerpt(src, file string, line, col, context int) *excerpt {
	lines := highlight(src, 1)
	if line < 1 || line > len(lines) {
		return nil
	}
	lo, hi := max(line-context, 1), min(line+context, len(lines))
	ex := &excerpt{File: file, Line: line, Col: col, Lines: lines[lo-1 : hi]}
	ex.Lines[line-lo].Mark = true
	srcLines := strings.Split(src, "\n")
	if col >= 1 {
		// The caret goes under the column: tabs stay tabs, so it lines up
		// in a monospaced font; other characters become spaces.
		var pad strings.Builder
		for i, r := range []rune(srcLines[line-1]) {
			if i >= col-1 {
				break
			}
			if r == '\t' {
				pad.WriteRune('\t')
			} else {
				pad.WriteRune(' ')
			}
		}
		ex.Caret = pad.String()
	}
	return ex
}
