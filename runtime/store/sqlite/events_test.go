package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

func TestRecordEventDeduplicates(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
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

func TestEventStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
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

func TestScheduled(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
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
}
