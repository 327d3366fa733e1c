package core

import (
	"strings"
	"testing"

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

// The AppendString of lower, upper and trim append exactly what the
// functions return.
func TestAppendStringAgreesWithTheFunctions(t *testing.T) {
	lib := builtin.NewLibrary(Module())
	for name, f := range map[string]func(string) string{"lower": strings.ToLower, "upper": strings.ToUpper,
		"trim": strings.TrimSpace} {
		b := lib.Builtin(name)
		require.NotNil(t, b.AppendString, name)
		for _, s := range append(caseInputs, "  a b\t\n", " \u00a0x\u2003") {
			assert.Equal(t, "pre"+f(s), string(b.AppendString([]byte("pre"), s)), "%s(%q)", name, s)
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
