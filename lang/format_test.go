package lang

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// posRE matches the positions Dump prints: 3:5-3:9 spans and @3:7 points.
var posRE = regexp.MustCompile(`\d+:\d+-\d+:\d+|@\d+:\d+`)

// shape is a file's tree without positions, plus its comments: what
// formatting must not change.
func shape(f *File) string {
	var b strings.Builder
	b.WriteString(posRE.ReplaceAllString(Dump(f), ""))
	for _, c := range f.Comments {
		b.WriteString(strings.TrimRight(c.Text, " \t\r"))
		b.WriteByte('\n')
	}
	return b.String()
}

// formatChecked formats src and checks that the output parses to the same
// tree and formats to itself.
func formatChecked(t testing.TB, path string, src []byte) []byte {
	t.Helper()
	f, diags := Parse(path, src)
	require.False(t, diags.HasErrors(), "input has errors: %v", diags.Err())
	out, err := Format(f)
	require.NoError(t, err)
	g, diags := Parse(path, out)
	require.False(t, diags.HasErrors(), "output has errors: %v\n%s", diags.Err(), out)
	require.Equal(t, shape(f), shape(g), "formatting changed the tree:\n%s", out)
	again, err := Format(g)
	require.NoError(t, err)
	require.Equal(t, string(out), string(again), "formatting is not idempotent")
	return out
}

func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/format/*.input")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			got := formatChecked(t, in, src)
			golden := strings.TrimSuffix(in, ".input") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}
