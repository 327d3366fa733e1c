package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
)

// durableHost is the host of a recorded run. It keeps the MemHost's
// behaviour (perform, replay, mock, dry run, waits) and writes every step
// and log line to the store as it happens, so an interrupted run can be
// re-run from its journal.
type durableHost struct {
	*interp.MemHost
	store  *store.Store
	runID  string
	mu     sync.Mutex
	seq    int64 // numbers steps and log lines together, in the order they are written
	err    error // the first store error; the run fails with it
	redact func(string) string
	// steps and logs are what was written, so the finished record can be
	// built without reading the run back.
	steps []store.Step
	logs  []store.Log
}

func newDurableHost(st *store.Store, runID string, mem *interp.MemHost) *durableHost {
	h := &durableHost{MemHost: mem, store: st, runID: runID}
	mem.OnStep = h.saveStep
	mem.OnLog = h.saveLog
	return h
}

// Step performs the step, then makes sure it was journaled: a step whose
// record could not be written fails the run rather than being lost.
func (h *durableHost) Step(ctx context.Context, st *interp.Step) (interp.Value, error) {
	if st.Redact != nil {
		h.mu.Lock()
		h.redact = st.Redact
		h.mu.Unlock()
	}
	v, err := h.MemHost.Step(ctx, st)
	if serr := h.storeErr(); serr != nil {
		return nil, serr
	}
	return v, err
}

// Wait records the wait like a step.
func (h *durableHost) Wait(ctx context.Context, w *interp.Wait) (interp.Value, error) {
	v, err := h.MemHost.Wait(ctx, w)
	if serr := h.storeErr(); serr != nil {
		return nil, serr
	}
	return v, err
}

func (h *durableHost) storeErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

func (h *durableHost) scrub(s string) string {
	h.mu.Lock()
	r := h.redact
	h.mu.Unlock()
	if r == nil {
		return s
	}
	return r(s)
}

func (h *durableHost) saveStep(rec *interp.StepRecord) {
	h.mu.Lock()
	h.seq++
	seq := h.seq
	h.mu.Unlock()
	st := store.Step{
		Key: rec.Key, Seq: seq, Name: rec.Name, Status: rec.Status, Attempts: rec.Attempts,
		StartedAt: rec.Started, FinishedAt: rec.Finished, Error: h.scrub(rec.Err),
		Args: h.jsonOf(rec.Args), Result: h.jsonOf(rec.Result),
	}
	if rec.Status == interp.StepFailed {
		// A failed step is recorded but is not part of the journal: a re-run
		// performs it again.
		st.FinishedAt = rec.Finished
	}
	if err := h.store.SaveStep(context.WithoutCancel(context.Background()), h.runID, st); err != nil {
		h.fail(fmt.Errorf("recording step %s: %w", rec.Key, err))
		return
	}
	h.mu.Lock()
	h.steps = append(h.steps, st)
	h.mu.Unlock()
}

func (h *durableHost) saveLog(l *interp.LogLine) {
	entry := store.Log{At: l.At, Level: "info", Message: h.scrub(l.Message),
		Pos: fmt.Sprintf("%s:%d:%d", l.File, l.Pos.Line, l.Pos.Col)}
	h.mu.Lock()
	h.seq++
	entry.Seq = h.seq
	h.mu.Unlock()
	if err := h.store.AppendLog(context.Background(), h.runID, entry); err != nil {
		h.fail(fmt.Errorf("recording log line: %w", err))
		return
	}
	h.mu.Lock()
	h.logs = append(h.logs, entry)
	h.mu.Unlock()
}

// written returns the steps (in the order they finished) and log lines the
// host recorded.
func (h *durableHost) written() ([]store.Step, []store.Log) {
	h.mu.Lock()
	steps, logs := append([]store.Step(nil), h.steps...), append([]store.Log(nil), h.logs...)
	h.mu.Unlock()
	sort.Slice(steps, func(i, j int) bool { return steps[i].Seq < steps[j].Seq })
	sort.Slice(logs, func(i, j int) bool { return logs[i].Seq < logs[j].Seq })
	return steps, logs
}

func (h *durableHost) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.err = err
	}
}

// jsonOf encodes a value for the record, with secrets removed.
func (h *durableHost) jsonOf(v interp.Value) json.RawMessage {
	if v == nil {
		return nil
	}
	if m, ok := v.(*interp.Map); ok && m == nil {
		return nil
	}
	b, err := interp.MarshalJSON(v)
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	return json.RawMessage(h.scrub(string(b)))
}

// journalFromStore turns a run's stored steps into the interpreter's
// journal: every finished step that did not fail.
func journalFromStore(steps map[string]store.Step) (map[string]*interp.StepRecord, error) {
	out := make(map[string]*interp.StepRecord, len(steps))
	for k, s := range steps {
		if s.Status == interp.StepFailed || s.Status == interp.StepDryRun {
			continue
		}
		var result interp.Value
		if len(s.Result) > 0 {
			v, err := interp.ParseJSON(s.Result)
			if err != nil {
				return nil, fmt.Errorf("step %s: %w", k, err)
			}
			result = v
		}
		out[k] = &interp.StepRecord{Key: k, Name: s.Name, Result: result, Err: s.Error, Status: s.Status,
			Attempts: s.Attempts, Started: s.StartedAt, Finished: s.FinishedAt}
	}
	return out, nil
}
