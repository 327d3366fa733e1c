package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// ErrCancelRequested is the cause a run's context is cancelled with when a
// person (or the API) cancels it: the run ends cancelled.
var ErrCancelRequested = errors.New("the run was cancelled")

// Cancel cancels a run executing in this process and reports whether it
// was here.
func (e *Engine) Cancel(id string) bool {
	c, ok := e.running.Load(id)
	if ok {
		c.(context.CancelCauseFunc)(ErrCancelRequested)
	}
	return ok
}

// drive executes a run this instance has claimed until it ends or parks,
// and records the outcome. journal holds the run's steps so far (nil for a
// new run). When the context is cancelled for another reason than a cancel
// request (the process is shutting down), the run is left as it is: its
// owner stops heart-beating, so it shows as interrupted and is continued
// later from its journal.
func (e *Engine) drive(ctx context.Context, l *Loaded, row *store.Run, journal map[string]store.Step, mode execMode) (*Record, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	e.running.Store(row.ID, cancel)
	defer e.running.Delete(row.ID)
	trigger, evMap, err := e.triggerOf(l.Program, row)
	if err != nil {
		return nil, e.failUnstartable(ctx, row, err)
	}
	for {
		host, err := newDurableHost(ctx, e, l, row, journal, mode)
		if err != nil {
			return nil, e.failUnstartable(ctx, row, err)
		}
		res := l.Program.Run(workflow.WithDepth(ctx, row.Depth), interp.RunRequest{
			Workflow: row.Workflow, Trigger: trigger, Event: evMap, Host: host, Clock: e.clock,
			Env: e.env(l, &runContext{id: row.ID, mode: inherited(mode), depth: row.Depth, root: rootOf(row)}), RunID: row.ID,
			Seed: uint64(row.Seed), Limits: e.cfg.Limits, Start: row.ClockStart,
		})
		if serr := host.storeErr(); serr != nil && res.Err == nil {
			re, ok := interp.AsError(serr)
			if !ok {
				re = &interp.Error{Kind: interp.KindStep, Msg: serr.Error()}
			}
			res.Status, res.Err = interp.StatusFailed, re
		}
		if ctx.Err() != nil && !errors.Is(context.Cause(ctx), ErrCancelRequested) {
			// Shutting down: leave the run to be continued, with the
			// outcomes it has not saved yet in its journal when the store
			// still answers (when it does not, the continued run performs
			// those actions again under the same keys, which changes
			// nothing).
			_ = host.writeSteps(context.WithoutCancel(ctx))
			return e.recordOf(ctx, row, host, store.StatusRunning, nil, nil)
		}
		if res.Status == interp.StatusParked {
			requeued, err := e.park(ctx, row, host, res.Parked)
			if err != nil {
				return nil, err
			}
			if !requeued {
				return e.recordOf(ctx, row, host, store.StatusParked, nil, nil)
			}
			// Something it waits for happened while it parked: go on.
			if row, err = e.Store.ClaimRun(ctx, row.ID, e.instance); err != nil {
				return nil, err
			}
			if journal, err = e.Store.Journal(ctx, row.ID); err != nil {
				return nil, err
			}
			continue
		}
		return e.finish(ctx, row, host, res)
	}
}

// inherited is the mode of the runs a run starts.
func inherited(m execMode) execMode {
	m.created = false
	return m
}

// park records what a parked run waits for; requeued when it already
// happened.
func (e *Engine) park(ctx context.Context, row *store.Run, host *durableHost, p *interp.Parked) (bool, error) {
	if err := host.writeSteps(context.WithoutCancel(ctx)); err != nil {
		return false, fmt.Errorf("recording steps: %w", err)
	}
	waits := make([]store.Wait, len(p.Waits))
	for i, w := range p.Waits {
		waits[i] = store.Wait{Key: w.Key, Until: w.Until, Event: w.Event, WaitRun: w.Run}
	}
	return e.Store.ParkRun(context.WithoutCancel(ctx), row.ID, e.instance, waits, host.eventsSeen(), lang.EventMatches)
}

// finish records a run's end and hands the runs waiting for it to the
// queue.
func (e *Engine) finish(ctx context.Context, row *store.Run, host *durableHost, res *interp.RunResult) (*Record, error) {
	status := res.Status
	if res.Err != nil && res.Err.Kind == interp.KindCancel && errors.Is(context.Cause(ctx), ErrCancelRequested) {
		status = store.StatusCancelled
	}
	outputs, err := recordJSON(res.Outputs)
	if err != nil {
		outputs, _ = json.Marshal(map[string]string{"error": "the outputs cannot be recorded: " + err.Error()})
	}
	outputs = json.RawMessage(interp.Redact(res.Secrets, string(outputs)))
	var errJSON json.RawMessage
	if res.Err != nil {
		errJSON, _ = json.Marshal(errorRecord(res.Err)) // strings only
	}
	woken, err := e.Store.FinishRun(context.WithoutCancel(ctx), row.ID, status, outputs, errJSON, e.clock.Now(), e.QueueOwner(), host.takePending())
	if err != nil {
		return nil, err
	}
	e.dispatch(host.mode, woken...)
	return e.recordOf(ctx, row, host, status, outputs, errJSON)
}

// recordOf builds the record of a run after an execution without reading
// the run back, but for the log lines of earlier executions.
func (e *Engine) recordOf(ctx context.Context, row *store.Run, host *durableHost, status string, outputs, errJSON json.RawMessage) (*Record, error) {
	rec := *row
	rec.Status, rec.Outputs, rec.Error = status, outputs, errJSON
	if store.Ended(status) {
		rec.FinishedAt = e.clock.Now()
	}
	rec.Steps = host.stepsForRecord()
	rec.Logs = host.logs
	if len(host.journal) > 0 {
		logs, err := e.Store.Logs(context.WithoutCancel(ctx), row.ID)
		if err != nil {
			return nil, err
		}
		rec.Logs = logs
	}
	out := RecordOf(&rec)
	out.Performed = host.performed()
	if status == store.StatusParked {
		waits, err := e.Store.Waits(context.WithoutCancel(ctx), row.ID)
		if err != nil {
			return nil, err
		}
		out.Waits = waitRecords(waits)
	}
	return out, nil
}

// triggerOf returns a run's trigger and event values: those its event was
// decoded into when this instance received it moments ago, or else rebuilt
// from the record.
func (e *Engine) triggerOf(prog *interp.Program, row *store.Run) (interp.Value, *interp.Map, error) {
	if d, ok := e.fresh.take(row.ID); ok {
		return d.trigger, d.event, nil
	}
	return recordedTrigger(prog, row)
}

// RecordedTrigger rebuilds a run's trigger and event values from its record,
// inputs bound by prog (which may be another version of the run's program:
// wf backtest replays recorded runs on a new one).
func RecordedTrigger(prog *interp.Program, row *store.Run) (interp.Value, *interp.Map, error) {
	return recordedTrigger(prog, row)
}

// recordedTrigger rebuilds a run's trigger and event values from its record:
// inputs are bound again (types and defaults as the workflow declares them),
// an event's object is read back as it was recorded.
func recordedTrigger(prog *interp.Program, row *store.Run) (interp.Value, *interp.Map, error) {
	var evMap *interp.Map
	if len(row.Event) > 0 && string(row.Event) != "null" {
		v, err := interp.ParseJSON(row.Event)
		if err != nil {
			return nil, nil, fmt.Errorf("the recorded event: %w", err)
		}
		m, ok := v.(*interp.Map)
		if !ok {
			return nil, nil, fmt.Errorf("the recorded event is not an object")
		}
		fixTime(m, "created_at")
		evMap = m
	}
	if evMap == nil && len(row.Inputs) > 0 && string(row.Inputs) != "null" {
		v, err := interp.ParseJSON(row.Inputs)
		if err != nil {
			return nil, nil, fmt.Errorf("the recorded inputs: %w", err)
		}
		in, _ := v.(*interp.Map)
		trigger, err := prog.BindInputs(row.Workflow, in)
		if err != nil {
			return nil, nil, fmt.Errorf("the recorded inputs: %w", err)
		}
		return trigger, nil, nil
	}
	var trigger interp.Value
	if len(row.Trigger) > 0 {
		v, err := interp.ParseJSON(row.Trigger)
		if err != nil {
			return nil, nil, fmt.Errorf("the recorded trigger: %w", err)
		}
		trigger = v
	}
	if m, ok := trigger.(*interp.Map); ok && evMap == nil {
		fixTime(m, "scheduled_at")
	}
	if trigger == nil {
		trigger = interp.NewMap(0)
	}
	return trigger, evMap, nil
}

// WaitBackground waits for the runs this engine executes in goroutines of
// its own (without a queue: the runs a wf run or the REPL starts with
// workflow.start and emit, and theirs) and returns the records of those
// that ended since the last call, in the order they ended; the engine
// keeps none after (a long REPL session does not pile them up). Errors
// recording them are Close's.
func (e *Engine) WaitBackground() []*Record {
	e.background.Wait()
	e.bgMu.Lock()
	defer e.bgMu.Unlock()
	recs := e.bgRecs
	e.bgRecs = nil
	return recs
}

// rootOf is the id of the run at the top of a run's tree.
func rootOf(row *store.Run) string {
	if row.RootID != "" {
		return row.RootID
	}
	return row.ID
}

// dispatch hands runs queued for this instance to the queue; without one
// (wf run) it executes them in goroutines of its own, with waits served as
// in the run that started them, and Close waits for them.
func (e *Engine) dispatch(m execMode, ids ...string) {
	if len(ids) == 0 {
		return
	}
	if e.queue != nil {
		e.queue.Enqueue(ids...)
		return
	}
	for _, id := range ids {
		e.background.Add(1)
		go func() {
			defer e.background.Done()
			// The run's own record says how it went (WaitBackground returns
			// it), unless recording it failed: Close returns that.
			rec, err := e.execute(context.Background(), id, execMode{park: m.park, skipWaits: m.skipWaits, waitEvents: m.waitEvents})
			e.bgMu.Lock()
			defer e.bgMu.Unlock()
			if err != nil && !errors.Is(err, store.ErrNotClaimed) {
				e.bgErrs = append(e.bgErrs, fmt.Errorf("run %s: %w", id, err))
			} else if rec != nil {
				e.bgRecs = append(e.bgRecs, rec)
			}
		}()
	}
}
