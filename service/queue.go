package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/queue"
)

// workQueue is the embedded queue (a queue.Queue): a bounded pool of workers
// executing the runs queued in the store for this instance or for nobody.
// The store is the truth (a run to execute has status queued); the channel only
// hands ids to the workers without a query. When the channel is full, or a
// run is queued again while a worker still holds it, nothing is lost: the
// sweep finds queued runs in the store and hands them out again.
type workQueue struct {
	eng     *runtime.Engine
	ch      chan string
	workers int
	// exec executes a run (see Start); changed, when set, is called when
	// runs are queued or start executing.
	exec    queue.Exec
	changed func()

	mu        sync.Mutex
	inflight  map[string]bool // id → queued again while held
	executing int             // runs a worker is executing now
	stopping  bool            // shutting down: take no more runs
	idle      *sync.Cond      // signalled when inflight or executing drops

	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	sweep  chan struct{}
}

var _ queue.Queue = (*workQueue)(nil)

func newWorkQueue(eng *runtime.Engine, workers, size int) *workQueue {
	q := &workQueue{eng: eng, ch: make(chan string, size), workers: workers,
		inflight: map[string]bool{}, sweep: make(chan struct{}, 1)}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// Enqueue hands runs to the workers.
func (q *workQueue) Enqueue(ids ...string) {
	if q.changed != nil && len(ids) > 0 {
		defer q.changed()
	}
	for _, id := range ids {
		q.mu.Lock()
		if _, held := q.inflight[id]; held {
			q.inflight[id] = true // run it again when its worker lets go
			q.mu.Unlock()
			continue
		}
		q.inflight[id] = false
		q.mu.Unlock()
		select {
		case q.ch <- id:
		default:
			// Full: the run stays queued in the store for the sweep.
			q.mu.Lock()
			delete(q.inflight, id)
			q.mu.Unlock()
			q.poke()
		}
	}
}

func (q *workQueue) poke() {
	select {
	case q.sweep <- struct{}{}:
	default:
	}
}

// Start runs the workers, which execute runs with exec, and the sweeper
// until Stop.
func (q *workQueue) Start(ctx context.Context, exec queue.Exec) error {
	q.exec = exec
	q.ctx, q.cancel = context.WithCancelCause(ctx)
	for range q.workers {
		q.wg.Add(1)
		go q.work()
	}
	q.wg.Add(1)
	go q.sweeper()
	return nil
}

// Shared is false: the embedded store has one instance executing runs.
func (q *workQueue) Shared() bool { return false }

// Leader is true: the one instance runs the scheduler.
func (q *workQueue) Leader() bool { return true }

// Collectors: the service's own metrics cover the embedded queue.
func (q *workQueue) Collectors() []prometheus.Collector { return nil }

func (q *workQueue) work() {
	defer q.wg.Done()
	for {
		select {
		case <-q.ctx.Done():
			return
		case id := <-q.ch:
			q.mu.Lock()
			if q.stopping {
				// Left queued in the store: continued after the restart.
				delete(q.inflight, id)
				q.idle.Broadcast()
				q.mu.Unlock()
				continue
			}
			q.executing++
			q.mu.Unlock()
			if q.changed != nil {
				q.changed()
			}
			// Not claimed: another worker has it, or it has ended; an error
			// is reported by exec and the run stays queued for the sweep.
			_ = q.exec(q.ctx, id)
			q.mu.Lock()
			q.executing--
			again := q.inflight[id]
			delete(q.inflight, id)
			q.idle.Broadcast()
			stopping := q.stopping
			q.mu.Unlock()
			if again && !stopping {
				q.Enqueue(id)
			}
		}
	}
}

// sweeper hands out runs queued in the store that are not in the channel:
// after an overflow, and every sweepEvery as a safety net.
func (q *workQueue) sweeper() {
	defer q.wg.Done()
	const sweepEvery = 5 * time.Second
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-q.ctx.Done():
			return
		case <-t.C:
		case <-q.sweep:
		}
		for q.ctx.Err() == nil {
			room := cap(q.ch) - len(q.ch)
			if room <= 0 {
				break
			}
			ids, err := q.eng.Store.QueuedFor(q.ctx, q.eng.Instance(), room)
			if err != nil || len(ids) == 0 {
				break
			}
			fresh := 0
			for _, id := range ids {
				q.mu.Lock()
				_, held := q.inflight[id]
				q.mu.Unlock()
				if !held {
					fresh++
					q.Enqueue(id)
				}
			}
			if fresh == 0 {
				break
			}
		}
	}
}

// Depth is the number of runs queued or executing.
func (q *workQueue) Depth() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.inflight)
}

// WaitIdle waits until no run is queued in the channel or executing, or
// ctx is done.
func (q *workQueue) WaitIdle(ctx context.Context) error {
	for {
		if err := q.waitEmpty(ctx); err != nil {
			return err
		}
		// Runs the channel could not take wait in the store for the sweep:
		// hand them out now rather than call the queue idle.
		ids, err := q.eng.Store.QueuedFor(ctx, q.eng.Instance(), cap(q.ch))
		if err != nil || len(ids) == 0 {
			return err
		}
		q.Enqueue(ids...)
	}
}

// waitEmpty waits until no run is in the channel or executing.
func (q *workQueue) waitEmpty(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.idle.Broadcast()
		q.mu.Unlock()
	})
	defer stop()
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.inflight) > 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		q.idle.Wait()
	}
	return nil
}

// Stop stops taking runs and waits for the runs executing to end or park;
// those still executing when ctx ends are cancelled (they stay owned by this
// instance, which stops heart-beating, and are continued after the restart
// like the runs left queued).
func (q *workQueue) Stop(ctx context.Context) {
	q.mu.Lock()
	q.stopping = true
	q.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		q.mu.Lock()
		q.idle.Broadcast()
		q.mu.Unlock()
	})
	q.mu.Lock()
	for q.executing > 0 && ctx.Err() == nil {
		q.idle.Wait()
	}
	q.mu.Unlock()
	stop()
	q.cancel(errShutdown)
	q.wg.Wait()
}

var errShutdown = errors.New("the service is shutting down")
