package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nvimSource has an undefined name (for diagnostics) and, in a workflow
// still being typed, an unfinished call (for completion).
const nvimSource = `workflow review {
  on event "inquiry.completed"

  let age = years_since(date(birthdat))
  log "é😀 ${age}"
}

workflow typing {
  on event "inquiry.completed"

  run inquiry.decline(trigger.id, co
`

// TestNeovim drives the server from a real editor: headless Neovim starts
// the server with the setup snippet docs/editors.md gives for its version
// (the server binary is put on PATH as wf), opens a file, receives
// diagnostics and asks for completion and hover. The docs' other Lua
// snippets are compiled. It is skipped when nvim is not installed.
func TestNeovim(t *testing.T) {
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		t.Skip("nvim is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // hang guard, build included
	defer cancel()
	dir := t.TempDir()
	binDir := filepath.Join(dir, "bin")
	bin := filepath.Join(binDir, "wf")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./internal/lspmain")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the server: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "review.wf")
	require.NoError(t, os.WriteFile(file, []byte(nvimSource), 0o644))
	outFile := filepath.Join(dir, "out.json")
	script, err := filepath.Abs("testdata/nvim/check.lua")
	require.NoError(t, err)
	line := strings.Count(nvimSource, "\n") - 1
	col := len("  run inquiry.decline(trigger.id, co")

	snippets := codeBlocks(t, "../docs/editors.md", "lua")
	require.Len(t, snippets, 3)
	var snippetFiles []string
	for i, name := range []string{"modern.lua", "lspconfig.lua", "legacy.lua"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(snippets[i]), 0o644))
		snippetFiles = append(snippetFiles, p)
	}

	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-c", "luafile "+script)
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"WF_MODERN="+snippetFiles[0], "WF_LUA="+snippetFiles[1], "WF_LEGACY="+snippetFiles[2],
		"WF_FILE="+file, "WF_OUT="+outFile,
		"WF_LINE="+strconv.Itoa(line), "WF_COL="+strconv.Itoa(col), "HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_DATA_HOME="+dir)
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "nvim: %s", output)

	raw, err := os.ReadFile(outFile)
	require.NoError(t, err, "nvim wrote no result: %s", output)
	var res struct {
		Status         string
		Error          string
		SyntaxErrors   []string `json:"syntax_errors"`
		Modern         bool
		GotDiagnostics bool `json:"got_diagnostics"`
		Diagnostics    []struct {
			Message   string
			Lnum, Col int
			Code      string
		}
		Completion []string
		Hover      string
	}
	require.NoError(t, json.Unmarshal(raw, &res), "%s", raw)
	require.Equal(t, "ok", res.Status, "error %q, output %s", res.Error, output)
	assert.Empty(t, res.SyntaxErrors, "the docs' Lua snippets compile")
	require.True(t, res.GotDiagnostics)

	var undefined bool
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message, "undefined name birthdat") {
			undefined = true
			assert.Equal(t, 3, d.Lnum)
			assert.Equal(t, strings.Index(nvimSource[strings.Index(nvimSource, "  let age"):], "birthdat"), d.Col)
			assert.Equal(t, "undefined", d.Code)
		}
	}
	assert.True(t, undefined, "diagnostics: %+v", res.Diagnostics)
	assert.Contains(t, res.Completion, "comment:")
	assert.Contains(t, res.Hover, "years_since")
	t.Logf("nvim (modern setup: %v): %d diagnostics, %d completion items, hover %q", res.Modern, len(res.Diagnostics), len(res.Completion), firstLine(res.Hover))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
