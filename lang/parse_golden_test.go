package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Parse goldens: each testdata/parse/NAME.wf is parsed and its tree, as
// Dump prints it, is compared with NAME.golden, followed by the diagnostics
// when there are any. `go test ./lang -run Golden -update` rewrites them.

// parseGolden is the golden text for one source file.
func parseGolden(path string, src []byte) string {
	f, diags := Parse(path, src)
	var b strings.Builder
	b.WriteString(Dump(f))
	if len(diags) > 0 {
		b.WriteString("\n# diagnostics\n")
		for _, d := range diags {
			b.WriteString(d.Severity.String() + ": " + d.Error() + "\n")
		}
	}
	return b.String()
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file; run go test ./lang -run Golden -update")
	assert.Equal(t, string(want), got, "%s differs; if the change is intended run go test ./lang -run Golden -update", golden)
}

func TestParseGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/parse/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".wf")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			golden := strings.TrimSuffix(in, ".wf") + ".golden"
			checkGolden(t, golden, parseGolden(filepath.ToSlash(in), src))
		})
	}
}

// TestParseGoldenClean keeps the construct goldens free of syntax errors, so
// a grammar change that breaks one shows as a failure here and not only as
// a changed golden. Only recovery.wf is meant to hold errors.
func TestParseGoldenClean(t *testing.T) {
	inputs, err := filepath.Glob("testdata/parse/*.wf")
	require.NoError(t, err)
	for _, in := range inputs {
		if filepath.Base(in) == "recovery.wf" {
			continue
		}
		src, err := os.ReadFile(in)
		require.NoError(t, err)
		_, diags := Parse(in, src)
		assert.NoError(t, diags.Err(), in)
	}
}

func TestGrammarGolden(t *testing.T) {
	checkGolden(t, "testdata/grammar.ebnf", Grammar())
}
