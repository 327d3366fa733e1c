package runtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// An engine heart-beats so that the store can tell it is alive: when it has
// missed its heartbeats for StaleAfter, the runs it owns count as
// interrupted, and wf serve (any instance sharing the store) takes them over.
// A failed heartbeat is not fatal (the next one repairs it), but it is not
// silent either: each is logged and counted, and Liveness says how long the
// instance has gone without one, so the service can stop answering ready
// once the store may already count it dead. The engine does not exit then:
// a heartbeat fails because the store is unreachable, and then so does
// everything a run records; exiting would not reach the store any sooner,
// and an orchestrator reading /readyz decides better than the process.

// Liveness is what an engine knows of its heartbeats.
type Liveness struct {
	// LastBeat is when the store last took a heartbeat (at first, when the
	// instance registered), on the engine's clock.
	LastBeat time.Time
	// Failing counts the heartbeats failed in a row since LastBeat.
	Failing int
	// Failures counts the heartbeats failed since the engine opened.
	Failures uint64
	// Err is the last failure's error; nil once a heartbeat succeeds.
	Err error
	// StaleAfter is how long the store waits for a heartbeat before it
	// counts the instance's runs interrupted.
	StaleAfter time.Duration
}

// Stale reports whether, at now, the instance has gone longer than
// StaleAfter without a heartbeat: other instances sharing the store may
// take over its runs.
func (l Liveness) Stale(now time.Time) bool { return now.Sub(l.LastBeat) > l.StaleAfter }

// heartbeat is the engine's heart-beating goroutine and what it saw.
type heartbeat struct {
	every  time.Duration
	stop   context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	state  Liveness
	warned bool // the instance's staleness has been logged
}

// startHeartbeat tells the store every Heartbeat that the instance is alive.
func (e *Engine) startHeartbeat() {
	stale := e.cfg.StaleAfter
	if stale <= 0 {
		stale = store.DefaultStaleAfter
	}
	e.beat.every = e.cfg.Heartbeat
	if e.beat.every <= 0 {
		e.beat.every = stale / 3
	}
	e.beat.state = Liveness{LastBeat: e.clock.Now(), StaleAfter: stale}
	ctx, stop := context.WithCancel(context.Background())
	e.beat.stop, e.beat.done = stop, make(chan struct{})
	go func() {
		defer close(e.beat.done)
		t := time.NewTicker(e.beat.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				e.heartbeatOnce(ctx)
				if e.Liveness().Failing == 0 {
					// The store answers: let go of the runs it could not
					// be told to release (see Engine.release).
					e.releaseLeft(ctx)
				}
			}
		}
	}()
}

// stopHeartbeat ends the heart-beating goroutine, cutting a heartbeat in
// flight short.
func (e *Engine) stopHeartbeat() {
	e.beat.stop()
	<-e.beat.done
}

// heartbeatOnce sends one heartbeat, bounded by the interval (a store that
// hangs does not hold up the next one), and logs a failure and a recovery.
func (e *Engine) heartbeatOnce(ctx context.Context) {
	beatCtx, cancel := context.WithTimeout(ctx, e.beat.every)
	defer cancel()
	err := e.Store.Heartbeat(beatCtx, e.instance)
	if err != nil && ctx.Err() != nil {
		return // Close cut it short
	}
	now := e.clock.Now()
	b := &e.beat
	b.mu.Lock()
	defer b.mu.Unlock()
	log := e.logger()
	if err == nil {
		if b.state.Failing > 0 {
			log.Info("heartbeat: the store takes them again", "instance", e.instance, "failed", b.state.Failing,
				"since", b.state.LastBeat)
		}
		b.state.LastBeat, b.state.Failing, b.state.Err, b.warned = now, 0, nil, false
		return
	}
	b.state.Failing++
	b.state.Failures++
	b.state.Err = err
	log.Warn("heartbeat: the store refused it", "instance", e.instance, "err", err, "failing", b.state.Failing,
		"last", b.state.LastBeat)
	if b.state.Stale(now) && !b.warned {
		b.warned = true
		log.Error("heartbeat: none for longer than the store waits; other instances may take over this instance's runs",
			"instance", e.instance, "last", b.state.LastBeat, "stale_after", b.state.StaleAfter)
	}
}

// Liveness reports the engine's heartbeats: when the store last took one,
// and the failures since.
func (e *Engine) Liveness() Liveness {
	e.beat.mu.Lock()
	defer e.beat.mu.Unlock()
	return e.beat.state
}

func (e *Engine) logger() *slog.Logger {
	if e.cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.cfg.Logger
}
