package storetest

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testRecordEventDeduplicates(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	e := store.Event{ID: "evt_1", Name: "inquiry.completed", Body: json.RawMessage(`{"data":{"id":"inq_1"}}`)}
	dup, err := s.RecordEvent(ctx, e)
	require.NoError(t, err)
	assert.False(t, dup)

	dup, err = s.RecordEvent(ctx, store.Event{ID: "evt_1", Name: "changed", Body: json.RawMessage(`{}`)})
	require.NoError(t, err)
	assert.True(t, dup)

	got, err := s.GetEvent(ctx, "evt_1")
	require.NoError(t, err)
	assert.Equal(t, store.Event{ID: "evt_1", Name: "inquiry.completed", Body: e.Body, ReceivedAt: t0, Status: store.EventReceived}, got)

	_, err = s.GetEvent(ctx, "evt_2")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.RecordEvent(ctx, store.Event{Name: "x"})
	assert.EqualError(t, err, "store: event id is empty")
	_, err = s.RecordEvent(ctx, store.Event{ID: "bad", Body: json.RawMessage(`{"a":`)})
	assert.EqualError(t, err, "store: event body is not valid JSON")
}

func testEventStatus(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	for i, id := range []string{"c", "a", "b"} {
		_, err := s.RecordEvent(ctx, store.Event{ID: id, Name: "n", ReceivedAt: t0.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
	}
	require.NoError(t, s.MarkEvent(ctx, "a", "dispatched"))
	assert.ErrorIs(t, s.MarkEvent(ctx, "zzz", "dispatched"), store.ErrNotFound)

	pending, err := s.EventsWithStatus(ctx, store.EventReceived)
	require.NoError(t, err)
	require.Len(t, pending, 2)
	assert.Equal(t, "c", pending[0].ID)
	assert.Equal(t, "b", pending[1].ID)
	assert.Nil(t, pending[0].Body)

	done, err := s.EventsWithStatus(ctx, "dispatched")
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, "a", done[0].ID)
}

func testScheduled(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	in := []store.Scheduled{
		{ID: "later", Workflow: "w", At: t0.Add(time.Hour)},
		{ID: "second", Workflow: "w", At: t0.Add(time.Minute), Input: json.RawMessage(`{"n":2}`), CreatedByRun: "run_1"},
		{ID: "first", Workflow: "v", At: t0},
		{ID: "taken", Workflow: "w", At: t0.Add(-time.Hour)},
	}
	for _, sc := range in {
		require.NoError(t, s.Schedule(ctx, sc))
	}
	require.NoError(t, s.MarkScheduled(ctx, "taken", "started"))

	due, err := s.DueScheduled(ctx, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, []store.Scheduled{
		{ID: "first", Workflow: "v", At: t0, Status: store.SchedulePending},
		{ID: "second", Workflow: "w", At: t0.Add(time.Minute), Input: json.RawMessage(`{"n":2}`), CreatedByRun: "run_1", Status: store.SchedulePending},
	}, due)

	due, err = s.DueScheduled(ctx, t0.Add(-time.Second))
	require.NoError(t, err)
	assert.Empty(t, due)

	assert.ErrorIs(t, s.Schedule(ctx, in[0]), store.ErrExists)
	assert.ErrorIs(t, s.MarkScheduled(ctx, "nope", "started"), store.ErrNotFound)
	assert.EqualError(t, s.Schedule(ctx, store.Scheduled{ID: "x", Workflow: "w"}), "store: scheduled start needs an id, a workflow and a time")

	next, err := s.NextScheduled(ctx)
	require.NoError(t, err)
	assert.Equal(t, t0, next)
	ok, err := s.StartScheduled(ctx, "first", &store.Run{ID: "run_first", Workflow: "v", Version: "1", Status: store.StatusQueued})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.StartScheduled(ctx, "first", &store.Run{ID: "run_again", Workflow: "v", Version: "1", Status: store.StatusQueued})
	require.NoError(t, err)
	assert.False(t, ok, "a start no longer pending starts nothing")
	_, err = s.GetRun(ctx, "run_again")
	assert.ErrorIs(t, err, store.ErrNotFound)
	next, err = s.NextScheduled(ctx)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Minute), next)
}

func testAcceptEvent(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	e := store.Event{ID: "evt_1", Name: "inquiry.completed", Body: json.RawMessage(`{"id":"inq_1"}`), Status: "received"}
	runs := []*store.Run{{ID: "run_1", Workflow: "kyc", Version: "v", Status: store.StatusQueued, EventID: "evt_1", RootID: "run_1"}}
	ds := []store.Delivery{{EventID: "evt_1", Workflow: "kyc", Status: store.DeliveryStarted, RunID: "run_1"},
		{EventID: "evt_1", Workflow: "other", Status: store.DeliveryNotMatched}}
	objs := []store.Object{{Kind: "inquiry", ID: "inq_1", Data: map[string]any{"id": "inq_1", "status": "completed"}}}
	acc, err := s.AcceptEvent(ctx, e, runs, ds, objs, "", match)
	require.NoError(t, err)
	assert.False(t, acc.Duplicate)
	assert.Empty(t, acc.Woken)
	r, err := s.GetRun(ctx, "run_1")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, r.Status)
	assert.Equal(t, "evt_1", r.EventID)
	got, err := s.Deliveries(ctx, "evt_1")
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "run_1", got[0].RunID)
	assert.Equal(t, store.DeliveryNotMatched, got[1].Status)
	obj, err := s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "completed", obj["status"])

	// The same event again writes nothing, not even its runs.
	again := []*store.Run{{ID: "run_2", Workflow: "kyc", Version: "v", Status: store.StatusQueued}}
	acc, err = s.AcceptEvent(ctx, e, again, ds, nil, "", match)
	require.NoError(t, err)
	assert.True(t, acc.Duplicate)
	_, err = s.GetRun(ctx, "run_2")
	assert.ErrorIs(t, err, store.ErrNotFound)
	got, err = s.Deliveries(ctx, "evt_1")
	require.NoError(t, err)
	assert.Len(t, got, 2)

	// A run id taken fails the whole acceptance: the event is not recorded.
	_, err = s.AcceptEvent(ctx, store.Event{ID: "evt_2", Name: "x"}, []*store.Run{{ID: "run_1", Workflow: "kyc", Version: "v"}}, nil, nil, "", match)
	assert.ErrorIs(t, err, store.ErrExists)
	_, err = s.GetEvent(ctx, "evt_2")
	assert.ErrorIs(t, err, store.ErrNotFound)

	// An event wakes the runs parked waiting for its name, queued for owner.
	queued(t, s, "waiter", "a")
	_, err = s.ClaimRun(ctx, "waiter", "a")
	require.NoError(t, err)
	_, err = s.ParkRun(ctx, "waiter", "a", []store.Wait{{Key: "k", Event: "case.closed"}}, 0, match)
	require.NoError(t, err)
	acc, err = s.AcceptEvent(ctx, store.Event{ID: "evt_3", Name: "case.closed"}, nil, nil, nil, "a", match)
	require.NoError(t, err)
	assert.Equal(t, []string{"waiter"}, acc.Woken)
	w, err := s.GetRun(ctx, "waiter")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, w.Status)
	assert.Equal(t, "a", w.Owner)
}

func testAcceptEventWakesGlobWaits(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	live(t, s, "a")
	for id, pattern := range map[string]string{"glob": "case.*", "exact": "case.opened", "other": "inquiry.*"} {
		queued(t, s, id, "a")
		_, err := s.ClaimRun(ctx, id, "a")
		require.NoError(t, err)
		_, err = s.ParkRun(ctx, id, "a", []store.Wait{{Key: "k", Event: pattern}}, 0, match)
		require.NoError(t, err)
	}
	acc, err := s.AcceptEvent(ctx, store.Event{ID: "e", Name: "case.closed"}, nil, nil, nil, "", match)
	require.NoError(t, err)
	assert.Equal(t, []string{"glob"}, acc.Woken)
	assert.Equal(t, store.StatusParked, status(t, s, "exact"))
	assert.Equal(t, store.StatusParked, status(t, s, "other"))
}

func testEventsSince(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	for i, name := range []string{"a.one", "b.two", "a.one", "a.three"} {
		_, err := s.RecordEvent(ctx, store.Event{ID: "e" + string(rune('0'+i)), Name: name, ReceivedAt: t0.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
	}
	ids := func(evs []store.Event) (out []string) {
		for _, e := range evs {
			out = append(out, e.ID)
		}
		return out
	}
	got, err := s.EventsSince(ctx, "a.one", false, t0, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"e0", "e2"}, ids(got))
	assert.Less(t, got[0].Seq, got[1].Seq)
	got, err = s.EventsSince(ctx, "a.one", false, t0.Add(time.Second), 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"e2"}, ids(got))
	got, err = s.EventsSince(ctx, "", true, t0.Add(time.Second), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"e1", "e2"}, ids(got))
	last, err := s.MaxEventSeq(ctx)
	require.NoError(t, err)
	all, err := s.EventsSince(ctx, "", true, t0, 10)
	require.NoError(t, err)
	assert.Equal(t, all[3].Seq, last)
}

func testFireTickOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	tick := t0.Add(time.Minute)
	last, err := s.LastTick(ctx, "daily", "schedule")
	require.NoError(t, err)
	assert.True(t, last.IsZero())
	run := func(id string) *store.Run {
		return &store.Run{ID: id, Workflow: "daily", Version: "v", Status: store.StatusQueued}
	}
	// Several schedulers firing the same tick at once: it fires once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	fired := 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.FireTick(ctx, "daily", "schedule", tick, run("tick_"+strconv.Itoa(i)))
			if assert.NoError(t, err) && ok {
				mu.Lock()
				fired++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, fired)
	last, err = s.LastTick(ctx, "daily", "schedule")
	require.NoError(t, err)
	assert.Equal(t, tick, last)
	ok, err := s.FireTick(ctx, "daily", "schedule", t0, run("older"))
	require.NoError(t, err)
	assert.False(t, ok, "an earlier tick does not fire after a later one")
	ok, err = s.FireTick(ctx, "daily", "schedule", tick.Add(time.Minute), run("next"))
	require.NoError(t, err)
	assert.True(t, ok)
	n, err := s.CountByStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{store.StatusQueued: 2}, n)
}
