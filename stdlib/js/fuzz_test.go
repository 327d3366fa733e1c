package js

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzEval feeds arbitrary code to js.eval: it must never panic, must
// return an *Error when it fails, and must return within the time limit
// plus the grace period (and some slack for a busy machine).
func FuzzEval(f *testing.F) {
	for _, seed := range []string{
		"1 + 1", "x * 2", "let y = x; y + s", "{a: m.k, b: [1, 2]}", "while (true) {}",
		"for (;;) { try { while (true) {} } catch (e) {} }", "'x'.repeat(1e9)", "throw new Error('x')",
		"throw 1", "})(", "return 1 }); (function(){", "let a = []; a[1e9] = 1; a.join()",
		"let a = [1]; for (let i = 0; i < 40; i++) a = [a, a]; JSON.stringify(a)",
		"function f() { return f() } f()", "new Date()", "Math.random()", "Object.prototype.x = 1",
		"async function f() {} f()", "function* g() { yield 1 } [...g()]", "Symbol()", "/(a+)+$/.test(s)",
		"new Proxy({}, {get() { while (true) {} }}).x", "`${x}`", "NaN", "undefined", "",
	} {
		f.Add(seed)
	}
	sb := NewSandbox(Options{MaxRunaway: 4})
	inputs := map[string]any{"x": int64(2), "s": "abc", "m": map[string]any{"k": []any{1.5, nil}}}
	f.Fuzz(func(t *testing.T, code string) {
		env := Env{Now: fixedNow, Rand: seqRand(0.5), Sandbox: sb, Timeout: 20 * time.Millisecond}
		limit := env.Timeout + graceFor(env.Timeout) + 2*time.Second
		start := time.Now()
		_, err := sb.Eval(context.Background(), env, code, inputs)
		if took := time.Since(start); took > limit {
			t.Fatalf("took %s, over %s", took, limit)
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %T is not *Error: %v", err, err)
		}
		if e != nil && errors.Is(e, ErrInternal) {
			t.Logf("goja failed inside: %v", e)
		}
	})
}
