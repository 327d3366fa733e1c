package runtime_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/lists"
)

// recorder is a loopback HTTP server that records each request's
// Idempotency-Key and answers with the statuses given, then 200.
type recorder struct {
	mu       sync.Mutex
	keys     []string
	statuses []int
	srv      *httptest.Server
}

func newRecorder(t *testing.T, statuses ...int) *recorder {
	r := &recorder{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.keys = append(r.keys, req.Header.Get("Idempotency-Key"))
		code := http.StatusOK
		if len(r.statuses) > 0 {
			code, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
		w.Write([]byte(`{"ok": true}`))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.keys...)
}

// rawStore opens the engine's SQLite file directly, to play the state a
// crash leaves behind.
func rawStore(t *testing.T, eng *runtime.Engine) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+eng.Store.(*sqlite.Store).Path()+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// crashAfterEffect rewrites a finished run as a crash between its step's
// effect and the step's journal entry leaves it: the step started (its
// intent committed) but never finished, the run running for an owner that
// is gone.
func crashAfterEffect(t *testing.T, eng *runtime.Engine, runID string) {
	db := rawStore(t, eng)
	_, err := db.Exec(`UPDATE steps SET status = 'started', finished_at = NULL, result = NULL WHERE run_id = ?`, runID)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE runs SET status = 'running', owner = 'ins_gone', finished_at = NULL, outputs = NULL WHERE id = ?`, runID)
	require.NoError(t, err)
}

const postOnce = `
workflow pay {
  on manual(url: string)

  let r = run http.post(url, json: {amount: 5}, idempotency_key: true, retries: 2, retry_on: [503])
  output {status: r.status}
}

workflow pay_carefully {
  on manual(url: string)

  run http.post(url, json: {amount: 5}, idempotency_key: true) with {on_interrupt: "fail"}
}
`

// An effect step's intent is journaled before it is performed. Continued
// after a crash that struck between the effect and its journal entry, the
// step is performed again with the same idempotency key (the target can
// deduplicate); every attempt, those inside http.* included, is recorded.
func TestInDoubtStepIsRetriedWithTheSameKey(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, postOnce)
	rec := newRecorder(t, 503)
	in := interp.NewMap(1)
	in.Set("url", rec.srv.URL)
	first, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "pay", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "completed", first.Status, "%s", first.Error)
	keys := rec.seen()
	require.Len(t, keys, 2, "a 503, then 200")
	assert.Equal(t, first.ID+":"+first.Steps[0].Key, keys[0])
	assert.Equal(t, keys[0], keys[1], "the same key on the retry")
	var attempts []interp.Attempt
	require.NoError(t, json.Unmarshal(first.Steps[0].AttemptLog, &attempts))
	require.Len(t, attempts, 2)
	assert.Equal(t, "failed", attempts[0].Status)
	assert.Contains(t, attempts[0].Error, "status 503")
	assert.Equal(t, "completed", attempts[1].Status)
	assert.Equal(t, 2, first.Steps[0].Attempts)

	crashAfterEffect(t, eng, first.ID)
	runs, err := eng.Store.ListRuns(ctx, store.RunFilter{})
	require.NoError(t, err)
	assert.Equal(t, "interrupted", runs[0].Status, "a run whose owner is gone shows as interrupted")

	again, err := eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	require.NoError(t, err)
	require.Equal(t, "completed", again.Status, "%s", again.Error)
	assert.Equal(t, first.ID, again.ID, "the same run continues")
	keys = rec.seen()
	require.Len(t, keys, 3, "the step in doubt was performed again")
	assert.Equal(t, keys[0], keys[2], "with the same idempotency key")
}

// With on_interrupt: "fail" a step found in doubt is not performed again:
// the run fails for a person to decide.
func TestInDoubtStepCanFailTheRunInstead(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, postOnce)
	rec := newRecorder(t)
	in := interp.NewMap(1)
	in.Set("url", rec.srv.URL)
	first, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "pay_carefully", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "completed", first.Status)
	crashAfterEffect(t, eng, first.ID)

	again, err := eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	require.NoError(t, err)
	require.Equal(t, "failed", again.Status)
	e := again.ParsedError()
	require.NotNil(t, e)
	assert.Equal(t, interp.KindInterrupted, e.Kind)
	assert.Contains(t, e.Message, "may or may not have taken effect")
	assert.Len(t, rec.seen(), 1, "not performed again")
}

// A replay whose script asks for a step other than the journal recorded
// under its key stops with a nondeterminism error naming the step and both
// argument sets; nothing is performed.
func TestReplayMismatchIsANondeterminismError(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, `
workflow two {
  on manual(url: string)

  run http.post(url, json: {n: 1})
  fail "stop here"
}
`)
	rec := newRecorder(t)
	in := interp.NewMap(1)
	in.Set("url", rec.srv.URL)
	first, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "two", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "failed", first.Status)
	// The journal now says the step was asked with other arguments (as a
	// List or a file read at run time might have made it).
	db := rawStore(t, eng)
	_, err = db.Exec(`UPDATE steps SET args = '{"url": "https://elsewhere.example", "json": {"n": 2}}' WHERE run_id = ?`, first.ID)
	require.NoError(t, err)

	again, err := eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	require.NoError(t, err)
	require.Equal(t, "failed", again.Status)
	e := again.ParsedError()
	assert.Equal(t, interp.KindNondeterminism, e.Kind)
	assert.Contains(t, e.Message, "https://elsewhere.example")
	assert.Contains(t, e.Message, rec.srv.URL)
	assert.Len(t, rec.seen(), 1)
}

// Resume continues the same run with its recorded trigger and inputs, on
// its own version even when the file changed since.
func TestResumeUsesTheRecordedVersionAndInputs(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	rec := newRecorder(t, 500, 500)
	l := load(t, eng, `
workflow flaky {
  on manual(url: string, note: string = "v1")

  run http.post(url, json: {note: note}, retries: 1, retry_on: [500])
  log "done ${note}"
}
`)
	in := interp.NewMap(1)
	in.Set("url", rec.srv.URL)
	first, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "flaky", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "failed", first.Status, "retries ran out on a 500")

	// A changed file is a new version; the run does not move to it.
	load(t, eng, `
workflow flaky {
  on manual(url: string, note: string = "v2")

  log "the new version performs nothing"
}
`)
	again, err := eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	require.NoError(t, err)
	require.Equal(t, "completed", again.Status, "%s", again.Error)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, first.Version, again.Version)
	require.Len(t, again.Logs, 1)
	assert.Equal(t, "done v1", again.Logs[0].Message)
	assert.Len(t, rec.seen(), 3, "two failed attempts, one that worked")

	_, err = eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	assert.ErrorContains(t, err, "has completed")
}

// A branch cut off because its sibling failed is recorded cancelled: its
// HTTP step in flight and its wait.
func TestCancelledBranchesAreRecorded(t *testing.T) {
	ctx := context.Background()
	eng, err := runtime.Open(ctx, runtime.Config{Store: t.TempDir() + "/wf.db",
		HTTP: httpx.Config{AllowLoopback: true}})
	require.NoError(t, err)
	defer eng.Close()
	blocked := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(blocked)
		<-r.Context().Done()
	}))
	defer srv.Close()
	l := load(t, eng, `
workflow fan {
  on manual(url: string)

  parallel {
    run http.get(url)
    wait 1h
    {
      wait 50ms
      fail "a sibling failed"
    }
  }
}
`)
	in := interp.NewMap(1)
	in.Set("url", srv.URL)
	done := make(chan *runtime.Record)
	go func() {
		rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "fan", Inputs: in})
		assert.NoError(t, err)
		done <- rec
	}()
	<-blocked
	var rec *runtime.Record
	select {
	case rec = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not end")
	}
	require.Equal(t, "failed", rec.Status)
	byName := map[string]string{}
	for _, s := range rec.Steps {
		byName[s.Name] = s.Status
	}
	assert.Equal(t, "cancelled", byName["http.get"])
	statuses := map[string]int{}
	for _, s := range rec.Steps {
		if s.Name == "wait" {
			statuses[s.Status]++
		}
	}
	assert.Equal(t, map[string]int{"completed": 1, "cancelled": 1}, statuses, "the 1h wait was cut off; the 50ms one ended")
}

const localActions = `
workflow review {
  on event "inquiry.completed"

  let c = run case.create(template: "review", objects: [trigger.id])
  run case.add_comment(c.id, "opened by the review workflow")
  run inquiry.add_tag(trigger.id, "reviewed")
  output {case: c.id}
}

workflow review_logged {
  on event "inquiry.completed"

  run inquiry.add_tag(trigger.id, "reviewed")
  log "tagged ${trigger.id}"
  run inquiry.mark_for_review(trigger.id, comment: "tagged")
}

workflow review_carefully {
  on event "inquiry.completed"

  run case.create(template: "review", objects: [trigger.id]) with {on_interrupt: "fail"}
}
`

// stepWrites counts the step rows a store is asked to save, by the call
// that saves them.
type stepWrites struct {
	store.Store
	mu                    sync.Mutex
	saved, withLog, atEnd int
	savedStatuses         []string
}

func (s *stepWrites) AppendLog(ctx context.Context, runID string, l store.Log, steps []store.Step) error {
	s.mu.Lock()
	s.withLog += len(steps)
	s.mu.Unlock()
	return s.Store.AppendLog(ctx, runID, l, steps)
}

func (s *stepWrites) SaveStep(ctx context.Context, runID string, st store.Step) error {
	return s.SaveSteps(ctx, runID, []store.Step{st})
}

func (s *stepWrites) SaveSteps(ctx context.Context, runID string, steps []store.Step) error {
	s.mu.Lock()
	s.saved += len(steps)
	for _, st := range steps {
		s.savedStatuses = append(s.savedStatuses, st.Status)
	}
	s.mu.Unlock()
	return s.Store.SaveSteps(ctx, runID, steps)
}

func (s *stepWrites) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, at time.Time, wake string, steps []store.Step) ([]string, error) {
	s.mu.Lock()
	s.atEnd += len(steps)
	s.mu.Unlock()
	return s.Store.FinishRun(ctx, id, status, outputs, errJSON, at, wake, steps)
}

func inquiryEvent(t *testing.T) *runtime.Event {
	body, err := os.ReadFile("../examples/events/inquiry_adult.json")
	require.NoError(t, err)
	ev, err := runtime.DecodeEvent(body)
	require.NoError(t, err)
	return ev
}

// A Persona action on the local backend commits its change with the record
// of its idempotency key, so it is journaled without an intent and its
// outcome rides with the run's next write: here the actions' outcomes are
// saved with the run's end, or with a log line between them. With on_interrupt: "fail"
// the action is journaled as any effect is, intent first.
func TestLocalActionsRideWithTheRunsEnd(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, localActions)
	counted := &stepWrites{Store: eng.Store}
	eng.SwapStore(counted)

	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "review", Event: inquiryEvent(t)})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	assert.Zero(t, counted.saved, "no intent and no separate outcome")
	assert.Equal(t, 3, counted.atEnd, "the outcomes with the run's end")
	stored, err := eng.Store.GetRun(ctx, rec.ID)
	require.NoError(t, err)
	require.Len(t, stored.Steps, 3)
	for _, st := range stored.Steps {
		assert.Equal(t, "completed", st.Status, st.Name)
		assert.NotEmpty(t, st.Result, st.Name)
	}

	counted.saved, counted.atEnd = 0, 0
	rec, err = eng.Run(ctx, l, runtime.RunOptions{Workflow: "review_logged", Event: inquiryEvent(t)})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	assert.Zero(t, counted.saved)
	assert.Equal(t, 1, counted.withLog, "the first outcome with the log line")
	assert.Equal(t, 1, counted.atEnd, "the second with the run's end")

	counted.saved, counted.atEnd, counted.savedStatuses = 0, 0, nil
	rec, err = eng.Run(ctx, l, runtime.RunOptions{Workflow: "review_carefully", Event: inquiryEvent(t)})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	assert.Equal(t, []string{store.StepStarted, "completed"}, counted.savedStatuses, "the intent, then the outcome")
}

// A crash after a local action's change committed but before its outcome
// did leaves no step row at all: continued, the run performs the actions
// again under the same keys, which answer with the first results and
// change nothing (one comment on the case, not two).
func TestLocalActionCrashBeforeItsOutcomeChangesNothingTwice(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, localActions)
	first, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "review", Event: inquiryEvent(t)})
	require.NoError(t, err)
	require.Equal(t, "completed", first.Status, "%s", first.Error)

	db := rawStore(t, eng)
	_, err = db.Exec(`DELETE FROM steps WHERE run_id = ?`, first.ID)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE runs SET status = 'running', owner = 'ins_gone', finished_at = NULL, outputs = NULL WHERE id = ?`, first.ID)
	require.NoError(t, err)

	again, err := eng.Run(ctx, nil, runtime.RunOptions{Resume: first.ID})
	require.NoError(t, err)
	require.Equal(t, "completed", again.Status, "%s", again.Error)
	assert.JSONEq(t, string(first.Outputs), string(again.Outputs), "the same case")
	cases, err := eng.Store.ListObjects(ctx, "case")
	require.NoError(t, err)
	require.Len(t, cases, 1, "the case was not opened twice")
	assert.Len(t, cases[0]["comments"], 1, "the comment was not added twice")
	inq, err := eng.Store.GetObject(ctx, "inquiry", "inq_Adult0001")
	require.NoError(t, err)
	assert.Equal(t, []any{"reviewed"}, inq["tags"])
	require.Len(t, again.Steps, 3)
}

// Local actions in parallel branches, beside steps journaled with an
// intent (lists.add) and log lines: every outcome is saved once, whichever
// write it rides with (run with -race, the branches share the pending
// outcomes); "d" rides with the second lists.add's intent.
func TestLocalActionsInParallelBranches(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	_, err := eng.Lists.Create(ctx, "seen", lists.KindString)
	require.NoError(t, err)
	l := load(t, eng, `
workflow fan {
  on event "inquiry.completed"

  parallel {
    run inquiry.add_tag(trigger.id, "a")
    {
      run inquiry.add_tag(trigger.id, "b")
      log "tagged b"
      run lists.add("seen", trigger.id)
    }
    {
      run case.create(template: "review", objects: [trigger.id])
      run inquiry.add_tag(trigger.id, "c")
    }
  }
  log "done"
  run inquiry.add_tag(trigger.id, "d")
  run lists.add("seen", "after d")
  run inquiry.mark_for_review(trigger.id, comment: "fanned out")
}
`)
	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "fan", Event: inquiryEvent(t)})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	stored, err := eng.Store.GetRun(ctx, rec.ID)
	require.NoError(t, err)
	names := map[string]int{}
	for _, st := range stored.Steps {
		assert.Equal(t, "completed", st.Status, st.Name)
		names[st.Name]++
	}
	assert.Equal(t, map[string]int{"inquiry.add_tag": 4, "lists.add": 2, "case.create": 1, "inquiry.mark_for_review": 1}, names)
	assert.Len(t, stored.Logs, 2)
	inq, err := eng.Store.GetObject(ctx, "inquiry", "inq_Adult0001")
	require.NoError(t, err)
	assert.ElementsMatch(t, []any{"a", "b", "c", "d"}, inq["tags"])
}
