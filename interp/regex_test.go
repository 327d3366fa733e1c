package interp

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testThread() *Thread { return (&Program{regexes: &regexCache{}}).scratchThread() }

var replaceCases = []struct{ pattern, repl string }{
	{`[^0-9]`, ``}, {`a*`, `-`}, {`x*`, `-`}, {``, `.`}, {`\b`, `|`}, {`\B`, `|`},
	{`^`, `>`}, {`$`, `<`}, {`(?m)^`, `>`}, {`(?m)$`, `<`}, {`^a`, `X`}, {`(?i)ab`, `[$0]`},
	{`(a)(b)?`, `$2$1`}, {`(?P<w>\w+)@(?P<d>\w+)`, `${d} at ${w}`}, {`é|e`, `E`}, {`.`, `$0$0`},
	{`(a|b)*c|.`, ``}, {`\s+`, ` `}, {`\pL+`, `<$0>`}, {`a|ab`, `#`}, {`\QX(\E`, `!`},
}

var replaceInputs = []string{
	"", "a", "abc", "ab ab\nab", "jane@example com@x", "+1 (555) 010", "ééeé", "a\xffb\xfe", "aaa bbb",
	"X(X(", "\nab\n", "abababc",
}

// The metered search gives exactly what regexp's ReplaceAllString gives.
func TestReplaceMeteredAgreesWithRegexp(t *testing.T) {
	th := testThread()
	for _, c := range replaceCases {
		r, err := CompileRegex(c.pattern)
		require.NoError(t, err, c.pattern)
		for _, in := range replaceInputs {
			got, err := th.replaceMetered(r, in, c.repl)
			require.NoError(t, err)
			assert.Equal(t, regexp.MustCompile(c.pattern).ReplaceAllString(in, c.repl), got, "%q in %q", c.pattern, in)
		}
	}
}

func FuzzReplaceMetered(f *testing.F) {
	for _, c := range replaceCases {
		for _, in := range replaceInputs[:4] {
			f.Add(c.pattern, in, c.repl)
		}
	}
	f.Fuzz(func(t *testing.T, pattern, in, repl string) {
		r, err := CompileRegex(pattern)
		if err != nil || len(in) > 1000 {
			return
		}
		got, err := testThread().replaceMetered(r, in, repl)
		if err != nil {
			return // a limit
		}
		if want := r.re.ReplaceAllString(in, repl); got != want {
			t.Fatalf("%q in %q with %q: got %q, want %q", pattern, in, repl, got, want)
		}
	})
}

// A pattern that looks to the end of the text from every match would make
// replacing quadratic (minutes on 128 KiB); the meter stops it at its
// bound, with a limit error.
func TestReplaceStopsAQuadraticPattern(t *testing.T) {
	th := testThread()
	r, err := CompileRegex(`(a|b)*c|.`)
	require.NoError(t, err)
	_, err = th.ReplaceRegex(r, strings.Repeat("ab", 64<<10), "")
	require.Error(t, err)
	re, ok := AsError(err)
	require.True(t, ok)
	assert.Equal(t, KindLimit, re.Kind)
	assert.Contains(t, re.Msg, "looks far ahead from every match")

	// The same pattern on a text with matches close together is fine.
	out, err := th.ReplaceRegex(r, strings.Repeat("abc", 40<<10), "")
	require.NoError(t, err)
	assert.Empty(t, out)
}

// One search is refused when the text times the pattern's size is over
// the bound, before it starts.
func TestSearchBound(t *testing.T) {
	th := testThread()
	r, err := CompileRegex(`(\w+\s*){1000}`)
	require.NoError(t, err)
	_, err = th.MatchRegex(r, strings.Repeat("word ", 1<<20))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is too long for this pattern")
}
