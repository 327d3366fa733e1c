package js

import (
	"context"
	"testing"
	"time"
)

// BenchmarkCallSmall runs risk_score on a 20-key inquiry with a pooled
// runtime: the cost of a js fn call in a workflow.
func BenchmarkCallSmall(b *testing.B) {
	p := mustCompile(b, "risk_score", riskBody, "inquiry")
	sb := NewSandbox(Options{})
	env := Env{Now: fixedNow, Rand: seqRand(), Sandbox: sb, Timeout: benchTimeout}
	args := []any{inquiry()}
	ctx := context.Background()
	if _, err := p.Call(ctx, env, args); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, env, args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallSmallFreshRuntime is BenchmarkCallSmall with a new runtime
// for every call: the alternative to pooling, measured to choose between them.
func BenchmarkCallSmallFreshRuntime(b *testing.B) {
	p := mustCompile(b, "risk_score", riskBody, "inquiry")
	sb := NewSandbox(Options{})
	env := Env{Now: fixedNow, Rand: seqRand(), Sandbox: sb, Timeout: benchTimeout}
	args := []any{inquiry()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, env, args); err != nil {
			b.Fatal(err)
		}
		<-sb.idle
	}
}

// BenchmarkRuntimeSetup builds one sandboxed runtime: what a fresh runtime
// per call would add to every call.
func BenchmarkRuntimeSetup(b *testing.B) {
	prelude := NewSandbox(Options{}).prelude
	b.ReportAllocs()
	for b.Loop() {
		if _, err := newRuntime(prelude); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvalCached runs js.eval on code already compiled.
func BenchmarkEvalCached(b *testing.B) {
	sb := NewSandbox(Options{})
	env := Env{Now: fixedNow, Rand: seqRand(), Sandbox: sb, Timeout: benchTimeout}
	inputs := map[string]any{"a": int64(2), "b": 3.5}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sb.Eval(ctx, env, "a * b + 1", inputs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCallBuiltinHeavy runs code that goes through the guarded
// builtins in a loop.
func BenchmarkCallBuiltinHeavy(b *testing.B) {
	body := `let out = []
for (let i = 0; i < 100; i++) {
  out.push(inquiry.tags.map(t => t.toUpperCase()).join(",") + String(i).padStart(3, "0"))
}
return out.length`
	p := mustCompile(b, "tags", body, "inquiry")
	env := Env{Now: fixedNow, Rand: seqRand(), Sandbox: NewSandbox(Options{}), Timeout: benchTimeout}
	args := []any{inquiry()}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Call(ctx, env, args); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTimeout keeps a busy machine from failing a benchmark by time limit.
const benchTimeout = 10 * time.Second
