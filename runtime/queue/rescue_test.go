package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/queue"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

// A job left running by an instance that died is handed to a live one by River's rescuer
// (which ignores jobs without a timeout: this holds the engine to having one).
func TestRescuerHandsOutADeadInstancesJob(t *testing.T) {
	ctx := context.Background()
	pg := open(t, pgtest.URL(t))
	q, err := queueNew(pg)
	require.NoError(t, err)
	require.NoError(t, pg.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v", Status: store.StatusQueued}))
	_, err = pg.Pool().Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() - interval '1 hour',
		attempted_by = ARRAY['dead']`)
	require.NoError(t, err)
	worked := make(chan string, 1)
	require.NoError(t, q.Start(ctx, func(ctx context.Context, id string) error { worked <- id; return nil }))
	defer q.Stop(ctx)
	began := time.Now()
	select {
	case id := <-worked:
		t.Logf("rescued and worked %s after %s", id, time.Since(began))
	case <-time.After(90 * time.Second):
		var state string
		_ = pg.Pool().QueryRow(ctx, `SELECT state::text FROM river_job`).Scan(&state)
		t.Fatalf("not rescued in 90 s: the job is %s", state)
	}
}

func queueNew(pg *postgres.Store) (*queue.River, error) {
	return queue.NewRiver(pg, queue.RiverOptions{ID: "alive", Workers: 1, RescueAfter: 2 * time.Second})
}

// A run whose job a dead instance had fetched, but not claimed, is queued again by the
// recovery (a new queueing, so a new job) as soon as the instance counts as dead, without
// waiting for River's rescuer (RescueAfter, then its round every 30 s). A job a live
// instance is working is left alone.
func TestRecoveryRequeuesRunsWhoseJobADeadInstanceHeld(t *testing.T) {
	ctx := context.Background()
	pg := open(t, pgtest.URL(t))
	_, err := queue.NewRiver(pg, queue.RiverOptions{ID: "alive"})
	require.NoError(t, err)
	for _, id := range []string{"alive", "dead"} {
		require.NoError(t, pg.RegisterInstance(ctx, store.Instance{ID: id, Kind: "serve", Host: "h", PID: 1}))
	}
	for run, by := range map[string]string{"orphan": "dead", "busy": "alive"} {
		require.NoError(t, pg.CreateRun(ctx, &store.Run{ID: run, Workflow: "w", Version: "v", Status: store.StatusQueued}))
		_, err = pg.Pool().Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(),
			attempted_by = ARRAY['elsewhere', $2] WHERE args->>'run' = $1`, run, by)
		require.NoError(t, err)
	}
	recovered, err := pg.RecoverRuns(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, recovered, "its instance is alive: the job will be worked")

	require.NoError(t, pg.StopInstance(ctx, "dead")) // as a restart on its machine finds it dead
	recovered, err = pg.RecoverRuns(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"orphan"}, recovered)
	assert.Equal(t, 2, jobs(t, pg, "wf_run", "orphan"), "a new job for the new queueing")
	assert.Equal(t, 1, jobs(t, pg, "wf_run", "busy"))
	var state string
	require.NoError(t, pg.Pool().QueryRow(ctx, `SELECT state::text FROM river_job WHERE args->>'run' = 'orphan'
		AND (args->>'gen')::int = 2`).Scan(&state))
	assert.Equal(t, "available", state)
	r, err := pg.GetRun(ctx, "orphan")
	require.NoError(t, err)
	assert.Equal(t, store.StatusQueued, r.Status)
	assert.Empty(t, r.Owner)

	recovered, err = pg.RecoverRuns(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, recovered, "queued again once")
}
