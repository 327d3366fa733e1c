package interp

import (
	"context"
	"errors"
	"math"
	"sync"
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
	// Emit sends an event to the workflows that listen for it. key is the
	// emit statement's key, stable across replays like a step's (a durable
	// host derives the event's id from it, so a replay emits nothing twice).
	Emit(ctx context.Context, key, name string, payload *Map) error
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
	// AttemptLog has one entry per attempt, retries made inside a library
	// (an http retry_on, a Persona 429) included.
	AttemptLog []Attempt
	Started    time.Time
	Finished   time.Time
	Err        error // the final error of a step that continued on error
}

// Attempt is one try at performing a step.
type Attempt struct {
	N        int       `json:"n"`
	Status   string    `json:"status"` // completed, failed or cancelled
	Error    string    `json:"error,omitempty"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
}

// attemptSink collects the attempts a library reports from inside one call
// of a step's Do.
type attemptSink struct {
	mu       sync.Mutex
	attempts []Attempt
}

type attemptKey struct{}

// ReportAttempt records one try made inside a library call that retries by
// itself (an HTTP request retried on a status, a Persona call retried on
// 429): the step's record then lists each try with its own status, error
// and timing. Outside a step it does nothing.
func ReportAttempt(ctx context.Context, err error, started, finished time.Time) {
	sink, _ := ctx.Value(attemptKey{}).(*attemptSink)
	if sink == nil {
		return
	}
	a := Attempt{Status: StepCompleted, Started: started, Finished: finished}
	if err != nil {
		a.Status, a.Error = attemptStatus(ctx, err), err.Error()
	}
	sink.mu.Lock()
	sink.attempts = append(sink.attempts, a)
	sink.mu.Unlock()
}

func attemptStatus(ctx context.Context, err error) string {
	if err != nil && ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return StepCancelled
	}
	return StepFailed
}

// StepOptions are the `with { … }` options of a step.
type StepOptions struct {
	Retries         int           `json:"retries,omitempty"`
	Backoff         time.Duration `json:"backoff,omitempty"`
	Timeout         time.Duration `json:"timeout,omitempty"` // the whole step, retries included; 0 for none
	ContinueOnError bool          `json:"continue_on_error,omitempty"`
	// OnInterrupt says what to do with the step when a run is continued
	// after a crash and finds it started but not finished: OnInterruptRetry
	// (the default, "") performs it again with the same idempotency key;
	// OnInterruptFail fails the run for a person to decide.
	OnInterrupt string `json:"on_interrupt,omitempty"`
}

// The values of the on_interrupt step option.
const (
	OnInterruptRetry = "retry"
	OnInterruptFail  = "fail"
)

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
		sink := &attemptSink{}
		began := clock.Now()
		v, err = st.Do(context.WithValue(ctx, attemptKey{}, sink))
		st.logAttempts(ctx, sink.attempts, err, began, clock.Now())
		if _, parked := AsParked(err); parked {
			break
		}
		if err == nil || errors.Is(err, ErrPermanent) || ctx.Err() != nil || attempt >= st.Options.Retries {
			break
		}
		if serr := clock.Sleep(ctx, backoff(st.Options.Backoff, attempt, rand)); serr != nil {
			break
		}
	}
	st.Attempts = len(st.AttemptLog)
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

// logAttempts adds the attempts of one call of Do: those the library
// reported from inside it, or the call itself when it reported none.
func (st *Step) logAttempts(ctx context.Context, inner []Attempt, err error, began, ended time.Time) {
	if len(inner) == 0 {
		a := Attempt{Status: StepCompleted, Started: began, Finished: ended}
		if err != nil {
			a.Status, a.Error = attemptStatus(ctx, err), err.Error()
		}
		inner = []Attempt{a}
	} else if err != nil && inner[len(inner)-1].Status == StepCompleted {
		// The library's last try answered, but the call still failed (a
		// status retries ran out on, a result it refused).
		last := &inner[len(inner)-1]
		last.Status, last.Error = attemptStatus(ctx, err), err.Error()
	}
	for _, a := range inner {
		a.N = len(st.AttemptLog) + 1
		if st.Redact != nil {
			a.Error = st.Redact(a.Error)
		}
		st.AttemptLog = append(st.AttemptLog, a)
	}
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
