package interp

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is where a run's time comes from. Tests use a FakeClock, so
// retries, backoff and timeouts run without real waiting.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f once d has passed; stop cancels it.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the machine's clock.
type RealClock struct{}

// Now returns the current time in UTC.
func (RealClock) Now() time.Time { return time.Now().UTC() }

// Sleep waits for d, or until ctx is done and returns its cause
// (context.Cause: ctx's error when it was cancelled without one). The
// library's default sleep between retries (httpx, persona) is this one.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// AfterFunc runs f after d.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// WithTimeout returns a context that is cancelled with DeadlineExceeded
// when d has passed on clock.
func WithTimeout(ctx context.Context, clock Clock, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := clock.(RealClock); ok {
		return context.WithTimeout(ctx, d)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	stop := clock.AfterFunc(d, func() { cancel(context.DeadlineExceeded) })
	return deadlineCtx{ctx}, func() { stop(); cancel(context.Canceled) }
}

// deadlineCtx reports the cancel cause as its error, so a fake-clock
// timeout reads as context.DeadlineExceeded like a real one.
type deadlineCtx struct{ context.Context }

func (c deadlineCtx) Err() error {
	if c.Context.Err() == nil {
		return nil
	}
	return context.Cause(c.Context)
}

// FakeClock is a clock that moves only when told. Sleep advances it (firing
// any timers due on the way) instead of blocking, so a run under a fake
// clock takes no real time and always takes the same path.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	seq    int
}

type fakeTimer struct {
	at   time.Time
	seq  int
	f    func()
	done bool
}

// NewFakeClock starts a fake clock at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t.UTC()} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d, firing timers that fall due.
func (c *FakeClock) Advance(d time.Duration) { c.advanceTo(c.Now().Add(d), nil) }

// Sleep advances the clock by d, firing timers due on the way; it stops
// early, with ctx's cause as RealClock's does, if a timer cancels ctx.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return c.advanceTo(c.Now().Add(d), ctx)
}

func (c *FakeClock) advanceTo(target time.Time, ctx context.Context) error {
	for {
		c.mu.Lock()
		sort.Slice(c.timers, func(i, j int) bool {
			if !c.timers[i].at.Equal(c.timers[j].at) {
				return c.timers[i].at.Before(c.timers[j].at)
			}
			return c.timers[i].seq < c.timers[j].seq
		})
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.done && !t.at.After(target) {
				next = t
				break
			}
		}
		if next == nil {
			if target.After(c.now) {
				c.now = target
			}
			c.mu.Unlock()
			return nil
		}
		next.done = true
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
		if ctx != nil && ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// AfterFunc registers f to run when the clock passes now+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) >= 64 {
		// Forget the timers that fired or were stopped.
		live := c.timers[:0]
		for _, t := range c.timers {
			if !t.done {
				live = append(live, t)
			}
		}
		clear(c.timers[len(live):])
		c.timers = live
	}
	c.seq++
	t := &fakeTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.done
		t.done = true
		return was
	}
}
