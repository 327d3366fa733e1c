package lang_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

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
