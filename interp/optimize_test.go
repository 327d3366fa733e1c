package interp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// The optimization pass must not change what a program does: these tests
// run programs with it and without it (Options.NoOptimize) and compare
// every value and every error.

// optExprs are expressions of t (a map, or not) that the pass rewrites:
// comparisons with constants, of fields and of anything else, and strings
// built only to be compared.
var optExprs = []string{
	`t.a == "x"`, `t.a != "x"`, `"x" == t.a`, `t.a == 1`, `t.a != 1.5`, `t.a == null`, `t.a == true`, `1 == t.a`,
	`t.a < 18`, `t.a <= 18`, `t.a > 1.5`, `t.a >= "m"`, `t.a < null`,
	`t.n.m == "x"`, `t.n.m < 3`, `t.n.m != 2.5`, `[t.a][0] == "x"`, `[t.a][0] > 1`,
	`lower(t.a) == "jane doe"`, `upper(t.a) != "JANE DOE"`, `trim(t.a) == "x"`, `t.a.lower() == "x"`,
	`lower("${t.a} ${t.b}") == "jane doe"`, `"${t.a}-${t.b}" == "x-y"`, `"${t.a}" != "null"`,
	`t.a + t.b == "xy"`, `t.a + t.b == 3`, `t.a + " " + t.b == "x y"`, `lower(t.a + t.b) == "xy"`,
	`lower(lower(t.a)) == "x"`, `lower("${lower(t.a) == "x"}") == "true"`, `upper("${t.a}") == "${t.b}"`,
	`t.a < 18 and t.b == "y"`, `t.a == "x" or t.b != "y"`, `not (t.a == "x")`,
}

// optValues are values of t.a, t.b and t.n.m.
var optValues = []interp.Value{nil, "x", "X", "y", "Jane Doe", "JANE DOE", " x ", "m", "José Núñez", "ſ", "a\xffb", "",
	int64(1), int64(3), int64(18), int64(20), 1.5, 2.5, true, false}

func optEvaluators(t *testing.T, src string) (on, off *interp.Evaluator) {
	t.Helper()
	var diags lang.Diagnostics
	on, diags = interp.NewEvaluator("opt.wf", src, "f", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%s: %v", src, diags.Err())
	off, diags = interp.NewEvaluator("opt.wf", src, "f", testLibrary(), interp.Options{NoOptimize: true})
	require.False(t, diags.HasErrors(), "%s: %v", src, diags.Err())
	return on, off
}

func result(v interp.Value, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%#v", interp.ToGo(v))
}

func TestOptimizeKeepsValuesAndErrors(t *testing.T) {
	triggers := []interp.Value{nil, "not a map", int64(7), interp.NewMap(0)}
	for _, a := range optValues {
		for _, b := range []interp.Value{"y", nil, int64(2), "Doe"} {
			m := interp.NewMap(3)
			if a != nil {
				m.Set("a", a)
			}
			m.Set("b", b)
			n := interp.NewMap(1)
			n.Set("m", a)
			m.Set("n", n)
			triggers = append(triggers, m)
		}
	}
	for _, x := range optExprs {
		on, off := optEvaluators(t, "fn f(t) { return "+x+" }")
		for _, tr := range triggers {
			for range 2 { // twice: the field reads' position hints are warm the second time
				want := result(off.Eval(tr))
				assert.Equal(t, want, result(on.Eval(tr)), "%s with t = %s", x, result(tr, nil))
			}
		}
	}
}

// A subexpression is evaluated once, also when a fast path does not apply
// and the generic code finishes: uuid() draws from the run's random
// numbers, so a second evaluation would change the next uuid().
func TestOptimizeEvaluatesOnce(t *testing.T) {
	for _, x := range []string{
		`"${uuid()}" == "x"`, `lower(uuid()) == "x"`, `uuid() + str(t) == "x"`, `lower(str(random())) == 1`,
		`[uuid(), random()][1] < 0.5`, `[uuid()][0] == 3`, `"${random()}" + uuid() == "x"`, `[random(), 1][1] + [uuid(), 2][1] == "3"`,
	} {
		on, off := optEvaluators(t, "fn f(t) {\n  let first = try_eval(t)\n  return [first, uuid()]\n}\n"+
			"fn try_eval(t) {\n  return "+x+"\n}")
		assert.Equal(t, result(off.Eval(nil)), result(on.Eval(nil)), x)
	}
}

// Every semantics workflow runs the same with the pass as without it.
func TestOptimizeKeepsSemantics(t *testing.T) {
	files, err := filepath.Glob("testdata/semantics/*.wf")
	require.NoError(t, err)
	for _, path := range files {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		f, diags := lang.Parse(path, src)
		checked, cd := lang.Check([]*lang.File{f}, testLibrary())
		require.False(t, append(diags, cd...).HasErrors())
		on, d1 := interp.Compile(checked, testLibrary(), interp.Options{})
		off, d2 := interp.Compile(checked, testLibrary(), interp.Options{NoOptimize: true})
		require.False(t, d1.HasErrors() || d2.HasErrors())
		for _, d := range f.Decls {
			w, ok := d.(*lang.WorkflowDecl)
			if !ok {
				continue
			}
			r1, h1 := run(on, w.Name.Name, interp.NewMap(0))
			r2, h2 := run(off, w.Name.Name, interp.NewMap(0))
			assert.Equal(t, r2.Status, r1.Status, w.Name.Name)
			assert.Equal(t, fmt.Sprint(r2.Outputs, r2.Err), fmt.Sprint(r1.Outputs, r1.Err), w.Name.Name)
			assert.Equal(t, h2.Logs, h1.Logs, w.Name.Name)
			assert.Equal(t, h2.Steps, h1.Steps, w.Name.Name)
		}
	}
}

// A string built only to be compared is built in the thread's buffer: no
// allocation, also for an interpolation, a concatenation and nested calls.
func TestRenderedComparisonsAllocateNothing(t *testing.T) {
	tr := interp.NewMap(2)
	tr.Set("a", "Jane")
	tr.Set("b", "Doe")
	for _, x := range []string{
		`lower("${t.a} ${t.b}") == "jane doe"`, `t.a + " " + t.b == "Jane Doe"`, `upper(trim(t.a)) != "JANE"`,
		`"${t.a}/${t.b}" == "x"`,
	} {
		on, _ := optEvaluators(t, "fn f(t) { return "+x+" }")
		var arg interp.Value = tr
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = on.Eval(arg) }), x)
	}
	long := strings.Repeat("x", 100_000) // past the buffer the thread keeps
	on, off := optEvaluators(t, `fn f(t) { return lower("${t}${t}") == "x" }`)
	assert.Equal(t, result(off.Eval(long)), result(on.Eval(long)))
}
