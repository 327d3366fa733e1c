package interp

import (
	"context"
	"sync"
	"time"

	"github.com/wf-lang/wf/lang"
)

// StepRecord is what a host keeps of one step: the journal entry that lets
// a later attempt of the run replay it.
type StepRecord struct {
	Key      string
	Name     string
	Args     *Map
	Options  StepOptions
	Result   Value
	Err      string
	Status   string // completed, failed, continued, cancelled, dry-run, mocked, replayed
	Attempts int
	// AttemptLog is each attempt with its own status, error and timing.
	AttemptLog []Attempt
	Started    time.Time
	Finished   time.Time
	File       string
	Pos        lang.Pos
}

// Step record statuses.
const (
	StepCompleted = "completed"
	StepFailed    = "failed"
	StepContinued = "continued"
	StepDryRun    = "dry-run"
	StepMocked    = "mocked"
	StepReplayed  = "replayed"
	// StepCancelled is a step or wait stopped because a sibling branch
	// failed or the run was cancelled.
	StepCancelled = "cancelled"
)

// MemHost is a Host that keeps everything in memory: it performs steps with
// ExecStep, replays those found in its Journal, answers mocked actions from
// Mocks, and in DryRun mode records effects without performing them. Waits
// move its clock (a FakeClock makes them instant); event waits are answered
// from Events. Tests, the REPL and `wf run` build on it.
type MemHost struct {
	Clock Clock
	Rand  func() float64
	// Journal holds finished steps of an earlier attempt of the same run, by
	// key. A step found here is not performed again.
	Journal map[string]*StepRecord
	// Mocks answer steps by action name instead of performing them.
	Mocks map[string]func(st *Step) (Value, error)
	// DryRun records every step with its arguments and performs none; each
	// returns null.
	DryRun bool
	// SkipWaits ends time waits at once (the clock is still moved on).
	SkipWaits bool
	// Events are the events an event wait may receive, each
	// {name, id, created_at, trigger}.
	Events []*Map
	// OnStep, when set, is called after each step is recorded (the runtime
	// journals it durably here).
	OnStep func(rec *StepRecord)
	// OnLog, when set, is called for each log line.
	OnLog func(l *LogLine)
	// Emit, when set, receives emitted events.
	EmitFunc func(ctx context.Context, key, name string, payload *Map) error

	mu      sync.Mutex
	Steps   []*StepRecord
	Logs    []*LogLine
	Emitted []*Map
	used    map[int]bool
}

func (h *MemHost) clock() Clock {
	if h.Clock == nil {
		return RealClock{}
	}
	return h.Clock
}

// Step implements Host.
func (h *MemHost) Step(ctx context.Context, st *Step) (Value, error) {
	rec := &StepRecord{Key: st.Key, Name: st.Name, Args: st.Args, Options: st.Options, File: st.File, Pos: st.Pos}
	if j := h.Journal[st.Key]; j != nil && (j.Status == StepCompleted || j.Status == StepContinued || j.Status == StepReplayed || j.Status == StepMocked) {
		st.Attempts, st.Started, st.Finished = j.Attempts, j.Started, j.Finished
		rec.Result, rec.Err, rec.Attempts, rec.Started, rec.Finished = j.Result, j.Err, j.Attempts, j.Started, j.Finished
		rec.Status = StepReplayed
		h.record(rec)
		return j.Result, nil
	}
	var (
		v   Value
		err error
	)
	switch mock := h.Mocks[st.Name]; {
	case mock != nil:
		st.Started = h.clock().Now()
		v, err = mock(st)
		st.Attempts, st.Finished = 1, h.clock().Now()
		rec.Status = StepMocked
	case h.DryRun:
		now := h.clock().Now()
		st.Attempts, st.Started, st.Finished = 0, now, now
		rec.Status = StepDryRun
	default:
		v, err = ExecStep(ctx, h.clock(), h.Rand, st)
		if _, parked := AsParked(err); parked {
			// The step cannot finish yet (a workflow.call whose run is
			// waiting); it is performed again when the run continues.
			return nil, err
		}
		rec.Status = StepCompleted
		if st.Err != nil {
			rec.Status, rec.Err = StepContinued, st.Err.Error()
		}
	}
	rec.Attempts, rec.AttemptLog, rec.Started, rec.Finished, rec.Result = st.Attempts, st.AttemptLog, st.Started, st.Finished, v
	if err != nil {
		rec.Status, rec.Err = StepFailed, err.Error()
		if ctx.Err() != nil {
			rec.Status = StepCancelled
		}
	}
	h.record(rec)
	return v, err
}

func (h *MemHost) record(rec *StepRecord) {
	h.mu.Lock()
	h.Steps = append(h.Steps, rec)
	h.mu.Unlock()
	if h.OnStep != nil {
		h.OnStep(rec)
	}
}

// Wait implements Host.
func (h *MemHost) Wait(ctx context.Context, w *Wait) (Value, error) {
	if j := h.Journal[w.Key]; j != nil && j.Status != StepFailed {
		w.Started, w.Finished = j.Started, j.Finished
		h.record(&StepRecord{Key: w.Key, Name: "wait", Result: j.Result, Status: StepReplayed, Started: j.Started, Finished: j.Finished, File: w.File, Pos: w.Pos})
		return j.Result, nil
	}
	start := h.clock().Now()
	w.Started = start
	rec := &StepRecord{Key: w.Key, Name: "wait", Started: start, File: w.File, Pos: w.Pos, Attempts: 1, Status: StepCompleted}
	if w.Event == "" {
		rec.Args = NewMap(1)
		rec.Args.Set("duration", w.Duration)
		if !h.SkipWaits {
			if err := h.clock().Sleep(ctx, w.Duration); err != nil {
				rec.Status, rec.Err, rec.Finished = StepCancelled, err.Error(), h.clock().Now()
				h.record(rec)
				return nil, err
			}
		}
		w.Finished = start.Add(w.Duration)
		rec.Finished = w.Finished
		h.record(rec)
		return nil, nil
	}
	rec.Name = "wait event"
	rec.Args = NewMap(2)
	rec.Args.Set("event", w.Event)
	rec.Args.Set("timeout", w.Timeout)
	ev, err := h.matchEvent(w)
	if err != nil {
		return nil, err
	}
	if ev != nil {
		w.Finished = start
		if t, ok := ev.Get("created_at"); ok {
			if tt, ok := t.(time.Time); ok && tt.After(start) {
				w.Finished = tt
			}
		}
	} else {
		w.Finished = start.Add(w.Timeout)
	}
	rec.Result, rec.Finished = toValue(ev), w.Finished
	h.record(rec)
	return rec.Result, nil
}

func toValue(m *Map) Value {
	if m == nil {
		return nil
	}
	return m
}

// matchEvent finds the first unused event that matches the wait.
func (h *MemHost) matchEvent(w *Wait) (*Map, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.used == nil {
		h.used = map[int]bool{}
	}
	for i, ev := range h.Events {
		if h.used[i] {
			continue
		}
		name, _ := ev.Get("name")
		if n, _ := name.(string); !lang.EventMatches(w.Event, n) {
			continue
		}
		if w.Match != nil {
			h.mu.Unlock()
			ok, err := w.Match(ev)
			h.mu.Lock()
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		h.used[i] = true
		return ev, nil
	}
	return nil, nil
}

// Log implements Host.
func (h *MemHost) Log(_ context.Context, l *LogLine) {
	h.mu.Lock()
	h.Logs = append(h.Logs, l)
	h.mu.Unlock()
	if h.OnLog != nil {
		h.OnLog(l)
	}
}

// Output implements Host (outputs are also in the RunResult).
func (h *MemHost) Output(context.Context, string, Value) {}

// Emit implements Host.
func (h *MemHost) Emit(ctx context.Context, key, name string, payload *Map) error {
	ev := NewMap(2)
	ev.Set("name", name)
	ev.Set("payload", payload)
	h.mu.Lock()
	h.Emitted = append(h.Emitted, ev)
	h.mu.Unlock()
	if h.EmitFunc != nil {
		return h.EmitFunc(ctx, key, name, payload)
	}
	return nil
}

// JournalOf turns recorded steps into a journal for a later attempt.
func JournalOf(recs []*StepRecord) map[string]*StepRecord {
	j := make(map[string]*StepRecord, len(recs))
	for _, r := range recs {
		if r.Status != StepFailed {
			j[r.Key] = r
		}
	}
	return j
}
