package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wf-lang/wf/runtime/store/postgres"
)

// The scheduler's leader. River elects a leader among its clients for its own maintenance,
// but does not expose the election (v0.51.2 keeps it in an internal package; only periodic
// jobs observe it, and a periodic job could not fire a tick sooner than its interval). The
// documented equivalent used here: the instance holding a session-level advisory lock on
// one connection is the leader. PostgreSQL releases the lock when that connection ends, so
// when the leader's process dies, another instance takes the lock within leaderEvery. Two
// schedulers overlapping for a moment (a connection the leader has not yet noticed it lost)
// would still fire each tick once: FireTick records a tick and creates its run in one
// conditional write on the trigger's row.

// leaderEvery is how often an instance tries to take the lock, and the leader checks that it
// still holds it.
const leaderEvery = time.Second

// schedulerLock is the key of the scheduler lock, within the current schema.
const schedulerLock = `hashtext(current_schema() || '.wf_scheduler')`

type leader struct {
	pool *pgxpool.Pool
	held atomic.Bool
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func newLeader(pg *postgres.Store) *leader {
	return &leader{pool: pg.Pool(), quit: make(chan struct{}), done: make(chan struct{})}
}

// start campaigns for the lock until stop.
func (l *leader) start(ctx context.Context) {
	go func() {
		defer close(l.done)
		for {
			l.campaign(ctx)
			select {
			case <-l.quit:
				return
			case <-ctx.Done():
				return
			case <-time.After(leaderEvery):
			}
		}
	}()
}

// campaign takes the lock on a connection of its own and, once it has it, keeps checking
// the connection until it fails or the leader stops; the lock goes with the connection.
func (l *leader) campaign(ctx context.Context) {
	pooled, err := l.pool.Acquire(ctx)
	if err != nil {
		return
	}
	var got bool
	if err := pooled.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+schedulerLock+`)`).Scan(&got); err != nil || !got {
		pooled.Release() // holds no lock: back to the pool
		return
	}
	// The connection carries the lock: it is closed, not returned to the pool.
	conn := pooled.Hijack()
	defer conn.Close(context.Background())
	l.held.Store(true)
	defer l.held.Store(false)
	for {
		select {
		case <-l.quit:
			return
		case <-ctx.Done():
			return
		case <-time.After(leaderEvery):
		}
		pctx, cancel := context.WithTimeout(ctx, leaderEvery)
		err := conn.Ping(pctx)
		cancel()
		if err != nil {
			return
		}
	}
}

func (l *leader) stop() {
	l.once.Do(func() { close(l.quit) })
	<-l.done
}
