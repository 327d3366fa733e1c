package runtime

import (
	"context"
	"encoding/json"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/persona"
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
		d.Status = store.DeliveryFilterFailed
		d.Error, _ = json.Marshal(errorRecord(r.FilterErr)) // strings only
	case r.Start:
		d.Status, d.RunID = store.DeliveryStarted, runID
	}
	return d
}

// routeRuns routes an event and builds the records of the runs it starts
// (with base's options, ids from runID) and of its deliveries. The program
// version is saved when a run starts.
func (e *Engine) routeRuns(l *Loaded, ev *Event, only string, base RunOptions, runID func(workflow string) string) ([]Route, []*store.Run, []store.Delivery, error) {
	routes := RouteEvent(l.Program, ev, only)
	var runs []*store.Run
	ds := make([]store.Delivery, len(routes))
	for i, rt := range routes {
		id := ""
		if rt.Start {
			opts := base
			opts.Workflow, opts.Event, opts.ID = rt.Workflow, ev, runID(rt.Workflow)
			row, err := e.newRun(l, opts)
			if err != nil {
				return nil, nil, nil, err
			}
			runs, id = append(runs, row), row.ID
		}
		ds[i] = rt.Delivery(ev.ID, id)
	}
	if len(runs) > 0 {
		if err := e.SaveVersion(context.Background(), l); err != nil {
			return nil, nil, nil, err
		}
	}
	return routes, runs, ds, nil
}

// eventRunID is the id of the run an event starts for a workflow: derived
// from both, so a duplicate delivery of the event cannot start it twice.
func eventRunID(ev *Event) func(string) string {
	return func(workflow string) string { return childID("run_", ev.ID, workflow) }
}

// RunEvent routes an event to the program's workflows, records the event,
// its deliveries and the runs it starts, and executes each of them in this
// process, one after the other, with base's options (wf run --event). It
// returns every route (filter errors included, for the caller to report)
// and the records of the runs. With only set, it considers that workflow
// alone. An event recorded before (the same id) starts its runs again, as
// new runs: wf run always runs.
func (e *Engine) RunEvent(ctx context.Context, l *Loaded, ev *Event, only string, base RunOptions) ([]Route, []*Record, error) {
	if ev.ID == "" {
		ev.ID = newID("evt_")
	}
	routes, runs, ds, err := e.routeRuns(l, ev, only, base, func(string) string { return newID("run_") })
	if err != nil {
		return nil, nil, err
	}
	for _, r := range runs {
		r.Status, r.Owner = store.StatusRunning, e.instance
	}
	if err := e.SaveTriggerObject(ctx, ev); err != nil {
		return nil, nil, err
	}
	body, err := interp.MarshalJSON(ev.Value())
	if err != nil {
		return nil, nil, err
	}
	acc, err := e.Store.AcceptEvent(ctx, store.Event{ID: ev.ID, Name: ev.Name, Body: body, Status: "dispatched"},
		runs, ds, nil, e.instance, lang.EventMatches)
	if err != nil {
		return nil, nil, err
	}
	if acc.Duplicate {
		for _, r := range runs {
			if err := e.Store.CreateRun(ctx, r); err != nil {
				return nil, nil, err
			}
		}
		if err := e.Store.RecordDeliveries(ctx, ds); err != nil {
			return nil, nil, err
		}
	}
	mode := execMode{skipWaits: base.SkipWaits, waitEvents: base.WaitEvents, dryRun: base.DryRun}
	e.dispatch(mode, acc.Woken...)
	var recs []*Record
	for _, r := range runs {
		e.fresh.remember(r.ID, decoded{trigger: ev.Object, event: ev.Map()})
		created := mode
		created.created = true // AcceptEvent or CreateRun above made it
		rec, err := e.drive(ctx, l, r, nil, created)
		if err != nil {
			return routes, recs, err
		}
		recs = append(recs, rec)
	}
	return routes, recs, nil
}

// Intake is what an event received by the service brings: the routes it
// takes, the runs it starts (queued for this instance) with their
// deliveries, and the trigger object to save for the local Persona backend.
type Intake struct {
	Routes     []Route
	Runs       []*store.Run
	Deliveries []store.Delivery
	Objects    []store.Object
}

// Intake routes an event for the service. Run ids are derived from the event
// id and the workflow, so an event delivered twice cannot start a workflow
// twice.
func (e *Engine) Intake(l *Loaded, ev *Event) (*Intake, error) {
	routes, runs, ds, err := e.routeRuns(l, ev, "", RunOptions{}, eventRunID(ev))
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		r.Status, r.Owner, r.RootID = store.StatusQueued, e.QueueOwner(), r.ID
	}
	in := &Intake{Routes: routes, Runs: runs, Deliveries: ds}
	if _, local := e.Persona.(*persona.Local); local {
		if in.Objects, err = personaObject(ev); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// Accepted tells the engine that the intake's runs are recorded and about to
// be executed here: their triggers are kept decoded, so the execution need
// not read them back from the record.
func (e *Engine) Accepted(in *Intake, ev *Event) {
	for _, r := range in.Runs {
		e.fresh.remember(r.ID, decoded{trigger: ev.Object, event: ev.Map()})
	}
}
