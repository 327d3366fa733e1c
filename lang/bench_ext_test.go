package lang_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// TestBenchScriptIsClean keeps the benchmark honest: the script it parses
// and checks has no errors and no warnings, so the checker does its full
// work and none on reporting.
func TestBenchScriptIsClean(t *testing.T) {
	src := lang.BenchScript(1000)
	require.GreaterOrEqual(t, strings.Count(src, "\n"), 1000)
	diags := checkSource("bench.wf", []byte(src))
	require.Empty(t, diags, "%v", diags)
}

// BenchmarkParseCheck1000 parses and checks a generated 1,000-line script
// against the standard library.
func BenchmarkParseCheck1000(b *testing.B) {
	src := []byte(lang.BenchScript(1000))
	lib := stdlib.Default()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		f, diags := lang.Parse("bench.wf", src)
		_, cdiags := lang.Check([]*lang.File{f}, lib)
		if diags.HasErrors() || cdiags.HasErrors() {
			b.Fatal(diags.Err(), cdiags.Err())
		}
	}
}

// BenchmarkCheckLongExpression parses, checks and compiles (what wf check
// does) a workflow with one long expression, a + a + … of the given size:
// MB/s stays the same from 10 KB to 1 MB when the time is linear in the
// expression's length (it was quadratic: 1 MB took over 30 s).
func BenchmarkCheckLongExpression(b *testing.B) {
	lib := stdlib.Default()
	for _, size := range []int{10 << 10, 100 << 10, 1 << 20} {
		src := []byte("workflow w {\n  on manual()\n\n  let a = 1\n  log a" + strings.Repeat(" + a", size/4) + "\n}\n")
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				f, diags := lang.Parse("long.wf", src)
				prog, cdiags := lang.Check([]*lang.File{f}, lib)
				if diags.HasErrors() || cdiags.HasErrors() {
					b.Fatal(diags.Err(), cdiags.Err())
				}
				if _, idiags := interp.Compile(prog, lib, interp.Options{}); idiags.HasErrors() {
					b.Fatal(idiags.Err())
				}
			}
		})
	}
}
