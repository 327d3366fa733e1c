package js_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/js"
)

const prog = `
js fn risk_score(inquiry) """
  let score = 0
  if (inquiry.country_code !== "US") score += 20
  if (inquiry.fields.selfie_similarity < 0.8) score += 50
  return score
"""

js fn order(m) """
  return {z: 1, a: m.first, t: Date.now(), r: Math.random()}
"""

js fn boom() """
  let x = 1
  throw new Error("bad input")
"""

js fn spin() """
  while (true) {}
"""

workflow w {
  on manual()

  let s = risk_score({country_code: "DE", fields: {selfie_similarity: 0.5}})
  let o = order({first: "x"})
  let e = js.eval("a * 2 + b", {a: 20, b: 2})
  let caught = ""
  try {
    let t = spin()
  } catch err {
    caught = err.kind
  }
  output {s: s, keys: o.keys(), t: o.t, r: o.r, e: e, caught: caught}
}

workflow thrower {
  on manual()

  let x = boom()
}
`

func run(t *testing.T, name string, seed uint64) *interp.RunResult {
	t.Helper()
	lib := stdlib.Default()
	eng := js.NewEngine()
	f, diags := lang.Parse("js.wf", []byte(prog))
	checked, cd := lang.Check([]*lang.File{f}, lib)
	diags = append(diags, cd...)
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	p, cd2 := interp.Compile(checked, lib, interp.Options{JS: eng})
	require.False(t, cd2.HasErrors(), "%v", cd2.Err())
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return p.Run(context.Background(), interp.RunRequest{Workflow: name, Host: &interp.MemHost{},
		Env: &stdlib.Env{JSEngine: eng}, Seed: seed, Start: start, Clock: interp.NewFakeClock(start)})
}

func TestJSFromWorkflows(t *testing.T) {
	res := run(t, "w", 1)
	require.Nil(t, res.Err)
	get := func(k string) interp.Value { v, _ := res.Outputs.Get(k); return v }
	assert.Equal(t, int64(70), get("s"), "js fn over a WF map")
	assert.Equal(t, []interp.Value{"z", "a", "t", "r"}, get("keys").(*interp.List).Elems, "object key order survives")
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli(), get("t"), "Date.now() is the run's clock")
	assert.Equal(t, int64(42), get("e"), "js.eval")
	assert.Equal(t, "timeout", get("caught"), "a runaway function times out, and the timeout is catchable")
	again := run(t, "w", 1)
	r1, _ := res.Outputs.Get("r")
	r2, _ := again.Outputs.Get("r")
	assert.Equal(t, r1, r2, "Math.random() comes from the run's seed")
}

func TestJSExceptionsCarryLines(t *testing.T) {
	res := run(t, "thrower", 1)
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindJS, res.Err.Kind)
	assert.Contains(t, res.Err.Msg, "bad input")
	assert.Contains(t, res.Err.Msg, "js line 3", "line 1 is the rest of the line with the opening quotes")
}

func TestJSSyntaxErrorsAreCompileErrors(t *testing.T) {
	f, _ := lang.Parse("bad.wf", []byte("js fn f(x) \"\"\"\n  return x +\n\"\"\"\n"))
	checked, _ := lang.Check([]*lang.File{f}, stdlib.Default())
	_, diags := interp.Compile(checked, stdlib.Default(), interp.Options{JS: js.NewEngine()})
	require.True(t, diags.HasErrors())
	assert.Contains(t, diags.Err().Error(), "bad.wf:")
}
