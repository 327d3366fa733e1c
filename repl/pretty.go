package repl

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Printer formats values as WF literals for people: a list or map that
// fits in Width stays on one line, a longer one gets one element a line,
// indented. Strings are quoted, times read date("…"), and every secret
// the session has seen is replaced by [redacted].
type Printer struct {
	// Color adds ANSI colours; set it only for a terminal with NO_COLOR unset.
	Color bool
	// Width is the line width that decides when to break (80 when 0).
	Width int
	// Secrets are values never to print.
	Secrets func() []string
}

// Limits on what one value prints, so a huge payload cannot flood the
// terminal.
const (
	maxItems    = 200      // list elements or map entries shown
	maxDepth    = 32       // nesting shown
	maxPrintStr = 64 << 10 // bytes of one string shown
)

func (p *Printer) paint(code, s string) string { return ansi.Paint(p.Color && s != "", code, s) }

func (p *Printer) width() int {
	if p.Width <= 0 {
		return 80
	}
	return p.Width
}

// Format returns the value as text, without a final newline.
func (p *Printer) Format(v interp.Value) string {
	var b strings.Builder
	p.write(&b, v, 0, 0)
	return b.String()
}

// write writes v at nesting level, starting at column col.
func (p *Printer) write(b *strings.Builder, v interp.Value, level, col int) {
	if _, ok := p.inline(v, p.width()-col, level); ok || level > maxDepth {
		p.writeInline(b, v, level)
		return
	}
	pad := strings.Repeat("  ", level+1)
	more := func(n int) {
		fmt.Fprintf(b, "%s%s\n", pad, p.paint(ansi.Dim, fmt.Sprintf("… %d more", n)))
	}
	switch x := v.(type) {
	case *interp.List:
		b.WriteString("[\n")
		for i, e := range x.Elems {
			if i == maxItems {
				more(len(x.Elems) - i)
				break
			}
			b.WriteString(pad)
			p.write(b, e, level+1, len(pad))
			b.WriteString(",\n")
		}
		b.WriteString(pad[2:] + "]")
	case *interp.Map:
		b.WriteString("{\n")
		for i := 0; i < x.Len(); i++ {
			if i == maxItems {
				more(x.Len() - i)
				break
			}
			k, e := x.At(i)
			key := mapKey(k) + ": "
			b.WriteString(pad + key)
			p.write(b, e, level+1, len(pad)+utf8.RuneCountInString(key))
			b.WriteString(",\n")
		}
		b.WriteString(pad[2:] + "}")
	default:
		p.writeInline(b, v, level)
	}
}

// inline returns v on one line without colours, and false when that is
// longer than budget characters or too deep. It stops early.
func (p *Printer) inline(v interp.Value, budget, depth int) (string, bool) {
	var b strings.Builder
	ok := p.flat(&b, v, budget, depth)
	return b.String(), ok && utf8.RuneCountInString(b.String()) <= budget
}

func (p *Printer) flat(b *strings.Builder, v interp.Value, budget, depth int) bool {
	if b.Len() > budget*4 || depth > maxDepth {
		return false
	}
	switch x := v.(type) {
	case *interp.List:
		if len(x.Elems) > maxItems {
			return false
		}
		b.WriteByte('[')
		for i, e := range x.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if !p.flat(b, e, budget, depth+1) {
				return false
			}
		}
		b.WriteByte(']')
	case *interp.Map:
		if x.Len() > maxItems {
			return false
		}
		b.WriteByte('{')
		for i := 0; i < x.Len(); i++ {
			k, e := x.At(i)
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(mapKey(k) + ": ")
			if !p.flat(b, e, budget, depth+1) {
				return false
			}
		}
		b.WriteByte('}')
	default:
		b.WriteString(p.scalar(v))
	}
	return true
}

// writeInline writes v on one line, with colours.
func (p *Printer) writeInline(b *strings.Builder, v interp.Value, depth int) {
	switch x := v.(type) {
	case *interp.List:
		if depth > maxDepth {
			b.WriteString(p.paint(ansi.Dim, "[…]"))
			return
		}
		b.WriteByte('[')
		for i, e := range x.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			p.writeInline(b, e, depth+1)
		}
		b.WriteByte(']')
	case *interp.Map:
		if depth > maxDepth {
			b.WriteString(p.paint(ansi.Dim, "{…}"))
			return
		}
		b.WriteByte('{')
		for i := 0; i < x.Len(); i++ {
			k, e := x.At(i)
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(mapKey(k) + ": ")
			p.writeInline(b, e, depth+1)
		}
		b.WriteByte('}')
	default:
		b.WriteString(p.paint(scalarColor(v), p.scalar(v)))
	}
}

func scalarColor(v interp.Value) string {
	switch v.(type) {
	case string:
		return ansi.Green
	case int64, float64, time.Duration:
		return ansi.Yellow
	case nil, bool:
		return ansi.Magenta
	case time.Time:
		return ansi.Cyan
	}
	return ansi.Dim
}

// scalar formats a value that is not a list or a map.
func (p *Printer) scalar(v interp.Value) string {
	switch x := v.(type) {
	case string:
		return quote(p.redact(x))
	case *interp.Secret:
		return quote(x.String())
	case time.Time:
		return `date("` + x.Format(time.RFC3339Nano) + `")`
	case *interp.List, *interp.Map:
		return "…"
	}
	return interp.ToString(v)
}

// redact replaces the session's secrets in s.
func (p *Printer) redact(s string) string {
	if p.Secrets == nil {
		return s
	}
	for _, x := range p.Secrets() {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	return s
}

// Redact replaces the session's secrets in text about to be printed.
func (p *Printer) Redact(s string) string { return p.redact(s) }

// mapKey writes a key as a map literal does: bare when it is a name.
func mapKey(k string) string {
	if isName(k) && !lang.IsKeyword(k) {
		return k
	}
	return quote(k)
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r < utf8.RuneSelf && unicode.IsLetter(r) || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// quote writes s as a WF string literal.
func quote(s string) string {
	more := ""
	if len(s) > maxPrintStr {
		cut := maxPrintStr
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		more = fmt.Sprintf("… (%d bytes)", len(s))
		s = s[:cut]
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '$' && strings.HasPrefix(s[i:], "${"):
			b.WriteString(`\$`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\u{fffd}`)
		case !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\u{%x}`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String() + more
}
