package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Jobs is the queue engine's side of the store's transactions. A run queued for no owner
// waits for any instance's worker: the store tells Jobs inside the transaction that queues
// it, so the job that hands it to a worker commits (or rolls back) with it. A parked run's
// timer is told the same way. Without Jobs (SetJobs never called: `wf run`, the CLI) runs
// queued for no owner are only found by RecoverRuns and the queue's own sweeps.
type Jobs interface {
	// RunsQueued is told of runs queued for no owner in tx. Gen counts the times each run
	// was queued (1 for its first), so one queueing has one job however often it is told.
	RunsQueued(ctx context.Context, tx pgx.Tx, runs []QueuedRun) error
	// TimerSet is told that a run parked in tx until at (its earliest timer).
	TimerSet(ctx context.Context, tx pgx.Tx, runID string, at time.Time) error
	// Orphaned returns, in tx, the runs queued for no owner whose job (of their current
	// queueing) a worker of an instance that is not live had taken (it stopped, or its
	// heartbeat is older than liveSince, in the column encoding): nobody will work that job
	// until the engine's own rescue. RecoverRuns queues them again.
	Orphaned(ctx context.Context, tx pgx.Tx, liveSince int64) ([]QueuedRun, error)
}

// QueuedRun is a run queued for no owner.
type QueuedRun struct {
	ID  string
	Gen int64
}

// SetJobs makes j the queue engine told about queued runs and timers. Call it before the
// store is used by more than one goroutine.
func (s *Store) SetJobs(j Jobs) { s.jobs = j }

// queuedTx tells Jobs about runs queued for no owner in tx.
func (s *Store) queuedTx(ctx context.Context, tx pgx.Tx, runs []QueuedRun) error {
	if s.jobs == nil || len(runs) == 0 {
		return nil
	}
	return s.jobs.RunsQueued(ctx, tx, runs)
}
