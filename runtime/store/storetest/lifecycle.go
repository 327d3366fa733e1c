package storetest

import (
	"context"
	"encoding/json"
	"path"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// match is the glob matcher the runtime passes (lang.EventMatches), near enough for tests.
func match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// queued creates a run queued for owner ("" for nobody).
func queued(t *testing.T, s store.Store, id, owner string) {
	t.Helper()
	require.NoError(t, s.CreateRun(context.Background(), &store.Run{ID: id, Workflow: "w", Version: "v",
		Status: store.StatusQueued, Owner: owner}))
}

// status reads a run's status as GetRun reports it.
func status(t *testing.T, s store.Store, id string) string {
	t.Helper()
	r, err := s.GetRun(context.Background(), id)
	require.NoError(t, err)
	return r.Status
}

func live(t *testing.T, s store.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		require.NoError(t, s.RegisterInstance(context.Background(), store.Instance{ID: id, Kind: "serve", Host: "h", PID: 1}))
	}
}

func testClaimRun(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a", "b")
	queued(t, s, "r_a", "a")
	queued(t, s, "r_any", "")

	_, err := s.ClaimRun(ctx, "r_a", "b")
	assert.ErrorIs(t, err, store.ErrNotClaimed, "queued for a live instance: only it claims the run")
	r, err := s.ClaimRun(ctx, "r_a", "a")
	require.NoError(t, err)
	assert.Equal(t, store.StatusRunning, r.Status)
	assert.Equal(t, "a", r.Owner)
	_, err = s.ClaimRun(ctx, "r_a", "a")
	assert.ErrorIs(t, err, store.ErrNotClaimed, "running: not claimed twice")

	r, err = s.ClaimRun(ctx, "r_any", "b")
	require.NoError(t, err, "queued for nobody: any instance claims it")
	assert.Equal(t, "b", r.Owner)
	_, err = s.ClaimRun(ctx, "missing", "a")
	assert.ErrorIs(t, err, store.ErrNotClaimed)

	ids, err := s.QueuedFor(ctx, "a", 10)
	require.NoError(t, err)
	assert.Empty(t, ids)
	queued(t, s, "r_a2", "a")
	queued(t, s, "r_any2", "")
	queued(t, s, "r_b", "b")
	ids, err = s.QueuedFor(ctx, "a", 10)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"r_a2", "r_any2"}, ids, "a's runs and runs queued for nobody")
	assert.Equal(t, store.StatusQueued, status(t, s, "r_any2"), "queued for nobody is waiting, not interrupted")
}

// Many workers claiming the same runs at once: each run is claimed exactly once.
func testConcurrentClaimsOneWinner(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	const runs, workers = 30, 6
	for i := range runs {
		queued(t, s, "r"+strconv.Itoa(i), "")
	}
	var mu sync.Mutex
	claims := map[string][]string{}
	var wg sync.WaitGroup
	for w := range workers {
		owner := "w" + strconv.Itoa(w)
		live(t, s, owner)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range runs {
				id := "r" + strconv.Itoa((i+w*5)%runs)
				_, err := s.ClaimRun(ctx, id, owner)
				if err == nil {
					mu.Lock()
					claims[id] = append(claims[id], owner)
					mu.Unlock()
				} else if !assert.ErrorIs(t, err, store.ErrNotClaimed) {
					return
				}
			}
		}()
	}
	wg.Wait()
	require.Len(t, claims, runs)
	for id, by := range claims {
		assert.Len(t, by, 1, "run %s claimed by %v", id, by)
	}
}

func testParkAndWakeOnTime(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	live(t, s, "a")
	queued(t, s, "r", "a")
	_, err := s.ClaimRun(ctx, "r", "a")
	require.NoError(t, err)
	until := t0.Add(time.Hour)
	requeued, err := s.ParkRun(ctx, "r", "a", []store.Wait{{Key: "k1", Until: until}, {Key: "k2", Event: "x.done"}}, 0, match)
	require.NoError(t, err)
	assert.False(t, requeued)
	assert.Equal(t, store.StatusParked, status(t, s, "r"))
	waits, err := s.Waits(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, []store.Wait{{Key: "k1", Until: until}, {Key: "k2", Event: "x.done"}}, waits)
	next, err := s.NextWake(ctx)
	require.NoError(t, err)
	assert.Equal(t, until, next)

	woken, err := s.WakeDue(ctx, t0.Add(time.Minute), "a", 10)
	require.NoError(t, err)
	assert.Empty(t, woken, "not due yet")
	clock.Advance(time.Hour)
	woken, err = s.WakeDue(ctx, clock.Now(), "", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"r"}, woken)
	assert.Equal(t, store.StatusQueued, status(t, s, "r"))
	waits, err = s.Waits(ctx, "r")
	require.NoError(t, err)
	assert.Empty(t, waits, "a woken run's waits are dropped")
	next, err = s.NextWake(ctx)
	require.NoError(t, err)
	assert.True(t, next.IsZero())
	woken, err = s.WakeDue(ctx, clock.Now(), "", 10)
	require.NoError(t, err)
	assert.Empty(t, woken, "woken once")

	_, err = s.ParkRun(ctx, "r", "a", []store.Wait{{Key: "k", Until: until.Add(time.Hour)}}, 0, match)
	assert.ErrorIs(t, err, store.ErrNotClaimed, "only a running run parks")
}

func testParkRequeuesWhenAWaitAlreadyHolds(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	park := func(id string, w store.Wait, after int64) bool {
		t.Helper()
		queued(t, s, id, "a")
		_, err := s.ClaimRun(ctx, id, "a")
		require.NoError(t, err)
		requeued, err := s.ParkRun(ctx, id, "a", []store.Wait{w}, after, match)
		require.NoError(t, err)
		return requeued
	}
	assert.True(t, park("due", store.Wait{Key: "k", Until: t0}, 0), "a time at or before now")

	_, err := s.RecordEvent(ctx, store.Event{ID: "e1", Name: "case.closed"})
	require.NoError(t, err)
	seen, err := s.MaxEventSeq(ctx)
	require.NoError(t, err)
	assert.Positive(t, seen)
	assert.True(t, park("ev_before", store.Wait{Key: "k", Event: "case.*"}, 0), "an event recorded after what the run saw")
	assert.False(t, park("ev_seen", store.Wait{Key: "k", Event: "case.*"}, seen), "an event the run has seen does not wake it")
	assert.False(t, park("ev_other", store.Wait{Key: "k", Event: "inquiry.completed"}, 0), "another name does not")

	queued(t, s, "child", "a")
	assert.False(t, park("parent", store.Wait{Key: "k", WaitRun: "child"}, seen), "the child has not ended")
	assert.True(t, park("orphan", store.Wait{Key: "k", WaitRun: "missing"}, seen), "a waited run that does not exist")
	assert.Equal(t, store.StatusQueued, status(t, s, "due"))
	assert.Equal(t, store.StatusParked, status(t, s, "parent"))
}

// A run that looked for its event and parks, racing the event's acceptance: either the park
// sees the event (and queues the run again), or the acceptance wakes the parked run. The run
// is never left parked with its event recorded.
func testParkRaceWithEvents(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	const n = 40
	for i := range n {
		queued(t, s, "r"+strconv.Itoa(i), "a")
		_, err := s.ClaimRun(ctx, "r"+strconv.Itoa(i), "a")
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	found := make([]bool, n)
	requeued := make([]bool, n)
	woken := make([]bool, n)
	for i := range n {
		name := "ev." + strconv.Itoa(i)
		wg.Add(2)
		go func() { // the run: look for the event, then park on it
			defer wg.Done()
			seen, err := s.MaxEventSeq(ctx)
			if !assert.NoError(t, err) {
				return
			}
			evs, err := s.EventsSince(ctx, name, false, t0, 10)
			if !assert.NoError(t, err) {
				return
			}
			if len(evs) > 0 {
				found[i] = true
				return
			}
			requeued[i], err = s.ParkRun(ctx, "r"+strconv.Itoa(i), "a", []store.Wait{{Key: "k", Event: name}}, seen, match)
			assert.NoError(t, err)
		}()
		go func() { // the event's acceptance
			defer wg.Done()
			acc, err := s.AcceptEvent(ctx, store.Event{ID: "e" + strconv.Itoa(i), Name: name}, nil, nil, nil, "a", match)
			if assert.NoError(t, err) {
				woken[i] = len(acc.Woken) == 1
			}
		}()
	}
	wg.Wait()
	for i := range n {
		assert.True(t, found[i] || requeued[i] || woken[i], "run %d missed its event", i)
		if !found[i] {
			assert.Equal(t, store.StatusQueued, status(t, s, "r"+strconv.Itoa(i)), "run %d", i)
		}
	}
}

// A caller parking on a child that ends at the same moment: either the park sees the end, or
// the end wakes the parked caller.
func testParkRaceWithChildEnd(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	const n = 40
	for i := range n {
		for _, id := range []string{"p" + strconv.Itoa(i), "c" + strconv.Itoa(i)} {
			queued(t, s, id, "a")
			_, err := s.ClaimRun(ctx, id, "a")
			require.NoError(t, err)
		}
	}
	var wg sync.WaitGroup
	requeued := make([]bool, n)
	woken := make([]bool, n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			var err error
			requeued[i], err = s.ParkRun(ctx, "p"+strconv.Itoa(i), "a", []store.Wait{{Key: "k", WaitRun: "c" + strconv.Itoa(i)}}, 0, match)
			assert.NoError(t, err)
		}()
		go func() {
			defer wg.Done()
			w, err := s.FinishRun(ctx, "c"+strconv.Itoa(i), store.StatusCompleted, nil, nil, t0, "a", nil)
			if assert.NoError(t, err) {
				woken[i] = len(w) == 1
			}
		}()
	}
	wg.Wait()
	for i := range n {
		assert.True(t, requeued[i] != woken[i], "caller %d: requeued %v, woken %v", i, requeued[i], woken[i])
		assert.Equal(t, store.StatusQueued, status(t, s, "p"+strconv.Itoa(i)), "caller %d", i)
	}
}

func testFinishWakesTheCaller(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	for _, id := range []string{"parent", "child"} {
		queued(t, s, id, "a")
		_, err := s.ClaimRun(ctx, id, "a")
		require.NoError(t, err)
	}
	requeued, err := s.ParkRun(ctx, "parent", "a", []store.Wait{{Key: "call", WaitRun: "child"}}, 0, match)
	require.NoError(t, err)
	require.False(t, requeued)
	woken, err := s.FinishRun(ctx, "child", store.StatusCompleted, json.RawMessage(`{"ok":true}`), nil, t0, "", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"parent"}, woken)
	parent, err := s.GetRun(ctx, "parent")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, parent.Status)
	assert.Empty(t, parent.Owner, "woken for nobody: any instance's worker takes it")
	child, err := s.GetRun(ctx, "child")
	require.NoError(t, err)
	assert.Equal(t, store.StatusCompleted, child.Status)
	assert.Empty(t, child.Owner)
	assert.Equal(t, t0, child.FinishedAt)
	assert.JSONEq(t, `{"ok":true}`, string(child.Outputs))
	_, err = s.FinishRun(ctx, "missing", store.StatusCompleted, nil, nil, t0, "", nil)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testInterruptedRecoverAndRequeue(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	live(t, s, "dead", "alive")
	queued(t, s, "r_running", "dead")
	_, err := s.ClaimRun(ctx, "r_running", "dead")
	require.NoError(t, err)
	queued(t, s, "r_queued", "dead")
	queued(t, s, "r_any", "")
	queued(t, s, "r_alive", "alive")
	assert.Equal(t, store.StatusRunning, status(t, s, "r_running"))

	clock.Advance(20 * time.Second) // past StaleAfter: both stop heart-beating…
	require.NoError(t, s.Heartbeat(ctx, "alive"))
	instances, err := s.LiveInstances(ctx)
	require.NoError(t, err)
	assert.Contains(t, instances, "alive")
	assert.NotContains(t, instances, "dead")
	assert.Equal(t, store.StatusInterrupted, status(t, s, "r_running"))
	assert.Equal(t, store.StatusInterrupted, status(t, s, "r_queued"))
	assert.Equal(t, store.StatusQueued, status(t, s, "r_any"))
	assert.Equal(t, store.StatusQueued, status(t, s, "r_alive"))
	list, err := s.ListRuns(ctx, store.RunFilter{Status: store.StatusInterrupted})
	require.NoError(t, err)
	var ids []string
	for _, r := range list {
		ids = append(ids, r.ID)
		assert.Equal(t, store.StatusInterrupted, r.Status)
	}
	assert.ElementsMatch(t, []string{"r_running", "r_queued"}, ids)

	// An interrupted run is claimed by another instance directly.
	r, err := s.ClaimRun(ctx, "r_running", "alive")
	require.NoError(t, err)
	assert.Equal(t, "alive", r.Owner)

	recovered, err := s.RecoverRuns(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"r_queued"}, recovered, "the dead instance's queued run, for anyone")
	rq, err := s.GetRun(ctx, "r_queued")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, rq.Status)
	assert.Empty(t, rq.Owner)
	recovered, err = s.RecoverRuns(ctx, "alive")
	require.NoError(t, err)
	assert.Empty(t, recovered)

	// Requeue: failed and cancelled runs, not running or completed ones.
	_, err = s.FinishRun(ctx, "r_running", store.StatusFailed, nil, json.RawMessage(`{"message":"boom"}`), clock.Now(), "", nil)
	require.NoError(t, err)
	require.NoError(t, s.Requeue(ctx, "r_running", "alive"))
	r, err = s.GetRun(ctx, "r_running")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, r.Status)
	assert.Equal(t, "alive", r.Owner)
	assert.Empty(t, r.Error)
	assert.True(t, r.FinishedAt.IsZero())
	assert.Error(t, s.Requeue(ctx, "r_alive", "alive"), "a queued run of a live instance is not resumed")
	require.NoError(t, s.StopInstance(ctx, "alive"))
	assert.Equal(t, store.StatusInterrupted, status(t, s, "r_alive"), "a stopped instance's runs are interrupted at once")
}

// A live instance that cannot go on with a run it holds (its execution stopped on a store
// error) releases it: the run is interrupted at once, and RecoverRuns hands it out again.
// Runs it does not hold are left alone.
func testReleaseRun(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a", "b")
	for _, id := range []string{"running", "mine", "theirs", "parked", "done"} {
		queued(t, s, id, "a")
	}
	queued(t, s, "any", "")
	for _, id := range []string{"running", "parked", "done"} {
		_, err := s.ClaimRun(ctx, id, "a")
		require.NoError(t, err)
	}
	_, err := s.ClaimRun(ctx, "theirs", "a")
	require.NoError(t, err)
	_, err = s.ParkRun(ctx, "parked", "a", []store.Wait{{Key: "k", Until: t0.Add(time.Hour)}}, 0, match)
	require.NoError(t, err)
	_, err = s.FinishRun(ctx, "done", store.StatusCompleted, nil, nil, t0, "", nil)
	require.NoError(t, err)

	// Nobody takes over a live instance's run until it lets go.
	_, err = s.ClaimRun(ctx, "running", "b")
	require.ErrorIs(t, err, store.ErrNotClaimed)
	recovered, err := s.RecoverRuns(ctx, "b")
	require.NoError(t, err)
	assert.Empty(t, recovered)

	for _, id := range []string{"running", "mine", "parked", "done", "any", "missing"} {
		require.NoError(t, s.ReleaseRun(ctx, id, "a"), id)
	}
	require.NoError(t, s.ReleaseRun(ctx, "theirs", "b"), "held by another owner: left alone")
	assert.Equal(t, store.StatusInterrupted, status(t, s, "running"))
	assert.Equal(t, store.StatusInterrupted, status(t, s, "mine"), "queued for it, not executed")
	assert.Equal(t, store.StatusRunning, status(t, s, "theirs"))
	assert.Equal(t, store.StatusParked, status(t, s, "parked"))
	assert.Equal(t, store.StatusCompleted, status(t, s, "done"))
	assert.Equal(t, store.StatusQueued, status(t, s, "any"))

	recovered, err = s.RecoverRuns(ctx, "b")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"running", "mine"}, recovered)
	r, err := s.ClaimRun(ctx, "running", "b")
	require.NoError(t, err)
	assert.Equal(t, "b", r.Owner)
}

func testCancelRun(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	errJSON := json.RawMessage(`{"kind":"cancel"}`)
	queued(t, s, "q", "a")
	prev, err := s.CancelRun(ctx, "q", errJSON, t0, "")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, prev)
	r, err := s.GetRun(ctx, "q")
	require.NoError(t, err)
	assert.Equal(t, store.StatusCancelled, r.Status)
	assert.JSONEq(t, string(errJSON), string(r.Error))

	for _, id := range []string{"parent", "child", "busy"} {
		queued(t, s, id, "a")
		_, err := s.ClaimRun(ctx, id, "a")
		require.NoError(t, err)
	}
	_, err = s.ParkRun(ctx, "child", "a", []store.Wait{{Key: "k", Until: t0.Add(time.Hour)}}, 0, match)
	require.NoError(t, err)
	_, err = s.ParkRun(ctx, "parent", "a", []store.Wait{{Key: "k", WaitRun: "child"}}, 0, match)
	require.NoError(t, err)
	prev, err = s.CancelRun(ctx, "child", errJSON, t0, "a")
	require.NoError(t, err)
	assert.Equal(t, store.StatusParked, prev)
	assert.Equal(t, store.StatusQueued, status(t, s, "parent"), "a cancelled child wakes its caller")
	waits, err := s.Waits(ctx, "child")
	require.NoError(t, err)
	assert.Empty(t, waits)

	prev, err = s.CancelRun(ctx, "busy", errJSON, t0, "")
	require.NoError(t, err)
	assert.Equal(t, store.StatusRunning, prev, "a running run is left to its owner")
	assert.Equal(t, store.StatusRunning, status(t, s, "busy"))
	prev, err = s.CancelRun(ctx, "q", errJSON, t0, "")
	require.NoError(t, err)
	assert.Equal(t, store.StatusCancelled, prev, "an ended run is left alone")
	_, err = s.CancelRun(ctx, "missing", errJSON, t0, "")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testInstances(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	require.NoError(t, s.RegisterInstance(ctx, store.Instance{ID: "i1", Kind: "serve", Host: "h1", PID: 42}))
	all, err := s.LiveInstances(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]store.Instance{"i1": {ID: "i1", Kind: "serve", Host: "h1", PID: 42, StartedAt: t0, Heartbeat: t0}}, all)
	clock.Advance(10 * time.Second)
	require.NoError(t, s.Heartbeat(ctx, "i1"))
	clock.Advance(10 * time.Second)
	all, err = s.LiveInstances(ctx)
	require.NoError(t, err)
	assert.Contains(t, all, "i1", "heart-beaten 10 s ago")
	clock.Advance(10 * time.Second)
	all, err = s.LiveInstances(ctx)
	require.NoError(t, err)
	assert.Empty(t, all, "stale after 15 s")
	require.NoError(t, s.RegisterInstance(ctx, store.Instance{ID: "i1", Kind: "serve", Host: "h1", PID: 42}))
	require.NoError(t, s.StopInstance(ctx, "i1"))
	all, err = s.LiveInstances(ctx)
	require.NoError(t, err)
	assert.Empty(t, all, "stopped")
}
