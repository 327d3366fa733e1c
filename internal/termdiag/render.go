// Package termdiag prints diagnostics for people at a terminal: the first
// line (file:line:col: message [code]), the source line with a caret under
// the span, then `= hint:` and `= note:` lines, in colour when asked. It is
// the CLI's, the REPL's and the console's way of showing lang.Diagnostics;
// the language core itself only produces them (lang.WriteJSON is the form
// for tools).
package termdiag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/lang"
)

// Renderer prints diagnostics for people: the first line, then the source
// line with a caret underline, then `= hint:` and `= note:` lines.
type Renderer struct {
	// Source returns the text of a file, or nil when it is not at hand (the
	// diagnostic is then printed without the source excerpt).
	Source func(file string) []byte
	// Color adds ANSI colours; set it only when writing to a terminal with
	// NO_COLOR unset.
	Color bool
}

func (r *Renderer) paint(code, s string) string { return ansi.Paint(r.Color, code, s) }

// Render writes one diagnostic. Its first line names the severity, as
// compilers do (`file:3:5: warning: …`), so errors and warnings differ
// without colour too.
func (r *Renderer) Render(w io.Writer, d *lang.Diagnostic) {
	sev := ansi.Red
	if d.Severity == lang.Warning {
		sev = ansi.Yellow
	} else if d.Severity == lang.Notice {
		sev = ansi.Blue
	}
	where := fmt.Sprintf("%s:%d:%d:", d.File, d.Span.Start.Line, d.Span.Start.Col)
	if !d.Span.Start.IsValid() {
		where = d.File + ":" // no place in the file, such as a run that was cancelled
	}
	fmt.Fprintf(w, "%s %s %s\n", r.paint(ansi.Bold, where),
		r.paint(ansi.Bold+sev, d.Severity.String()+":"), r.paint(sev, d.Message)+" ["+d.Code+"]")
	var src []byte
	if r.Source != nil {
		src = r.Source(d.File)
	}
	if line, ok := sourceLine(src, d.Span.Start); ok {
		num := fmt.Sprint(d.Span.Start.Line)
		pad := strings.Repeat(" ", len(num)+1)
		fmt.Fprintf(w, "%s%s\n", pad, r.paint(ansi.Blue, " |"))
		fmt.Fprintf(w, " %s%s %s\n", r.paint(ansi.Blue, num), r.paint(ansi.Blue, " |"), expandTabs(line))
		fmt.Fprintf(w, "%s%s %s\n", pad, r.paint(ansi.Blue, " |"), r.paint(sev, underline(line, d.Span)))
	}
	for _, h := range d.Hints {
		fmt.Fprintf(w, "   %s %s\n", r.paint(ansi.Cyan, "= hint:"), h)
	}
	for _, n := range d.Related {
		fmt.Fprintf(w, "   %s %s:%d:%d: %s\n", r.paint(ansi.Cyan, "= note:"), n.File, n.Span.Start.Line, n.Span.Start.Col, n.Message)
	}
}

// RenderAll writes every diagnostic, separated by blank lines.
func (r *Renderer) RenderAll(w io.Writer, ds lang.Diagnostics) {
	for i, d := range ds {
		if i > 0 {
			fmt.Fprintln(w)
		}
		r.Render(w, d)
	}
}

// sourceLine returns the text of the line holding p.
func sourceLine(src []byte, p lang.Pos) (string, bool) {
	if src == nil || !p.IsValid() || p.Offset > len(src) {
		return "", false
	}
	start := bytes.LastIndexByte(src[:p.Offset], '\n') + 1
	end := bytes.IndexByte(src[p.Offset:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += p.Offset
	}
	line := src[start:end]
	if len(line) > 400 || !utf8.Valid(line) {
		return "", false
	}
	return strings.TrimRight(string(line), "\r"), true
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// cells measures text as a terminal shows it: an emoji or a CJK character
// takes two columns, a combining mark none. East Asian ambiguous characters
// count as one column whatever the locale, so output does not depend on it.
var cells = &runewidth.Condition{}

// underline returns a caret line under the span's part of line, in terminal
// columns (the line is printed with its tabs expanded).
func underline(line string, sp lang.Span) string {
	width := func(s string) int { return cells.StringWidth(expandTabs(s)) }
	runes := []rune(line)
	col := sp.Start.Col - 1
	if col > len(runes) {
		col = len(runes)
	}
	lead := width(string(runes[:col]))
	n := 1
	if sp.End.Line == sp.Start.Line && sp.End.Col > sp.Start.Col {
		endCol := min(sp.End.Col-1, len(runes))
		n = max(1, width(string(runes[col:endCol])))
	}
	return strings.Repeat(" ", lead) + "^" + strings.Repeat("~", n-1)
}
