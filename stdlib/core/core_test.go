package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// eval evaluates a WF expression with the core functions, json bound to
// parsed JSON so values reach the functions untyped, as fields do.
func eval(t *testing.T, expr string) (interp.Value, error) {
	t.Helper()
	src := "fn f() { return " + expr + " }"
	e, diags := interp.NewEvaluator("core.wf", src, "f", builtin.NewLibrary(Module()), interp.Options{})
	require.False(t, diags.HasErrors(), "%s: %v", expr, diags.Err())
	e.SetNow(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	return e.Eval()
}

// The conversions, splitting and joining, sorting and regexes on the
// inputs their docs name and on the edges: what each gives, and the error
// of each input it refuses (never a silent null).
func TestCoreFunctionsEdges(t *testing.T) {
	for _, c := range []struct {
		expr string
		want any // a Go value as interp.FromGo takes it
		err  string
	}{
		{expr: `int("17")`, want: 17},
		{expr: `int(" 42 ")`, want: 42},
		{expr: `int("1e3")`, want: 1000},
		{expr: `int(2.9)`, want: 2},
		{expr: `int(-2.9)`, want: -2},
		{expr: `int(true)`, want: 1},
		{expr: `int(false)`, want: 0},
		{expr: `int(json.parse("7"))`, want: 7},
		{expr: `int("2.5")`, err: `cannot read "2.5" as an int`},
		{expr: `int("x")`, err: `cannot read "x" as an int`},
		{expr: `int(1.0e19)`, err: `out of range for an int`},
		{expr: `int(json.parse("null"))`, err: `is null`},
		{expr: `int(json.parse("[1]"))`, err: `got list`},
		{expr: `float("0.75")`, want: 0.75},
		{expr: `float(" 2 ")`, want: 2.0},
		{expr: `float(3)`, want: 3.0},
		{expr: `float(1.5)`, want: 1.5},
		{expr: `float("1e400")`, err: `cannot read "1e400" as a number`},
		{expr: `float("NaN")`, err: `cannot read "NaN" as a number`},
		{expr: `float("")`, err: `cannot read "" as a number`},
		{expr: `split("a,b")`, want: []any{"a", "b"}},
		{expr: `split("a--b-", "-")`, want: []any{"a", "", "b", ""}},
		{expr: `split("", ",")`, want: []any{}},
		{expr: `split("a", "")`, err: `sep must not be empty`},
		{expr: `join(["a", "b"])`, want: "a,b"},
		{expr: `join([1, null, "x", [2]], "-")`, want: "1-null-x-[2]"},
		{expr: `join([], "-")`, want: ""},
		{expr: `sort([3, 1, 2])`, want: []any{1, 2, 3}},
		{expr: `sort(["b", "a"])`, want: []any{"a", "b"}},
		{expr: `sort([2h, 30m])`, want: []any{30 * time.Minute, 2 * time.Hour}},
		{expr: `sort([1, "a"])`, err: `cannot order string and int`},
		{expr: `[{n: 2}, {n: 1}, {n: 3}].sort_asc("n").collect("n")`, want: []any{1, 2, 3}},
		{expr: `[{n: 2}, {n: 1}, {n: 3}].sort_desc("n").collect("n")`, want: []any{3, 2, 1}},
		{expr: `[{n: 2}, {m: 1}, {n: 1}].sort_asc("n").collect("n")`, want: []any{1, 2, nil}},
		{expr: `[{n: 2}, {m: 1}, {n: 1}].sort_desc("n").collect("n")`, want: []any{2, 1, nil}},
		{expr: `[{n: 1}, 2].sort_asc("n")`, err: `elements must be maps, got int`},
		{expr: `regex_find("id: 12345", "[0-9]+")`, want: "12345"},
		{expr: `regex_find("no digits", "[0-9]+")`, want: nil},
		{expr: `regex_find("a", "(")`, err: `invalid regular expression`},
		{expr: `regex_replace("a1b22", "[0-9]+", "#")`, want: "a#b#"},
		{expr: `regex_replace("jane doe", "(\\w+) (\\w+)", "$2, $1")`, want: "doe, jane"},
		{expr: `regex_replace("a", "[", "")`, err: `invalid regular expression`},
	} {
		t.Run(c.expr, func(t *testing.T) {
			got, err := eval(t, c.expr)
			if c.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), c.err)
				return
			}
			require.NoError(t, err)
			assert.True(t, interp.Equal(interp.FromGo(c.want), got), "got %s", interp.ToString(got))
		})
	}
}
