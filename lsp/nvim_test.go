package lsp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nvimSource has an undefined name (for diagnostics), a string value and
// a step result (for completion by type and shape) and, in a workflow still
// being typed, an unfinished call (for named arguments).
const nvimSource = `workflow review {
  on event "inquiry.completed"

  let age = years_since(date(birthdat))
  log "é😀 ${age}"
  let spare = 1
}

workflow strings {
  on manual()

  let note = "x"
  log note.
}

workflow steps {
  on event "inquiry.completed"

  let r = run inquiry.approve(trigger.id)
  log r.
}

workflow typing {
  on event "inquiry.completed"

  run inquiry.decline(trigger.id, co
`

// nvimRequest is one request the Neovim script sends; its textDocument
// gets the buffer's URI.
type nvimRequest struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	Params any    `json:"params"`
}

// nvimAnswer is what Neovim got back for one request.
type nvimAnswer struct {
	Answered bool
	Error    string
	Result   json.RawMessage
}

// nvimPos returns the LSP position (0-based, UTF-16) just after the n-th
// line of nvimSource holding marker.
func nvimPos(marker string) map[string]int {
	i := strings.Index(nvimSource, marker) + len(marker)
	p := newLineIndex(nvimSource).position(i)
	return map[string]int{"line": int(p.Line), "character": int(p.Character)}
}

func nvimAt(marker string, extra map[string]any) any {
	params := map[string]any{"textDocument": map[string]string{}, "position": nvimPos(marker)}
	for k, v := range extra {
		params[k] = v
	}
	return params
}

// TestNeovim drives the server from a real editor: headless Neovim starts
// the server with the setup snippet docs/editors.md gives for its version
// (the server binary is put on PATH as wf), opens a file, receives
// diagnostics and sends requests for the features (completion by context,
// hover, …). The docs' other Lua snippets are compiled. It is skipped when
// nvim is not installed.
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

	requests := []nvimRequest{
		{"named_args", "textDocument/completion", nvimAt("run inquiry.decline(trigger.id, co", nil)},
		{"string_methods", "textDocument/completion", nvimAt("log note.", nil)},
		{"step_result", "textDocument/completion", nvimAt("log r.", nil)},
		{"hover", "textDocument/hover", nvimAt("let age = years_", nil)},
		{"hover_keyword", "textDocument/hover", nvimAt("let r = r", nil)},
		{"fixes", "textDocument/codeAction", map[string]any{"textDocument": map[string]string{},
			"range": map[string]any{"start": nvimPos("  let spare"), "end": nvimPos("  let spare")}, "context": map[string]any{"diagnostics": []any{}}}},
		{"tokens", "textDocument/semanticTokens/full", map[string]any{"textDocument": map[string]string{}}},
		{"folding", "textDocument/foldingRange", map[string]any{"textDocument": map[string]string{}}},
		{"inlay", "textDocument/inlayHint", map[string]any{"textDocument": map[string]string{},
			"range": map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": nvimPos("log r.")}}},
		{"lenses", "textDocument/codeLens", map[string]any{"textDocument": map[string]string{}}},
		{"symbols", "workspace/symbol", map[string]any{"query": "rev"}},
		{"calls", "textDocument/prepareCallHierarchy", nvimAt("workflow rev", nil)},
		{"signature", "textDocument/signatureHelp", nvimAt("run inquiry.decline(", nil)},
		{"range_format", "textDocument/rangeFormatting", map[string]any{"textDocument": map[string]string{},
			"range":   map[string]any{"start": nvimPos("workflow strings {\n"), "end": nvimPos("workflow strings {\n")},
			"options": map[string]any{"tabSize": 2, "insertSpaces": true}}},
	}
	reqFile := filepath.Join(dir, "requests.json")
	raw, err := json.Marshal(requests)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(reqFile, raw, 0o644))

	snippets := codeBlocks(t, "../docs/editors.md", "lua")
	require.Len(t, snippets, 4)
	var snippetFiles []string
	for i, name := range []string{"modern.lua", "lspconfig.lua", "commands.lua", "legacy.lua"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(snippets[i]), 0o644))
		snippetFiles = append(snippetFiles, p)
	}

	cmd := exec.CommandContext(ctx, nvim, "--headless", "--clean", "-c", "luafile "+script)
	cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"WF_MODERN="+snippetFiles[0], "WF_LUA="+snippetFiles[1], "WF_COMMANDS="+snippetFiles[2], "WF_LEGACY="+snippetFiles[3],
		"WF_FILE="+file, "WF_OUT="+outFile, "WF_REQUESTS="+reqFile,
		"HOME="+dir, "XDG_STATE_HOME="+dir, "XDG_DATA_HOME="+dir)
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "nvim: %s", output)

	raw, err = os.ReadFile(outFile)
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
		Results           map[string]nvimAnswer
		CommandRegistered bool `json:"command_registered"`
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

	answer := func(name string, out any) {
		t.Helper()
		a, ok := res.Results[name]
		require.True(t, ok && a.Answered, "no answer to %s", name)
		require.Empty(t, a.Error, name)
		require.NoError(t, json.Unmarshal(a.Result, out), "%s: %s", name, a.Result)
	}
	completion := func(name string) []string {
		t.Helper()
		var list struct{ Items []struct{ Label string } }
		answer(name, &list)
		var out []string
		for _, it := range list.Items {
			out = append(out, it.Label)
		}
		return out
	}
	assert.Contains(t, completion("named_args"), "comment:")
	methods := completion("string_methods")
	assert.Contains(t, methods, "lower")
	assert.NotContains(t, methods, "keys")
	fields := completion("step_result")
	assert.Contains(t, fields, "status")
	assert.NotContains(t, fields, "lower")
	var hover struct{ Contents struct{ Value string } }
	answer("hover", &hover)
	assert.Contains(t, hover.Contents.Value, "years_since")
	answer("hover_keyword", &hover)
	assert.Contains(t, hover.Contents.Value, "recorded step")

	var fixes []struct{ Title string }
	answer("fixes", &fixes)
	require.Len(t, fixes, 1)
	assert.Equal(t, "Rename to _spare", fixes[0].Title)
	var tokens struct{ Data []int }
	answer("tokens", &tokens)
	assert.NotEmpty(t, tokens.Data)
	assert.Zero(t, len(tokens.Data)%5)
	var folds []struct{ StartLine, EndLine int }
	answer("folding", &folds)
	assert.NotEmpty(t, folds)
	var hints []struct{ Label string }
	answer("inlay", &hints)
	assert.Contains(t, hints, struct{ Label string }{": int"})
	var lenses []struct {
		Command struct{ Title, Command string }
	}
	answer("lenses", &lenses)
	require.NotEmpty(t, lenses)
	assert.Equal(t, RunCommand, lenses[0].Command.Command)
	var symbols []struct{ Name string }
	answer("symbols", &symbols)
	assert.Contains(t, symbols, struct{ Name string }{"review"})
	var items []struct{ Name string }
	answer("calls", &items)
	assert.Equal(t, []struct{ Name string }{{"review"}}, items)
	var sig struct{ Signatures []struct{ Label string } }
	answer("signature", &sig)
	require.NotEmpty(t, sig.Signatures)
	assert.Equal(t, "inquiry.decline(id: string, comment: string?) -> map", sig.Signatures[0].Label)
	a := res.Results["range_format"]
	assert.True(t, a.Answered)
	assert.Contains(t, a.Error, "fix the syntax errors first", "the sample does not parse, so formatting is refused")
	assert.True(t, res.CommandRegistered, "the docs' handler for %s is registered", RunCommand)
	t.Logf("nvim (modern setup: %v): %d diagnostics, %d requests answered", res.Modern, len(res.Diagnostics), len(res.Results))
}
