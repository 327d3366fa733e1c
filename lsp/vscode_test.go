package lsp

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// expandSnippet fills a VS Code snippet body with its placeholders'
// default text, as accepting every default gives: ${1:text} is text, a
// later $1 repeats it, $0 is empty, a backslash escapes $, } and itself.
func expandSnippet(t *testing.T, body string) string {
	t.Helper()
	values := map[string]string{}
	var parse func(i int, inner bool) (string, int)
	parse = func(i int, inner bool) (string, int) {
		var b strings.Builder
		for i < len(body) {
			c := body[i]
			switch {
			case c == '\\' && i+1 < len(body):
				b.WriteByte(body[i+1])
				i += 2
			case c == '}' && inner:
				return b.String(), i + 1
			case c == '$' && i+1 < len(body) && body[i+1] == '{':
				j := i + 2
				for j < len(body) && body[j] >= '0' && body[j] <= '9' {
					j++
				}
				require.True(t, j < len(body) && (body[j] == ':' || body[j] == '}'), "placeholder at %d", i)
				n := body[i+2 : j]
				text, next := "", j+1
				if body[j] == ':' {
					text, next = parse(j+1, true)
				}
				values[n] = text
				b.WriteString(text)
				i = next
			case c == '$' && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9':
				j := i + 1
				for j < len(body) && body[j] >= '0' && body[j] <= '9' {
					j++
				}
				b.WriteString(values[body[i+1:j]])
				i = j
			default:
				b.WriteByte(c)
				i++
			}
		}
		require.False(t, inner, "an unclosed placeholder")
		return b.String(), i
	}
	out, _ := parse(0, false)
	return out
}

// Every snippet, with its defaults accepted, is WF that checks: a
// declaration on its own, a statement in a workflow body.
func TestVSCodeSnippetsCheck(t *testing.T) {
	var snippets map[string]struct {
		Prefix string
		Body   []string
	}
	readJSON(t, "snippets/wf.json", &snippets)
	require.NotEmpty(t, snippets)
	for name, sn := range snippets {
		t.Run(name, func(t *testing.T) {
			code := expandSnippet(t, strings.Join(sn.Body, "\n"))
			src := code + "\n"
			first := strings.Fields(code)[0]
			if first != "workflow" && first != "fn" && first != "const" && first != "js" && first != "#" {
				src = "workflow snippet {\n  on event \"inquiry.completed\"\n\n  " + strings.ReplaceAll(code, "\n", "\n  ") + "\n}\n"
			}
			f, diags := lang.Parse("s.wf", []byte(src))
			_, cdiags := lang.Check([]*lang.File{f}, stdlib.Default())
			diags = append(diags, cdiags...)
			assert.False(t, diags.HasErrors(), "%s:\n%s\n%v", name, src, diags)
		})
	}
}

// The commands the extension contributes are the ones it registers, and
// the code lenses' commands are among them.
func TestVSCodeCommandsAreRegistered(t *testing.T) {
	var pkg struct {
		Contributes struct {
			Commands []struct{ Command string }
		}
	}
	readJSON(t, "package.json", &pkg)
	ext, err := os.ReadFile(filepath.Join(vscodeDir, "extension.js"))
	require.NoError(t, err)
	var registered []string
	for _, m := range regexp.MustCompile(`registerCommand\('([^']+)'`).FindAllStringSubmatch(string(ext), -1) {
		registered = append(registered, m[1])
	}
	var contributed []string
	for _, c := range pkg.Contributes.Commands {
		contributed = append(contributed, c.Command)
	}
	assert.ElementsMatch(t, contributed, registered)
	assert.Contains(t, registered, RunCommand)
	assert.Contains(t, registered, RunTestCommand)
}

// The $wf problem matcher reads the lines wf check prints.
func TestVSCodeProblemMatcher(t *testing.T) {
	var pkg struct {
		Contributes struct {
			ProblemMatchers []struct {
				Name    string
				Pattern struct {
					Regexp                                      string
					File, Line, Column, Severity, Message, Code int
				}
			}
		}
	}
	readJSON(t, "package.json", &pkg)
	require.Len(t, pkg.Contributes.ProblemMatchers, 1)
	pm := pkg.Contributes.ProblemMatchers[0]
	assert.Equal(t, "wf", pm.Name)
	re := regexp.MustCompile(pm.Pattern.Regexp)

	src := "workflow w {\n  on event \"inquiry.complete\"\n\n  log \"😀\" + birthdat\n}\n"
	f, diags := lang.Parse("flows/a b.wf", []byte(src))
	_, cdiags := lang.Check([]*lang.File{f}, stdlib.Default())
	diags = append(diags, cdiags...)
	diags.Normalize()
	var out strings.Builder
	(&termdiag.Renderer{Source: func(string) []byte { return []byte(src) }}).RenderAll(&out, diags)
	var got []string
	for _, line := range strings.Split(out.String(), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		got = append(got, strings.Join([]string{m[pm.Pattern.File], m[pm.Pattern.Line], m[pm.Pattern.Column],
			m[pm.Pattern.Severity], m[pm.Pattern.Message], m[pm.Pattern.Code]}, "|"))
	}
	assert.Equal(t, []string{
		`flows/a b.wf|2|12|warning|unknown event "inquiry.complete"|event`,
		`flows/a b.wf|4|13|error|undefined name birthdat|undefined`, // columns count characters
	}, got)
}

// The packaged extension (.ci/run builds it when npm is installed) holds
// the bundled client, the grammar, the snippets and this package.json.
func TestVSCodePackage(t *testing.T) {
	vsix := filepath.Join(vscodeDir, "wf-lang.vsix")
	if _, err := os.Stat(vsix); err != nil {
		t.Skip("no wf-lang.vsix: .ci/run packages the extension when npm is installed (npm run package)")
	}
	zr, err := zip.OpenReader(vsix)
	require.NoError(t, err)
	defer zr.Close()
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	for _, name := range []string{"extension/out/extension.js", "extension/package.json", "extension/snippets/wf.json",
		"extension/syntaxes/wf.tmLanguage.json", "extension/language-configuration.json"} {
		assert.Contains(t, files, name)
	}
	for name := range files {
		assert.False(t, strings.Contains(name, "node_modules") || strings.Contains(name, ".npm-cache"), "%s is packaged", name)
	}
	rc, err := files["extension/package.json"].Open()
	require.NoError(t, err)
	packaged, err := io.ReadAll(rc)
	require.NoError(t, err)
	var inZip, inRepo map[string]any
	require.NoError(t, json.Unmarshal(packaged, &inZip))
	readJSON(t, "package.json", &inRepo)
	assert.Equal(t, inRepo["contributes"], inZip["contributes"], "the .vsix is stale: npm run package")
}
