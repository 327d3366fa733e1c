package queue_test

import (
	"context"
	"path"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/queue"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	pg, err := postgres.Open(context.Background(), url, postgres.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Close() })
	return pg
}

func match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// jobs counts the River jobs of a kind whose args name the run.
func jobs(t *testing.T, pg *postgres.Store, kind, run string) int {
	t.Helper()
	var n int
	require.NoError(t, pg.Pool().QueryRow(context.Background(),
		`SELECT COUNT(*) FROM river_job WHERE kind = $1 AND args->>'run' = $2`, kind, run).Scan(&n))
	return n
}

// An accepted event's runs get their jobs in the event's transaction: an acceptance that
// fails leaves no job, a duplicate adds none, and one queueing told twice has one job.
func TestJobsCommitWithTheEvent(t *testing.T) {
	ctx := context.Background()
	pg := open(t, pgtest.URL(t))
	q, err := queue.NewRiver(pg, queue.RiverOptions{ID: "i1"})
	require.NoError(t, err)
	require.True(t, q.Shared())

	run := func(id string) []*store.Run {
		return []*store.Run{{ID: id, Workflow: "kyc", Version: "v", Status: store.StatusQueued}}
	}
	_, err = pg.AcceptEvent(ctx, store.Event{ID: "evt_1", Name: "inquiry.completed"}, run("run_1"), nil, nil, "", match)
	require.NoError(t, err)
	assert.Equal(t, 1, jobs(t, pg, "wf_run", "run_1"))

	acc, err := pg.AcceptEvent(ctx, store.Event{ID: "evt_1", Name: "inquiry.completed"}, run("run_1"), nil, nil, "", match)
	require.NoError(t, err)
	require.True(t, acc.Duplicate)
	assert.Equal(t, 1, jobs(t, pg, "wf_run", "run_1"), "a duplicate event inserts no job")

	_, err = pg.AcceptEvent(ctx, store.Event{ID: "evt_2", Name: "x"}, append(run("run_2"), run("run_1")...), nil, nil, "", match)
	require.ErrorIs(t, err, store.ErrExists)
	assert.Equal(t, 0, jobs(t, pg, "wf_run", "run_2"), "the failed acceptance's jobs rolled back with it")

	// River's unique jobs: the same queueing (run, generation) told again is one job.
	tx, err := pg.Pool().Begin(ctx)
	require.NoError(t, err)
	require.NoError(t, q.RunsQueued(ctx, tx, []postgres.QueuedRun{{ID: "run_1", Gen: 1}}))
	require.NoError(t, tx.Commit(ctx))
	assert.Equal(t, 1, jobs(t, pg, "wf_run", "run_1"))

	// A run queued for a named instance is that instance's to run: no job.
	require.NoError(t, pg.CreateRun(ctx, &store.Run{ID: "run_3", Workflow: "kyc", Version: "v", Status: store.StatusQueued, Owner: "i1"}))
	assert.Equal(t, 0, jobs(t, pg, "wf_run", "run_3"))
}

// Workers execute run jobs; a parked run's timer is a scheduled job that wakes it, and its
// next job continues it.
func TestRiverExecutesAndWakesTimers(t *testing.T) {
	ctx := context.Background()
	pg := open(t, pgtest.URL(t))
	require.NoError(t, pg.RegisterInstance(ctx, store.Instance{ID: "i1", Kind: "serve", Host: "h", PID: 1}))
	q, err := queue.NewRiver(pg, queue.RiverOptions{ID: "i1", Workers: 2})
	require.NoError(t, err)
	var mu sync.Mutex
	executions := 0
	done := make(chan struct{})
	exec := func(ctx context.Context, id string) error {
		if _, err := pg.ClaimRun(ctx, id, "i1"); err != nil {
			return err
		}
		mu.Lock()
		executions++
		n := executions
		mu.Unlock()
		if n == 1 {
			_, err := pg.ParkRun(ctx, id, "i1", []store.Wait{{Key: "k", Until: time.Now().Add(100 * time.Millisecond)}}, 0, match)
			return err
		}
		_, err := pg.FinishRun(ctx, id, store.StatusCompleted, nil, nil, time.Now(), "", nil)
		close(done)
		return err
	}
	require.NoError(t, q.Start(ctx, exec))
	t.Cleanup(func() { q.Stop(ctx) })
	require.NoError(t, pg.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v", Status: store.StatusQueued}))
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the run was not continued after its timer")
	}
	assert.Equal(t, 2, executions)
	assert.Equal(t, 1, jobs(t, pg, "wf_timer", "r"))
	r, err := pg.GetRun(ctx, "r")
	require.NoError(t, err)
	assert.Equal(t, store.StatusCompleted, r.Status)
}

// Of several instances sharing a store, one runs the scheduler; when it stops, another
// takes over.
func TestOneLeader(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	var qs []*queue.River
	for _, id := range []string{"i1", "i2", "i3"} {
		q, err := queue.NewRiver(open(t, url), queue.RiverOptions{ID: id, Workers: 1})
		require.NoError(t, err)
		require.NoError(t, q.Start(ctx, func(context.Context, string) error { return nil }))
		qs = append(qs, q)
	}
	leaders := func() (n int, which int) {
		for i, q := range qs {
			if q.Leader() {
				n, which = n+1, i
			}
		}
		return n, which
	}
	var first int
	require.Eventually(t, func() bool { n, w := leaders(); first = w; return n == 1 }, 10*time.Second, 20*time.Millisecond)
	for range 20 { // and it stays one
		n, _ := leaders()
		require.LessOrEqual(t, n, 1)
		time.Sleep(10 * time.Millisecond)
	}
	qs[first].Stop(ctx)
	require.Eventually(t, func() bool { n, w := leaders(); return n == 1 && w != first }, 10*time.Second, 20*time.Millisecond)
	for i, q := range qs {
		if i != first {
			q.Stop(ctx)
		}
	}
}
