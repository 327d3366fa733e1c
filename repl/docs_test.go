package repl

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Commands section of docs/repl.md shows what :help prints.
func TestDocsShowTheHelp(t *testing.T) {
	md, err := os.ReadFile("../docs/repl.md")
	require.NoError(t, err)
	text := string(md)
	i := strings.Index(text, "## Commands\n\n```\n")
	require.Positive(t, i, "docs/repl.md has a Commands section with a code block")
	block := text[i+len("## Commands\n\n```\n"):]
	block = block[:strings.Index(block, "```\n")]
	var out bytes.Buffer
	(&REPL{out: &out}).cmdHelp(context.Background(), "", "")
	assert.Equal(t, out.String(), block)
}
