package lang

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Robustness: hostile input gets diagnostics with positions, never a panic,
// and the work done grows linearly with the input.

// requireValidPositions checks that every diagnostic points inside src.
func requireValidPositions(t testing.TB, src []byte, diags Diagnostics) {
	t.Helper()
	for _, d := range diags {
		s := d.Span
		require.True(t, s.Start.Line >= 1 && s.Start.Col >= 1, "position %v of %q is not 1-based", s.Start, d.Message)
		require.True(t, s.Start.Offset >= 0 && s.Start.Offset <= len(src), "offset %d of %q is outside the file (%d bytes)", s.Start.Offset, d.Message, len(src))
		require.True(t, s.End.Offset >= s.Start.Offset && s.End.Offset <= len(src), "span %v-%v of %q is not inside the file", s.Start, s.End, d.Message)
		require.Equal(t, s.Start, posAt(src, s.Start.Offset), "line and column of %q do not match its offset", d.Message)
	}
}

// posAt computes the position of a byte offset the slow way.
func posAt(src []byte, offset int) Pos {
	p := Pos{Line: 1, Col: 1}
	return advance(p, string(src[:offset]))
}

func TestHostileInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name string
		src  string
		want string // a substring of the first diagnostic
		line int    // the line of the first diagnostic
	}{
		{"binary garbage", string(garbage), "", 0},
		{"too large", "const A = 1\n" + strings.Repeat("#", 10<<20), "file is too large: 10.0 MB (the limit is 4.0 MB)", 1},
		{"nested parentheses", "const A = " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000), "nesting is too deep (the limit is 200 levels)", 1},
		{"nested when", "workflow w {\n  on manual()\n" + strings.Repeat("when true {\n", 10000) + strings.Repeat("}\n", 10000) + "}\n", "nesting is too deep", 2 + MaxNesting},
		{"nested interpolation", "const A = " + strings.Repeat(`"${`, 5000) + strings.Repeat(`}"`, 5000), "nesting is too deep", 1},
		{"nested lists and maps", "const A = " + strings.Repeat("[{a: ", 5000), "nesting is too deep", 1},
		{"nested lambdas", "const A = " + strings.Repeat("x -> ", 10000) + "1", "nesting is too deep", 1},
		{"run of runs", "const A = " + strings.Repeat("run ", 10000) + "f()", "nesting is too deep", 1},
		{"run of nots", "const A = " + strings.Repeat("not ", 10000) + "true", "nesting is too deep", 1},
		{"run of minuses", "const A = " + strings.Repeat("- ", 10000) + "1", "nesting is too deep", 1},
		{"unterminated string at EOF", "const A = \"abc", "string not terminated", 1},
		{"unterminated raw string at EOF", "const A = 1\nconst B = \"\"\"abc\n", "raw string not terminated", 2},
		{"unterminated js at EOF", "js fn f() \"\"\"\nreturn 1", "raw string not terminated", 1},
		{"invalid UTF-8 in code", "const A = 1 \xff", "unexpected character byte 0xff", 1},
		{"invalid UTF-8 in a string", "const A = \"a\xc3\"", "invalid UTF-8 byte 0xc3", 1},
		{"invalid UTF-8 in a comment", "# \xfe\nconst A = 1", "invalid UTF-8 byte 0xfe", 1},
		{"NUL bytes", "const A = 1\x00\x00", "unexpected character byte 0x00", 1},
		{"lone interpolation end", "const A = }", "expected expression", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			f, diags := Parse("hostile.wf", src)
			require.NotNil(t, f)
			require.NotEmpty(t, diags, "hostile input must be reported")
			require.True(t, diags.HasErrors())
			requireValidPositions(t, src, diags)
			if tt.want != "" {
				assert.Contains(t, diags[0].Message, tt.want)
				assert.Equal(t, tt.line, diags[0].Span.Start.Line)
			}
			_, cdiags := Check([]*File{f}, NewTable())
			requireValidPositions(t, src, cdiags)
		})
	}
}

// TestNestingAtTheLimit parses nesting just under the limit, so the limit
// rejects only what it must.
func TestNestingAtTheLimit(t *testing.T) {
	src := "const A = " + strings.Repeat("(", MaxNesting) + "1" + strings.Repeat(")", MaxNesting)
	_, diags := Parse("deep.wf", []byte(src))
	assert.NoError(t, diags.Err())
	src = "const A = " + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1)
	_, diags = Parse("deep.wf", []byte(src))
	assert.ErrorContains(t, diags.Err(), "nesting is too deep")
}

// TestGarbageNeverPanics feeds many short random inputs, byte soup and
// token soup, through Parse and Check.
func TestGarbageNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"workflow", "w", "{", "}", "(", ")", "[", "]", "on", "manual", "event", `"`, `"""`,
		"${", "let", "=", "when", "else", "parallel", "for", "in", "run", "with", "try", "catch", "wait",
		"->", ",", ":", ".", "?.", "??", "not", "and", "1", "2s", "\n", " ", "#", "fn", "js", "const", "return"}
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		n := rng.IntN(40)
		for j := 0; j < n; j++ {
			if i%2 == 0 {
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteByte(' ')
			} else {
				b.WriteByte(byte(rng.UintN(128)))
			}
		}
		src := []byte(b.String())
		f, diags := Parse("soup.wf", src)
		requireValidPositions(t, src, diags)
		_, cdiags := Check([]*File{f}, NewTable())
		requireValidPositions(t, src, cdiags)
	}
}

// Linear work: for each shape of input, the allocations of parsing and
// checking a 4n-sized input must stay within 6 times those of n (linear
// work gives about 4, quadratic 16). Allocations are counted, not timed,
// so the test does not depend on the machine's load.

type inputShape struct {
	name  string
	build func(n int) string
}

var inputShapes = []inputShape{
	{"many workflows", func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "workflow w%d {\n  on manual(x: int)\n  let y = x + %d\n  when y > 1 {\n    log \"big ${y}\"\n  }\n}\n", i, i)
		}
		return b.String()
	}},
	{"long workflow", func(n int) string {
		var b strings.Builder
		b.WriteString("workflow w {\n  on manual(x: int)\n")
		for i := range n {
			fmt.Fprintf(&b, "  let v%d = x * %d + len(\"s${x}\")\n  log v%d\n", i, i, i)
		}
		b.WriteString("}\n")
		return b.String()
	}},
	{"long expression", func(n int) string {
		return "const A = 1" + strings.Repeat(" + 1 * 2 ?? 3", n) + "\n"
	}},
	{"long list", func(n int) string {
		return "const A = [" + strings.Repeat("{a: \"x\", b: [1, 2]}, ", n) + "]\n"
	}},
	{"many interpolations", func(n int) string {
		return "const A = \"" + strings.Repeat("x ${1 + 2} y ${ {k: 1}.k } ", n) + "\"\n"
	}},
	{"many syntax errors", func(n int) string {
		return strings.Repeat("workflow w {\n  on manual()\n  let = 1\n}\nconst B = (1 2)\nlog x\n", n)
	}},
	{"many undefined names", func(n int) string {
		var b strings.Builder
		b.WriteString("workflow w {\n  on manual()\n")
		for i := range n {
			fmt.Fprintf(&b, "  let name_%d = 1\n  log nmae_%d\n", i, i)
		}
		b.WriteString("}\n")
		return b.String()
	}},
	{"nested blocks", func(n int) string {
		var b strings.Builder
		b.WriteString("workflow w {\n  on manual()\n")
		for range n {
			b.WriteString(strings.Repeat("when true {\n", 20) + "log 1\n" + strings.Repeat("}\n", 20))
		}
		b.WriteString("}\n")
		return b.String()
	}},
	{"long comment lines", func(n int) string {
		return strings.Repeat("# "+strings.Repeat("x", 100)+"\n", n) + "const A = 1\n"
	}},
	{"long string", func(n int) string {
		return "const A = \"" + strings.Repeat("abcdefgh\\n", n) + "\"\n"
	}},
}

func parseCheckAllocs(src []byte) float64 {
	return testing.AllocsPerRun(1, func() {
		f, _ := Parse("lin.wf", src)
		Check([]*File{f}, NewTable())
	})
}

func TestLinearWork(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counting takes a few seconds")
	}
	const n = 50
	for _, s := range inputShapes {
		t.Run(s.name, func(t *testing.T) {
			small := parseCheckAllocs([]byte(s.build(n)))
			large := parseCheckAllocs([]byte(s.build(4 * n)))
			require.Positive(t, small)
			ratio := large / small
			t.Logf("%s: %.0f allocs for n=%d, %.0f for 4n (ratio %.2f)", s.name, small, n, large, ratio)
			assert.Less(t, ratio, 6.0, "work grows faster than the input")
		})
	}
}

// TestPositionsAreCharacters checks columns count characters, not bytes.
func TestPositionsAreCharacters(t *testing.T) {
	src := []byte("const A = \"héllo wörld\" + nope\n")
	_, diags := Parse("u.wf", src)
	require.Empty(t, diags)
	f, _ := Parse("u.wf", src)
	_, diags = Check([]*File{f}, NewTable())
	require.NotEmpty(t, diags)
	d := diags[0]
	assert.Equal(t, 27, d.Span.Start.Col, "the column counts é and ö as one character each")
	assert.Equal(t, 28, d.Span.Start.Offset, "the offset counts bytes")
	assert.True(t, utf8.Valid(src))
}
