package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
)

// RiverOptions configure the River engine; zero fields get the defaults documented on each.
type RiverOptions struct {
	// ID names this instance to River (the store's instance id).
	ID string
	// Workers is how many runs this instance executes at once (default 64).
	Workers int
	// RescueAfter is how long a job may run before River's rescuer hands it to another
	// instance (default 1 minute): a run whose instance died is continued then. A job of a
	// live instance that runs longer is handed out too, and snoozed by its new worker while
	// the run's owner is alive, so a run still executes once.
	RescueAfter time.Duration
	// HeldRetry is how long a job whose run another live instance holds waits before it
	// looks again (default 15 seconds, the store's staleness).
	HeldRetry time.Duration
	// FetchCooldown is the least time between two fetches of jobs by this instance
	// (default 5 ms; River's own default, 100 ms, caps an instance at Workers jobs per
	// 100 ms).
	FetchCooldown time.Duration
	// Now is the clock of timers (default time.Now).
	Now func() time.Time
	// Logger receives River's warnings and errors (default: discard).
	Logger *slog.Logger
}

// River is the engine for a shared PostgreSQL store: River's jobs hand runs to the workers
// of every instance. A run queued for no owner gets its job in the transaction that queues
// it (postgres.Jobs), unique by (run, queue generation), so an accepted event and its jobs
// commit together and no queueing is worked twice; a parked run's timer is a job scheduled
// at its time; River's rescuer hands the job of an instance that died to another, which
// continues the run from its journal. The scheduler runs on the instance that holds the
// scheduler lock (see leader.go).
type River struct {
	pg     *postgres.Store
	client *river.Client[pgx.Tx]
	opts   RiverOptions
	exec   Exec
	leader *leader
	stats  *riverStats
	// runs is the context runs execute in: River's job context is not passed
	// on (see runWorker.Work); Stop cancels this one when its time is up.
	runs       context.Context
	cancelRuns context.CancelCauseFunc
}

var _ Queue = (*River)(nil)

// NewRiver builds the engine on a PostgreSQL store and makes the store tell it about queued
// runs and timers.
func NewRiver(pg *postgres.Store, opts RiverOptions) (*River, error) {
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	if opts.RescueAfter <= 0 {
		opts.RescueAfter = time.Minute
	}
	if opts.HeldRetry <= 0 {
		opts.HeldRetry = store.DefaultStaleAfter
	}
	if opts.FetchCooldown <= 0 {
		opts.FetchCooldown = 5 * time.Millisecond
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	q := &River{pg: pg, opts: opts, leader: newLeader(pg), stats: newRiverStats(pg)}
	workers := river.NewWorkers()
	river.AddWorker(workers, &runWorker{q: q})
	river.AddWorker(workers, &timerWorker{q: q})
	client, err := river.NewClient(riverpgxv5.New(pg.Pool()), &river.Config{
		ID:            opts.ID,
		Queues:        map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}},
		Workers:       workers,
		FetchCooldown: opts.FetchCooldown,
		// River's rescuer leaves alone the jobs of a kind with no timeout, so
		// jobs have one, shorter than RescueAfter; a run is not cut short by
		// it (the worker does not pass River's job context on).
		JobTimeout:           opts.RescueAfter / 2,
		RescueStuckJobsAfter: opts.RescueAfter,
		Logger:               slog.New(warnings{opts.Logger.Handler()}),
	})
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	pg.SetJobs(q)
	return q, nil
}

// runArgs is the job of one queueing of a run: unique by run and generation.
type runArgs struct {
	Run string `json:"run" river:"unique"`
	Gen int64  `json:"gen" river:"unique"`
}

func (runArgs) Kind() string { return "wf_run" }

func (runArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: runJobAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// A run job whose execution failed (the store did not answer) is tried again after
// retryBackoff: 1 s, doubling up to maxRetryBackoff, for runJobAttempts attempts (at
// least 8 hours), not River's default (attempt⁴ seconds: over 4 minutes by the fifth
// attempt, 25 attempts), so a run goes on within maxRetryBackoff of the store answering
// again.
const (
	maxRetryBackoff = 30 * time.Second
	runJobAttempts  = 1000
)

// retryBackoff is how long a run job waits before its attempt number attempt+1.
func retryBackoff(attempt int) time.Duration {
	return min(time.Second<<min(max(attempt-1, 0), 6), maxRetryBackoff)
}

// timerArgs is the job that wakes a parked run at its timer.
type timerArgs struct {
	Run string `json:"run" river:"unique"`
	At  int64  `json:"at" river:"unique"` // Unix nanoseconds
}

func (timerArgs) Kind() string { return "wf_timer" }

func (timerArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// RunsQueued inserts the jobs of runs queued for no owner, in the store's transaction.
func (q *River) RunsQueued(ctx context.Context, tx pgx.Tx, runs []postgres.QueuedRun) error {
	params := make([]river.InsertManyParams, len(runs))
	for i, r := range runs {
		params[i] = river.InsertManyParams{Args: runArgs{Run: r.ID, Gen: r.Gen}}
	}
	_, err := q.client.InsertManyTx(ctx, tx, params)
	return err
}

// TimerSet inserts the job that wakes a parked run at its timer, in the store's transaction.
func (q *River) TimerSet(ctx context.Context, tx pgx.Tx, runID string, at time.Time) error {
	_, err := q.client.InsertTx(ctx, tx, timerArgs{Run: runID, At: at.UnixNano()}, &river.InsertOpts{ScheduledAt: at})
	return err
}

// Orphaned returns the runs queued for no owner whose current job is running on the worker
// of an instance that is not live: it had fetched the job and died before claiming the run.
// River's rescuer would hand the job out again only after RescueAfter and its next round
// (every 30 s, on River's leader); RecoverRuns queues these runs again at once instead. A
// River client's id is its instance's (RiverOptions.ID); jobs of clients that are not wf
// instances are left to the rescuer.
func (q *River) Orphaned(ctx context.Context, tx pgx.Tx, liveSince int64) ([]postgres.QueuedRun, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.queue_gen FROM river_job j
		JOIN runs r ON r.id = j.args->>'run' AND r.queue_gen = (j.args->>'gen')::bigint
		JOIN instances i ON i.id = j.attempted_by[array_upper(j.attempted_by, 1)]
		WHERE j.state = 'running' AND j.kind = 'wf_run' AND r.status = 'queued' AND r.owner IS NULL
			AND (i.stopped_at IS NOT NULL OR i.heartbeat_at < $1)`, liveSince)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (postgres.QueuedRun, error) {
		var r postgres.QueuedRun
		err := row.Scan(&r.ID, &r.Gen)
		return r, err
	})
}

// Start starts River's workers (and its maintenance: the rescuer, the job cleaner) and the
// scheduler lock's election.
func (q *River) Start(ctx context.Context, exec Exec) error {
	q.exec = exec
	q.runs, q.cancelRuns = context.WithCancelCause(ctx)
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("queue: starting River: %w", err)
	}
	q.leader.start(ctx)
	return nil
}

// Stop stops taking jobs and waits for the runs executing until ctx ends, then cancels them.
func (q *River) Stop(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { q.cancelRuns(ErrStopped) })
	defer stop()
	if err := q.client.Stop(ctx); err != nil {
		q.cancelRuns(ErrStopped)
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.client.StopAndCancel(cctx)
	}
	q.leader.stop()
}

// Enqueue needs no telling: the store inserts a job for every run it queues for nobody.
func (q *River) Enqueue(...string) {}

// Shared is true: every instance's workers take runs queued for no owner.
func (q *River) Shared() bool { return true }

// Leader reports whether this instance holds the scheduler lock.
func (q *River) Leader() bool { return q.leader.held.Load() }

// WaitIdle waits until no run job or due timer job is waiting or running (tests), or ctx is
// done.
func (q *River) WaitIdle(ctx context.Context) error {
	for {
		n, err := q.stats.pending(ctx)
		if err == nil && n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Depth is the number of run jobs available or running, across instances.
func (q *River) Depth() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, _ := q.stats.pending(ctx)
	return n
}

// Collectors are River's queue metrics: jobs by kind and state, and what this instance's
// workers did with them.
func (q *River) Collectors() []prometheus.Collector { return q.stats.collectors() }

// runWorker executes the run of a wf_run job.
type runWorker struct {
	river.WorkerDefaults[runArgs]
	q *River
}

// NextRetry is when a run job whose execution failed is tried again (see retryBackoff).
func (w *runWorker) NextRetry(job *river.Job[runArgs]) time.Time {
	return time.Now().Add(retryBackoff(job.Attempt))
}

// Work executes the run. A run another live instance holds (a job handed out again by the
// rescuer while its first worker is alive) is looked at again later; a run that has parked
// or ended completes the job; a store error makes River try again with a backoff. The run
// executes in the queue's context, not the job's, which River cancels at its JobTimeout.
func (w *runWorker) Work(ctx context.Context, job *river.Job[runArgs]) error {
	start := time.Now()
	err := w.q.exec(w.q.runs, job.Args.Run)
	outcome := "executed"
	defer func() { w.q.stats.observe(outcome, time.Since(start)) }()
	if errors.Is(err, store.ErrNotClaimed) {
		held, herr := w.q.held(ctx, job.Args.Run)
		switch {
		case herr != nil:
			outcome = "error"
			return herr
		case held:
			outcome = "held"
			return river.JobSnooze(w.q.opts.HeldRetry)
		}
		outcome = "nothing_to_do"
		return nil
	}
	if err != nil {
		outcome = "error"
	}
	return err
}

// held reports whether a run not claimed is still waiting to be executed by someone: queued
// for another live instance, running on one, or interrupted.
func (q *River) held(ctx context.Context, id string) (bool, error) {
	r, err := q.pg.GetRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch r.Status {
	case store.StatusQueued, store.StatusRunning, store.StatusInterrupted:
		return true, nil
	}
	return false, nil
}

// timerWorker wakes a parked run whose timer is due; the store queues it for nobody and
// inserts its run job in the same transaction.
type timerWorker struct {
	river.WorkerDefaults[timerArgs]
	q *River
}

// Work wakes the run, unless something else woke it first.
func (w *timerWorker) Work(ctx context.Context, job *river.Job[timerArgs]) error {
	now := w.q.opts.Now()
	if at := time.Unix(0, job.Args.At); now.Before(at) {
		// River's clock ran ahead of the engine's (a test's fake clock): look again then.
		return river.JobSnooze(min(at.Sub(now), time.Minute))
	}
	_, err := w.q.pg.WakeTimer(ctx, job.Args.Run, now, "")
	return err
}

// warnings passes River's warnings and errors on, not its periodic information.
type warnings struct{ slog.Handler }

// Enabled is true from Warn up.
func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}
