package wftest

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
)

// replayHost answers a new version's steps from what a recorded run did:
// nothing is performed. A step is answered by the recorded step of the
// same action with the same arguments, else by the first unused one of the
// same action (its arguments changed), else with null (the old run never
// made it: it would be a new effect). Event waits take the recorded waits'
// events, in order, at the time they came (null when that is past the new
// timeout); time waits end at once on the run's clock.
type replayHost struct {
	clock *interp.FakeClock

	mu    sync.Mutex
	steps []*recorded // the old run's action steps, in the text's order
	waits []*recorded // its event waits, in order
	out   []*StepRecord
}

// recorded is one step of a recorded run.
type recorded struct {
	key, name, args string
	rawArgs, result json.RawMessage
	err, status     string
	took            time.Duration
	used            bool
}

// Status of a replayed step the old run never made.
const stepNew = "new"

func newReplayHost(run *store.Run, clock *interp.FakeClock) *replayHost {
	h := &replayHost{clock: clock}
	for _, s := range run.Steps {
		r := &recorded{key: s.Key, name: s.Name, args: canonicalJSON(s.Args), rawArgs: s.Args, result: s.Result, err: s.Error, status: s.Status}
		if !s.StartedAt.IsZero() && s.FinishedAt.After(s.StartedAt) {
			r.took = s.FinishedAt.Sub(s.StartedAt)
		}
		switch s.Name {
		case "wait":
		case "wait event":
			h.waits = append(h.waits, r)
		default:
			h.steps = append(h.steps, r)
		}
	}
	sort.SliceStable(h.steps, func(i, j int) bool { return stepLess(h.steps[i].key, h.steps[j].key) })
	return h
}

// canonicalJSON rewrites a JSON text with sorted keys and no spaces, so two
// records of the same value compare equal; "" for none.
func canonicalJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	if string(b) == "{}" {
		return ""
	}
	return string(b)
}

// valueJSON is canonicalJSON of a value as a record writes it (secrets as
// their markers).
func valueJSON(v interp.Value) string {
	if m, ok := v.(*interp.Map); ok && (m == nil || m.Len() == 0) {
		return ""
	}
	b, err := interp.MarshalJSON(v)
	if err != nil {
		return "[" + err.Error() + "]"
	}
	return canonicalJSON(b)
}

// find takes the recorded step that answers a call of name with args.
func (h *replayHost) find(name, args string) *recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	var same *recorded
	for _, r := range h.steps {
		if r.used || r.name != name {
			continue
		}
		if r.args == args {
			r.used = true
			return r
		}
		if same == nil {
			same = r
		}
	}
	if same != nil {
		same.used = true
	}
	return same
}

// Step implements interp.Host.
func (h *replayHost) Step(ctx context.Context, st *interp.Step) (interp.Value, error) {
	r := h.find(st.Name, valueJSON(st.Args))
	st.Do = func(context.Context) (interp.Value, error) {
		switch {
		case r == nil:
			return nil, nil
		case r.status == interp.StepFailed || r.status == interp.StepContinued || r.status == interp.StepCancelled:
			return nil, errors.New(r.err)
		case len(r.result) == 0:
			return nil, nil
		}
		return interp.ParseJSON(r.result)
	}
	v, err := interp.ExecStep(ctx, h.clock, func() float64 { return 0.5 }, st)
	rec := &StepRecord{Key: st.Key, Name: st.Name, Args: st.Args, Result: v, Status: interp.StepReplayed, File: st.File, Pos: st.Pos}
	switch {
	case err != nil:
		rec.Status, rec.Error = interp.StepFailed, errText(err)
	case st.Err != nil:
		rec.Status, rec.Error = interp.StepContinued, errText(st.Err)
	case r == nil:
		rec.Status = stepNew
	}
	h.mu.Lock()
	h.out = append(h.out, rec)
	h.mu.Unlock()
	return v, err
}

// Wait implements interp.Host.
func (h *replayHost) Wait(_ context.Context, w *interp.Wait) (interp.Value, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	w.Started = h.clock.Now()
	if w.Event == "" {
		w.Finished = w.Started.Add(w.Duration)
		h.clock.Advance(w.Duration)
		return nil, nil
	}
	took := w.Timeout
	var result interp.Value
	for _, r := range h.waits {
		if r.used {
			continue
		}
		r.used = true
		if r.took > w.Timeout {
			break // the event came after the new timeout: the wait gives null
		}
		took = r.took
		if len(r.result) > 0 {
			v, err := interp.ParseJSON(r.result)
			if err != nil {
				return nil, err
			}
			if m, ok := v.(*interp.Map); ok {
				if s, ok := m.Get("created_at"); ok {
					if t, err := time.Parse(time.RFC3339Nano, interp.ToString(s)); err == nil {
						m.Set("created_at", t.UTC())
					}
				}
			}
			result = v
		}
		break
	}
	w.Finished = w.Started.Add(took)
	h.clock.Advance(took)
	return result, nil
}

// Log implements interp.Host.
func (h *replayHost) Log(context.Context, *interp.LogLine) {}

// Output implements interp.Host.
func (h *replayHost) Output(context.Context, string, interp.Value) {}

// Emit implements interp.Host: a replay starts nothing.
func (h *replayHost) Emit(context.Context, string, string, *interp.Map) error { return nil }

// ordered returns the replay's steps in the text's order.
func (h *replayHost) ordered() []*StepRecord {
	h.mu.Lock()
	out := append([]*StepRecord(nil), h.out...)
	h.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return stepLess(out[i].Key, out[j].Key) })
	return out
}
