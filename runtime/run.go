package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/persona"
)

// RunOptions say how to start one run with Run.
type RunOptions struct {
	// ID is the run's id; a new one when empty.
	ID       string
	Workflow string
	// Event starts an event-triggered run; Inputs a parameterized one.
	Event  *Event
	Inputs *interp.Map
	// DryRun records effect steps without performing them.
	DryRun bool
	// SkipWaits ends time waits at once.
	SkipWaits bool
	// WaitEvents answer `wait event`.
	WaitEvents []*Event
	// Start pins the run's logical start time (for reproducible runs).
	Start time.Time
	// Resume continues the run with this id (its own trigger, inputs,
	// seed, clock and version) instead of starting a new one.
	Resume string
	// ParentID is the run that started this one.
	ParentID string
	// Depth is the workflow.call nesting depth.
	Depth int
}

// execMode says how waits are served while a run executes.
type execMode struct {
	// park makes a wait that cannot end now park the run durably (the
	// service). Otherwise waits are served in the process: time waits sleep
	// (or end at once with skipWaits) and event waits are answered from
	// waitEvents (wf run).
	park       bool
	skipWaits  bool
	waitEvents []*Event
	dryRun     bool
	// created says the run was created by the call that executes it, a
	// moment ago: no earlier execution can have performed anything under
	// its idempotency keys (see durableHost.Step). Never inherited by the
	// runs it starts.
	created bool
}

// runContext is what a run's children (workflow.call/start, emit) inherit.
type runContext struct {
	id    string
	mode  execMode
	depth int
	root  string // the run at the top of its tree
}

// Run starts a workflow run and executes it in this process to its end,
// recording it as it goes, and returns the finished record. Waits are
// served in the process (see RunOptions). Errors of the run itself (a
// failed step, a fail statement) are in the record; an error is returned
// only when the run could not be started or recorded.
func (e *Engine) Run(ctx context.Context, l *Loaded, opts RunOptions) (*Record, error) {
	mode := execMode{skipWaits: opts.SkipWaits, waitEvents: opts.WaitEvents, dryRun: opts.DryRun}
	if opts.Resume != "" {
		return e.Resume(ctx, opts.Resume, mode)
	}
	prog := l.Program
	if prog == nil {
		return nil, fmt.Errorf("the program has errors")
	}
	if !prog.HasWorkflow(opts.Workflow) {
		return nil, fmt.Errorf("%w: %s", ErrNoWorkflow, opts.Workflow)
	}
	if err := e.SaveVersion(ctx, l); err != nil {
		return nil, err
	}
	row, d, err := e.newRunDecoded(l, opts)
	if err != nil {
		return nil, err
	}
	row.Status, row.Owner = store.StatusRunning, e.instance
	// The trigger's object for the local backend is saved with the run, in one commit.
	objs, err := e.triggerObjects(opts.Event)
	if err != nil {
		return nil, err
	}
	if err := e.Store.CreateRunWith(ctx, row, objs); err != nil {
		if len(objs) > 0 && !errors.Is(err, store.ErrExists) {
			return nil, fmt.Errorf("recording the run and the trigger's %s %s for the local backend: %w", objs[0].Kind, objs[0].ID, err)
		}
		return nil, err
	}
	e.fresh.remember(row.ID, d)
	mode.created = true
	return e.drive(ctx, l, row, nil, mode)
}

// newRun builds the record of a new run: its trigger bound and checked,
// its seed and clock chosen.
func (e *Engine) newRun(l *Loaded, opts RunOptions) (*store.Run, error) {
	row, _, err := e.newRunDecoded(l, opts)
	return row, err
}

// newRunDecoded is newRun, also returning the trigger and event values the
// record was made from (for an execution in this process to start from).
func (e *Engine) newRunDecoded(l *Loaded, opts RunOptions) (*store.Run, decoded, error) {
	prog := l.Program
	trigger, evMap, err := e.bindTrigger(prog, opts)
	if err != nil {
		return nil, decoded{}, err
	}
	id, start := opts.ID, opts.Start
	if id == "" {
		id = newID("run_")
	}
	if start.IsZero() {
		start = e.clock.Now()
	}
	row := &store.Run{ID: id, Workflow: opts.Workflow, Version: prog.Version, Seed: int64(randomSeed()),
		ClockStart: start, ParentID: opts.ParentID, DryRun: opts.DryRun, TriggerID: triggerID(trigger)}
	if row.Trigger, err = recordJSON(trigger); err != nil {
		return nil, decoded{}, fmt.Errorf("the trigger cannot be recorded: %w", err)
	}
	if evMap != nil {
		if row.Event, err = recordJSON(evMap); err != nil {
			return nil, decoded{}, fmt.Errorf("the event cannot be recorded: %w", err)
		}
		row.EventID = opts.Event.ID
	}
	if opts.Inputs != nil {
		if row.Inputs, err = recordJSON(opts.Inputs); err != nil {
			return nil, decoded{}, fmt.Errorf("the inputs cannot be recorded: %w", err)
		}
	}
	return row, decoded{trigger: trigger, event: evMap}, nil
}

// triggerID is trigger.id when it is a string (an inquiry id…), for finding
// the runs an object started.
func triggerID(trigger interp.Value) string {
	if m, ok := trigger.(*interp.Map); ok && m != nil {
		if id, ok := m.Get("id"); ok {
			if s, ok := id.(string); ok {
				return s
			}
		}
	}
	return ""
}

// bindTrigger works out the trigger and event values for a new run.
func (e *Engine) bindTrigger(prog *interp.Program, opts RunOptions) (interp.Value, *interp.Map, error) {
	if opts.Event != nil {
		return opts.Event.Object, opts.Event.Map(), nil
	}
	trigger, err := prog.BindInputs(opts.Workflow, opts.Inputs)
	if err != nil {
		return nil, nil, err
	}
	// A scheduled workflow started by hand sees the time it was meant for.
	if k := prog.TriggerKinds(opts.Workflow); (k["schedule"] || k["every"]) && trigger.Len() == 0 {
		at := opts.Start
		if at.IsZero() {
			at = e.clock.Now()
		}
		trigger.Set("scheduled_at", at)
	}
	return trigger, nil, nil
}

// SaveTriggerObject saves an event's object for the local Persona backend,
// so actions on it (inquiry.decline(trigger.id)) find it, as running the
// event does. Objects without a string id and type (plain JSON triggers)
// are not Persona objects and are not saved; with the api backend nothing
// is saved.
func (e *Engine) SaveTriggerObject(ctx context.Context, ev *Event) error {
	objs, err := e.triggerObjects(ev)
	if err != nil || len(objs) == 0 {
		return err
	}
	if err := e.Store.PutObjects(ctx, objs); err != nil {
		return fmt.Errorf("saving the trigger's %s %v for the local backend: %w", objs[0].Kind, objs[0].ID, err)
	}
	return nil
}

// triggerObjects is what SaveTriggerObject saves: the event's Persona
// object when the backend is the local one, or nothing. It is one
// conditional write, as the service's intake does: an older copy does not
// overwrite what actions have changed since.
func (e *Engine) triggerObjects(ev *Event) ([]store.Object, error) {
	if _, local := e.Persona.(*persona.Local); !local {
		return nil, nil
	}
	return personaObject(ev)
}

// personaObject is an event's object as the local backend stores it (one
// conditional write), or nothing when it is not a Persona object. It is
// written straight from the event's decoded value, not converted to Go
// maps first.
func personaObject(ev *Event) ([]store.Object, error) {
	if ev == nil || ev.Object == nil {
		return nil, nil
	}
	id, _ := ev.Object.Get("id")
	typ, _ := ev.Object.Get("type")
	sid, ok := id.(string)
	if !ok || sid == "" {
		return nil, nil
	}
	styp, ok := typ.(string)
	if !ok || styp == "" {
		return nil, nil
	}
	data, err := interp.MarshalJSON(ev.Object)
	if err != nil {
		return nil, fmt.Errorf("encoding the trigger's %s %s for the local backend: %w", styp, sid, err)
	}
	// The text is new and nothing writes to it: it is shared, not copied.
	return []store.Object{{Kind: persona.KindOf(styp), ID: sid, JSON: unsafe.String(unsafe.SliceData(data), len(data)), IfNewer: true}}, nil
}

// childID derives the id of a run (or event, or schedule) that a step
// creates from the parent run and the step's key, so a replayed step finds
// what it created instead of creating it again.
func childID(prefix, parent, key string) string {
	h := sha256.Sum256([]byte(parent + "\x00" + key))
	return prefix + hex.EncodeToString(h[:10])
}

// recordJSON encodes a value for the record.
func recordJSON(v interp.Value) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if m, ok := v.(*interp.Map); ok && m == nil {
		return nil, nil
	}
	return interp.MarshalJSON(v)
}

// Resume continues a run that failed, was cancelled or was interrupted,
// in this process: the same run, with its recorded trigger, inputs, seed and
// clock, on its own version's source as the store keeps it (not the file on
// disk). Finished steps are replayed from the journal, not performed again;
// the run goes on from where it stopped.
func (e *Engine) Resume(ctx context.Context, id string, mode execMode) (*Record, error) {
	prev, err := e.Store.GetRun(ctx, id)
	if err != nil {
		return nil, err
	}
	switch prev.Status {
	case store.StatusCompleted:
		return nil, fmt.Errorf("run %s has completed; there is nothing to resume (rerun it to run it again)", prev.ID)
	case store.StatusParked:
		return nil, fmt.Errorf("run %s is parked, waiting; wf serve continues it when its wait ends", prev.ID)
	case store.StatusQueued, store.StatusRunning:
		return nil, fmt.Errorf("run %s is being executed by a live instance (%s); it cannot be resumed here", prev.ID, prev.Owner)
	}
	if err := e.Store.Requeue(ctx, prev.ID, e.instance); err != nil {
		return nil, err
	}
	return e.execute(ctx, prev.ID, mode)
}

// Execute claims a run queued for this instance (or an interrupted one) and
// executes it to its next stop: its end, or a wait that parks it. Waits
// park the run durably, holding no goroutine; a parked run is continued by
// executing it again once it is woken. It is the service's way to run.
func (e *Engine) Execute(ctx context.Context, id string) (*Record, error) {
	return e.execute(ctx, id, execMode{park: true})
}

func (e *Engine) execute(ctx context.Context, id string, mode execMode) (rec *Record, err error) {
	// One execution of a run at a time in this process; the store keeps
	// other processes off it.
	if _, busy := e.claimed.LoadOrStore(id, true); busy {
		return nil, store.ErrNotClaimed
	}
	defer e.claimed.Delete(id)
	if _, held := e.unreleased.Load(id); held {
		e.release(ctx, id)
	}
	defer func() {
		// Stopped on an error (the store did not answer): the run may still
		// be held here, with nothing executing it. Let go of it, so that it
		// is interrupted and handed out again (RecoverRuns), rather than
		// left running for a live instance that will never go on with it.
		if err != nil && !errors.Is(err, store.ErrNotClaimed) {
			e.release(ctx, id)
		}
	}()
	row, err := e.Store.ClaimRun(ctx, id, e.instance)
	if err != nil {
		return nil, err
	}
	l, err := e.Version(ctx, row.Version)
	if err != nil {
		return nil, e.failUnstartable(ctx, row, err)
	}
	journal, err := e.Store.Journal(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	mode.dryRun = row.DryRun
	return e.drive(ctx, l, row, journal, mode)
}

// release gives up this instance's hold on a run it is not executing (the
// caller holds the run's entry in e.claimed). When the store does not answer
// that either, the run is remembered and released later: by the heartbeat,
// or before this instance executes it again.
func (e *Engine) release(ctx context.Context, id string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := e.Store.ReleaseRun(ctx, id, e.instance); err != nil {
		e.unreleased.Store(id, true)
		return false
	}
	e.unreleased.Delete(id)
	return true
}

// releaseTimeout bounds one attempt at releasing a run.
const releaseTimeout = 5 * time.Second

// releaseLeft releases the runs whose release failed (but those an
// execution here has taken since), until the store fails again.
func (e *Engine) releaseLeft(ctx context.Context) {
	e.unreleased.Range(func(k, _ any) bool {
		id := k.(string)
		if _, busy := e.claimed.LoadOrStore(id, true); busy {
			return true
		}
		defer e.claimed.Delete(id)
		return e.release(ctx, id)
	})
}

// failUnstartable ends a run that cannot execute at all (its version is
// gone or no longer compiles) as failed, so it does not stay queued.
func (e *Engine) failUnstartable(ctx context.Context, row *store.Run, cause error) error {
	rec := &ErrorRecord{Kind: interp.KindInternal, Message: cause.Error(), Workflow: row.Workflow}
	b, _ := json.Marshal(rec)
	if _, err := e.Store.FinishRun(context.WithoutCancel(ctx), row.ID, store.StatusFailed, nil, b, e.clock.Now(), e.QueueOwner(), nil); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}
