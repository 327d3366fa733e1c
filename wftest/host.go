package wftest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// host is a test run's interp.Host. Each step is answered by the first of
// the test's mocks that matches it (once per call: a retry is a call), or
// with backend local performed by the in-memory local backend; any other
// step fails without running and fails the test. Waits end at once on the
// fake clock, which moves on by the wait; an event wait takes the first
// delivered event that matches it and arrives before its timeout.
type host struct {
	c          *caseRun
	clock      *interp.FakeClock
	mocks      *mockSet
	deliveries []*delivery

	mu       sync.Mutex
	steps    []*StepRecord
	unmocked []string
}

// StepRecord is what a test run recorded of one step.
type StepRecord struct {
	Key    string
	Name   string
	Args   *interp.Map
	Result interp.Value
	Error  string
	// Status is mocked, completed (performed by the local backend),
	// continued (failed, and the step continues on error) or failed.
	Status string
	File   string
	Pos    lang.Pos
}

// delivery is an event a test delivers to the run's waits.
type delivery struct {
	event  *interp.Map
	at     time.Time
	clause *lang.TestClause
	used   bool
}

func newHost(c *caseRun, clock *interp.FakeClock) *host {
	return &host{c: c, clock: clock, mocks: &mockSet{}}
}

// Step implements interp.Host.
func (h *host) Step(ctx context.Context, st *interp.Step) (interp.Value, error) {
	perform := st.Do
	mocked := false
	st.Do = func(ctx context.Context) (interp.Value, error) {
		if m := h.mocks.take(st.Name, st.Args); m != nil {
			mocked = true
			return h.answer(m, st.Args)
		}
		if h.c.env.local != nil && lang.ServedByLocalBackend(st.Name) {
			return perform(ctx)
		}
		h.noteUnmocked(st.Name)
		return nil, interp.Permanent(errors.New("not mocked in this test"))
	}
	v, err := interp.ExecStep(ctx, h.clock, func() float64 { return 0.5 }, st)
	rec := &StepRecord{Key: st.Key, Name: st.Name, Args: st.Args, Result: v, Status: interp.StepCompleted, File: st.File, Pos: st.Pos}
	switch {
	case err != nil:
		rec.Status, rec.Error = interp.StepFailed, errText(err)
	case st.Err != nil:
		rec.Status, rec.Error = interp.StepContinued, errText(st.Err)
	case mocked:
		rec.Status = interp.StepMocked
	}
	h.mu.Lock()
	h.steps = append(h.steps, rec)
	h.mu.Unlock()
	return v, err
}

func (h *host) noteUnmocked(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !slices.Contains(h.unmocked, name) {
		h.unmocked = append(h.unmocked, name)
	}
}

func (h *host) unmockedNames() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.unmocked...)
}

// answer gives a mock's result for a step with args: its value, the value
// of its function called with the arguments, or its failure.
func (h *host) answer(m *mock, args *interp.Map) (interp.Value, error) {
	v := m.value
	if _, isFn := v.(interp.Callable); isFn {
		var err error
		if v, err = h.c.scope.Call(v, args); err != nil {
			return nil, interp.Permanent(fmt.Errorf("the mock at line %d failed: %s", m.clause.Sp.Start.Line, errText(err)))
		}
	}
	if !m.fails {
		return v, nil
	}
	if reason, ok := v.(*interp.Map); ok {
		msg, _ := reason.Get("message")
		if kind, _ := reason.Get("kind"); kind == interp.KindTimeout {
			return nil, &interp.Error{Kind: interp.KindTimeout, Msg: interp.ToString(msg)}
		}
		return nil, errors.New(interp.ToString(msg))
	}
	return nil, errors.New(interp.ToString(v))
}

// jsMock answers a call of a js fn from the test's mocks, when one
// matches (ok is false when none does: the js fn runs).
func (h *host) jsMock(name string, params []string, args []interp.Value) (interp.Value, error, bool) {
	m := interp.NewMap(len(params))
	for i, p := range params {
		if i < len(args) {
			m.Set(p, args[i])
		}
	}
	mk := h.mocks.take(name, m)
	if mk == nil {
		return nil, nil, false
	}
	v, err := h.answer(mk, m)
	return v, err, true
}

// Wait implements interp.Host.
func (h *host) Wait(ctx context.Context, w *interp.Wait) (interp.Value, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := h.clock.Now()
	w.Started = start
	if w.Event == "" {
		w.Finished = start.Add(w.Duration)
		h.clock.Advance(w.Duration)
		return nil, nil
	}
	deadline := start.Add(w.Timeout)
	for _, d := range h.deliveries {
		name, _ := d.event.Get("name")
		if d.used || d.at.After(deadline) || !lang.EventMatches(w.Event, interp.ToString(name)) {
			continue
		}
		if w.Match != nil {
			ok, err := w.Match(d.event)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		d.used = true
		w.Finished = start
		if d.at.After(start) {
			w.Finished = d.at
		}
		h.clock.Advance(w.Finished.Sub(start))
		return d.event, nil
	}
	w.Finished = deadline
	h.clock.Advance(w.Timeout)
	return nil, nil
}

// Log implements interp.Host (a test keeps no log).
func (h *host) Log(context.Context, *interp.LogLine) {}

// Output implements interp.Host (outputs are in the run's result).
func (h *host) Output(context.Context, string, interp.Value) {}

// Emit implements interp.Host: an emitted event starts nothing in a test.
func (h *host) Emit(context.Context, string, string, *interp.Map) error { return nil }

// ordered returns the recorded steps in the order the workflow's text
// gives them (see stepLess).
func (h *host) ordered() []*StepRecord {
	h.mu.Lock()
	out := append([]*StepRecord(nil), h.steps...)
	h.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return stepLess(out[i].Key, out[j].Key) })
	return out
}
