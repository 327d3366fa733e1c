package interp

import (
	"context"
	"time"

	"github.com/wf-lang/wf/lang"
)

// runExpr is `run action(args) [with {…}]`: it evaluates the arguments,
// then hands the step to the host.
type runExpr struct {
	at
	b    *Builtin
	plan *argPlan
	recv expr
	with *mapExpr
	path string
}

func (e *runExpr) eval(th *Thread, fr *frame) (Value, error) {
	key := th.stepKey(e.path)
	// While the step's arguments are evaluated, idempotency_key() names it.
	saved := th.argStep
	th.argStep = key
	var recv Value
	if e.recv != nil {
		var err error
		if recv, err = e.recv.eval(th, fr); err != nil {
			th.argStep = saved
			return nil, err
		}
	}
	args, err := e.plan.unpack(th, fr, recv, e.recv != nil)
	th.argStep = saved
	if err != nil {
		return nil, e.fail(err)
	}
	opts, err := e.options(th, fr)
	if err != nil {
		return nil, err
	}
	record := args.record()
	if err := th.checkMeasure(record, "the arguments of "+e.b.Decl.Name); err != nil {
		return nil, e.fail(err)
	}
	st := &Step{
		Key: key, Name: e.b.Decl.Name, Args: record, Options: opts,
		Workflow: th.run.wf.name, File: e.file, Pos: e.sp.Start, Redact: th.Redact,
	}
	if !e.b.KeepsSecrets && HoldsSecret(record) {
		// The action gets the text of its secret arguments; the record
		// keeps their markers, and the text is scrubbed from what the step
		// returns or fails with.
		th.addSecretsOf(record)
		args.reveal()
	}
	st.Do = func(ctx context.Context) (Value, error) {
		sub := *th
		sub.ctx, sub.curStep = ctx, st.Key
		sub.args, sub.nargs = nil, 0 // the step may outlive the call; it gets its own stack
		return e.b.Fn(&sub, args)
	}
	v, err := th.run.host.Step(th.ctx, st)
	th.advanceBy(st.Started, st.Finished)
	if err != nil {
		if th.ctx.Err() != nil {
			return nil, th.cancelled()
		}
		if p, ok := AsParked(err); ok {
			return nil, p
		}
		return nil, e.stepErr(th, st, err)
	}
	if th.run.secretsSeen.Load() {
		v = th.taintKnown(v)
	}
	return v, nil
}

func (e *runExpr) stepErr(th *Thread, st *Step, err error) error {
	err = libErr(st.Name, err)
	re, _ := AsError(err)
	re.Msg = th.Redact(re.Msg)
	if re.Kind == KindType || re.Kind == KindValue || re.Kind == KindNull {
		re.Kind = KindStep
	}
	if re.Step == "" {
		re.Step, re.StepKey = st.Name, st.Key
	}
	re.Workflow = th.run.wf.name
	return located(re, e.file, e.sp)
}

func (e *runExpr) options(th *Thread, fr *frame) (StepOptions, error) {
	var o StepOptions
	if e.with == nil {
		return o, nil
	}
	v, err := e.with.eval(th, fr)
	if err != nil {
		return o, err
	}
	m := v.(*Map)
	for i, k := range m.keys {
		val := m.vals[i]
		bad := func(want string) error {
			return e.errorf(KindType, "run option %s must be %s, got %s", k, want, TypeName(val))
		}
		switch k {
		case "retries":
			n, ok := val.(int64)
			if !ok {
				return o, bad("an int")
			}
			if n < 0 || n > 20 {
				return o, e.errorf(KindValue, "retries must be between 0 and 20, got %d", n)
			}
			o.Retries = int(n)
		case "backoff":
			d, ok := val.(time.Duration)
			if !ok {
				return o, bad("a duration")
			}
			o.Backoff = d
		case "timeout":
			d, ok := val.(time.Duration)
			if !ok {
				return o, bad("a duration")
			}
			if d <= 0 {
				return o, e.errorf(KindValue, "timeout must be positive, got %s", FormatDuration(d))
			}
			o.Timeout = d
		case "continue_on_error":
			b, ok := val.(bool)
			if !ok {
				return o, bad("a bool")
			}
			o.ContinueOnError = b
		case "on_interrupt":
			s, ok := val.(string)
			if !ok {
				return o, bad("a string")
			}
			if s != OnInterruptRetry && s != OnInterruptFail {
				return o, e.errorf(KindValue, `on_interrupt must be "retry" or "fail", got %q`, s)
			}
			o.OnInterrupt = s
		}
	}
	return o, nil
}

// DefaultWaitTimeout is how long an event wait lasts without a timeout
// clause, and the longest wait allowed: lang.MaxWait, which the checker
// holds literal durations to.
const DefaultWaitTimeout = lang.MaxWait

type waitExpr struct {
	at
	d    expr
	path string
}

func (e *waitExpr) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.d.eval(th, fr)
	if err != nil {
		return nil, err
	}
	d, ok := v.(time.Duration)
	if !ok {
		return nil, e.errorf(KindType, "wait needs a duration, got %s", TypeName(v))
	}
	if d < 0 || d > DefaultWaitTimeout {
		return nil, e.errorf(KindValue, "wait %s is outside 0s to 30d", FormatDuration(d))
	}
	w := &Wait{Key: th.stepKey(e.path), Duration: d, Workflow: th.run.wf.name, File: e.file, Pos: e.sp.Start}
	return nil, th.wait(e.at, w)
}

func (th *Thread) wait(a at, w *Wait) error {
	started := th.run.clock.Now()
	_, err := th.run.host.Wait(th.ctx, w)
	th.run.waited.Add(int64(th.run.clock.Now().Sub(started)))
	if err != nil {
		if th.ctx.Err() != nil {
			return th.cancelled()
		}
		if p, ok := AsParked(err); ok {
			return p
		}
		return a.fail(err)
	}
	th.advance(w)
	return nil
}

// advance moves the run's logical time on by how long a wait took: its
// duration, or for an event wait the time until the event (or the timeout).
func (th *Thread) advance(w *Wait) {
	if w.Event == "" {
		th.now = th.now.Add(w.Duration)
		return
	}
	th.advanceBy(w.Started, w.Finished)
}

// advanceBy moves the logical time on by the length of [start, end]. The
// run's now() starts at its (possibly pinned) start time and grows by the
// recorded length of each step and wait, so a replay sees the same times.
func (th *Thread) advanceBy(start, end time.Time) {
	if !start.IsZero() && end.After(start) {
		th.now = th.now.Add(end.Sub(start))
	}
}

type waitEventExpr struct {
	at
	name    string
	filter  *function // nil when there is no where clause
	timeout expr
	path    string
}

func (e *waitEventExpr) eval(th *Thread, fr *frame) (Value, error) {
	w := &Wait{Key: th.stepKey(e.path), Event: e.name, Timeout: DefaultWaitTimeout,
		Workflow: th.run.wf.name, File: e.file, Pos: e.sp.Start}
	if e.timeout != nil {
		v, err := e.timeout.eval(th, fr)
		if err != nil {
			return nil, err
		}
		d, ok := v.(time.Duration)
		if !ok || d <= 0 || d > DefaultWaitTimeout {
			return nil, e.errorf(KindValue, "timeout must be a duration between 1s and 30d, got %s", brief(v))
		}
		w.Timeout = d
	}
	if e.filter != nil {
		w.Match = func(ev Value) (bool, error) {
			v, err := e.filter.call(th, fr, []Value{ev}, e.sp.Start)
			if err != nil {
				return false, err
			}
			b, ok := v.(bool)
			if !ok {
				return false, e.errorf(KindType, "the where clause must give a bool, got %s", TypeName(v))
			}
			return b, nil
		}
	}
	started := th.run.clock.Now()
	v, err := th.run.host.Wait(th.ctx, w)
	th.run.waited.Add(int64(th.run.clock.Now().Sub(started)))
	if err != nil {
		if th.ctx.Err() != nil {
			return nil, th.cancelled()
		}
		if p, ok := AsParked(err); ok {
			return nil, p
		}
		return nil, e.fail(err)
	}
	th.advance(w)
	return v, nil
}
