package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testCanceledContext(t *testing.T, open Opener) {
	s, _ := start(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}), context.Canceled)
	_, err := s.GetRun(ctx, "r")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.AddListItems(ctx, "x", []store.ListItem{{Value: "v"}})
	assert.ErrorIs(t, err, context.Canceled)
}

func testLogs(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v"}))
	require.NoError(t, s.AppendLog(ctx, "r", store.Log{At: t0, Level: "info", Message: "one", Pos: "a.wf:1:1", Key: "k1"}, nil))
	require.NoError(t, s.AppendLog(ctx, "r", store.Log{Level: "warn", Message: "two"}, nil))
	require.NoError(t, s.AppendLog(ctx, "r", store.Log{Level: "info", Message: "one again", Key: "k1"}, nil), "a key logged before is ignored")
	require.NoError(t, s.AppendLog(ctx, "r", store.Log{Seq: 7, Level: "info", Message: "seven"}, nil))
	logs, err := s.Logs(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, []store.Log{
		{Seq: 1, At: t0, Level: "info", Message: "one", Pos: "a.wf:1:1", Key: "k1"},
		{Seq: 2, Level: "warn", Message: "two"},
		{Seq: 7, Level: "info", Message: "seven"},
	}, logs)
	seq, err := s.LastSeq(ctx, "r")
	require.NoError(t, err)
	assert.EqualValues(t, 7, seq)
	assert.ErrorIs(t, s.AppendLog(ctx, "missing", store.Log{Level: "info", Message: "x"}, nil), store.ErrNotFound)
	assert.ErrorIs(t, s.SaveStep(ctx, "missing", store.Step{Key: "k", Name: "n", Status: "completed"}), store.ErrNotFound)
	n, err := s.CountTree(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// testCreateRunWith: the objects are saved with the run, in its transaction: when the run
// cannot be created, neither are they.
func testCreateRunWith(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	obj := func(status string) []store.Object {
		return []store.Object{{Kind: "inquiry", ID: "inq_1", IfNewer: true,
			Data: map[string]any{"id": "inq_1", "type": "inquiry", "status": status, "updated_at": "2026-03-01T12:00:00Z"}}}
	}
	require.NoError(t, s.CreateRunWith(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v"}, obj("completed")))
	got, err := s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "completed", got["status"])
	_, err = s.GetRun(ctx, "r")
	require.NoError(t, err)

	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1", "status": "declined"}))
	err = s.CreateRunWith(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v"}, obj("pending"))
	require.ErrorIs(t, err, store.ErrExists)
	got, err = s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "declined", got["status"], "the run was not created, so the object was not saved")

	require.NoError(t, s.CreateRunWith(ctx, &store.Run{ID: "r2", Workflow: "w", Version: "v"}, nil))
}
