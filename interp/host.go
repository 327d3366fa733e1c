package interp

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/wf-lang/wf/lang"
)

// Host is the run seam: the interpreter hands every `run` step, every
// `wait`, log line, output and emitted event to its host. A host decides how
// a step happens: it may perform it (with ExecStep's retries and timeout),
// return the result an earlier attempt of the same run recorded under the
// step's key (replay after a crash, so no effect happens twice), or return a
// mock (tests and dry runs).
type Host interface {
	// Step performs, replays or mocks one step. The host sets st.Finished
	// and st.Attempts. A step that failed but continues on error returns
	// (nil, nil) after recording its error.
	Step(ctx context.Context, st *Step) (Value, error)
	// Wait waits for a duration, or for an event (returning it, or null
	// when the timeout passes first). The host sets w.Finished.
	Wait(ctx context.Context, w *Wait) (Value, error)
	// Log records a `log` line.
	Log(ctx context.Context, l *LogLine)
	// Output records one `output` entry.
	Output(ctx context.Context, key string, v Value)
	// Emit sends an event to the workflows that listen for it.
	Emit(ctx context.Context, name string, payload *Map) error
}

// Step is one `run` step as the host sees it.
type Step struct {
	// Key identifies the step within its run, stably across replays: the
	// workflow version, the statement's place in the tree, the loop
	// iteration and the parallel branch.
	Key      string
	Name     string // the action's qualified name, such as inquiry.decline
	Args     *Map   // the arguments by parameter name, as the record shows them
	Options  StepOptions
	Workflow string
	File     string
	Pos      lang.Pos
	// Do performs the action once. The host calls it (through ExecStep)
	// unless it replays or mocks the step.
	Do func(ctx context.Context) (Value, error)
	// Redact removes the run's secrets from text the host is about to
	// record (arguments, results, errors).
	Redact func(string) string
	// Set by the host.
	Attempts int
	Started  time.Time
	Finished time.Time
	Err      error // the final error of a step that continued on error
}

// StepOptions are the `with { … }` options of a step.
type StepOptions struct {
	Retries         int
	Backoff         time.Duration
	Timeout         time.Duration // the whole step, retries included; 0 for none
	ContinueOnError bool
}

// Wait is one `wait` as the host sees it.
type Wait struct {
	Key      string
	Duration time.Duration // wait 2h; 0 for an event wait
	Event    string        // wait event "name"
	// Match reports whether a candidate event ({name, id, created_at,
	// trigger}) passes the where clause; nil when there is none.
	Match    func(ev Value) (bool, error)
	Timeout  time.Duration // 0 for the default (30 days)
	Workflow string
	File     string
	Pos      lang.Pos
	Started  time.Time // set by the host: when the wait began
	Finished time.Time // set by the host: when the wait ended
}

// LogLine is one `log` statement's output.
type LogLine struct {
	Key      string
	Message  string
	Workflow string
	File     string
	Pos      lang.Pos
	At       time.Time
}

// ErrPermanent marks an error that retrying cannot fix (a bad argument, a
// refused address). Wrap with Permanent.
var ErrPermanent = errors.New("permanent")

type permanentError struct{ err error }

func (p permanentError) Error() string        { return p.err.Error() }
func (p permanentError) Unwrap() []error      { return []error{p.err, ErrPermanent} }
func (p permanentError) Is(target error) bool { return target == ErrPermanent }

// Permanent marks err as not worth retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// DefaultBackoff is the first retry delay when a step sets retries but no
// backoff.
const DefaultBackoff = time.Second

// maxBackoff caps a single retry delay.
const maxBackoff = 5 * time.Minute

// ExecStep performs a step with its options: up to 1+Retries attempts,
// waiting Backoff·2ⁿ (with jitter from rand, a number in [0,1)) between
// them, all within Timeout when set. Errors marked Permanent, and
// cancellation of ctx, are not retried. It sets st.Attempts, st.Started and
// st.Finished from the clock. With ContinueOnError a final failure is kept
// in st.Err and (nil, nil) is returned.
func ExecStep(ctx context.Context, clock Clock, rand func() float64, st *Step) (Value, error) {
	st.Started = clock.Now()
	if st.Options.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = WithTimeout(ctx, clock, st.Options.Timeout)
		defer cancel()
	}
	var (
		v   Value
		err error
	)
	for attempt := 0; ; attempt++ {
		st.Attempts = attempt + 1
		v, err = st.Do(ctx)
		if err == nil || errors.Is(err, ErrPermanent) || ctx.Err() != nil || attempt >= st.Options.Retries {
			break
		}
		if serr := clock.Sleep(ctx, backoff(st.Options.Backoff, attempt, rand)); serr != nil {
			break
		}
	}
	st.Finished = clock.Now()
	if err != nil && ctx.Err() == context.DeadlineExceeded && st.Options.Timeout > 0 {
		err = &Error{Kind: KindTimeout, Msg: st.Name + ": timed out after " + FormatDuration(st.Options.Timeout), Cause: err}
	}
	if err != nil && st.Options.ContinueOnError {
		st.Err = err
		return nil, nil
	}
	return v, err
}

// backoff returns the delay before retry n+1: base·2ⁿ scaled by a factor in
// [0.5, 1) so retries from many runs spread out.
func backoff(base time.Duration, n int, rand func() float64) time.Duration {
	if base <= 0 {
		base = DefaultBackoff
	}
	d := float64(base) * math.Pow(2, float64(n))
	if d > float64(maxBackoff) {
		d = float64(maxBackoff)
	}
	j := 0.75
	if rand != nil {
		j = 0.5 + rand()/2
	}
	return time.Duration(d * j)
}
