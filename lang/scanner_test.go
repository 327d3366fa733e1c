package lang

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sameTokens lexes src with the scanner and with participle's stateful
// lexer over lexRules, and requires the same tokens.
func sameTokens(t testing.TB, name, src string) {
	want, err := theLexer().tokenizeRules(name, src)
	require.NoError(t, err)
	sc := newScanner(src)
	for i, w := range want {
		got := theLexer().lexerToken(sc.Next(), src, name)
		if got != w {
			t.Fatalf("%s: token %d: scanner gives %v %q at %v, the rules give %v %q at %v",
				name, i, got.Type, got.Value, got.Pos, w.Type, w.Value, w.Pos)
		}
	}
}

func TestScannerMatchesRules(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*/*.wf", "testdata/*/*.input", "../examples/*.wf", "../interp/testdata/*/*.wf"} {
		m, err := filepath.Glob(pat)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		sameTokens(t, f, string(src))
	}
	for _, src := range []string{
		"", "x", "15m 15min 1h30m 2ms5 2mx 5ms 1w 1w2d 3.5 1e5 1e 1.e5 1_000.0_1 7d", `"a\u00e9\u{1F600}\u12\q\` + "\n", `"$ ${ {a: {b: 1}} } $"`,
		`"""raw`, `"""a"""b"""`, "\xff\xfe é # comment\n", `"unterminated`, "a?.b ?? c -> d != e >= f", "\\", `"\`,
		"1.x 1ex 1E- 1e+5 1msx 1m5s 2w3d 2d3w 1h30 1hx 3workflow 2h} 15m 7d) 1.5s 1_0h 0x10 1e5s 10ms5",
	} {
		sameTokens(t, "inline", src)
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range []string{"workflow w { let x = \"a${b}c\" }", "1h30m", `"\u{41}"`, "\"\"\"x", "${{}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		sameTokens(t, "fuzz", src)
	})
}

func TestDeclCuts(t *testing.T) {
	src := "# lead\nworkflow a {\n  log \"${ \"x\" }\"\n}\n\nfn f() {\n  return 1\n}\njs fn g() \"\"\"1\"\"\"\nconst C = 1\n"
	cuts := DeclCuts(src)
	require.Equal(t, []int{0, strings.Index(src, "fn f"), strings.Index(src, "js fn"), strings.Index(src, "const")}, cuts)
	// A declaration word inside a raw string is never a cut.
	src = "workflow a {\n  log \"\"\"\nworkflow b {}\n\"\"\"\n}\n"
	require.Equal(t, []int{0}, DeclCuts(src))
	// A string, and a ${…} inside it, end at the end of their line.
	src = "workflow a {\n  log \"${\nworkflow b {}\n}\"\n}\n"
	require.Equal(t, []int{0, strings.Index(src, "workflow b")}, DeclCuts(src))
}

// NumberLen, which the language server's scanner uses, is the length of
// the first token the lexer's rules give for a number or duration, and 0
// for anything else.
func TestNumberLenIsTheRulesToken(t *testing.T) {
	for _, src := range []string{"1", "1_000.5e-3x", "1h30", "1h30m)", "2w3d", "2d3w", "1msx", "1.x", "0x10", "7d}"} {
		toks, err := theLexer().tokenizeRules("inline", src)
		require.NoError(t, err)
		require.NotEmpty(t, toks)
		require.Equal(t, len(toks[0].Value), NumberLen(src), "%q", src)
	}
	for _, src := range []string{"", "x1", " 1", ".5", "_1"} {
		require.Zero(t, NumberLen(src), "%q", src)
	}
}
