// Package queue is the interface between the service and the engine that hands runs to
// workers, and the engine for a shared PostgreSQL store: River (github.com/riverqueue/river
// v0.51.2 on its pgx driver). The embedded store's engine is the service's own worker pool
// (service/queue.go); the service runs on either without knowing which.
//
// The store is the truth: a run to execute is a run row with status queued. An engine only
// decides which worker executes it, and when; a worker executes a run by calling Exec, which
// claims the run with one conditional update, so a run handed out twice is executed once.
package queue

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
)

// Exec executes one run to its next stop (its end, or a wait that parks it). It returns
// store.ErrNotClaimed when the run is not waiting to be executed (another worker has it, or
// it has ended or parked), and another error when it could not be executed at all (the store
// does not answer: try again later).
type Exec func(ctx context.Context, runID string) error

// Queue hands the runs queued in the store to workers.
type Queue interface {
	// Start starts the workers, which execute runs with exec, until Stop.
	Start(ctx context.Context, exec Exec) error
	// Stop stops taking runs and waits for the runs executing to end or park; those still
	// executing when ctx ends are cancelled (another instance, or this one restarted,
	// continues them from their journal).
	Stop(ctx context.Context)
	// Enqueue tells the engine about runs the store has queued for this instance or for
	// nobody. An engine that learns of queued runs inside the store's transactions (Shared)
	// needs no telling.
	Enqueue(ids ...string)
	// Shared reports whether workers of every instance sharing the store take runs queued
	// for no owner; then new runs are queued for no owner. An embedded queue serves its own
	// instance only.
	Shared() bool
	// Leader reports whether this instance runs the scheduler (clock triggers, workflow.
	// schedule starts, due timers) now: always for an embedded queue, one instance at a time
	// for a shared one.
	Leader() bool
	// WaitIdle waits until no run is queued or executing, or ctx is done.
	WaitIdle(ctx context.Context) error
	// Depth is the number of runs queued or executing.
	Depth() int
	// Collectors are the engine's own Prometheus metrics (none for an embedded queue).
	Collectors() []prometheus.Collector
}

// ErrStopped is the cause of a run's cancellation when its queue stops.
var ErrStopped = errors.New("the queue is stopping")

// ForStore returns the engine a store shared by several instances needs: River for a
// PostgreSQL store. It returns nil for the embedded store, whose service runs its own pool.
func ForStore(st store.Store, opts RiverOptions) (Queue, error) {
	if pg, ok := st.(*postgres.Store); ok {
		return NewRiver(pg, opts)
	}
	return nil, nil
}
