package js

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run calls body as f(x) with arg and returns the result.
func run(t *testing.T, env Env, body string, arg any) (any, error) {
	t.Helper()
	p := mustCompile(t, "f", body, "x")
	return p.Call(context.Background(), env, []any{arg})
}

func TestConvertRoundTripsNestedValues(t *testing.T) {
	in := map[string]any{
		"s": "héllo", "i": int64(-7), "big": int64(9007199254740991), "f": 2.5, "t": true, "n": nil,
		"list": []any{int64(1), "two", []any{3.25, false}, map[string]any{"deep": []any{nil}}},
		"map":  map[string]any{"a": map[string]any{"b": map[string]any{"c": "d"}}},
		"none": []any{}, "empty": map[string]any{},
	}
	v, err := run(t, testEnv(NewSandbox(Options{})), "return x", in)
	require.NoError(t, err)
	assert.Equal(t, in, v)
}

func TestConvertScriptChangesACopy(t *testing.T) {
	in := map[string]any{"a": int64(1), "list": []any{int64(1)}, "m": map[string]any{"k": "v"}}
	body := "x.a = 99; x.list.push(2); x.m.k = 'changed'; delete x.m; x.added = true; return x"
	v, err := run(t, testEnv(NewSandbox(Options{})), body, in)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": int64(99), "list": []any{int64(1), int64(2)}, "added": true}, v)
	assert.Equal(t, map[string]any{"a": int64(1), "list": []any{int64(1)}, "m": map[string]any{"k": "v"}}, in)
}

func TestConvertNumbers(t *testing.T) {
	sb := NewSandbox(Options{})
	tests := []struct {
		expr string
		want any
	}{
		{"1.5", 1.5},
		{"3.0", int64(3)},
		{"-0", int64(0)},
		{"2 ** 53", int64(1 << 53)},
		{"1e21", 1e21},
		{"-(2 ** 63)", int64(math.MinInt64)},
		{"2 ** 63", float64(1 << 63)},
		{"0.1 + 0.2", 0.30000000000000004},
		{"5n", int64(5)},
		{"new Number(4)", int64(4)},
		{"x + 1", int64(1)},
	}
	for _, tt := range tests {
		v, err := run(t, testEnv(sb), "return "+tt.expr, 0)
		require.NoError(t, err, tt.expr)
		assert.Equal(t, tt.want, v, tt.expr)
	}
}

func TestConvertOtherResults(t *testing.T) {
	sb := NewSandbox(Options{})
	tests := []struct {
		expr string
		want any
	}{
		{"undefined", nil},
		{"null", nil},
		{"({a: undefined})", map[string]any{"a": nil}},
		{"[1, , 3]", []any{int64(1), nil, int64(3)}},
		{"new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))", "2024-01-02T03:04:05.006Z"},
		{"new Date(Date.UTC(2024, 0, 2))", "2024-01-02T00:00:00Z"},
		{"new String('s')", "s"},
		{"new Boolean(false)", false},
		{"({get g() { return 2 }})", map[string]any{"g": int64(2)}},
		{"new (class { constructor() { this.a = 1 } })()", map[string]any{"a": int64(1)}},
		{"(() => { const s = {v: 1}; return [s, s] })()", []any{map[string]any{"v": int64(1)}, map[string]any{"v": int64(1)}}},
		{"Object.create(null)", map[string]any{}},
		{"({[Symbol('k')]: 1, b: 2})", map[string]any{"b": int64(2)}},
	}
	for _, tt := range tests {
		v, err := run(t, testEnv(sb), "return "+tt.expr, 0)
		require.NoError(t, err, tt.expr)
		assert.Equal(t, tt.want, v, tt.expr)
	}
}

func TestConvertRefusesValuesWithoutWFForm(t *testing.T) {
	sb := NewSandbox(Options{})
	tests := []struct{ expr, msg string }{
		{"NaN", "f: result is NaN; results must be finite numbers"},
		{"({a: [1, 1 / 0]})", "f: result.a[1] is Infinity; results must be finite numbers"},
		{"({'a b': -1 / 0})", `f: result["a b"] is -Infinity; results must be finite numbers`},
		{"({cb: () => 1})", "f: result.cb is a function; results must be plain data"},
		{"[Symbol('x')]", "f: result[0] is a symbol; results must be plain data"},
		{"(() => { const o = {}; o.self = o; return o })()", "f: result.self refers back to an enclosing value (a cycle)"},
		{"new Map()", "f: result is a Map; return Object.fromEntries(map) instead"},
		{"new Set()", "f: result is a Set; return [...set] instead"},
		{"new Error('e')", "f: result is an Error; return its message instead"},
		{"/x/", "f: result is a RegExp; results must be plain data"},
		{"Promise.resolve(1)", "f: result is a Promise; results must be plain data"},
		{"new Date(NaN)", "f: result is an invalid Date"},
		{"2n ** 70n", "f: result is a BigInt too large for int64"},
	}
	for _, tt := range tests {
		_, err := run(t, testEnv(sb), "return "+tt.expr, 0)
		require.Error(t, err, tt.expr)
		assert.Equal(t, tt.msg, err.Error(), tt.expr)
		assert.ErrorIs(t, err, ErrValue, tt.expr)
	}
}

func TestConvertGetterThrowingWhileDecoding(t *testing.T) {
	_, err := run(t, testEnv(NewSandbox(Options{})), "return {\n  get g() { throw new Error('in getter') }\n}", 0)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "f: Error: in getter (js line 2)", e.Error())
}

func TestConvertInputKeysAreOwnPropertiesInSortedOrder(t *testing.T) {
	in := map[string]any{"b": int64(1), "a": int64(2), "c": int64(3), "__proto__": map[string]any{"polluted": true}}
	body := "return [Object.keys(x), x.polluted === undefined, Object.getPrototypeOf(x) === Object.prototype, x]"
	v, err := run(t, testEnv(NewSandbox(Options{})), body, in)
	require.NoError(t, err)
	got := v.([]any)
	assert.Equal(t, []any{"__proto__", "a", "b", "c"}, got[0])
	assert.Equal(t, true, got[1])
	assert.Equal(t, true, got[2])
	assert.Equal(t, in, got[3])
}

func TestConvertOrderedMaps(t *testing.T) {
	env := testEnv(NewSandbox(Options{}))
	env.OrderedMaps = true
	in := OrderedMap{{"z", int64(1)}, {"y", OrderedMap{{"q", int64(2)}, {"p", int64(3)}}}}
	v, err := run(t, env, "x.b = 1; x[10] = 2; x[2] = 3; return x", in)
	require.NoError(t, err)
	want := OrderedMap{{"2", int64(3)}, {"10", int64(2)}, {"z", int64(1)},
		{"y", OrderedMap{{"q", int64(2)}, {"p", int64(3)}}}, {"b", int64(1)}}
	assert.Equal(t, want, v)
	y, ok := v.(OrderedMap).Get("y")
	assert.True(t, ok)
	assert.Equal(t, OrderedMap{{"q", int64(2)}, {"p", int64(3)}}, y)
	_, ok = v.(OrderedMap).Get("nope")
	assert.False(t, ok)
}

func TestConvertInputLimits(t *testing.T) {
	sb := NewSandbox(Options{})
	env := testEnv(sb)
	env.MaxInputBytes = 64
	_, err := run(t, env, "return 1", strings.Repeat("x", 63))
	assert.EqualError(t, err, "f: input over the limit of 64 bytes")
	assert.ErrorIs(t, err, ErrLimit)
	_, err = run(t, env, "return 1", strings.Repeat("x", 62))
	assert.NoError(t, err)

	_, err = run(t, testEnv(sb), "return 1", map[string]any{"when": time.Time{}})
	assert.EqualError(t, err, "f: x.when is a time.Time; pass nil, bool, int64, float64, string, []any or map[string]any")
	assert.ErrorIs(t, err, ErrValue)

	var deep any = "leaf"
	for range MaxDepth + 1 {
		deep = []any{deep}
	}
	_, err = run(t, testEnv(sb), "return 1", deep)
	assert.ErrorIs(t, err, ErrLimit)
	assert.ErrorContains(t, err, "is nested more than 256 deep")

	_, err = run(t, testEnv(sb), "return 1", []any{int64(1 << 53)})
	assert.EqualError(t, err, "f: x[0] is 9007199254740992, beyond JavaScript's safe integers (±2^53-1); pass it as a string")
	assert.ErrorIs(t, err, ErrValue)

	v, err := run(t, testEnv(sb), "return x * 2", 21)
	require.NoError(t, err)
	assert.Equal(t, int64(42), v, "Go int is accepted")
}

func TestConvertOutputLimits(t *testing.T) {
	sb := NewSandbox(Options{})
	env := testEnv(sb)
	env.MaxOutputBytes = 100
	tests := []struct{ body, msg string }{
		{"return 'x'.repeat(200)", "f: result over the limit of 100 bytes"},
		{"return Array.from({length: 60}, () => 'ab')", "f: result over the limit of 100 bytes"},
		{"const a = []; a[1e9] = 1; return a", "f: result has 1000000001 elements, over the limit"},
	}
	for _, tt := range tests {
		_, err := run(t, env, tt.body, 0)
		assert.EqualError(t, err, tt.msg, tt.body)
		assert.ErrorIs(t, err, ErrLimit)
	}
	_, err := run(t, testEnv(sb), "let a = []; for (let i = 0; i < 300; i++) a = [a]; return a", 0)
	assert.ErrorIs(t, err, ErrLimit)
	assert.ErrorContains(t, err, "is nested more than 256 deep")
}
