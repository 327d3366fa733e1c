package lang_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// addSeeds adds the parse goldens, the error files, the formatter inputs
// and the examples to a fuzz target's corpus.
func addSeeds(f *testing.F) {
	for _, pattern := range []string{"testdata/parse/*.wf", "testdata/errors/*.wf", "testdata/format/*.input", "../examples/*.wf"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
}

// maxFuzzInput keeps fuzz inputs small enough to run many per second.
const maxFuzzInput = 64 << 10

// positionError says what is wrong with a position, or "".
func positionError(src []byte, p lang.Pos) string {
	if p.Offset < 0 || p.Offset > len(src) {
		return "offset outside the file"
	}
	want := lang.Pos{Offset: p.Offset, Line: 1, Col: 1}
	for _, r := range string(src[:p.Offset]) {
		if r == '\n' {
			want.Line++
			want.Col = 1
		} else {
			want.Col++
		}
	}
	if p != want {
		return "line and column do not match the offset " + want.String()
	}
	return ""
}

// checkDiagnostics fails when a diagnostic's range is not inside src.
func checkDiagnostics(t *testing.T, src []byte, diags lang.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if msg := positionError(src, d.Span.Start); msg != "" {
			t.Fatalf("%s: start %v: %s", d.Error(), d.Span.Start, msg)
		}
		if d.Span.End.Offset < d.Span.Start.Offset || d.Span.End.Offset > len(src) {
			t.Fatalf("%s: end %v is not inside the file (%d bytes)", d.Error(), d.Span.End, len(src))
		}
		if d.Message == "" || !utf8.ValidString(d.Message) {
			t.Fatalf("%s: empty or invalid message", d.Error())
		}
	}
}

// diagText prints diagnostics with their hints, to compare two runs.
func diagText(diags lang.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error())
		b.WriteString(d.Span.End.String())
		for _, h := range d.Hints {
			b.WriteString("\n= " + h)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// FuzzParse checks that Parse never panics, that every diagnostic points
// inside the file, that node spans are ordered and inside the file, and
// that parsing is deterministic.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzInput {
			return
		}
		file, diags := lang.Parse("fuzz.wf", src)
		checkDiagnostics(t, src, diags)
		lang.Inspect(file, func(n lang.Node) bool {
			sp := n.Span()
			if _, bad := n.(*lang.BadExpr); bad && sp == (lang.Span{}) {
				return true
			}
			if sp.Start.Offset > sp.End.Offset || sp.End.Offset > len(src) || sp.Start.Offset < 0 {
				t.Fatalf("%T has span %v-%v outside the file (%d bytes)", n, sp.Start, sp.End, len(src))
			}
			return true
		})
		again, diags2 := lang.Parse("fuzz.wf", src)
		if lang.Dump(file) != lang.Dump(again) {
			t.Fatalf("two parses differ:\n%s\n---\n%s", lang.Dump(file), lang.Dump(again))
		}
		if a, b := diagText(diags), diagText(diags2); a != b {
			t.Fatalf("two parses report differently:\n%s\n---\n%s", a, b)
		}
	})
}

// FuzzCheck checks that parsing and checking against the standard library
// never panics, that the checker's diagnostics point inside the file, and
// that checking is deterministic.
func FuzzCheck(f *testing.F) {
	addSeeds(f)
	lib := stdlib.Default()
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > maxFuzzInput {
			return
		}
		file, _ := lang.Parse("fuzz.wf", src)
		_, diags := lang.Check([]*lang.File{file}, lib)
		checkDiagnostics(t, src, diags)
		file2, _ := lang.Parse("fuzz.wf", src)
		_, diags2 := lang.Check([]*lang.File{file2}, lib)
		if a, b := diagText(diags), diagText(diags2); a != b {
			t.Fatalf("two checks report differently:\n%s\n---\n%s", a, b)
		}
	})
}
