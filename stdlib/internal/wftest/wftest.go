// Package wftest runs small WF programs in the stdlib modules' tests: it
// parses and checks a source against a library, compiles it, and runs one
// workflow on an interp.MemHost with a fake clock, so each module is tested
// through the same path a real run takes (checker, argument unpacking, the
// run seam). It is test support only.
package wftest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Epoch is the start time of every run (and the fake clock's time).
var Epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Check parses and checks src against lib and returns every diagnostic.
func Check(lib interp.Library, src string) lang.Diagnostics {
	f, diags := lang.Parse("test.wf", []byte(src))
	_, cdiags := lang.Check([]*lang.File{f}, lib)
	return append(diags, cdiags...)
}

// Load parses, checks and compiles src, failing the test on any error.
func Load(t testing.TB, lib interp.Library, src string) *interp.Program {
	t.Helper()
	f, diags := lang.Parse("test.wf", []byte(src))
	prog, cdiags := lang.Check([]*lang.File{f}, lib)
	diags = append(diags, cdiags...)
	require.False(t, diags.HasErrors(), "%s", diags.Err())
	p, cd := interp.Compile(prog, lib, interp.Options{})
	require.False(t, cd.HasErrors(), "%s", cd.Err())
	return p
}

// Run runs workflow name of p with trigger (an empty map when nil) and env,
// on a fresh MemHost with a fake clock at Epoch, as run "run_test".
func Run(p *interp.Program, name string, trigger interp.Value, env any) (*interp.RunResult, *interp.MemHost) {
	clock := interp.NewFakeClock(Epoch)
	host := &interp.MemHost{Clock: clock, Rand: func() float64 { return 0.5 }}
	return RunOn(p, host, name, trigger, env), host
}

// RunOn is Run on a given host (its clock must be set).
func RunOn(p *interp.Program, host *interp.MemHost, name string, trigger interp.Value, env any) *interp.RunResult {
	if trigger == nil {
		trigger = interp.NewMap(0)
	}
	return p.Run(context.Background(), interp.RunRequest{
		Workflow: name, Trigger: trigger, Host: host, Clock: host.Clock, Env: env,
		RunID: "run_test", Seed: 7, Start: Epoch,
	})
}

// Output returns one output of a completed run, failing the test when the
// run failed or the output is missing.
func Output(t testing.TB, res *interp.RunResult, key string) interp.Value {
	t.Helper()
	require.Nil(t, res.Err, "the run failed: %v", res.Err)
	v, ok := res.Outputs.Get(key)
	require.True(t, ok, "no output %q in %s", key, interp.ToString(res.Outputs))
	return v
}

// Trigger builds a trigger map from plain Go data.
func Trigger(m map[string]any) *interp.Map { return interp.FromGo(m).(*interp.Map) }
