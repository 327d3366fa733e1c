package interp_test

import (
	"testing"

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
