package persona

import (
	"context"
	"sync"
	"time"
)

// limiter keeps requests under a limit per sliding window on an injected
// clock: a request may start once the request `limit` places before it
// started at least a window ago. Persona counts 300 requests a minute in a
// fixed window; no fixed window can see more than a sliding one allows.
// Callers that must wait are told how long and sleep through the injected
// Sleep, so the limiter never fails a request, it only delays it.
type limiter struct {
	mu     sync.Mutex
	now    func() time.Time
	window time.Duration
	starts []time.Time // ring of the last len(starts) start times, some in the future
	next   int
}

// newLimiter allows limit requests per window.
func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{now: now, window: window, starts: make([]time.Time, max(limit, 1))}
}

// reserve books the next start time and returns how long to wait for it.
func (l *limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	at := now
	if oldest := l.starts[l.next]; !oldest.IsZero() && oldest.Add(l.window).After(now) {
		at = oldest.Add(l.window)
	}
	l.starts[l.next] = at
	l.next = (l.next + 1) % len(l.starts)
	return at.Sub(now)
}

// wait blocks, through sleep, until a request may start.
func (l *limiter) wait(ctx context.Context, sleep func(context.Context, time.Duration) error) error {
	if d := l.reserve(); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}
