package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// runner lets a run call, start and schedule other workflows of the same
// program (workflow.call, workflow.start, workflow.schedule).
type runner struct {
	e          *Engine
	l          *Loaded
	parentOpts RunOptions
	mu         sync.Mutex
}

func (r *runner) check(ctx context.Context, name string) error {
	if d := workflow.Depth(ctx); d > workflow.MaxDepth {
		return fmt.Errorf("workflows started by workflows are nested more than %d deep (is there a cycle?)", workflow.MaxDepth)
	}
	if !r.l.Program.HasWorkflow(name) {
		return interp.Permanent(fmt.Errorf("there is no workflow %s", name))
	}
	return nil
}

func (r *runner) opts(ctx context.Context, name string, input *interp.Map) RunOptions {
	return RunOptions{Workflow: name, Inputs: input, DryRun: r.parentOpts.DryRun, SkipWaits: r.parentOpts.SkipWaits,
		Depth: workflow.Depth(ctx), ParentID: r.parentOpts.ID}
}

// Call runs the workflow and waits for its outputs.
func (r *runner) Call(ctx context.Context, name string, input *interp.Map) (*interp.Map, error) {
	if err := r.check(ctx, name); err != nil {
		return nil, err
	}
	rec, err := r.e.Run(ctx, r.l, r.opts(ctx, name, input))
	if err != nil {
		return nil, interp.Permanent(err)
	}
	if rec.Status != interp.StatusCompleted {
		msg := "failed"
		if e := rec.ParsedError(); e != nil {
			msg = e.Message
		}
		return nil, fmt.Errorf("run %s of %s failed: %s", rec.ID, name, msg)
	}
	v, err := interp.ParseJSON(rec.Outputs)
	if err != nil {
		return nil, err
	}
	m, _ := v.(*interp.Map)
	if m == nil {
		m = interp.NewMap(0)
	}
	return m, nil
}

// Start runs the workflow in the background; the engine waits for such
// runs before it closes.
func (r *runner) Start(ctx context.Context, name string, input *interp.Map) (string, error) {
	if err := r.check(ctx, name); err != nil {
		return "", err
	}
	if _, err := r.l.Program.BindInputs(name, input); err != nil {
		return "", interp.Permanent(err)
	}
	opts := r.opts(ctx, name, input)
	opts.ID = newID("run_")
	r.e.background.Add(1)
	go func() {
		defer r.e.background.Done()
		// The started run outlives the step that started it; its record
		// says how it went.
		_, _ = r.e.Run(workflow.WithDepth(context.WithoutCancel(ctx), opts.Depth), r.l, opts)
	}()
	return opts.ID, nil
}

// Schedule records a future start; `wf serve` starts it when it is due.
func (r *runner) Schedule(ctx context.Context, name string, at time.Time, input *interp.Map) (string, error) {
	if err := r.check(ctx, name); err != nil {
		return "", err
	}
	if _, err := r.l.Program.BindInputs(name, input); err != nil {
		return "", interp.Permanent(err)
	}
	in, _ := interp.MarshalJSON(input)
	id := newID("sch_")
	err := r.e.Store.Schedule(ctx, store.Scheduled{ID: id, Workflow: name, At: at, Input: json.RawMessage(in), CreatedByRun: r.parentOpts.ID})
	return id, err
}
