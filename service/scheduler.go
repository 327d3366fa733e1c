package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// scheduler fires what the clock starts: the ticks of `on schedule` and
// `on every` triggers, workflow.schedule starts that are due, and the timers
// of parked runs (waits and event-wait timeouts). Each pass does what is
// due, then sleeps until the next thing is (at most maxSleep, as a safety
// net), or until poked: a run parked, the files changed.
//
// Catch-up: the store keeps the last tick fired for each trigger. A tick
// missed while the service was down fires once when it starts (the latest
// missed one, with trigger.late true and trigger.missed counting the ticks
// skipped); earlier missed ticks are not replayed. A trigger never fired
// before starts with its next tick. Firing a tick and recording it are one
// transaction, so a restart neither fires a tick twice nor loses one.
type scheduler struct {
	s    *Service
	wake chan struct{}
	// since is when this process started, the reference of triggers that
	// never fired.
	since time.Time
	// recovered is when runs of dead instances were last looked for.
	recovered time.Time
	// passMu makes passes one at a time: a pass asked for (Tick) waits for
	// one under way, whose runs are queued when it returns.
	passMu sync.Mutex
	done   chan struct{}
	quit   chan struct{}
	once   sync.Once
}

// maxSleep is the longest the scheduler sleeps between passes.
const maxSleep = time.Second

// recoverEvery is how often the scheduler looks for runs whose instance
// stopped heart-beating (another process that died while this one runs).
const recoverEvery = 5 * time.Second

func newScheduler(s *Service) *scheduler {
	return &scheduler{s: s, wake: make(chan struct{}, 1), since: s.eng.Clock().Now(),
		done: make(chan struct{}), quit: make(chan struct{})}
}

func (sc *scheduler) poke() {
	select {
	case sc.wake <- struct{}{}:
	default:
	}
}

func (sc *scheduler) loop(ctx context.Context) {
	defer close(sc.done)
	clock := sc.s.eng.Clock()
	for {
		var next time.Time
		if sc.s.queue.Leader() { // one instance of those sharing a store
			var err error
			if next, err = sc.passNext(ctx); err != nil && ctx.Err() == nil {
				sc.s.log.Error("scheduler pass failed", "error", err)
			}
		}
		d := maxSleep
		if !next.IsZero() {
			d = min(d, max(next.Sub(clock.Now()), 0))
		}
		stop := clock.AfterFunc(d, sc.poke)
		select {
		case <-ctx.Done():
			stop()
			return
		case <-sc.quit:
			stop()
			return
		case <-sc.wake:
			stop()
		}
	}
}

func (sc *scheduler) stop() {
	sc.once.Do(func() { close(sc.quit) })
}

// pass does what is due now.
func (sc *scheduler) pass(ctx context.Context) error {
	_, err := sc.passNext(ctx)
	return err
}

// passNext does what is due and returns when the next thing is due (zero
// when nothing is known).
func (sc *scheduler) passNext(ctx context.Context) (time.Time, error) {
	sc.passMu.Lock()
	defer sc.passMu.Unlock()
	now := sc.s.eng.Clock().Now()
	var errs []error
	next, err := sc.fireTicks(ctx, now)
	errs = append(errs, err)
	if err := sc.startScheduled(ctx, now); err != nil {
		errs = append(errs, err)
	}
	woken, err := sc.s.eng.Store.WakeDue(ctx, now, sc.s.eng.QueueOwner(), 10_000)
	errs = append(errs, err)
	sc.s.queue.Enqueue(woken...)
	if now.Sub(sc.recovered) >= recoverEvery {
		sc.recovered = now
		errs = append(errs, sc.s.recover(ctx))
	}
	for _, src := range []func(context.Context) (time.Time, error){sc.s.eng.Store.NextWake, sc.s.eng.Store.NextScheduled} {
		t, err := src(ctx)
		errs = append(errs, err)
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next, errors.Join(errs...)
}

// fireTicks fires the clock triggers that are due and returns the next tick.
func (sc *scheduler) fireTicks(ctx context.Context, now time.Time) (time.Time, error) {
	l := sc.s.Program()
	var next time.Time
	var errs []error
	for _, trig := range l.Program.Schedules() {
		tk, err := newTicker(trig)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", trig.Workflow, trig.ID(), err))
			continue
		}
		last, err := sc.s.eng.Store.LastTick(ctx, trig.Workflow, trig.ID())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ref := last
		if ref.IsZero() {
			ref = sc.since
		}
		due := tk.next(ref)
		if due.IsZero() {
			continue
		}
		if !due.After(now) {
			// Fire the latest due tick once; count the ones skipped.
			missed := 0
			for n := tk.next(due); !n.IsZero() && !n.After(now) && missed < 100_000; n = tk.next(due) {
				due, missed = n, missed+1
			}
			if err := sc.fire(ctx, l, trig, due, now, missed); err != nil {
				errs = append(errs, err)
			}
			due = tk.next(due)
		}
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next, errors.Join(errs...)
}

// fire starts the run of one tick, recorded with the tick in one
// transaction (a tick already fired is not fired again).
func (sc *scheduler) fire(ctx context.Context, l *runtime.Loaded, trig interp.Schedule, tick, now time.Time, missed int) error {
	late := missed > 0 || now.Sub(tick) > sc.s.cfg.Late
	row, err := sc.s.eng.NewTickRun(ctx, l, trig, tick, late, missed)
	if err != nil {
		return err
	}
	fired, err := sc.s.eng.Store.FireTick(ctx, trig.Workflow, trig.ID(), tick, row)
	if err != nil || !fired {
		return err
	}
	sc.s.metrics.ticks.WithLabelValues(trig.Workflow, fmt.Sprint(late)).Inc()
	sc.s.metrics.started.WithLabelValues(trig.Workflow).Inc()
	attrs := []any{"run", row.ID, "workflow", trig.Workflow, "trigger", trig.ID(), "tick", tick}
	if late {
		sc.s.log.Warn("schedule tick fired late", append(attrs, "missed", missed)...)
	} else {
		sc.s.log.Info("schedule tick fired", attrs...)
	}
	sc.s.queue.Enqueue(row.ID)
	return nil
}

// startScheduled starts the workflow.schedule starts that are due.
func (sc *scheduler) startScheduled(ctx context.Context, now time.Time) error {
	due, err := sc.s.eng.Store.DueScheduled(ctx, now)
	if err != nil {
		return err
	}
	l := sc.s.Program()
	var errs []error
	for _, d := range due {
		row, err := sc.s.eng.NewScheduledRun(ctx, l, d)
		if err != nil {
			// The current version cannot start it (the workflow is gone, its
			// inputs changed): it is marked so, not retried forever.
			sc.s.log.Error("scheduled start refused", "schedule", d.ID, "workflow", d.Workflow, "error", err)
			errs = append(errs, sc.s.eng.Store.MarkScheduled(ctx, d.ID, "refused"))
			continue
		}
		started, err := sc.s.eng.Store.StartScheduled(ctx, d.ID, row)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if started {
			sc.s.metrics.started.WithLabelValues(d.Workflow).Inc()
			sc.s.log.Info("scheduled start", "run", row.ID, "workflow", d.Workflow, "schedule", d.ID)
			sc.s.queue.Enqueue(row.ID)
		}
	}
	return errors.Join(errs...)
}
