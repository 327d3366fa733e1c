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

// A backslash before a byte that is not UTF-8 is one error, the byte's,
// and its message is text (found by FuzzParse: the escape error printed
// the raw byte).
func TestEscapeOfABadByteIsOneError(t *testing.T) {
	_, diags := Parse("esc.wf", []byte("const A=\"\\\x86\"\n"))
	require.Len(t, diags, 1)
	assert.Equal(t, "invalid UTF-8 byte 0x86", diags[0].Message)
	assert.Equal(t, 11, diags[0].Span.Start.Col)
}
