package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// call is one request a fakeRunner received.
type call struct {
	op, name string
	input    map[string]any
	at       time.Time
	depth    int
	key      string
}

// fakeRunner records requests and answers them from outputs and err.
type fakeRunner struct {
	mu      sync.Mutex
	calls   []call
	outputs *interp.Map
	err     error
}

func (f *fakeRunner) record(ctx context.Context, op, name string, input *interp.Map, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in, _ := interp.ToGo(input).(map[string]any)
	f.calls = append(f.calls, call{op, name, in, at, workflow.Depth(ctx), workflow.IdempotencyKey(ctx)})
}

func (f *fakeRunner) Call(ctx context.Context, name string, input *interp.Map) (*interp.Map, error) {
	f.record(ctx, "call", name, input, time.Time{})
	return f.outputs, f.err
}

func (f *fakeRunner) Start(ctx context.Context, name string, input *interp.Map) (string, error) {
	f.record(ctx, "start", name, input, time.Time{})
	return "run_started", f.err
}

func (f *fakeRunner) Schedule(ctx context.Context, name string, at time.Time, input *interp.Map) (string, error) {
	f.record(ctx, "schedule", name, input, at)
	return "run_scheduled", f.err
}

// env provides a Runner.
type env struct{ runner workflow.Runner }

func (e *env) Workflows() workflow.Runner { return e.runner }

func library() *builtin.Library { return builtin.NewLibrary(core.Module(), workflow.Module()) }

func load(t *testing.T, body string) *interp.Program {
	return wftest.Load(t, library(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
}

func TestCallStartSchedule(t *testing.T) {
	out := interp.NewMap(1)
	out.Set("watchlist", true)
	f := &fakeRunner{outputs: out}
	p := load(t, `
  let r = run workflow.call("kyb_checks", {business_name: "Acme", ein: "12-3456789"})
  let s = run workflow.start("send_welcome")
  let later = run workflow.schedule("reverify", at: 30d, input: {account_id: "act_1"})
  let fixed = run workflow.schedule("reverify", date("2026-06-01T09:00:00Z"))
  output {watchlist: r.watchlist, started: s, scheduled: [later, fixed]}`)
	res, host := wftest.Run(p, "w", nil, &env{runner: f})
	assert.Equal(t, true, wftest.Output(t, res, "watchlist"))
	assert.Equal(t, "run_started", wftest.Output(t, res, "started"))
	assert.Equal(t, []any{"run_scheduled", "run_scheduled"}, interp.ToGo(wftest.Output(t, res, "scheduled")))
	require.Len(t, f.calls, 4)
	assert.Equal(t, call{"call", "kyb_checks", map[string]any{"business_name": "Acme", "ein": "12-3456789"},
		time.Time{}, 1, "run_test:" + host.Steps[0].Key}, f.calls[0])
	assert.Equal(t, map[string]any{}, f.calls[1].input, "no input is an empty map")
	assert.Equal(t, wftest.Epoch.Add(30*24*time.Hour), f.calls[2].at, "a delay counts from now()")
	assert.Equal(t, time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), f.calls[3].at)
	for _, c := range f.calls {
		assert.Equal(t, 1, c.depth, "the new run is one deeper")
	}
}

func TestDepthIsCarriedAndCapped(t *testing.T) {
	f := &fakeRunner{}
	p := load(t, `run workflow.start("again")`)
	runAt := func(depth int) *interp.RunResult {
		host := &interp.MemHost{Clock: interp.NewFakeClock(wftest.Epoch)}
		return p.Run(workflow.WithDepth(context.Background(), depth), interp.RunRequest{
			Workflow: "w", Trigger: interp.NewMap(0), Host: host, Clock: host.Clock, Env: &env{runner: f},
			RunID: "run_deep", Start: wftest.Epoch})
	}
	require.Nil(t, runAt(workflow.MaxDepth-1).Err)
	require.Len(t, f.calls, 1)
	assert.Equal(t, workflow.MaxDepth, f.calls[0].depth)

	res := runAt(workflow.MaxDepth)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "workflow.start: workflows started by workflows are nested more than 8 deep (is there a cycle?)")
	assert.Len(t, f.calls, 1, "the runner was not asked")
}

// progRunner runs workflows of one program in process, as the runtime
// would, enforcing MaxDepth as Runner implementations must.
type progRunner struct {
	p   *interp.Program
	env any
	n   int
}

func (r *progRunner) Call(ctx context.Context, name string, input *interp.Map) (*interp.Map, error) {
	if workflow.Depth(ctx) > workflow.MaxDepth {
		return nil, errors.New("too deep")
	}
	trigger, err := r.p.BindInputs(name, input)
	if err != nil {
		return nil, err
	}
	r.n++
	host := &interp.MemHost{Clock: interp.NewFakeClock(wftest.Epoch)}
	res := r.p.Run(ctx, interp.RunRequest{Workflow: name, Trigger: trigger, Host: host, Clock: host.Clock,
		Env: r.env, RunID: fmt.Sprintf("run_%d", r.n), Start: wftest.Epoch})
	if res.Err != nil {
		return nil, fmt.Errorf("run of %s failed: %s", name, res.Err.Msg)
	}
	return res.Outputs, nil
}

func (r *progRunner) Start(ctx context.Context, name string, input *interp.Map) (string, error) {
	_, err := r.Call(ctx, name, input)
	return fmt.Sprintf("run_%d", r.n), err
}

func (r *progRunner) Schedule(ctx context.Context, name string, at time.Time, input *interp.Map) (string, error) {
	return r.Start(ctx, name, input)
}

// A workflow calling itself stops at MaxDepth with a clear error instead of
// running forever.
func TestCycleStopsAtMaxDepth(t *testing.T) {
	p := wftest.Load(t, library(), `
workflow ping {
  on workflow(n: int)

  let r = run workflow.call("ping", {n: n + 1})
  output {n: r.n}
}
workflow double {
  on workflow(x: int)

  output {y: x * 2}
}
workflow main {
  on manual()

  let d = run workflow.call("double", {x: 21})
  output {y: d.y}
}`)
	r := &progRunner{p: p}
	e := &env{runner: r}
	r.env = e
	res, _ := wftest.Run(p, "main", nil, e)
	assert.EqualValues(t, 42, wftest.Output(t, res, "y"))

	r.n = 0
	res, _ = wftest.Run(p, "ping", wftest.Trigger(map[string]any{"n": 0}), e)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "nested more than 8 deep")
	assert.Equal(t, workflow.MaxDepth, r.n, "eight nested runs, then the ninth is refused")
}

func TestErrors(t *testing.T) {
	cases := []struct {
		body   string
		runner workflow.Runner
		want   string
	}{
		{`run workflow.call("x")`, &fakeRunner{err: errors.New("run of x failed: boom")}, "workflow.call: run of x failed: boom"},
		{`run workflow.call("x")`, nil, "workflow.call: no workflow runner is configured for this run"},
		{`run workflow.schedule("x", at: -1h)`, &fakeRunner{}, "workflow.schedule: at must be a delay from 0s to 365d, got -1h"},
		{`run workflow.schedule("x", at: 400d)`, &fakeRunner{}, "workflow.schedule: at must be a delay from 0s to 365d, got 400d"},
		{`run workflow.start("x", json.parse("[1]"))`, &fakeRunner{}, "workflow.start: input must be map or null, got list"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			res, _ := wftest.Run(load(t, c.body), "w", nil, &env{runner: c.runner})
			require.NotNil(t, res.Err)
			assert.Contains(t, res.Err.Msg, c.want)
		})
	}
}

// A call whose runner returns no outputs yields an empty map.
func TestCallWithoutOutputs(t *testing.T) {
	res, _ := wftest.Run(load(t, `let r = run workflow.call("x")
  output {n: len(r)}`), "w", nil, &env{runner: &fakeRunner{}})
	assert.EqualValues(t, 0, wftest.Output(t, res, "n"))
}

func TestCheckRules(t *testing.T) {
	cases := map[string]string{
		`let r = workflow.call("x")`:                      "workflow.call is an action: call it with run",
		`run workflow.schedule("x", at: "tomorrow")`:      "workflow.schedule: at must be",
		`run workflow.start("x", {a: 1}, {b: 2})`:         "workflow.start takes",
		`run workflow.schedule("x", input: {}, delay: 1)`: "workflow.schedule has no parameter delay",
	}
	for body, want := range cases {
		diags := wftest.Check(library(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
		if assert.True(t, diags.HasErrors(), body) {
			assert.Contains(t, diags.Err().Error(), want)
		}
	}
}

func TestDepthHelpers(t *testing.T) {
	ctx := context.Background()
	assert.Equal(t, 0, workflow.Depth(ctx))
	assert.Equal(t, 3, workflow.Depth(workflow.WithDepth(ctx, 3)))
	assert.Equal(t, "", workflow.IdempotencyKey(ctx))
	assert.Equal(t, "k", workflow.IdempotencyKey(workflow.WithIdempotencyKey(ctx, "k")))
}
