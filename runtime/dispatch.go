package runtime

import (
	"context"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
)

// Route is what an event does to one workflow that listens for its name.
type Route struct {
	Workflow string
	// Start is true when the workflow's where filter held (or it has none).
	Start bool
	// FilterErr is set when the where filter failed to evaluate: the
	// workflow does not start (a filter never fails open). It carries the
	// workflow, file and position of the filter.
	FilterErr *interp.Error
}

// RouteEvent works out which workflows of the program an event starts,
// evaluating each listener's where filter. With only set, it considers that
// workflow alone.
func RouteEvent(p *interp.Program, ev *Event, only string) []Route {
	var out []Route
	for _, name := range p.EventWorkflows(ev.Name) {
		if only != "" && name != only {
			continue
		}
		ok, err := p.Matches(name, ev.Name, ev.Object, ev.Map())
		r := Route{Workflow: name, Start: ok && err == nil}
		if err != nil {
			re, isRE := interp.AsError(err)
			if !isRE {
				re = &interp.Error{Kind: interp.KindValue, Msg: err.Error(), Workflow: name}
			}
			r.FilterErr = re
		}
		out = append(out, r)
	}
	return out
}

// Delivery builds the store's record of a route; runID is the run it
// started, if any.
func (r Route) Delivery(eventID, runID string) store.Delivery {
	d := store.Delivery{EventID: eventID, Workflow: r.Workflow, Status: store.DeliveryNotMatched}
	switch {
	case r.FilterErr != nil:
		d.Status, d.Error = store.DeliveryFilterFailed, mustJSON(errorRecord(r.FilterErr))
	case r.Start:
		d.Status, d.RunID = store.DeliveryStarted, runID
	}
	return d
}

// RecordEvent stores an event (once per id) and what it did to each
// listening workflow. status is the event's status when it is new.
func (e *Engine) RecordEvent(ctx context.Context, ev *Event, status string, ds []store.Delivery) error {
	body, err := interp.MarshalJSON(ev.Value())
	if err != nil {
		return err
	}
	if _, err := e.Store.RecordEvent(ctx, store.Event{ID: ev.ID, Name: ev.Name, Body: body, Status: status}); err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	return e.Store.RecordDeliveries(ctx, ds)
}

// RunEvent routes an event to the program's workflows, records the event
// and its deliveries, and runs each workflow it starts, one after the
// other, with base's options. It returns every route (filter errors
// included, for the caller to report) and the records of the runs. With
// only set, it considers that workflow alone.
func (e *Engine) RunEvent(ctx context.Context, l *Loaded, ev *Event, only string, base RunOptions) ([]Route, []*Record, error) {
	if ev.ID == "" {
		ev.ID = newID("evt_")
	}
	routes := RouteEvent(l.Program, ev, only)
	ds := make([]store.Delivery, len(routes))
	var starts []RunOptions
	for i, r := range routes {
		opts := base
		opts.Workflow, opts.Event = r.Workflow, ev
		if r.Start {
			opts.ID = newID("run_")
			starts = append(starts, opts)
		}
		ds[i] = r.Delivery(ev.ID, opts.ID)
	}
	if err := e.RecordEvent(ctx, ev, "dispatched", ds); err != nil {
		return nil, nil, err
	}
	var recs []*Record
	for _, opts := range starts {
		rec, err := e.Run(ctx, l, opts)
		if err != nil {
			return routes, recs, err
		}
		recs = append(recs, rec)
	}
	return routes, recs, nil
}
