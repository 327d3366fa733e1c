package interp_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

const rules = `
fn r1(trigger, blocked) {
  return trigger.age < 18 and trigger.ip_address in blocked
}

fn r3(trigger) {
  when trigger.country == "DE" {
    return 0
  } else when trigger.age > 60 {
    return 1
  }
  return -1
}
`

func TestEvaluator(t *testing.T) {
	ev, diags := interp.NewEvaluator("rules.wf", rules, "r1", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	tr := interp.NewMap(2)
	tr.Set("age", int64(16))
	tr.Set("ip_address", "10.0.0.1")
	blocked := interp.NewList([]interp.Value{"10.0.0.1", "10.0.0.2"})
	v, err := ev.Eval(tr, blocked)
	require.NoError(t, err)
	assert.Equal(t, true, v)
	allocs := testing.AllocsPerRun(100, func() { _, _ = ev.Eval(tr, blocked) })
	assert.Zero(t, allocs, "a rule over existing values allocates nothing")

	ev3, diags := interp.NewEvaluator("rules.wf", rules, "r3", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors())
	tr.Set("country", "FR")
	v, err = ev3.Eval(tr)
	require.NoError(t, err)
	assert.Equal(t, int64(-1), v)
	_, err = ev3.Eval()
	assert.Error(t, err)
}

const pureCalls = `
fn f(s, xs) {
  return starts_with(s, "ab") and includes(xs, s) and has({a: 1}, "a") and len(xs) == 3
}

fn nested(s, xs) {
  return len(xs) * 100 + min(len(s), 7) * 10 + len(xs.filter(x -> starts_with(x, s)))
}

fn bad(x) {
  return starts_with(x, "a")
}
`

// Library calls reuse their argument records: a rule calling pure
// functions that build nothing allocates nothing, and nested calls (in
// arguments, in lambdas called by a function) each get their own record.
func TestEvaluatorCallsReuseArguments(t *testing.T) {
	lib := testLibrary()
	f, diags := interp.NewEvaluator("calls.wf", pureCalls, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	xs := interp.NewList([]interp.Value{"x", "abc", "y"})
	v, err := f.Eval("abc", xs)
	require.NoError(t, err)
	assert.Equal(t, true, v)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = f.Eval("abc", xs) }))

	nested, diags := interp.NewEvaluator("calls.wf", pureCalls, "nested", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	ys := interp.NewList([]interp.Value{"ab1", "ab2", "x", "ab3", "y"})
	for range 3 {
		v, err = nested.Eval("ab", ys)
		require.NoError(t, err)
		assert.Equal(t, int64(5*100+2*10+3), v)
	}

	bad, diags := interp.NewEvaluator("calls.wf", pureCalls, "bad", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	for range 3 {
		_, err = bad.Eval(int64(1))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "starts_with: s must be string, got int")
		v, err = bad.Eval("abc")
		require.NoError(t, err, "a failed call hands its record back")
		assert.Equal(t, true, v)
	}
}

// A field read remembers where it found its key last; maps of other shapes,
// of every size, and maps without the key still read right.
func TestFieldReadsOnMapsOfManyShapes(t *testing.T) {
	ev, diags := interp.NewEvaluator("f.wf", `fn f(m) { return m.b ?? "none" }`, "f", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	mk := func(kv ...string) *interp.Map {
		m := interp.NewMap(len(kv) / 2)
		for i := 0; i < len(kv); i += 2 {
			m.Set(kv[i], kv[i+1])
		}
		return m
	}
	big := mk("k1", "1", "k2", "2", "k3", "3", "k4", "4", "k5", "5", "k6", "6", "k7", "7", "k8", "8", "b", "big", "k9", "9")
	cases := []struct {
		m    *interp.Map
		want string
	}{
		{mk("a", "1", "b", "2"), "2"},
		{mk("b", "first"), "first"},
		{mk("a", "1", "b", "2"), "2"},
		{mk("x", "1", "y", "2", "b", "third"), "third"},
		{mk("a", "1", "c", "b"), "none"},
		{interp.NewMap(0), "none"},
		{big, "big"},
		{mk("b", "again"), "again"},
		{big, "big"},
	}
	for i, c := range cases {
		v, err := ev.Eval(c.m)
		require.NoError(t, err)
		assert.Equal(t, c.want, v, "case %d", i)
	}
}

// Comparisons with a constant on either side give what Equal and Compare
// give, for every kind of value on the other side.
func TestComparisonsWithConstants(t *testing.T) {
	src := `fn f(x) {
  return [x == "a", "a" == x, x != "a", "a" != x, x == 1, 1 == x, x == null, null != x, x == 1.0]
}
fn lt(x) { return x < 18 }
fn ge(x) { return x >= 1.5 }`
	lib := testLibrary()
	f, diags := interp.NewEvaluator("c.wf", src, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	for _, c := range []struct {
		x    interp.Value
		want []any
	}{
		{"a", []any{true, true, false, false, false, false, false, true, false}},
		{"b", []any{false, false, true, true, false, false, false, true, false}},
		{int64(1), []any{false, false, true, true, true, true, false, true, true}},
		{1.0, []any{false, false, true, true, true, true, false, true, true}},
		{nil, []any{false, false, true, true, false, false, true, false, false}},
	} {
		v, err := f.Eval(c.x)
		require.NoError(t, err)
		assert.Equal(t, c.want, interp.ToGo(v), "x = %v", c.x)
	}
	lt, diags := interp.NewEvaluator("c.wf", src, "lt", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	ge, _ := interp.NewEvaluator("c.wf", src, "ge", lib, interp.Options{})
	for _, c := range []struct {
		x      interp.Value
		lt, ge bool
	}{{int64(17), true, true}, {int64(18), false, true}, {17.5, true, true}, {1.0, true, false}} {
		v, err := lt.Eval(c.x)
		require.NoError(t, err)
		assert.Equal(t, c.lt, v, "%v < 18", c.x)
		v, err = ge.Eval(c.x)
		require.NoError(t, err)
		assert.Equal(t, c.ge, v, "%v >= 1.5", c.x)
	}
	_, err := lt.Eval(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot compare null with int: x is null")
	_, err = lt.Eval("17")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot compare string with int")
}

// An interpolation renders every part, of any kind and number, and stops
// at the run's string limit.
func TestInterpolation(t *testing.T) {
	ev, diags := interp.NewEvaluator("i.wf", `fn f(a, b) { return "<${a}|${b}|${a}-${b}-${a}>" }`, "f", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	for _, c := range []struct {
		a, b interp.Value
		want string
	}{
		{"x", int64(7), "<x|7|x-7-x>"},
		{nil, 1.5, "<null|1.5|null-1.5-null>"},
		{interp.NewList([]interp.Value{"a"}), true, `<["a"]|true|["a"]-true-["a"]>`},
		{"", "", "<||-->"},
	} {
		v, err := ev.Eval(c.a, c.b)
		require.NoError(t, err)
		assert.Equal(t, c.want, v)
	}

	p := load(t, "limit.wf", []byte("workflow w {\n  on manual(s: string)\n\n  output {v: \"${s}${s}!\"}\n}"))
	for _, c := range []struct {
		s  string
		ok bool
	}{{"abcd", true}, {"abcde", false}} {
		in := interp.NewMap(1)
		in.Set("s", c.s)
		res := p.Run(context.Background(), interp.RunRequest{Workflow: "w", Trigger: in, Host: &interp.MemHost{},
			Limits: &interp.Limits{MaxStatements: 100, MaxIterations: 10, MaxCallDepth: 10, MaxItems: 10, MaxString: 9}})
		if c.ok {
			require.Nil(t, res.Err, "%v", res.Err)
			assert.Equal(t, c.s+c.s+"!", interp.ToGo(res.Outputs).(map[string]any)["v"])
			continue
		}
		require.NotNil(t, res.Err)
		assert.Contains(t, res.Err.Msg, "(the limit is 9)")
	}
}

// m.k == "s" reads and compares in one step with the same results as a
// read then a comparison: any type, a missing key, and the errors of
// reading a field of null or of a non-map.
func TestFieldEqualsString(t *testing.T) {
	ev, diags := interp.NewEvaluator("f.wf", `fn f(m) { return [m.k == "US", "US" != m.k, m?.k == "US"] }`, "f", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	with := func(v interp.Value) *interp.Map {
		m := interp.NewMap(2)
		m.Set("a", "US")
		m.Set("k", v)
		return m
	}
	for _, c := range []struct {
		m    interp.Value
		want []any
	}{
		{with("US"), []any{true, false, true}},
		{with("us"), []any{false, true, false}},
		{with(int64(1)), []any{false, true, false}},
		{with(nil), []any{false, true, false}},
		{interp.NewMap(0), []any{false, true, false}},
		{with("US"), []any{true, false, true}},
	} {
		v, err := ev.Eval(c.m)
		require.NoError(t, err)
		assert.Equal(t, c.want, interp.ToGo(v))
	}
	_, err := ev.Eval(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot read field k of null: m is null")
	_, err = ev.Eval("text")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot read field k of string")
}

// m.k < 18 reads and compares in one step with the same results and errors
// as a read then a comparison.
func TestFieldComparedWithConstant(t *testing.T) {
	lib := testLibrary()
	ev, diags := interp.NewEvaluator("f.wf", `fn f(m) { return [m.k < 18, m.k >= 17.5, m.k > 100] }`, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	with := func(v interp.Value) *interp.Map {
		m := interp.NewMap(2)
		m.Set("a", int64(1))
		m.Set("k", v)
		return m
	}
	for _, c := range []struct {
		k    interp.Value
		want []any
	}{
		{int64(16), []any{true, false, false}},
		{int64(18), []any{false, true, false}},
		{17.5, []any{true, true, false}},
		{int64(101), []any{false, true, true}},
	} {
		v, err := ev.Eval(with(c.k))
		require.NoError(t, err)
		assert.Equal(t, c.want, interp.ToGo(v), "k = %v", c.k)
	}
	for _, c := range []struct {
		m    interp.Value
		want string
	}{
		{interp.NewMap(0), "cannot compare null with int: m.k is null"},
		{with("16"), "cannot compare string with int"},
		{nil, "cannot read field k of null: m is null"},
		{int64(3), "cannot read field k of int"},
	} {
		_, err := ev.Eval(c.m)
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.want)
	}
	str, diags := interp.NewEvaluator("f.wf", `fn f(m) { return m.k < "b" }`, "f", lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	v, err := str.Eval(with("a"))
	require.NoError(t, err)
	assert.Equal(t, true, v)
}

func TestEvaluatorClock(t *testing.T) {
	ev, diags := interp.NewEvaluator("age.wf", "fn age(b) {\n  return years_since(date(b))\n}\n", "age", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors())
	ev.SetNow(epoch)
	v, err := ev.Eval("2000-03-02")
	require.NoError(t, err)
	assert.Equal(t, int64(25), v, "now() is the evaluator's time")
}

// TestLongExpressionTextIsCutBetweenCharacters: an error names the
// expression by its text, cut to 60 bytes; the cut never splits a
// character (it used to cut at byte 57 wherever that fell).
func TestLongExpressionTextIsCutBetweenCharacters(t *testing.T) {
	key := strings.Repeat("a", 53) + "ééé" // é straddles byte 57 of m["…"]
	src := "fn f(m) {\n  return m[\"" + key + "\"].b\n}\n"
	ev, diags := interp.NewEvaluator("long.wf", src, "f", testLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	_, err := ev.Eval(interp.NewMap(0))
	require.Error(t, err)
	assert.True(t, utf8.ValidString(err.Error()), "%q", err.Error())
	assert.Contains(t, err.Error(), "of null: m[\""+strings.Repeat("a", 53)+"...")
}

// TestNullArgumentIsNamedByItsExpression: a library function given null
// where it needs a value names the argument as the script wrote it (the
// field that is missing), not the function's parameter.
func TestNullArgumentIsNamedByItsExpression(t *testing.T) {
	src := "fn age(t) {\n  return years_since(date(t.fields.birthdat))\n}\n\nfn shout(t) {\n  return t.name.upper()\n}\n"
	tr := interp.NewMap(1)
	tr.Set("fields", interp.NewMap(0))
	for name, want := range map[string]string{"age": "date: t.fields.birthdat is null", "shout": "upper: t.name is null"} {
		ev, diags := interp.NewEvaluator("null.wf", src, name, testLibrary(), interp.Options{})
		require.False(t, diags.HasErrors(), "%v", diags.Err())
		_, err := ev.Eval(tr)
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
	}
}

const budgeted = `
fn one(xs) {
  return len(xs.filter(x -> true))
}

fn two(xs) {
  let n = len(xs.filter(x -> true))
  return n
}
`

// Every evaluation gets the whole statement budget and counts exactly as a
// run does: the body's statements and each lambda call. A body that is one
// return statement is evaluated without the block around it and counts the
// same.
func TestEvaluatorStatementBudget(t *testing.T) {
	items := func(n int) interp.Value {
		xs := make([]interp.Value, n)
		for i := range xs {
			xs[i] = int64(i)
		}
		return interp.NewList(xs)
	}
	for fn, statements := range map[string]int{"one": 1, "two": 2} {
		ev, diags := interp.NewEvaluator("budget.wf", budgeted, fn, testLibrary(), interp.Options{})
		require.False(t, diags.HasErrors(), "%v", diags.Err())
		l := interp.DefaultLimits
		l.MaxStatements = 100
		ev.SetLimits(l)
		fits := 100 - statements // lambda calls that fit beside the body's statements
		for range 2 {
			v, err := ev.Eval(items(fits))
			require.NoError(t, err, fn)
			assert.Equal(t, int64(fits), v)
			_, err = ev.Eval(items(fits + 1))
			require.Error(t, err, fn)
			assert.Contains(t, err.Error(), "100", fn)
		}
		l.MaxStatements = 0
		ev.SetLimits(l)
		_, err := ev.Eval(items(0))
		require.Error(t, err, "%s: a budget of no statements refuses the first", fn)
	}
}
