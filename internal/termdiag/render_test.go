package termdiag_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// render checks src and renders its diagnostics without colour.
func renderSource(t *testing.T, src string) string {
	t.Helper()
	f, diags := lang.Parse("t.wf", []byte(src))
	_, cdiags := lang.Check([]*lang.File{f}, stdlib.Default())
	diags = append(diags, cdiags...)
	require.NotEmpty(t, diags)
	var b strings.Builder
	(&termdiag.Renderer{Source: func(string) []byte { return []byte(src) }}).RenderAll(&b, diags)
	return b.String()
}

// The caret stands under the name in terminal columns: an emoji or a CJK
// character before it on the line takes two columns, a tab four.
func TestRenderCaretUnderWideCharacters(t *testing.T) {
	tests := []struct{ name, line string }{
		{"emoji", `  log "😀😀" + birthdat`},
		{"CJK", `  log "日本語" + birthdat`},
		{"combining accent", "  log \"e\u0301\" + birthdat"},
		{"tab", "\tlog \"é\" + birthdat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "workflow w {\n  on event \"inquiry.completed\"\n" + tt.line + "\n}\n"
			out := renderSource(t, src)
			lines := strings.Split(out, "\n")
			require.GreaterOrEqual(t, len(lines), 4, out)
			shown, caret := lines[2], lines[3]
			// The source line is printed after " 3 | ", the caret line after
			// "   | "; both prefixes are as wide.
			col := strings.Index(caret, "^")
			require.GreaterOrEqual(t, col, 0, out)
			before := shown[:strings.Index(shown, "birthdat")]
			assert.Equal(t, col, width(before), "caret under birthdat:\n%s", out)
			assert.Equal(t, "^"+strings.Repeat("~", len("birthdat")-1), strings.TrimSpace(caret[strings.Index(caret, "|")+1:]))
		})
	}
}

// width counts terminal columns the way the test's cases need: two for the
// emoji and CJK characters, none for a combining mark, one otherwise.
func width(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == 0x301:
		case r >= 0x1F300 || (r >= 0x4E00 && r <= 0x9FFF):
			n += 2
		default:
			n++
		}
	}
	return n
}

// Plain text names the severity, so an error and a warning differ without
// colour.
func TestRenderSeverity(t *testing.T) {
	out := renderSource(t, "workflow w {\n  on event \"inquiry.complete\"\n\n  log birthdat\n}\n")
	assert.Contains(t, out, "t.wf:2:12: warning: unknown event \"inquiry.complete\" [event]")
	assert.Contains(t, out, "t.wf:4:7: error: undefined name birthdat [undefined]")
}

// A diagnostic without a place (a cancelled run) names its file only.
func TestRenderWithoutPosition(t *testing.T) {
	var b strings.Builder
	(&termdiag.Renderer{}).Render(&b, &lang.Diagnostic{Severity: lang.Error, Code: "runtime/cancel", File: "in[3]", Message: "the run was cancelled"})
	assert.Equal(t, "in[3]: error: the run was cancelled [runtime/cancel]\n", b.String())
}
