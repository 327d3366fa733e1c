package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// runner lets a run call, start and schedule other workflows of the same
// program version (workflow.call, workflow.start, workflow.schedule). What a
// step creates has an id derived from the calling run and the step's key, so
// when the step is performed again (a crash, a continued run) it finds what
// it created instead of creating it twice.
type runner struct {
	e      *Engine
	l      *Loaded
	parent *runContext
}

// Default caps on what one trigger, and one run, may cause (see
// Config.RecordLimits).
const (
	// DefaultMaxRunsPerTrigger caps the runs one trigger can cause: a run
	// plus every run started or called under it (emitted events included).
	DefaultMaxRunsPerTrigger = 1000
	// DefaultMaxSteps caps the steps (and waits) one run records.
	DefaultMaxSteps = 10_000
	// DefaultMaxLogBytes caps the text of the log lines one run records.
	DefaultMaxLogBytes = 16 << 20
)

func (r *runner) check(ctx context.Context, name string) error {
	if d := workflow.Depth(ctx); d > workflow.MaxDepth {
		return interp.Permanent(fmt.Errorf("workflows started by workflows are nested more than %d deep (is there a cycle?)", workflow.MaxDepth))
	}
	if !r.l.Program.HasWorkflow(name) {
		return interp.Permanent(fmt.Errorf("there is no workflow %s", name))
	}
	return nil
}

// child builds the record of a run the step starts, queued for this
// instance, or returns the one the step created before.
func (r *runner) child(ctx context.Context, name string, input *interp.Map) (*store.Run, bool, error) {
	id := childID("run_", r.parent.id, workflow.IdempotencyKey(ctx))
	if prev, err := r.e.Store.GetRun(ctx, id); err == nil {
		return prev, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	// Counting the tree and adding to it are one step in this process, so
	// branches starting runs at once cannot pass the cap together.
	r.e.treeMu.Lock()
	defer r.e.treeMu.Unlock()
	if n, err := r.e.Store.CountTree(ctx, r.parent.root); err != nil {
		return nil, false, err
	} else if max := r.e.caps.MaxRunsPerTrigger; n >= max {
		return nil, false, fanOutError(n)
	}
	row, err := r.e.newRun(r.l, RunOptions{ID: id, Workflow: name, Inputs: input, DryRun: r.parent.mode.dryRun, ParentID: r.parent.id})
	if err != nil {
		return nil, false, interp.Permanent(err)
	}
	row.Status, row.Owner, row.RootID, row.Depth = store.StatusQueued, r.e.QueueOwner(), r.parent.root, workflow.Depth(ctx)
	if err := r.e.Store.CreateRun(ctx, row); err != nil {
		if errors.Is(err, store.ErrExists) {
			prev, gerr := r.e.Store.GetRun(ctx, id)
			return prev, false, gerr
		}
		return nil, false, err
	}
	return row, true, nil
}

// Call runs the workflow and waits for its outputs. In the service, a
// called run that waits parks its caller too, until it ends.
func (r *runner) Call(ctx context.Context, name string, input *interp.Map) (*interp.Map, error) {
	if err := r.check(ctx, name); err != nil {
		return nil, err
	}
	if err := r.e.SaveVersion(ctx, r.l); err != nil {
		return nil, err
	}
	row, _, err := r.child(ctx, name, input)
	if err != nil {
		return nil, err
	}
	if row.Status == store.StatusQueued || row.Status == store.StatusInterrupted {
		rec, err := r.e.execute(workflow.WithDepth(context.WithoutCancel(ctx), row.Depth), row.ID, r.parent.mode)
		if err != nil && !errors.Is(err, store.ErrNotClaimed) {
			return nil, interp.Permanent(err)
		}
		if rec != nil {
			row.Status, row.Outputs, row.Error = rec.Status, rec.Outputs, rec.Error
		} else if row, err = r.e.Store.GetRun(ctx, row.ID); err != nil {
			return nil, err
		}
	}
	switch row.Status {
	case store.StatusCompleted:
		return outputsOf(row.Outputs)
	case store.StatusFailed, store.StatusCancelled:
		msg := row.Status
		if e := (&Record{Error: row.Error}).ParsedError(); e != nil {
			msg = e.Message
		}
		return nil, interp.Permanent(fmt.Errorf("run %s of %s %s: %s", row.ID, name, row.Status, msg))
	}
	// The called run is waiting (or another instance has it): wait for it.
	return nil, interp.Park(interp.ParkedWait{Key: workflow.IdempotencyKey(ctx), Run: row.ID})
}

func outputsOf(raw []byte) (*interp.Map, error) {
	if len(raw) == 0 {
		return interp.NewMap(0), nil
	}
	v, err := interp.ParseJSON(raw)
	if err != nil {
		return nil, err
	}
	m, _ := v.(*interp.Map)
	if m == nil {
		m = interp.NewMap(0)
	}
	return m, nil
}

// Start queues a run of the workflow and returns its id.
func (r *runner) Start(ctx context.Context, name string, input *interp.Map) (string, error) {
	if err := r.check(ctx, name); err != nil {
		return "", err
	}
	if _, err := r.l.Program.BindInputs(name, input); err != nil {
		return "", interp.Permanent(err)
	}
	if err := r.e.SaveVersion(ctx, r.l); err != nil {
		return "", err
	}
	row, created, err := r.child(ctx, name, input)
	if err != nil {
		return "", err
	}
	if created {
		r.e.dispatch(r.parent.mode, row.ID)
	}
	return row.ID, nil
}

// Schedule records a future start, which `wf serve` makes when it is due.
func (r *runner) Schedule(ctx context.Context, name string, at time.Time, input *interp.Map) (string, error) {
	if err := r.check(ctx, name); err != nil {
		return "", err
	}
	if _, err := r.l.Program.BindInputs(name, input); err != nil {
		return "", interp.Permanent(err)
	}
	in, err := recordJSON(input)
	if err != nil {
		return "", interp.Permanent(err)
	}
	id := childID("sch_", r.parent.id, workflow.IdempotencyKey(ctx))
	err = r.e.Store.Schedule(ctx, store.Scheduled{ID: id, Workflow: name, At: at, Input: in, CreatedByRun: r.parent.id})
	if errors.Is(err, store.ErrExists) {
		err = nil // scheduled by an earlier attempt of this step
	}
	return id, err
}

// fanOutError is the limit error of a trigger that has caused too many runs.
func fanOutError(n int) error {
	return &interp.Error{Kind: interp.KindLimit,
		Msg: fmt.Sprintf("this trigger has caused %d runs, the most one trigger may (is there a loop? the limit is set with --max-runs-per-trigger)", n)}
}
