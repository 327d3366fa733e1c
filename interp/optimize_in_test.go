package interp_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
)

// letters is a handle holding the letters of a string: a string is in it
// when it is one of them; looking up anything but a string or null is an
// error, as a List of one kind refuses a value of another type.
type letters struct {
	set     string
	strings *atomic.Int64 // ContainsString calls
}

func (l *letters) TypeName() string { return "Letters" }

func (l *letters) Contains(v interp.Value) (bool, error) {
	switch x := v.(type) {
	case string:
		return len(x) == 1 && strings.Contains(l.set, x), nil
	case nil:
		return false, nil
	}
	return false, interp.Errorf(interp.KindType, "letters hold strings, not %s", interp.TypeName(v))
}

func (l *letters) ContainsString(s string) bool {
	l.strings.Add(1)
	ok, _ := l.Contains(s)
	return ok
}

// inLibrary adds letters(s) (a handle) and number(s) (not a handle) to
// the test library.
func inLibrary(calls *atomic.Int64) *builtin.Library {
	return builtin.NewLibrary(core.Module(), testModule(), &builtin.Module{Name: "opt", Builtins: []*interp.Builtin{
		builtin.Pure("letters(s: string) -> handle", "A handle of the letters of s.", "",
			func(_ *interp.Thread, a *interp.Args) (interp.Value, error) {
				s, err := a.String(0)
				return &letters{set: s, strings: calls}, err
			}),
		builtin.Pure("number(s: string) -> any", "A number, or the string s.", "",
			func(_ *interp.Thread, a *interp.Args) (interp.Value, error) {
				s, _ := a.String(0)
				if s == "" {
					return int64(3), nil
				}
				return s, nil
			}),
	}})
}

// x in f(…) for a library call: the same values and errors with the pass
// as without, and a string is handed to a StringContainer directly.
func TestOptimizeInCall(t *testing.T) {
	var calls atomic.Int64
	lib := inLibrary(&calls)
	exprs := []string{
		`t.a in letters("xyz")`, `t.a not in letters("xyz")`, `t.n.m in letters("xm")`, `"x" in letters(t.b)`,
		`t.a in number("xyz")`, `t.a in number("")`, `t.a in letters("xyz") and t.b == "y"`,
		`[t.a][0] in letters("x")`,
	}
	values := []interp.Value{nil, "x", "y", "m", "q", "", "xy", int64(1), 1.5, true, interp.NewMap(0)}
	var triggers []interp.Value
	for _, a := range values {
		m := interp.NewMap(3)
		m.Set("a", a)
		m.Set("b", "y")
		n := interp.NewMap(1)
		n.Set("m", a)
		m.Set("n", n)
		triggers = append(triggers, m)
	}
	triggers = append(triggers, nil, "not a map")
	for _, x := range exprs {
		src := "fn f(t) { return " + x + " }"
		on, diags := interp.NewEvaluator("opt.wf", src, "f", lib, interp.Options{})
		require.False(t, diags.HasErrors(), "%s: %v", src, diags.Err())
		off, diags := interp.NewEvaluator("opt.wf", src, "f", lib, interp.Options{NoOptimize: true})
		require.False(t, diags.HasErrors(), "%s: %v", src, diags.Err())
		for _, tr := range triggers {
			for range 2 {
				assert.Equal(t, result(off.Eval(tr)), result(on.Eval(tr)), "%s with t = %s", x, result(tr, nil))
			}
		}
	}

	var src = `fn f(t) { return t.a in letters("xyz") }`
	on, diags := interp.NewEvaluator("opt.wf", src, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors())
	tr := interp.NewMap(1)
	tr.Set("a", "y")
	calls.Store(0)
	v, err := on.Eval(tr)
	require.NoError(t, err)
	assert.Equal(t, true, v)
	assert.Equal(t, int64(1), calls.Load(), "the string went to ContainsString")
}
