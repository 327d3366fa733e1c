package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testVersionRoundTripAndIdempotence(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.SaveVersion(ctx, store.Version{Hash: "abc", Path: "kyc.wf", Source: "v1"}))
	require.NoError(t, s.SaveVersion(ctx, store.Version{Hash: "abc", Path: "other.wf", Source: "v1"}))
	v, err := s.GetVersion(ctx, "abc")
	require.NoError(t, err)
	assert.Equal(t, store.Version{Hash: "abc", Path: "kyc.wf", Source: "v1", CreatedAt: t0}, v)

	_, err = s.GetVersion(ctx, "nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.EqualError(t, s.SaveVersion(ctx, store.Version{}), "store: version hash is empty")
}

func testRunRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	in := &store.Run{
		ID: "run_01", Workflow: "kyc", Version: "h1",
		Trigger: json.RawMessage(`{"type":"event"}`), Event: json.RawMessage(`{"id":"evt"}`),
		Inputs: json.RawMessage(`{"a":1}`), Seed: -42, ClockStart: t0.Add(-time.Hour),
		ParentID: "run_00", DryRun: true,
	}
	require.NoError(t, s.CreateRun(ctx, in))
	assert.Equal(t, store.StatusRunning, in.Status)
	assert.Equal(t, t0, in.StartedAt)

	steps := []store.Step{
		{Key: "b", Seq: 2, Name: "persona.get", Args: json.RawMessage(`[1]`), Status: "running", Attempts: 1, StartedAt: t0},
		{Key: "a", Seq: 1, Name: "http.get", Args: json.RawMessage(`{"u":"x"}`), Result: json.RawMessage(`{"ok":1}`),
			Status: "done", Attempts: 2, StartedAt: t0, FinishedAt: t0.Add(time.Second)},
		{Key: "c", Seq: 3, Name: "slack.post", Error: "boom", Status: "failed", Attempts: 3,
			StartedAt: t0, FinishedAt: t0.Add(2 * time.Second)},
	}
	for _, st := range steps {
		require.NoError(t, s.SaveStep(ctx, in.ID, st))
	}
	require.NoError(t, s.AppendLog(ctx, in.ID, store.Log{At: t0, Level: "info", Message: "one", Pos: "kyc.wf:3:5"}, nil))
	require.NoError(t, s.AppendLog(ctx, in.ID, store.Log{At: t0, Level: "warn", Message: "two"}, nil))
	require.NoError(t, s.AppendLog(ctx, in.ID, store.Log{Seq: 10, Level: "error", Message: "ten"}, nil))
	require.NoError(t, s.AppendLog(ctx, in.ID, store.Log{Level: "info", Message: "eleven"}, nil))
	woken, err := s.FinishRun(ctx, in.ID, "failed", json.RawMessage(`{"o":true}`), json.RawMessage(`{"msg":"boom"}`), t0.Add(time.Minute), "", nil)
	require.NoError(t, err)
	require.Empty(t, woken)

	got, err := s.GetRun(ctx, in.ID)
	require.NoError(t, err)
	want := *in
	want.Status, want.Outputs, want.Error = "failed", json.RawMessage(`{"o":true}`), json.RawMessage(`{"msg":"boom"}`)
	want.FinishedAt = t0.Add(time.Minute)
	want.Steps = []store.Step{steps[1], steps[0], steps[2]}
	want.Logs = []store.Log{
		{Seq: 1, At: t0, Level: "info", Message: "one", Pos: "kyc.wf:3:5"},
		{Seq: 2, At: t0, Level: "warn", Message: "two"},
		{Seq: 10, Level: "error", Message: "ten"},
		{Seq: 11, Level: "info", Message: "eleven"},
	}
	assert.Equal(t, &want, got)
}

func testSaveStepUpsertKeepsStartAndArgs(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "k", Seq: 1, Name: "n", Args: json.RawMessage(`{"a":1}`), Status: "running", StartedAt: t0}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "k", Seq: 1, Name: "n", Result: json.RawMessage(`2`), Status: "done", Attempts: 1, FinishedAt: t0.Add(time.Second)}))
	got, err := s.GetRun(ctx, "r")
	require.NoError(t, err)
	require.Len(t, got.Steps, 1)
	assert.Equal(t, store.Step{Key: "k", Seq: 1, Name: "n", Args: json.RawMessage(`{"a":1}`), Result: json.RawMessage(`2`),
		Status: "done", Attempts: 1, StartedAt: t0, FinishedAt: t0.Add(time.Second)}, got.Steps[0])
}

func testJournalReturnsEveryStep(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "done", Seq: 1, Status: "done", Result: json.RawMessage(`1`), FinishedAt: t0}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "failed", Seq: 2, Status: "failed", Error: "x", FinishedAt: t0}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "started", Seq: 3, Status: store.StepStarted, StartedAt: t0}))
	j, err := s.Journal(ctx, "r")
	require.NoError(t, err)
	assert.Len(t, j, 3)
	assert.JSONEq(t, `1`, string(j["done"].Result))
	assert.Equal(t, "x", j["failed"].Error)
	assert.True(t, j["started"].FinishedAt.IsZero(), "a step begun and not finished is in the journal, unfinished")

	j, err = s.Journal(ctx, "unknown")
	require.NoError(t, err)
	assert.Empty(t, j)
}

func testRunErrors(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))

	assert.ErrorIs(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}), store.ErrExists)
	assert.EqualError(t, s.CreateRun(ctx, &store.Run{ID: "x"}), "store: run needs an id and a workflow")
	assert.EqualError(t, s.CreateRun(ctx, &store.Run{ID: "y", Workflow: "w", Inputs: json.RawMessage(`{`)}), "store: run inputs is not valid JSON")
	_, err := s.FinishRun(ctx, "nope", "failed", nil, nil, t0, "", nil)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, s.SaveStep(ctx, "nope", store.Step{Key: "k", Status: "done"}), store.ErrNotFound)
	assert.ErrorIs(t, s.AppendLog(ctx, "nope", store.Log{Message: "m"}, nil), store.ErrNotFound)
	assert.EqualError(t, s.SaveStep(ctx, "r", store.Step{}), "store: step key is empty")
	assert.EqualError(t, s.SaveStep(ctx, "r", store.Step{Key: "k", Result: json.RawMessage(`nope`)}), "store: step result is not valid JSON")
	_, err = s.GetRun(ctx, "y")
	assert.ErrorIs(t, err, store.ErrNotFound, "an invalid run must not have been stored")
}

func testGetRunByPrefix(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	for _, id := range []string{"abc1", "abc2", "abd", "b"} {
		require.NoError(t, s.CreateRun(ctx, &store.Run{ID: id, Workflow: "w"}))
	}
	tests := []struct{ in, want, err string }{
		{in: "abd", want: "abd"},
		{in: "abc1", want: "abc1"},
		{in: "abc", err: `store: run id prefix "abc" is ambiguous (abc1, abc2, …)`},
		{in: "a", err: `store: run id prefix "a" is ambiguous (abc1, abc2, …)`},
		{in: "b", want: "b"},
		{in: "ab", err: "ambiguous"},
		{in: "abd9", err: `store: run "abd9": store: not found`},
		{in: "c", err: `store: run "c": store: not found`},
		{in: "", err: "store: run id is empty: store: not found"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := s.GetRun(ctx, tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.ID)
		})
	}
	// A unique prefix of a longer id resolves when the exact id is not present.
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "zz_01HXYZ", Workflow: "w"}))
	got, err := s.GetRun(ctx, "zz_01")
	require.NoError(t, err)
	assert.Equal(t, "zz_01HXYZ", got.ID)
}

func testListRunsOrderAndFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	for i, wf := range []string{"a", "b", "a", "a", "b"} {
		r := &store.Run{ID: fmt.Sprintf("r%d", i), Workflow: wf, StartedAt: t0.Add(time.Duration(i) * time.Minute)}
		if i%2 == 1 {
			r.Status = "succeeded"
		}
		require.NoError(t, s.CreateRun(ctx, r))
		require.NoError(t, s.SaveStep(ctx, r.ID, store.Step{Key: "k", Status: "done"}))
	}
	ids := func(f store.RunFilter) []string {
		runs, err := s.ListRuns(ctx, f)
		require.NoError(t, err)
		var out []string
		for _, r := range runs {
			assert.Nil(t, r.Steps)
			out = append(out, r.ID)
		}
		return out
	}
	assert.Equal(t, []string{"r4", "r3", "r2", "r1", "r0"}, ids(store.RunFilter{}))
	assert.Equal(t, []string{"r3", "r2", "r0"}, ids(store.RunFilter{Workflow: "a"}))
	assert.Equal(t, []string{"r3", "r1"}, ids(store.RunFilter{Status: "succeeded"}))
	assert.Equal(t, []string{"r1"}, ids(store.RunFilter{Workflow: "b", Status: "succeeded"}))
	assert.Equal(t, []string{"r4", "r2", "r0"}, ids(store.RunFilter{Status: store.StatusRunning}))
	assert.Equal(t, []string{"r4", "r3"}, ids(store.RunFilter{Limit: 2}))
	assert.Equal(t, []string{"r2", "r1"}, ids(store.RunFilter{Before: t0.Add(3 * time.Minute), Limit: 2}))
	assert.Empty(t, ids(store.RunFilter{Workflow: "zzz"}))
}

func testConcurrentSaveStep(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("branch%d/step%d", w, i)
				errs <- s.SaveStep(ctx, "r", store.Step{Key: key, Seq: int64(w*each + i), Status: "done", FinishedAt: t0})
				_, err := s.Journal(ctx, "r")
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	j, err := s.Journal(ctx, "r")
	require.NoError(t, err)
	assert.Len(t, j, workers*each)
	run, err := s.GetRun(ctx, "r")
	require.NoError(t, err)
	for i, st := range run.Steps {
		assert.Equal(t, int64(i), st.Seq)
	}
}

// SaveSteps, AppendLog's and FinishRun's steps commit all together or not at all.
func testStepsSavedTogether(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))
	a := store.Step{Key: "a", Seq: 1, Name: "inquiry.decline", Result: json.RawMessage(`{"id":"inq_1"}`), Status: "completed",
		Attempts: 1, StartedAt: t0, FinishedAt: t0}
	b := store.Step{Key: "b", Seq: 2, Name: "http.get", Args: json.RawMessage(`{"url":"x"}`), Status: store.StepStarted, StartedAt: t0}
	require.NoError(t, s.SaveSteps(ctx, "r", []store.Step{a, b}))
	j, err := s.Journal(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, map[string]store.Step{"a": a, "b": b}, j)

	bad := store.Step{Key: "c", Seq: 3, Result: json.RawMessage(`{`)}
	assert.EqualError(t, s.SaveSteps(ctx, "r", []store.Step{{Key: "d", Seq: 4, Status: "completed"}, bad}), "store: step result is not valid JSON")
	assert.ErrorIs(t, s.SaveSteps(ctx, "nope", []store.Step{a}), store.ErrNotFound)
	_, err = s.FinishRun(ctx, "r", store.StatusCompleted, nil, nil, t0, "", []store.Step{{Key: "e", Seq: 5, Status: "completed"}, bad})
	assert.EqualError(t, err, "store: step result is not valid JSON")
	_, err = s.FinishRun(ctx, "nope", store.StatusCompleted, nil, nil, t0, "", []store.Step{a})
	assert.ErrorIs(t, err, store.ErrNotFound)
	got, err := s.GetRun(ctx, "r")
	require.NoError(t, err)
	assert.False(t, store.Ended(got.Status), "a finish refused for its steps does not end the run")
	assert.Len(t, got.Steps, 2, "nothing of a refused call is saved")

	assert.EqualError(t, s.AppendLog(ctx, "r", store.Log{Message: "m"}, []store.Step{bad}), "store: step result is not valid JSON")
	assert.ErrorIs(t, s.AppendLog(ctx, "nope", store.Log{Message: "m"}, []store.Step{a}), store.ErrNotFound)
	c := store.Step{Key: "c", Seq: 3, Name: "inquiry.add_tag", Status: "completed", Attempts: 1, StartedAt: t0, FinishedAt: t0}
	require.NoError(t, s.AppendLog(ctx, "r", store.Log{Seq: 4, At: t0, Level: "info", Message: "tagged"}, []store.Step{c}))
	logs, err := s.Logs(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, []store.Log{{Seq: 4, At: t0, Level: "info", Message: "tagged"}}, logs, "a refused log line is not saved")

	b.Status, b.Result, b.Attempts, b.FinishedAt = "completed", json.RawMessage(`{"ok":true}`), 1, t0.Add(time.Second)
	_, err = s.FinishRun(ctx, "r", store.StatusCompleted, json.RawMessage(`{"n":1}`), nil, t0.Add(time.Minute), "", []store.Step{b})
	require.NoError(t, err)
	got, err = s.GetRun(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, store.StatusCompleted, got.Status)
	assert.Equal(t, []store.Step{a, b, c}, got.Steps, "an outcome saved with a log line, the last with the run's end")
}
