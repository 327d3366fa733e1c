package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

const vscodeDir = "../editors/vscode"

func readJSON(t *testing.T, name string, v any) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vscodeDir, name))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "%s is not valid JSON", name)
	return b
}

// TestVSCodeExtensionFiles checks that the extension's JSON files parse and
// fit together: the language and grammar package.json declares exist, and
// the comment and bracket settings are WF's.
func TestVSCodeExtensionFiles(t *testing.T) {
	var pkg struct {
		Main        string
		Engines     map[string]string
		Scripts     map[string]string
		Contributes struct {
			Languages []struct {
				ID            string
				Extensions    []string
				Configuration string
			}
			Grammars []struct {
				Language, ScopeName, Path string
			}
		}
		Dependencies map[string]string
	}
	readJSON(t, "package.json", &pkg)
	require.Len(t, pkg.Contributes.Languages, 1)
	lang0 := pkg.Contributes.Languages[0]
	assert.Equal(t, "wf", lang0.ID)
	assert.Equal(t, []string{".wf"}, lang0.Extensions)
	assert.Contains(t, pkg.Dependencies, "vscode-languageclient")
	assert.Contains(t, pkg.Scripts, "build")
	assert.Contains(t, pkg.Scripts["build"], "extension.js")
	assert.Equal(t, "./out/extension.js", pkg.Main)
	ext, err := os.ReadFile(filepath.Join(vscodeDir, "extension.js"))
	require.NoError(t, err)
	assert.Contains(t, string(ext), "'lsp'", "the client starts `wf lsp`")

	var conf struct {
		Comments struct{ LineComment string }
		Brackets [][]string
	}
	readJSON(t, strings.TrimPrefix(lang0.Configuration, "./"), &conf)
	assert.Equal(t, "#", conf.Comments.LineComment)
	assert.ElementsMatch(t, [][]string{{"{", "}"}, {"[", "]"}, {"(", ")"}}, conf.Brackets)

	require.Len(t, pkg.Contributes.Grammars, 1)
	g := pkg.Contributes.Grammars[0]
	assert.Equal(t, "wf", g.Language)
	var grammar map[string]any
	raw := readJSON(t, strings.TrimPrefix(g.Path, "./"), &grammar)
	assert.Equal(t, g.ScopeName, grammar["scopeName"])
	checkGrammarRegexps(t, grammar)
	var launch, tasks map[string]any
	readJSON(t, ".vscode/launch.json", &launch)
	readJSON(t, ".vscode/tasks.json", &tasks)
	// Every reserved word is highlighted as one.
	for _, kw := range lang.Keywords() {
		assert.Regexp(t, `[(|]`+regexp.QuoteMeta(kw)+`[)|]`, string(raw), "keyword %s", kw)
	}
}

// checkGrammarRegexps compiles the grammar's patterns. TextMate uses
// Oniguruma; the patterns keep to what Go's RE2 also reads, apart from
// lookaheads, which are removed before compiling.
func checkGrammarRegexps(t *testing.T, v any) {
	t.Helper()
	lookahead := regexp.MustCompile(`\(\?[=!](?:\\.|[^()\\]|\([^()]*\))*\)`)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && (k == "match" || k == "begin" || k == "end") {
				_, err := regexp.Compile(lookahead.ReplaceAllString(s, ""))
				assert.NoError(t, err, "%s %q", k, s)
			}
			checkGrammarRegexps(t, x)
		}
	case []any:
		for _, x := range v {
			checkGrammarRegexps(t, x)
		}
	}
}

// codeBlocks returns the fenced code blocks of a Markdown file with the
// given info string.
func codeBlocks(t *testing.T, path, info string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	for _, part := range strings.Split(string(b), "```"+info+"\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		require.True(t, ok, "unclosed block in %s", path)
		out = append(out, block)
	}
	return out
}

// TestEditorsDocMatchesExtension checks the commands and settings
// docs/editors.md names against the extension.
func TestEditorsDocMatchesExtension(t *testing.T) {
	var pkg struct {
		Scripts     map[string]string
		Contributes struct {
			Configuration struct{ Properties map[string]any }
			Commands      []struct{ Title string }
		}
	}
	readJSON(t, "package.json", &pkg)
	doc, err := os.ReadFile("../docs/editors.md")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`npm run (\w+)`).FindAllStringSubmatch(string(doc), -1) {
		assert.Contains(t, pkg.Scripts, m[1], "npm run %s", m[1])
	}
	for _, m := range regexp.MustCompile("\\| `(wf\\.[a-z.A-Z]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		assert.Contains(t, pkg.Contributes.Configuration.Properties, m[1])
	}
	require.NotEmpty(t, pkg.Contributes.Commands)
	for _, c := range pkg.Contributes.Commands {
		assert.Contains(t, string(doc), c.Title)
	}
	blocks := codeBlocks(t, "../docs/editors.md", "lua")
	require.Len(t, blocks, 4)
	for _, i := range []int{0, 1, 3} { // 2 is the code lens handler
		assert.Contains(t, blocks[i], `"wf", "lsp"`)
	}
	assert.Contains(t, blocks[2], RunCommand)
	assert.Contains(t, blocks[2], RunTestCommand)
}
