package core

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// caseInputs cover ASCII, letters that change length when mapped (ſ, ı,
// K for Kelvin), letters without a case, and invalid UTF-8.
var caseInputs = []string{
	"", "jane doe", "Jane Doe", "JANE DOE", "jane", "Jane Do", "José Núñez", "JOSÉ", "İstanbul", "ǅ",
	"straße", "STRASSE", "ſ", "Kelvin", "ΣΑΣ", "日本", "a\xffb", "\xff", "A\x80", "\uFFFD", "x\u0130",
}

// mapsTo decides lower(s) == c and upper(s) == c exactly as comparing the
// built strings does.
func TestMapsToAgreesWithToLowerAndToUpper(t *testing.T) {
	cs := append([]string{}, caseInputs...)
	for _, s := range caseInputs {
		cs = append(cs, strings.ToLower(s), strings.ToUpper(s), strings.ToLower(s)+"x", strings.TrimSuffix(strings.ToLower(s), "e"))
	}
	for _, s := range caseInputs {
		for _, c := range cs {
			assert.Equal(t, strings.ToLower(s) == c, mapsTo(s, c, unicode.ToLower), "lower(%q) == %q", s, c)
			assert.Equal(t, strings.ToUpper(s) == c, mapsTo(s, c, unicode.ToUpper), "upper(%q) == %q", s, c)
		}
	}
}

// Through the interpreter, `lower(s) == "…"`, `"…" == s.lower()` and
// `s.upper() != "…"` take the short way for strings and allocate nothing,
// and a value of another type fails as the call does.
func TestCaseComparisonsInRules(t *testing.T) {
	consts := []string{"jane doe", "JANE DOE", "josé núñez", "JOSÉ", "straße", "STRASSE", "ſ", "s", "S", "ǆ", "Ǆ",
		"i̇stanbul", "İSTANBUL", "σας", "ΣΑΣ", "a�b", "�", "kelvin", "KELVIN", ""}
	var parts []string
	for _, c := range consts {
		parts = append(parts, `lower(s) == "`+c+`"`, `"`+c+`" == s.lower()`, `s.upper() != "`+c+`"`)
	}
	src := "fn f(s) { return [" + strings.Join(parts, ", ") + "] }\nfn g(s) { return lower(s) == \"jane doe\" }"
	lib := builtin.NewLibrary(Module())
	f, diags := interp.NewEvaluator("case.wf", src, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	for _, s := range caseInputs {
		v, err := f.Eval(s)
		require.NoError(t, err)
		var want []any
		for _, c := range consts {
			want = append(want, strings.ToLower(s) == c, strings.ToLower(s) == c, strings.ToUpper(s) != c)
		}
		assert.Equal(t, want, interp.ToGo(v), "%q", s)
	}
	g, diags := interp.NewEvaluator("case.wf", src, "g", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	var name interp.Value = "Jane Doe"
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = g.Eval(name) }))
	_, err := g.Eval(int64(3))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lower: s must be string, got int")
	_, err = g.Eval(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lower: s is null")
}
