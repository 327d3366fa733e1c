package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

// The server's scanner is a second reading of WF's lexical rules (lang's
// lexer builds participle tokens it does not need). On every .wf file of
// the repository that parses, it must find what lang's parser found: the
// same comments, a name token where each name is, a number token spanning
// each number, and a string token where each string starts (a raw string
// spanning it whole).
func TestScannerAgreesWithLang(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*.wf", "../examples/*.wf", "../lang/testdata/*/*.wf", "../interp/testdata/*/*.wf"} {
		m, err := filepath.Glob(pat)
		require.NoError(t, err)
		files = append(files, m...)
	}
	checked := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		f, diags := lang.Parse(path, src)
		if diags.HasErrors() {
			continue
		}
		checked++
		toks := map[int]token{}
		var comments []string
		for _, tk := range scan(string(src), len(src)).toks {
			toks[tk.start] = tk
			if tk.kind == tkComment {
				comments = append(comments, fmt.Sprint(tk.start, "-", tk.end))
			}
		}
		var want []string
		for _, c := range f.Comments {
			want = append(want, fmt.Sprint(c.Sp.Start.Offset, "-", c.Sp.End.Offset))
		}
		assert.Equal(t, want, comments, "%s: comments", path)
		for _, d := range f.Decls {
			lang.Inspect(d, func(n lang.Node) bool {
				sp := n.Span()
				tk, ok := toks[sp.Start.Offset]
				at := fmt.Sprintf("%s:%d:%d", path, sp.Start.Line, sp.Start.Col)
				switch n := n.(type) {
				case *lang.Ident:
					assert.True(t, ok && tk.kind == tkIdent && tk.val == n.Name, "%s: name %s, scanned %+v", at, n.Name, tk)
				case *lang.IntLit, *lang.FloatLit, *lang.DurationLit:
					assert.True(t, ok && tk.kind == tkNumber && tk.end == sp.End.Offset, "%s: number, scanned %+v", at, tk)
				case *lang.StringLit:
					if n.Raw {
						assert.True(t, ok && tk.kind == tkRaw && tk.end == sp.End.Offset, "%s: raw string, scanned %+v", at, tk)
					} else {
						assert.True(t, ok && (tk.kind == tkString || tk.kind == tkStrStart), "%s: string, scanned %+v", at, tk)
					}
				}
				return true
			})
		}
	}
	assert.Greater(t, checked, 25, "files checked")
}
