package lang_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// TestExamples checks examples/*.wf together, as wf check examples does
// (a test file names the workflows beside it), against the standard
// library: no error and no warning, and every file already formatted.
func TestExamples(t *testing.T) {
	paths, err := filepath.Glob("../examples/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var files []*lang.File
	var diags lang.Diagnostics
	for _, path := range paths {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		f, pd := lang.Parse(path, src)
		files, diags = append(files, f), append(diags, pd...)
		out, fd := lang.FormatSource(path, src)
		require.False(t, fd.HasErrors(), "%v", fd.Err())
		assert.Equal(t, string(src), string(out), "%s is not formatted; run wf fmt", path)
	}
	_, cd := lang.Check(files, stdlib.Default())
	for _, d := range append(diags, cd...) {
		t.Errorf("%s", describe(d))
	}
}
