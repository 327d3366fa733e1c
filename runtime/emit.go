package runtime

import (
	"context"
	"fmt"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// emitter delivers `emit "name" {…}` to the workflows of the run's program
// version that listen for it, and to parked runs waiting for an event of
// that name. The event, its deliveries (a where filter that fails starts
// nothing and is recorded) and the runs it starts are recorded in one
// transaction, under an id derived from the run and the emit statement's
// key, so a replayed emit records nothing twice. Chains of emits are bounded
// by the same depth limit as workflow.call.
type emitter struct {
	e      *Engine
	l      *Loaded
	parent *store.Run
	mode   execMode
}

func (m *emitter) emit(ctx context.Context, key, name string, payload *interp.Map) error {
	depth := workflow.Depth(ctx) + 1
	if depth > workflow.MaxDepth {
		return fmt.Errorf("events emitted by workflows are nested more than %d deep (is there a cycle?)", workflow.MaxDepth)
	}
	ev := &Event{Name: name, ID: childID("evt_", m.parent.ID, key), Object: payload, CreatedAt: m.e.clock.Now()}
	base := RunOptions{DryRun: m.parent.DryRun, ParentID: m.parent.ID, Depth: depth}
	_, runs, ds, err := m.e.routeRuns(m.l, ev, "", base, eventRunID(ev))
	if err != nil {
		return err
	}
	root := rootOf(m.parent)
	m.e.treeMu.Lock() // counting the tree and adding to it are one step here
	defer m.e.treeMu.Unlock()
	if len(runs) > 0 {
		if n, err := m.e.Store.CountTree(ctx, root); err != nil {
			return err
		} else if n+len(runs) > m.e.caps.MaxRunsPerTrigger {
			return fanOutError(n)
		}
	}
	for _, r := range runs {
		r.Status, r.Owner, r.RootID, r.Depth = store.StatusQueued, m.e.QueueOwner(), root, depth
	}
	body, err := interp.MarshalJSON(ev.Value())
	if err != nil {
		return err
	}
	acc, err := m.e.Store.AcceptEvent(ctx, store.Event{ID: ev.ID, Name: name, Body: body, Status: "emitted"},
		runs, ds, nil, m.e.QueueOwner(), lang.EventMatches)
	if err != nil || acc.Duplicate {
		return err
	}
	ids := acc.Woken
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	m.e.dispatch(m.mode, ids...)
	return nil
}
