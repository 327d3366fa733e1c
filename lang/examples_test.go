package lang_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

// TestExamples checks every examples/*.wf against the standard library:
// no error and no warning, and already formatted.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			for _, d := range checkSource(path, src) {
				t.Errorf("%s", describe(d))
			}
			out, diags := lang.FormatSource(path, src)
			require.False(t, diags.HasErrors(), "%v", diags.Err())
			assert.Equal(t, string(src), string(out), "%s is not formatted; run wf fmt", path)
		})
	}
}
