package runtime

import (
	"context"
	"fmt"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// emitter delivers `emit "name" {…}` to the workflows of the same program
// that listen for it: the event is stored with what it did to each listener
// (a where filter that fails starts nothing and is recorded), then each
// matching workflow runs in the background with the payload as its trigger.
// Chains of emits are bounded by the same depth limit as workflow.call.
type emitter struct {
	e      *Engine
	l      *Loaded
	parent RunOptions
}

func (m *emitter) emit(ctx context.Context, name string, payload *interp.Map) error {
	depth := workflow.Depth(ctx) + 1
	if depth > workflow.MaxDepth {
		return fmt.Errorf("events emitted by workflows are nested more than %d deep (is there a cycle?)", workflow.MaxDepth)
	}
	ev := &Event{Name: name, ID: newID("evt_"), Object: payload, CreatedAt: m.e.clock.Now()}
	routes := RouteEvent(m.l.Program, ev, "")
	var ds []store.Delivery
	var starts []RunOptions
	for _, r := range routes {
		opts := RunOptions{Workflow: r.Workflow, Event: ev, DryRun: m.parent.DryRun, SkipWaits: m.parent.SkipWaits,
			ParentID: m.parent.ID, Depth: depth}
		if r.Start {
			opts.ID = newID("run_")
			starts = append(starts, opts)
		}
		ds = append(ds, r.Delivery(ev.ID, opts.ID))
	}
	if err := m.e.RecordEvent(ctx, ev, "emitted", ds); err != nil {
		return err
	}
	for _, opts := range starts {
		m.e.background.Add(1)
		go func() {
			defer m.e.background.Done()
			_, _ = m.e.Run(workflow.WithDepth(context.WithoutCancel(ctx), depth), m.l, opts)
		}()
	}
	return nil
}
