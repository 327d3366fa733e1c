package bench

import (
	"go/parser"
	"go/token"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

func TestGeneratedSourcesAreClean(t *testing.T) {
	wf := WFScript()
	lines := 0
	for _, c := range wf {
		if c == '\n' {
			lines++
		}
	}
	assert.InDelta(t, ScriptLines, lines, 30)
	f, diags := lang.Parse("rules.wf", wf)
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	_, diags = lang.Check([]*lang.File{f}, stdlib.Default())
	assert.False(t, diags.HasErrors(), "%v", diags.Err())

	src := GoSource(len(wf))
	assert.InDelta(t, len(wf), len(src), 1000, "about the same size")
	_, err := parser.ParseFile(token.NewFileSet(), "rules.go", src, parser.ParseComments)
	assert.NoError(t, err)
}

// BenchmarkParseCheck compares WF's parse plus check of the generated
// script with go/parser on Go source of about the same size; MB/s is the
// bytes of source per second: BenchmarkParseCheck/wf and /go-parser.
func BenchmarkParseCheck(b *testing.B) {
	wf := WFScript()
	lib := stdlib.Default()
	b.Run("wf", func(b *testing.B) {
		b.SetBytes(int64(len(wf)))
		b.ReportAllocs()
		for b.Loop() {
			f, _ := lang.Parse("rules.wf", wf)
			if _, diags := lang.Check([]*lang.File{f}, lib); diags.HasErrors() {
				b.Fatal(diags.Err())
			}
		}
	})
	src := GoSource(len(wf))
	b.Run("go-parser", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.ParseFile(token.NewFileSet(), "rules.go", src, parser.ParseComments); err != nil {
				b.Fatal(err)
			}
		}
	})
}
