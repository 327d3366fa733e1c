package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
)

// NewQueuedRun builds (without recording it) a new run of l's version,
// queued for this instance, at the top of its own tree. The version is
// saved.
func (e *Engine) NewQueuedRun(ctx context.Context, l *Loaded, opts RunOptions) (*store.Run, error) {
	if err := e.SaveVersion(ctx, l); err != nil {
		return nil, err
	}
	row, err := e.newRun(l, opts)
	if err != nil {
		return nil, err
	}
	row.Status, row.Owner, row.RootID = store.StatusQueued, e.QueueOwner(), row.ID
	return row, nil
}

// Rerun records a new run of the same workflow with the same trigger on
// l's version (the newest), linked to the old run, queued for this
// instance.
func (e *Engine) Rerun(ctx context.Context, l *Loaded, old *store.Run) (*store.Run, error) {
	if !l.Program.HasWorkflow(old.Workflow) {
		return nil, fmt.Errorf("the current version has no workflow %s", old.Workflow)
	}
	opts := RunOptions{Workflow: old.Workflow, DryRun: old.DryRun}
	switch {
	case len(old.Event) > 0 && string(old.Event) != "null":
		trigger, ev, err := recordedTrigger(l.Program, old)
		if err != nil {
			return nil, err
		}
		m, _ := trigger.(*interp.Map)
		opts.Event = &Event{Object: m, ID: old.EventID}
		if n, ok := ev.Get("name"); ok {
			opts.Event.Name, _ = n.(string)
		}
		if c, ok := ev.Get("created_at"); ok {
			opts.Event.CreatedAt, _ = c.(time.Time)
		}
	case len(old.Inputs) > 0 && string(old.Inputs) != "null":
		v, err := interp.ParseJSON(old.Inputs)
		if err != nil {
			return nil, err
		}
		opts.Inputs, _ = v.(*interp.Map)
		if _, err := l.Program.BindInputs(old.Workflow, opts.Inputs); err != nil {
			return nil, fmt.Errorf("the old run's inputs do not fit the current version: %w", err)
		}
	}
	row, err := e.NewQueuedRun(ctx, l, opts)
	if err != nil {
		return nil, err
	}
	row.RerunOf = old.ID
	if err := e.Store.CreateRun(ctx, row); err != nil {
		return nil, err
	}
	return row, nil
}

// CancelRun cancels a run: one executing here is stopped (its steps in
// flight end cancelled); a queued or parked one ends at once.
func (e *Engine) CancelRun(ctx context.Context, id string) error {
	if e.Cancel(id) {
		return nil
	}
	rec, _ := json.Marshal(ErrorRecord{Kind: interp.KindCancel, Message: "the run was cancelled"})
	prev, err := e.Store.CancelRun(ctx, id, rec, e.clock.Now(), e.QueueOwner())
	if err != nil {
		return err
	}
	switch prev {
	case store.StatusQueued, store.StatusParked:
		return nil
	case store.StatusRunning:
		if e.Cancel(id) { // it started here meanwhile
			return nil
		}
		return fmt.Errorf("run %s is executing on another instance", id)
	}
	return fmt.Errorf("run %s has already %s", id, prev)
}

// Waits returns what a parked run waits for.
func (e *Engine) Waits(ctx context.Context, id string) ([]WaitRecord, error) {
	ws, err := e.Store.Waits(ctx, id)
	if err != nil {
		return nil, err
	}
	return waitRecords(ws), nil
}

// NewTickRun builds the run of one tick of a clock trigger, queued for this
// instance: its trigger is {scheduled_at, late, missed} and its id derives
// from the workflow, the trigger and the tick, so a tick fired twice makes
// one run.
func (e *Engine) NewTickRun(ctx context.Context, l *Loaded, sc interp.Schedule, tick time.Time, late bool, missed int) (*store.Run, error) {
	if err := e.SaveVersion(ctx, l); err != nil {
		return nil, err
	}
	trigger := interp.NewMap(3)
	trigger.Set("scheduled_at", tick)
	trigger.Set("late", late)
	trigger.Set("missed", int64(missed))
	id := childID("run_", sc.Workflow+"\x00"+sc.ID(), tick.UTC().Format(time.RFC3339Nano))
	row := &store.Run{ID: id, Workflow: sc.Workflow, Version: l.Program.Version, Seed: int64(randomSeed()),
		ClockStart: tick, Status: store.StatusQueued, Owner: e.QueueOwner(), RootID: id}
	var err error
	if row.Trigger, err = recordJSON(trigger); err != nil {
		return nil, err
	}
	return row, nil
}

// NewScheduledRun builds the run of a due workflow.schedule start, queued
// for this instance, on l's version.
func (e *Engine) NewScheduledRun(ctx context.Context, l *Loaded, sc store.Scheduled) (*store.Run, error) {
	if !l.Program.HasWorkflow(sc.Workflow) {
		return nil, fmt.Errorf("%w: %s", ErrNoWorkflow, sc.Workflow)
	}
	var in *interp.Map
	if len(sc.Input) > 0 {
		v, err := interp.ParseJSON(sc.Input)
		if err != nil {
			return nil, err
		}
		in, _ = v.(*interp.Map)
	}
	row, err := e.NewQueuedRun(ctx, l, RunOptions{ID: childID("run_", sc.ID, ""), Workflow: sc.Workflow, Inputs: in, ParentID: sc.CreatedByRun})
	if err != nil {
		return nil, err
	}
	return row, nil
}
