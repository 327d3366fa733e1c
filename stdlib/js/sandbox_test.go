package js

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eval runs code on sb with x = 21 and fails the test on error.
func eval(t *testing.T, sb *Sandbox, code string) any {
	t.Helper()
	v, err := sb.Eval(context.Background(), testEnv(sb), code, map[string]any{"x": int64(21)})
	require.NoError(t, err, code)
	return v
}

// evalErr runs code on sb with x = 21 and returns the *Error it fails with.
func evalErr(t *testing.T, sb *Sandbox, env Env, code string) *Error {
	t.Helper()
	_, err := sb.Eval(context.Background(), env, code, map[string]any{"x": int64(21)})
	require.Error(t, err, code)
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

func TestSandboxHasNoHostAccess(t *testing.T) {
	sb := NewSandbox(Options{})
	names := []string{"require", "module", "exports", "process", "setTimeout", "setInterval",
		"setImmediate", "clearTimeout", "queueMicrotask", "console", "fetch", "XMLHttpRequest",
		"WebSocket", "load", "print", "eval", "GoError", "ArrayBuffer", "SharedArrayBuffer",
		"Uint8Array", "Float64Array", "DataView", "WeakRef", "FinalizationRegistry"}
	for _, n := range names {
		assert.Equal(t, "undefined", eval(t, sb, "typeof "+n), n)
	}
}

func TestSandboxDisablesDynamicCode(t *testing.T) {
	sb := NewSandbox(Options{})
	for _, code := range []string{
		`Function("return 1")()`,
		`new Function("return 1")()`,
		`(function () {}).constructor("return 1")()`,
		`Object.getPrototypeOf(function* () {}).constructor("yield 1")`,
		`Object.getPrototypeOf(async function () {}).constructor("return 1")`,
	} {
		e := evalErr(t, sb, testEnv(sb), code)
		assert.Contains(t, e.Error(), "constructor is disabled in the wf sandbox", code)
	}
	e := evalErr(t, sb, testEnv(sb), `eval("1")`)
	assert.Equal(t, "js.eval: ReferenceError: eval is not defined (js line 1)", e.Error())
	assert.Equal(t, true, eval(t, sb, `(() => 1) instanceof Function && typeof Function === "function"`))
}

// leakAttempts tries to change what the next call sees; it returns the
// names of the attempts that did not throw.
const leakAttempts = `
const attempts = {
	global: () => { globalThis.leak = 1 },
	implicitGlobal: () => { leak = 1 },
	defineGlobal: () => { Object.defineProperty(globalThis, "leak", {value: 1}) },
	arrayProto: () => { Array.prototype.leak = 1 },
	objectProto: () => { Object.prototype.leak = 1 },
	objectProtoSwap: () => { Object.setPrototypeOf(Object.prototype, {}) },
	mathMax: () => { Math.max = () => 42 },
	jsonParse: () => { JSON.parse = () => 42 },
	methodProp: () => { Array.prototype.map.leak = 1 },
	deleteMethod: () => { delete Array.prototype.map },
	errorName: () => { Error.prototype.name = "Leak" },
	dateProto: () => { Date.prototype.getTime = () => 0 },
	arrayIterator: () => { Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({done: true}) },
	generatorProto: () => { Object.getPrototypeOf(function* () {}).prototype.leak = 1 },
	throwTypeError: () => { Object.getOwnPropertyDescriptor(Function.prototype, "caller").get.leak = 1 },
	functionCtor: () => { Function.prototype.constructor.leak = 1 },
	promise: () => { Promise.prototype.then = null },
	symbolProto: () => { Symbol.prototype.leak = 1 },
	regexpStatic: () => { RegExp.prototype.exec = null },
}
const survived = []
for (const k of Object.keys(attempts)) {
	try { attempts[k](); survived.push(k) } catch (e) {}
}
survived
`

func TestSandboxStateDoesNotLeakBetweenCalls(t *testing.T) {
	sb := NewSandbox(Options{PoolSize: 1})
	assert.Equal(t, []any{}, eval(t, sb, leakAttempts))
	require.Len(t, sb.idle, 1)
	rt := <-sb.idle
	sb.idle <- rt

	check := `[typeof leak, globalThis.leak, [].leak, ({}).leak, Math.max(1, 2), Array.prototype.map.leak,
		typeof Array.prototype.map, Error.prototype.name, new Date(5).getTime(), [...[1, 2]].length,
		Object.getPrototypeOf(Object.prototype)]`
	want := []any{"undefined", nil, nil, nil, int64(2), nil, "function", "Error", int64(5), int64(2), nil}
	assert.Equal(t, want, eval(t, sb, check))
	require.Len(t, sb.idle, 1)
	assert.Same(t, rt, <-sb.idle, "the second call must have reused the runtime")
}

func TestSandboxStateDoesNotLeakAcrossFunctions(t *testing.T) {
	sb := NewSandbox(Options{PoolSize: 1})
	env := testEnv(sb)
	set := mustCompile(t, "set", "var counter = 1\ntry { globalThis.counter = 1 } catch (e) {}\nreturn counter")
	get := mustCompile(t, "get", "return typeof counter")
	_, err := set.Call(context.Background(), env, nil)
	require.NoError(t, err)
	v, err := get.Call(context.Background(), env, nil)
	require.NoError(t, err)
	assert.Equal(t, "undefined", v)
}

// unfrozen walks everything reachable from the global object and from the
// prototypes of instances of every kind, listing what is not frozen.
const unfrozen = `
const probes = [new Map(), new Set(), new WeakMap(), new WeakSet(), Promise.resolve(), new Error("e"),
	new TypeError("t"), /x/g, new Date(0), Symbol("s"), Object(Symbol("s")), Object(1n), Object("s"),
	Object(1), Object(true), (async function () {})(), new Proxy({}, {}),
	(function () { return arguments })(), [][Symbol.iterator](), new Map().entries(), new Set().values(),
	""[Symbol.iterator](), "a".matchAll(/a/g), (() => {}).bind(null), class A {}, [], {}, () => {},
	function* () {}, Object.getPrototypeOf((function* () {})())]
const todo = [globalThis]
for (const p of probes) todo.push(Object.getPrototypeOf(Object(p)))
const seen = new Set(), bad = []
while (todo.length) {
	const o = todo.pop()
	if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue
	seen.add(o)
	if (!Object.isFrozen(o)) bad.push(typeof o === "function" ? o.name : Object.prototype.toString.call(o))
	todo.push(Object.getPrototypeOf(o))
	for (const k of Reflect.ownKeys(o)) {
		const d = Object.getOwnPropertyDescriptor(o, k)
		todo.push(d.value, d.get, d.set)
	}
}
[bad, seen.size > 400]
`

func TestSandboxIntrinsicsAreAllFrozen(t *testing.T) {
	sb := NewSandbox(Options{})
	assert.Equal(t, []any{[]any{}, true}, eval(t, sb, unfrozen))
}

func TestSandboxAllowsOverridingInheritedNames(t *testing.T) {
	sb := NewSandbox(Options{})
	code := `const o = {}
		o.toString = () => "mine"
		const e = new Error("m")
		e.name = "Mine"
		e.message = "changed"
		class V extends Error { constructor(m) { super(m); this.name = "V" } }
		[String(o), String(e), String(new V("v")), Error.prototype.name, ({}).toString === Object.prototype.toString]`
	assert.Equal(t, []any{"mine", "Mine: changed", "V: v", "Error", true}, eval(t, sb, code))
	e := evalErr(t, sb, testEnv(sb), `Error.prototype.name = "X"`)
	assert.Contains(t, e.Error(), "TypeError: Cannot assign to read only property 'name' of a sandbox builtin")
}

func TestSandboxReusesRuntimeOnlyAfterCleanCalls(t *testing.T) {
	sb := NewSandbox(Options{PoolSize: 1})
	eval(t, sb, "1")
	rt := <-sb.idle
	sb.idle <- rt

	evalErr(t, sb, testEnv(sb), "throw new Error('x')")
	require.Len(t, sb.idle, 1)
	assert.Same(t, rt, <-sb.idle, "a thrown exception leaves the runtime reusable")
	sb.idle <- rt

	env := testEnv(sb)
	env.Timeout = 10 * time.Millisecond
	e := evalErr(t, sb, env, "while (true) {}")
	assert.ErrorIs(t, e, ErrTimeout)
	assert.Empty(t, sb.idle, "an interrupted runtime is dropped")
}

// slowRegexp is a single regexp2 match (the lookahead keeps it off Go's
// regexp) that backtracks for seconds; goja cannot interrupt it.
const slowRegexp = "/^(a+)+(?=b)$/.test('aaaaaaaaaaaaaaaaaaaaaa')"

func TestSandboxAbandonsCallStuckInBuiltin(t *testing.T) {
	sb := NewSandbox(Options{MaxRunaway: 1})
	env := testEnv(sb)
	env.Timeout = 10 * time.Millisecond
	e := evalErr(t, sb, env, slowRegexp)
	assert.ErrorIs(t, e, ErrTimeout)
	assert.Equal(t, "js.eval: timed out after 10ms", e.Error())
	assert.Equal(t, 1, sb.Runaway())

	e = evalErr(t, sb, env, "1")
	assert.ErrorIs(t, e, ErrLimit)
	assert.Equal(t, "js.eval: too many runaway calls still running (1)", e.Error())
}

func TestEvalExpressionsAndBodies(t *testing.T) {
	sb := NewSandbox(Options{})
	tests := []struct {
		code string
		want any
	}{
		{"x * 2", int64(42)},
		{"{a: x, b: [x]}", map[string]any{"a": int64(21), "b": []any{int64(21)}}},
		{"let y = x * 2\nreturn y + 1", int64(43)},
		{"let y = x * 2; y + 1", int64(43)},
		{"x + 1;", int64(22)},
		{"let y = 1", nil},
		{"if (x > 20) { 'big' } else { 'small' }", nil},
		{"x > 20 ? 'big' : 'small'", "big"},
		{"new Date()", "2024-05-01T12:30:00Z"},
		{"", nil},
		{"// only a comment", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, eval(t, sb, tt.code), tt.code)
	}
}

func TestEvalErrors(t *testing.T) {
	sb := NewSandbox(Options{})
	env := testEnv(sb)
	e := evalErr(t, sb, env, "let y = x\ny +")
	assert.Equal(t, "js.eval: SyntaxError: Unexpected end of input (js line 2)", e.Error())
	assert.False(t, e.WF.IsValid())

	e = evalErr(t, sb, env, "1); globalThis.x = (2")
	assert.ErrorIs(t, e, ErrSyntax)

	e = evalErr(t, sb, env, "\nnull.x")
	assert.Contains(t, e.Error(), "js.eval: TypeError: Cannot read property 'x' of")
	assert.Equal(t, 2, e.JSLine)

	_, err := sb.Eval(context.Background(), env, "1", map[string]any{"a-b": 1})
	assert.EqualError(t, err, `js.eval: input "a-b" is not a JavaScript identifier`)
	_, err = sb.Eval(context.Background(), env, strings.Repeat(" ", MaxEvalBytes+1), nil)
	assert.EqualError(t, err, "js.eval: code of 65537 bytes is over the limit of 65536")
}

func TestEvalCacheIsBoundedAndKeyedByInputs(t *testing.T) {
	sb := NewSandbox(Options{CacheSize: 2})
	env := testEnv(sb)
	ctx := context.Background()
	_, err := sb.Eval(ctx, env, "a", map[string]any{"a": 1})
	require.NoError(t, err)
	v, err := sb.Eval(ctx, env, "a", map[string]any{"a": 2})
	require.NoError(t, err)
	assert.Equal(t, int64(2), v)
	assert.Equal(t, 1, sb.cache.len())

	e1 := evalErr(t, sb, env, "a")
	assert.Contains(t, e1.Error(), "ReferenceError: a is not defined")
	assert.Equal(t, 2, sb.cache.len(), "same code, other inputs: another entry")

	_, err = sb.Eval(ctx, env, "1 +", nil)
	require.Error(t, err)
	_, err2 := sb.Eval(ctx, env, "1 +", nil)
	assert.Same(t, err, err2, "failed compilations are cached too")
	assert.Equal(t, 2, sb.cache.len())
}
