package js

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGuardsRefuseExpensiveBuiltins(t *testing.T) {
	sb := NewSandbox(Options{})
	env := testEnv(sb)
	env.Timeout = 2 * time.Second // the guards answer in milliseconds; the machine may be busy
	tests := []struct{ code, msg string }{
		{`"x".repeat(1e9)`, "RangeError: String.prototype.repeat: result of 1000000000 characters would be over the limit of 1048576"},
		{`"ab".repeat(600000)`, "RangeError: String.prototype.repeat: result of 1200000 characters would be over the limit of 1048576"},
		{`"x".padStart(2e6)`, "RangeError: String.prototype.padStart: length 2000000 is over the limit of 1048576"},
		{`"x".padEnd(Infinity)`, "RangeError: String.prototype.padEnd: length +Inf is over the limit of 1048576"},
		{`let a = []; a[1e9] = 1; a.join()`, "RangeError: Array.prototype.join: length 1000000001 is over the limit of 131072"},
		{`String(new Array(1e9))`, "RangeError: Array.prototype.toString: length 1000000000 is over the limit of 131072"},
		{`new Array(1e7).fill(0)`, "RangeError: Array.prototype.fill: length 10000000 is over the limit of 131072"},
		{`let a = []; a[1e8] = 1; a.includes(2)`, "RangeError: Array.prototype.includes: length 100000001 is over the limit of 131072"},
		{`let a = []; a.length = 1e8; a.map(x => x)`, "RangeError: Array.prototype.map: length 100000000 is over the limit of 131072"},
		{`Array.prototype.join.call({length: 1e9})`, "RangeError: Array.prototype.join: length 1000000000 is over the limit of 131072"},
		{`Array.from({length: 1e9})`, "RangeError: Array.from: length 1000000000 is over the limit of 131072"},
		{`Math.max.apply(null, {length: 1e8})`, "RangeError: Function.prototype.apply: length 100000000 is over the limit of 131072"},
		{`Reflect.apply(Math.max, null, {length: 1e8})`, "RangeError: Reflect.apply: length 100000000 is over the limit of 131072"},
		{`let a = []; a[1e8] = 1; [...a]`, "RangeError: Array.prototype[Symbol.iterator]: length 100000001 is over the limit of 131072"},
		{`let a = []; a[1e8] = 1; Math.max(...a)`, "RangeError: Array.prototype[Symbol.iterator]: length 100000001 is over the limit of 131072"},
		{`let a = []; a[100000] = 0; a.concat(a)`, "RangeError: Array.prototype.concat: length 200002 is over the limit of 131072"},
		{`let a = [1]; for (let i = 0; i < 30; i++) a = [a, a]; a.flat(Infinity)`, "RangeError: Array.prototype.flat: result over the limit of 131072 elements"},
		{`[1, 2, 3].flatMap(() => new Array(1e5))`, "RangeError: Array.prototype.flatMap: result over the limit of 131072 elements"},
		{`let a = []; for (let i = 0; i < 1000; i++) a = [a]; String(a)`, "RangeError: Array.prototype.toString: arrays nested more than 256 deep"},
		{`let a = []; for (let i = 0; i < 1000; i++) a = [a]; JSON.stringify(a)`, "RangeError: JSON.stringify: value nested more than 256 deep"},
		{`",".repeat(140000).split(",")`, "RangeError: String.prototype.split: length 140001 is over the limit of 131072"},
		{`let s = "ab"; while (s.length < 2e6) s += s; s.toUpperCase()`, "RangeError: String.prototype.toUpperCase: string of 2097152 characters is over the limit of 1048576"},
		{`let s = "1"; while (s.length < 2e6) s += s; JSON.parse(s)`, "RangeError: JSON.parse: string of 2097152 characters is over the limit of 1048576"},
		{`let s = "a"; while (s.length < 2e6) s += s; /a/.test(s)`, "RangeError: RegExp.prototype.test: string of 2097152 characters is over the limit of 1048576"},
		{`let s = "a"; while (s.length < 2e6) s += s; [...s]`, "RangeError: String.prototype[Symbol.iterator]: string of 2097152 characters is over the limit of 1048576"},
		{`let s = "a".repeat(1e6); [s, s].join("")`, "RangeError: Array.prototype.join: result of 2000000 characters is over the limit of 1048576"},
	}
	for _, tt := range tests {
		e := evalErr(t, sb, env, tt.code)
		assert.Equal(t, "js.eval: "+tt.msg+" (js line 1)", e.Error(), tt.code)
		assert.ErrorIs(t, e, ErrThrown)
	}
}

func TestGuardsLeaveOrdinaryUseAlone(t *testing.T) {
	sb := NewSandbox(Options{})
	tests := []struct {
		code string
		want any
	}{
		{`"ab".repeat(3)`, "ababab"},
		{`"x".padEnd(4, "-") + "x".padStart(3, "0")`, "x---00x"},
		{`[3, 1, 2].sort().map(n => n * 2).filter(n => n > 2).join("|")`, "4|6"},
		{`[[1, [2]], [3]].flat(Infinity)`, []any{int64(1), int64(2), int64(3)}},
		{`[1, 2].flatMap(n => [n, n * 10])`, []any{int64(1), int64(10), int64(2), int64(20)}},
		{`Math.max(...[1, 5, 3]) + Math.min.apply(null, [4, 2])`, int64(7)},
		{`Array.prototype.map.call("abc", c => c + c)`, []any{"aa", "bb", "cc"}},
		{`Array.from(new Set([1, 1, 2]))`, []any{int64(1), int64(2)}},
		{`[..."héllo"].length`, int64(5)},
		{`"a-b-c".split("-").concat(["d"], "e")`, []any{"a", "b", "c", "d", "e"}},
		{`Reflect.construct(Date, [0]).getTime()`, int64(0)},
		{`[].join.name + "/" + "".repeat.length + "/" + [].push.name`, "join/1/push"},
		{`"Hello".replace(/l/g, "L").match(/L+/)[0]`, "LL"},
		{`JSON.stringify({a: 1, b: {a: 2, c: 3}, c: 4}, ["a", "b"])`, `{"a":1,"b":{"a":2}}`},
		{`JSON.stringify({a: 1, b: [2]}, (k, v) => typeof v === "number" ? v * 10 : v)`, `{"a":10,"b":[20]}`},
		{`JSON.stringify({a: [1]}, null, 2)`, "{\n  \"a\": [\n    1\n  ]\n}"},
		{`JSON.stringify({d: new Date(0), u: undefined, f() {}})`, `{"d":"1970-01-01T00:00:00.000Z"}`},
		{`JSON.stringify(undefined)`, nil},
		{`JSON.parse('{"a":[1,{"b":null}]}')`, map[string]any{"a": []any{int64(1), map[string]any{"b": nil}}}},
		{`const s = {v: 1}; JSON.stringify([s, s])`, `[{"v":1},{"v":1}]`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, eval(t, sb, tt.code), tt.code)
	}
}

// Shared halves make these take 2^30 steps; the guards re-entered at every
// level must stop them at the time limit, not leave a runaway call behind.
func TestGuardsStopExponentialWorkAtTheTimeLimit(t *testing.T) {
	for _, code := range []string{
		`let a = [1]; for (let i = 0; i < 30; i++) a = [a, a]; a.join().length`,
		`let a = [1]; for (let i = 0; i < 30; i++) a = [a, a]; JSON.stringify(a).length`,
	} {
		sb := NewSandbox(Options{})
		env := testEnv(sb)
		env.Timeout = 50 * time.Millisecond
		e := evalErr(t, sb, env, code)
		assert.ErrorIs(t, e, ErrTimeout, code)
		assert.Equal(t, 0, sb.Runaway(), code)
	}
}
