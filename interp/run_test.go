package interp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

func runWith(p *interp.Program, name string, host *interp.MemHost, env *testEnv, seed uint64, limits *interp.Limits) *interp.RunResult {
	if host.Clock == nil {
		host.Clock = interp.NewFakeClock(epoch)
	}
	if host.Rand == nil {
		host.Rand = func() float64 { return 0.5 }
	}
	return p.Run(context.Background(), interp.RunRequest{
		Workflow: name, Trigger: interp.NewMap(0), Host: host, Clock: host.Clock, Env: env,
		RunID: "run_1", Seed: seed, Start: epoch, Limits: limits,
	})
}

func newEnv() *testEnv { return &testEnv{attempts: map[string]int{}} }

const threeSteps = `
workflow three {
  on manual()

  let a = run test.echo("a")
  let b = run test.echo("${a}b")
  when trigger.crash ?? false {
    fail "crash"
  }
  let c = run test.echo("${b}c")
  output {result: c}
}
`

// A run that crashed after two steps, re-run against its journal, finishes
// without performing the first two steps again.
func TestReplayFromJournalRepeatsNoFinishedStep(t *testing.T) {
	p := load(t, "three.wf", []byte(strings.Replace(threeSteps, "trigger.crash ?? false", "crash_now()", 1)+`
fn crash_now() {
  return false
}
`))
	// First attempt: the third step's action fails, as if the process died there.
	env := newEnv()
	host := &interp.MemHost{Mocks: map[string]func(*interp.Step) (interp.Value, error){}}
	calls := 0
	host.Mocks["test.echo"] = func(st *interp.Step) (interp.Value, error) {
		calls++
		if calls == 3 {
			return nil, context.Canceled
		}
		return st.Do(context.Background())
	}
	res := runWith(p, "three", host, env, 1, nil)
	require.Equal(t, interp.StatusFailed, res.Status)
	require.Len(t, host.Steps, 3)
	assert.Equal(t, 2, env.performs, "two steps were performed before the crash")

	// Second attempt, against the journal of the first.
	env2 := newEnv()
	host2 := &interp.MemHost{Journal: interp.JournalOf(host.Steps)}
	res2 := runWith(p, "three", host2, env2, 1, nil)
	require.Nil(t, res2.Err)
	assert.Equal(t, 1, env2.performs, "only the unfinished step is performed")
	require.Len(t, host2.Steps, 3)
	assert.Equal(t, interp.StepReplayed, host2.Steps[0].Status)
	assert.Equal(t, interp.StepReplayed, host2.Steps[1].Status)
	assert.Equal(t, interp.StepCompleted, host2.Steps[2].Status)
	out, _ := res2.Outputs.Get("result")
	assert.Equal(t, "abc", out)
	assert.Equal(t, host.Steps[0].Key, host2.Steps[0].Key, "step keys are stable across attempts")
}

func TestStepKeysAreStableAndDistinct(t *testing.T) {
	p := load(t, "k.wf", []byte(`
workflow k {
  on manual()

  for x in [1, 2] {
    let r = run test.echo(x)
  }
  parallel {
    let a = run test.echo(1)
    let b = run test.echo(2)
  }
  parallel for y in [1, 2] limit 1 {
    let c = run test.echo(y)
  }
}
`))
	host := &interp.MemHost{}
	res := runWith(p, "k", host, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	keys := map[string]bool{}
	for _, s := range host.Steps {
		assert.False(t, keys[s.Key], "duplicate key %s", s.Key)
		keys[s.Key] = true
		assert.True(t, strings.HasPrefix(s.Key, p.Version[:12]+":"), "the key starts with the version: %s", s.Key)
	}
	assert.Len(t, keys, 6)
	host2 := &interp.MemHost{}
	runWith(p, "k", host2, newEnv(), 99, nil)
	keys2 := map[string]bool{}
	for _, s := range host2.Steps {
		keys2[s.Key] = true
	}
	assert.Equal(t, keys, keys2, "another run makes the same keys")
}

func TestRandomAndIdsComeFromTheSeed(t *testing.T) {
	p := load(t, "r.wf", []byte(`
workflow r {
  on manual()

  output {id: id("x_"), r: random(), u: uuid(), t: now()}
}
`))
	out := func(seed uint64) string {
		res := runWith(p, "r", &interp.MemHost{}, newEnv(), seed, nil)
		require.Nil(t, res.Err)
		b, err := interp.MarshalJSON(res.Outputs)
		require.NoError(t, err)
		return string(b)
	}
	assert.Equal(t, out(42), out(42), "the same seed gives the same values")
	assert.NotEqual(t, out(42), out(43), "another seed gives other values")
	assert.Contains(t, out(42), `"t":"2026-03-01T12:00:00Z"`, "now() is the run's start")
}

func TestRetriesWithBackoffOnTheFakeClock(t *testing.T) {
	p := load(t, "retry.wf", []byte(`
workflow retry {
  on manual()

  let v = run test.flaky(2, "ok") with {retries: 3, backoff: 1s}
  output {v: v, at: now()}
}
`))
	host := &interp.MemHost{}
	res := runWith(p, "retry", host, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	require.Len(t, host.Steps, 1)
	st := host.Steps[0]
	assert.Equal(t, 3, st.Attempts)
	// Backoff 1s then 2s, each scaled by the jitter factor 0.75 (rand = 0.5).
	assert.Equal(t, 2250*time.Millisecond, st.Finished.Sub(st.Started))
	at, _ := res.Outputs.Get("at")
	assert.Equal(t, epoch.Add(2250*time.Millisecond), at, "now() moves on by the step's time")
}

func TestRetriesRunOut(t *testing.T) {
	p := load(t, "retry.wf", []byte(`
workflow retry {
  on manual()

  let v = run test.flaky(5, "ok") with {retries: 2}
}
`))
	host := &interp.MemHost{}
	res := runWith(p, "retry", host, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindStep, res.Err.Kind)
	assert.Contains(t, res.Err.Msg, "test.flaky: attempt 3 failed")
	assert.Equal(t, 3, host.Steps[0].Attempts)
	assert.Equal(t, "test.flaky", res.Err.Step)
	assert.Equal(t, "retry", res.Err.Workflow)
}

func TestStepTimeout(t *testing.T) {
	p := load(t, "timeout.wf", []byte(`
workflow slow {
  on manual()

  let v = run test.sleep(10m) with {timeout: 30s}
}

workflow caught {
  on manual()

  try {
    run test.sleep(10m) with {timeout: 30s}
  } catch e {
    output {kind: e.kind, at: now()}
  }
}
`))
	host := &interp.MemHost{}
	res := runWith(p, "slow", host, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindTimeout, res.Err.Kind)
	assert.Contains(t, res.Err.Msg, "test.sleep: timed out after 30s")
	assert.Equal(t, 30*time.Second, host.Steps[0].Finished.Sub(host.Steps[0].Started), "the step ended at its deadline")

	res = runWith(p, "caught", &interp.MemHost{}, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	kind, _ := res.Outputs.Get("kind")
	assert.Equal(t, "timeout", kind)
}

func TestContinueOnError(t *testing.T) {
	p := load(t, "coe.wf", []byte(`
workflow coe {
  on manual()

  let v = run test.fail("boom") with {continue_on_error: true}
  output {v: v, after: true}
}
`))
	host := &interp.MemHost{}
	res := runWith(p, "coe", host, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	v, ok := res.Outputs.Get("v")
	assert.True(t, ok)
	assert.Nil(t, v, "a step that continued on error yields null")
	assert.Equal(t, interp.StepContinued, host.Steps[0].Status)
	assert.Contains(t, host.Steps[0].Err, "boom")
}

func TestParallelFailureCancelsOtherBranches(t *testing.T) {
	p := load(t, "par.wf", []byte(`
workflow par {
  on manual()

  parallel {
    run test.block()
    run test.fail("branch two failed")
    let x = run test.echo(1)
  }
  output {after: true}
}
`))
	host := &interp.MemHost{}
	done := make(chan *interp.RunResult)
	go func() { done <- runWith(p, "par", host, newEnv(), 1, nil) }()
	select {
	case res := <-done:
		require.NotNil(t, res.Err)
		assert.Contains(t, res.Err.Msg, "branch two failed")
		_, ran := res.Outputs.Get("after")
		assert.False(t, ran, "the block failed, so the run stopped")
	case <-time.After(10 * time.Second):
		t.Fatal("the blocked branch was not cancelled")
	}
}

func TestParallelBindsNamesAndWaitsForAll(t *testing.T) {
	p := load(t, "par.wf", []byte(`
workflow par {
  on manual()

  parallel {
    let a = run test.echo(1)
    {
      let b = run test.echo(2)
      let c = b + 1
    }
    let d = run test.sleep(1h)
  }
  output {sum: a + b + c, d: d, at: now()}
}
`))
	res := runWith(p, "par", &interp.MemHost{}, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	sum, _ := res.Outputs.Get("sum")
	assert.Equal(t, int64(6), sum)
	at, _ := res.Outputs.Get("at")
	assert.Equal(t, epoch.Add(time.Hour), at, "the block ends when its slowest branch does")
}

func TestParallelForLimit(t *testing.T) {
	p := load(t, "pf.wf", []byte(`
workflow pf {
  on manual()

  let xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
  parallel for x in xs limit 3 {
    run test.concurrent(x)
  }
}
`))
	env := newEnv()
	host := &interp.MemHost{}
	res := runWith(p, "pf", host, env, 1, nil)
	require.Nil(t, res.Err)
	assert.Len(t, host.Steps, 10)
	assert.LessOrEqual(t, env.maxActive, 3)
	assert.GreaterOrEqual(t, env.maxActive, 1)
}

func TestParallelStop(t *testing.T) {
	p := load(t, "ps.wf", []byte(`
workflow ps {
  on manual()

  parallel {
    stop
    run test.block()
  }
  fail "stop inside parallel must end the run"
}
`))
	res := runWith(p, "ps", &interp.MemHost{}, newEnv(), 1, nil)
	assert.Nil(t, res.Err)
	assert.Equal(t, interp.StatusCompleted, res.Status)
}

func TestWaits(t *testing.T) {
	p := load(t, "w.wf", []byte(`
workflow w {
  on manual()

  wait 2h
  let e = wait event "inquiry.approved" where e.trigger.id == "inq_2" timeout 1d
  let none = wait event "inquiry.declined" timeout 3h
  output {t: now(), id: e.trigger.id, none: none}
}
`))
	ev := func(name, id string) *interp.Map {
		tr := interp.NewMap(1)
		tr.Set("id", id)
		m := interp.NewMap(2)
		m.Set("name", name)
		m.Set("trigger", tr)
		return m
	}
	host := &interp.MemHost{Events: []*interp.Map{ev("inquiry.approved", "inq_1"), ev("inquiry.approved", "inq_2")}}
	res := runWith(p, "w", host, newEnv(), 1, nil)
	require.Nil(t, res.Err)
	id, _ := res.Outputs.Get("id")
	assert.Equal(t, "inq_2", id, "the where clause picks the event")
	none, ok := res.Outputs.Get("none")
	assert.True(t, ok)
	assert.Nil(t, none, "a wait that times out yields null")
	at, _ := res.Outputs.Get("t")
	assert.Equal(t, epoch.Add(5*time.Hour), at, "2h, then an event at once, then a 3h timeout")
}

func TestLimits(t *testing.T) {
	p := load(t, "l.wf", []byte(`
workflow spin {
  on manual()

  let n = 0
  for x in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
    for y in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
      n = n + 1
    }
  }
}

workflow big {
  on manual()

  let xs = [1, 2, 3, 4, 5]
  for x in xs {
    log "${x}"
  }
}
`))
	lim := interp.DefaultLimits
	lim.MaxStatements = 50
	res := runWith(p, "spin", &interp.MemHost{}, newEnv(), 1, &lim)
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindLimit, res.Err.Kind)
	assert.Contains(t, res.Err.Msg, "more than 50 statements")

	lim = interp.DefaultLimits
	lim.MaxIterations = 3
	res = runWith(p, "big", &interp.MemHost{}, newEnv(), 1, &lim)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "the loop has 5 items (the limit is 3)")
	assert.Equal(t, 17, res.Err.Pos.Line, "the error points at the loop")
}

func TestErrorsCarryPositionAndBacktrace(t *testing.T) {
	p := load(t, "bt.wf", []byte(`fn outer(x) {
  return inner(x)
}

fn inner(x) {
  return x.missing.field
}

workflow bt {
  on manual()

  let v = outer({a: 1})
}
`))
	res := runWith(p, "bt", &interp.MemHost{}, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	msg := res.Err.Error()
	assert.Contains(t, msg, "bt.wf:6:10: cannot read field field of null: x.missing is null (in workflow bt)")
	assert.Contains(t, msg, "called from outer at bt.wf:2:10")
	assert.Contains(t, msg, "called from workflow bt at bt.wf:12:11")
}

func TestSecretsAreRedactedFromErrors(t *testing.T) {
	p := load(t, "s.wf", []byte(`
workflow s {
  on manual()

  let token = secret("TEST_TOKEN")
  fail "token was ${token}"
}
`))
	res := runWith(p, "s", &interp.MemHost{}, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	assert.NotContains(t, res.Err.Msg, "s3cr3t-token-value")
	assert.Contains(t, res.Err.Msg, "token was [secret TEST_TOKEN]")
	assert.Equal(t, []string{"s3cr3t-token-value"}, res.Secrets)
}

func TestBindInputs(t *testing.T) {
	p := load(t, "in.wf", []byte(`
workflow kyb {
  on api(business_name: string, ein: string, employees: int = 1, note: string?)

  output {n: business_name, e: employees, note: note}
}
`))
	in := interp.NewMap(2)
	in.Set("business_name", "Acme")
	in.Set("ein", "12-3456789")
	tr, err := p.BindInputs("kyb", in)
	require.NoError(t, err)
	e, _ := tr.Get("employees")
	assert.Equal(t, int64(1), e, "a default fills a missing input")

	bad := interp.NewMap(2)
	bad.Set("business_name", int64(5))
	bad.Set("emplyees", int64(3))
	_, err = p.BindInputs("kyb", bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "input business_name must be string, got int")
	assert.Contains(t, err.Error(), "missing input ein (string)")
	assert.Contains(t, err.Error(), "unknown input emplyees (did you mean employees?)")

	res := p.Run(context.Background(), interp.RunRequest{Workflow: "kyb", Trigger: tr, Host: &interp.MemHost{}, Env: newEnv()})
	require.Nil(t, res.Err)
	n, _ := res.Outputs.Get("n")
	assert.Equal(t, "Acme", n, "parameters are bound by name")
}

func TestEventMatching(t *testing.T) {
	p := load(t, "ev.wf", []byte(`
workflow kyc {
  on event "inquiry.completed" where trigger.template_id == "itmpl_kyc"
}

workflow any_report {
  on event "report/*.matched"
}
`))
	tr := interp.NewMap(1)
	tr.Set("template_id", "itmpl_kyc")
	ok, err := p.Matches("kyc", "inquiry.completed", tr, nil)
	require.NoError(t, err)
	assert.True(t, ok)
	tr2 := interp.NewMap(1)
	tr2.Set("template_id", "other")
	ok, err = p.Matches("kyc", "inquiry.completed", tr2, nil)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, []string{"any_report"}, p.EventWorkflows("report/watchlist.matched"))
	assert.Empty(t, p.EventWorkflows("inquiry.approved"))
}

// A where filter that fails to evaluate never starts its workflow: Matches
// answers false with an error located at the filter and naming the
// workflow (regression: a filter error used to be read as a match).
func TestWhereFilterErrorIsNotAMatch(t *testing.T) {
	p := load(t, "flt.wf", []byte(`
workflow kyc {
  on event "inquiry.completed" where trigger.inquiry_template.id == "itmpl_kyc"
}

workflow typed {
  on event "inquiry.completed" where trigger.status > 5
}

workflow lenient {
  on event "inquiry.completed" where trigger.inquiry_template?.id == "itmpl_kyc"
}
`))
	tr := interp.NewMap(1)
	tr.Set("status", "completed")
	for _, tc := range []struct {
		wf, msg string
		line    int
		col     int
	}{
		{"kyc", "trigger.inquiry_template is null", 3, 38},
		{"typed", "cannot compare string with int", 7, 53},
	} {
		ok, err := p.Matches(tc.wf, "inquiry.completed", tr, nil)
		assert.False(t, ok, tc.wf)
		require.Error(t, err, tc.wf)
		re, isRE := interp.AsError(err)
		require.True(t, isRE, tc.wf)
		assert.Contains(t, re.Msg, tc.msg)
		assert.Equal(t, tc.wf, re.Workflow)
		assert.Equal(t, "flt.wf", re.File)
		assert.Equal(t, tc.line, re.Pos.Line, tc.wf)
		assert.Equal(t, tc.col, re.Pos.Col, tc.wf)
	}
	ok, err := p.Matches("lenient", "inquiry.completed", tr, nil)
	require.NoError(t, err, "?. makes a missing relationship no match, not an error")
	assert.False(t, ok)
}

// A panic inside the interpreter or a library is an internal error: try
// does not catch it, the run fails, and the Go stack is kept for the record
// but is not part of the message.
func TestPanicIsAnUncatchableInternalError(t *testing.T) {
	p := load(t, "panic.wf", []byte(`
workflow w {
  on manual()

  try {
    run test.panic()
  } catch err {
    log "caught ${err.message}"
  }
}

workflow in_branch {
  on manual()

  parallel {
    run test.panic()
    run test.echo(1)
  }
}
`))
	for _, wf := range []string{"w", "in_branch"} {
		res, host := run(p, wf, interp.NewMap(0))
		require.Equal(t, interp.StatusFailed, res.Status, wf)
		require.NotNil(t, res.Err)
		assert.Equal(t, interp.KindInternal, res.Err.Kind, wf)
		assert.Contains(t, res.Err.Msg, "assignment to entry in nil map")
		assert.NotContains(t, res.Err.Msg, "goroutine", "the stack is not in the message")
		assert.Contains(t, res.Err.GoStack, "panic", "the stack is kept for the record")
		assert.Empty(t, host.Logs, "%s: catch did not run", wf)
	}
}

// A step cut off because its sibling branch failed is recorded cancelled,
// not failed.
func TestCancelledBranchStepsAreRecordedCancelled(t *testing.T) {
	p := load(t, "cancel.wf", []byte(`
workflow w {
  on manual()

  parallel {
    run test.block()
    fail "boom"
  }
}
`))
	res, host := run(p, "w", interp.NewMap(0))
	require.Equal(t, interp.StatusFailed, res.Status)
	assert.Equal(t, "boom", res.Err.Msg)
	require.Len(t, host.Steps, 1)
	assert.Equal(t, interp.StepCancelled, host.Steps[0].Status)
	require.Len(t, host.Steps[0].AttemptLog, 1)
	assert.Equal(t, interp.StepCancelled, host.Steps[0].AttemptLog[0].Status)
}

// Every attempt of a retried step is in its record, with its own status
// and error.
func TestEveryAttemptIsRecorded(t *testing.T) {
	p := load(t, "attempts.wf", []byte(`
workflow w {
  on manual()

  run test.flaky(2, "ok") with {retries: 3, backoff: 1s}
}
`))
	res, host := run(p, "w", interp.NewMap(0))
	require.Equal(t, interp.StatusCompleted, res.Status)
	require.Len(t, host.Steps, 1)
	log := host.Steps[0].AttemptLog
	require.Len(t, log, 3)
	assert.Equal(t, []string{"failed", "failed", "completed"}, []string{log[0].Status, log[1].Status, log[2].Status})
	assert.Contains(t, log[0].Error, "attempt 1 failed")
	assert.Equal(t, 3, host.Steps[0].Attempts)
	assert.True(t, log[1].Started.After(log[0].Finished), "the backoff is between attempts")
}
