package interp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// The expressions of a test are compiled with the program and evaluated
// with a cases row bound; a function value they give can be called.
func TestTestScopeEvaluatesWithARow(t *testing.T) {
	src := `
const BASE = 10

fn double(x) {
  return x * 2
}

workflow w {
  on manual()

  log "hi"
}

test "rows" {
  workflow w
  cases [{n: 1, label: "one"}, {n: 2, label: "two"}]
  mock test.echo returns a -> {echoed: a.value, n: n}
  expect output {total: BASE + double(n), label: "${label}!", at: now()}
}
`
	p := load(t, "w_test.wf", []byte(src))
	d := p.Checked.Files[0].Decls[3].(*lang.TestDecl)
	s, err := p.NewTestScope(d, newEnv(), epoch)
	require.NoError(t, err)
	s.SetRow(interp.FromGo(map[string]any{"n": 2, "label": "two"}).(*interp.Map))

	out, err := s.Eval(d.Clause(lang.TestExpectOutput).Value)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"total": int64(14), "label": "two!", "at": "2026-03-01T12:00:00Z"}, interp.ToGo(out))

	fn, err := s.Eval(d.Clause(lang.TestMock).Value)
	require.NoError(t, err)
	v, err := s.Call(fn, interp.FromGo(map[string]any{"value": "x"}))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"echoed": "x", "n": int64(2)}, interp.ToGo(v))

	_, err = s.Eval(&lang.Ident{Name: "n"})
	assert.ErrorContains(t, err, "is not part of test")
	_, err = s.Call("not a function")
	assert.ErrorContains(t, err, "cannot call string")
}
