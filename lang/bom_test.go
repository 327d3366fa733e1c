package lang

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A UTF-8 byte order mark at the start of a file is not text.
func TestParseSkipsAByteOrderMark(t *testing.T) {
	f, diags := Parse("bom.wf", []byte("\ufeffworkflow w {\n  on manual()\n\n  log \"hi\"\n}\n"))
	require.Empty(t, diags)
	require.Len(t, f.Decls, 1)
	w := f.Decls[0].(*WorkflowDecl)
	assert.Equal(t, Pos{Offset: 3, Line: 1, Col: 1}, w.Sp.Start)
}
