package js

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero fields of Env.
const (
	DefaultTimeout        = 100 * time.Millisecond
	DefaultMaxInputBytes  = 1 << 20
	DefaultMaxOutputBytes = 1 << 20
)

// Env is what a call sees of its host, and its limits. Now and Rand make
// replays see the same Date.now() and Math.random(); a nil one makes the
// script's use of it throw a TypeError.
type Env struct {
	// Now serves Date.now() and new Date().
	Now func() time.Time
	// Rand serves Math.random(); it must return values in [0, 1).
	Rand func() float64
	// Timeout bounds the call; zero means DefaultTimeout.
	Timeout time.Duration
	// MaxInputBytes bounds the JSON-ish size of the arguments; zero means
	// DefaultMaxInputBytes.
	MaxInputBytes int
	// MaxOutputBytes bounds the JSON-ish size of the result; zero means
	// DefaultMaxOutputBytes.
	MaxOutputBytes int
	// OrderedMaps returns JavaScript objects as OrderedMap, in key order,
	// instead of map[string]any.
	OrderedMaps bool
	// Sandbox supplies pooled runtimes; nil means the Program's own
	// sandbox, made on first use.
	Sandbox *Sandbox
}

// resolve fills in defaults and refuses negative limits.
func (e Env) resolve(fn string) (Env, error) {
	switch {
	case e.Timeout < 0:
		return e, newError(fn, ErrLimit, fmt.Sprintf("timeout must be positive, got %s", e.Timeout))
	case e.MaxInputBytes < 0:
		return e, newError(fn, ErrLimit, fmt.Sprintf("input limit must be positive, got %d", e.MaxInputBytes))
	case e.MaxOutputBytes < 0:
		return e, newError(fn, ErrLimit, fmt.Sprintf("output limit must be positive, got %d", e.MaxOutputBytes))
	}
	if e.Timeout == 0 {
		e.Timeout = DefaultTimeout
	}
	if e.MaxInputBytes == 0 {
		e.MaxInputBytes = DefaultMaxInputBytes
	}
	if e.MaxOutputBytes == 0 {
		e.MaxOutputBytes = DefaultMaxOutputBytes
	}
	return e, nil
}

// Call runs the program with args, one per parameter, and returns its result
// as plain Go values: nil, bool, int64 (integral numbers), float64, string,
// []any, map[string]any (or OrderedMap). Every error is an *Error.
func (p *Program) Call(ctx context.Context, env Env, args []any) (any, error) {
	env, err := env.resolve(p.name)
	if err != nil {
		return nil, err
	}
	if len(args) != len(p.params) {
		return nil, newError(p.name, ErrValue, fmt.Sprintf("takes %s, got %d", plural(len(p.params), "argument"), len(args)))
	}
	budget := env.MaxInputBytes
	for i, a := range args {
		if err := measure(a, p.params[i], 1, &budget); err != nil {
			return nil, boundaryError(p.name, err, env.MaxInputBytes)
		}
	}
	sb := env.Sandbox
	if sb == nil {
		p.once.Do(func() { p.own = NewSandbox(Options{PoolSize: 1}) })
		sb = p.own
	}
	return sb.run(ctx, env, p, args)
}

// Call states, for the race between a finishing script and a caller giving
// up on it.
const (
	running int32 = iota
	finished
	abandoned
)

// run executes p on a pooled runtime, on a goroutine of its own, so the
// caller gets control back at the time limit plus a grace period even when a
// builtin that cannot be interrupted is still running.
func (s *Sandbox) run(ctx context.Context, env Env, p *Program, args []any) (any, error) {
	if err := s.admit(ctx, p.name); err != nil {
		return nil, err
	}
	rt, err := s.acquire()
	if err != nil {
		return nil, newError(p.name, ErrInternal, "internal error: "+err.Error())
	}
	c := s.start(ctx, rt, env, func() outcome { return rt.exec(p, args, env) })
	out, ok := c.wait()
	if !ok {
		return nil, newError(p.name, c.w.reason().cause, c.w.reason().msg)
	}
	if c.quiet() && out.reusable {
		rt.end()
		s.release(rt)
	}
	return out.v, out.err
}

// admit refuses a call whose context is done, or when too many abandoned
// calls are still running.
func (s *Sandbox) admit(ctx context.Context, fn string) error {
	if err := ctx.Err(); err != nil {
		return newError(fn, err, err.Error())
	}
	if n := s.runaway.Load(); n >= int64(s.opts.MaxRunaway) {
		return newError(fn, ErrLimit, fmt.Sprintf("too many runaway calls still running (%d)", n))
	}
	return nil
}

// call is one run of a script on its goroutine.
type call struct {
	s       *Sandbox
	w       *watchdog
	stopCtx func() bool
	state   atomic.Int32
	done    chan outcome
}

// start arms the watchdog and cancellation and runs exec on a goroutine.
func (s *Sandbox) start(ctx context.Context, rt *jsRuntime, env Env, exec func() outcome) *call {
	rt.begin(env)
	w := newWatchdog(rt, env.Timeout)
	c := &call{s: s, w: w, done: make(chan outcome, 1)}
	c.stopCtx = context.AfterFunc(ctx, func() { w.fire(&stopReason{cause: ctx.Err(), msg: ctx.Err().Error()}) })
	go func() {
		c.done <- exec()
		if !c.state.CompareAndSwap(running, finished) {
			s.runaway.Add(-1)
		}
	}()
	return c
}

// wait returns the outcome, or ok=false when the call was abandoned: still
// running a grace period after its interrupt.
func (c *call) wait() (out outcome, ok bool) {
	select {
	case out = <-c.done:
		return out, true
	case <-c.w.abandon:
		if c.state.CompareAndSwap(running, abandoned) {
			c.s.runaway.Add(1)
			c.stopCtx()
			return outcome{}, false
		}
		return <-c.done, true
	}
}

// quiet disarms the timer and cancellation, reporting whether neither ever
// fired, so no interrupt can reach the runtime once it is reused.
func (c *call) quiet() bool {
	ctxQuiet := c.stopCtx()
	return c.w.stop() && ctxQuiet
}

// watchdog interrupts a call at its time limit, or when fired early by
// cancellation, and signals abandon a grace period later.
type watchdog struct {
	rt      *jsRuntime
	grace   time.Duration
	timer   *time.Timer
	once    sync.Once
	mu      sync.Mutex
	why     *stopReason
	abandon chan struct{}
}

// newWatchdog arms the time limit.
func newWatchdog(rt *jsRuntime, timeout time.Duration) *watchdog {
	w := &watchdog{rt: rt, grace: graceFor(timeout), abandon: make(chan struct{})}
	msg := fmt.Sprintf("timed out after %s", timeout)
	w.timer = time.AfterFunc(timeout, func() { w.fire(&stopReason{cause: ErrTimeout, msg: msg}) })
	return w
}

// graceFor is how long an interrupted call may take to unwind before its
// caller gives up on it: half the time limit, between 100ms and 1s.
func graceFor(timeout time.Duration) time.Duration {
	return min(max(timeout/2, 100*time.Millisecond), time.Second)
}

// fire interrupts the script once, then arms the abandon signal.
func (w *watchdog) fire(r *stopReason) {
	w.once.Do(func() {
		w.mu.Lock()
		w.why = r
		w.mu.Unlock()
		w.rt.interrupt(r)
		time.AfterFunc(w.grace, func() { close(w.abandon) })
	})
}

// reason is why the call was interrupted.
func (w *watchdog) reason() *stopReason {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.why
}

// stop disarms the timer and reports whether the call was never interrupted,
// so the runtime is safe to reuse.
func (w *watchdog) stop() bool {
	stopped := w.timer.Stop()
	w.once.Do(func() {})
	return stopped && w.reason() == nil
}

// plural renders "1 argument", "2 arguments".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
