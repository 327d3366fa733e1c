package graph_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Goldens: every example in examples/ is drawn as DOT, Mermaid and SVG and
// compared with testdata/NAME.{dot,mmd,svg}. `go test ./graph -run Golden
// -update` rewrites them.

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden file; run go test ./graph -run Golden -update")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is intended run go test ./graph -run Golden -update", golden)
}

// check parses and checks one file, failing the test on any error.
func check(t *testing.T, path string, src []byte) *lang.Program {
	t.Helper()
	f, diags := lang.Parse(path, src)
	require.NoError(t, diags.Err())
	prog, diags := lang.Check([]*lang.File{f}, stdlib.Default())
	require.NoError(t, diags.Err())
	return prog
}

func TestExamplesGolden(t *testing.T) {
	examples, err := filepath.Glob("../examples/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, examples)
	for _, path := range examples {
		if lang.IsTestFile(path) {
			continue // tests hold no workflow to draw
		}
		name := strings.TrimSuffix(filepath.Base(path), ".wf")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			gs, err := graph.BuildAll(check(t, "examples/"+name+".wf", src))
			require.NoError(t, err)
			svg, err := graph.SVG(context.Background(), gs)
			require.NoError(t, err)
			base := filepath.Join("testdata", name)
			checkGolden(t, base+".dot", graph.DOT(gs))
			checkGolden(t, base+".mmd", graph.Mermaid(gs))
			checkGolden(t, base+".svg", svg)
		})
	}
}
