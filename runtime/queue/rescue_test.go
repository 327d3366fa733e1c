package queue_test

import (
	"context"
	"testing"
	"time"

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
