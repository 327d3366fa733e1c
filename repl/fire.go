package repl

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// BindEvent binds trigger and event from a decoded event, as wf run binds
// them, and keeps the event for Fire. With the local Persona backend the
// event's object is saved, as wf run does, so actions on it find it; an
// error saving it binds nothing.
func (s *Session) BindEvent(ctx context.Context, ev *runtime.Event) error {
	if err := s.eng.SaveTriggerObject(ctx, ev); err != nil {
		return err
	}
	s.event = ev
	var trigger interp.Value
	if ev.Object != nil {
		trigger = ev.Object
	}
	s.set("trigger", trigger)
	s.set("event", ev.Map())
	return nil
}

// Workflows returns the names of the session's workflows, sorted.
func (s *Session) Workflows() []string {
	if s.loaded == nil {
		return nil
	}
	return s.loaded.Program.Workflows()
}

// EventWorkflows returns the workflows whose on event clause matches the
// bound event's name (without evaluating where clauses).
func (s *Session) EventWorkflows() []string {
	if s.loaded == nil || s.event == nil {
		return nil
	}
	return s.loaded.Program.EventWorkflows(s.event.Name)
}

// errNoWorkflow names a workflow the session does not have.
func (s *Session) errNoWorkflow(name string) error {
	names := s.Workflows()
	switch sug := lang.Suggest(name, names); {
	case len(names) == 0:
		return fmt.Errorf("no workflow named %s: declare one, or :load a file", name)
	case sug != "":
		return fmt.Errorf("no workflow named %s (did you mean %s?)", name, sug)
	}
	return fmt.Errorf("no workflow named %s (the session has %s)", name, strings.Join(names, ", "))
}

// hasEventTrigger reports whether the workflow has an on event clause.
func (s *Session) hasEventTrigger(name string) bool {
	return s.loaded != nil && s.loaded.Program.TriggerKinds(name)["event"]
}

// Starts reports whether the bound event starts the workflow: an on event
// pattern matches its name and that clause's where condition holds.
func (s *Session) Starts(name string) (bool, error) {
	if s.event == nil {
		return false, errors.New("no event is bound")
	}
	if s.loaded == nil || !s.loaded.Program.HasWorkflow(name) {
		return false, s.errNoWorkflow(name)
	}
	var trigger interp.Value
	if s.event.Object != nil {
		trigger = s.event.Object
	}
	return s.loaded.Program.Matches(name, s.event.Name, trigger, s.event.Map())
}

// Fire runs a workflow of the session through the engine, recorded in the
// store as wf run records it: with inputs when given, else against the
// bound event when the workflow starts on events, else with no inputs.
// Effects follow the session's dry-run setting; time waits end at once.
func (s *Session) Fire(ctx context.Context, name string, inputs *interp.Map) (*runtime.Record, error) {
	if s.loaded == nil || !s.loaded.Program.HasWorkflow(name) {
		return nil, s.errNoWorkflow(name)
	}
	prog := s.loaded.Program
	opts := runtime.RunOptions{Workflow: name, DryRun: s.dryRun, SkipWaits: true}
	kinds := prog.TriggerKinds(name)
	switch {
	case inputs != nil:
		opts.Inputs = inputs
	case kinds["event"] && s.event != nil:
		opts.Event = s.event
	case kinds["event"] && len(prog.Params(name)) == 0 && !kinds["manual"] && !kinds["api"] && !kinds["workflow"]:
		return nil, fmt.Errorf("%s starts on events: bind one first with :event FILE.json", name)
	default:
		opts.Inputs = interp.NewMap(0)
	}
	return s.eng.Run(ctx, s.loaded, opts)
}

// Background waits for the runs the session's runs started in the
// background (workflow.start, emit) and returns the records of those that
// ended since the last call.
func (s *Session) Background() []*runtime.Record { return s.eng.WaitBackground() }

// Inputs evaluates src, a map expression, for Fire's inputs.
func (s *Session) Inputs(ctx context.Context, path, src string) (*interp.Map, *Outcome) {
	out := s.Eval(ctx, path, src)
	if out.Failed() {
		return nil, out
	}
	if len(out.Values) == 1 {
		if m, ok := out.Values[0].Value.(*interp.Map); ok {
			return m, out
		}
	}
	out.Diags.Errorf(path, lang.Span{}, "repl", "the inputs must be one map, such as {business_name: \"Acme\"}")
	return nil, out
}

// Runs returns the store's most recent runs, newest first.
func (s *Session) Runs(ctx context.Context, limit int) ([]*runtime.Record, error) {
	runs, err := s.eng.Store.ListRuns(ctx, store.RunFilter{Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]*runtime.Record, 0, len(runs))
	for i := range runs {
		out = append(out, runtime.RecordOf(&runs[i]))
	}
	return out, nil
}

// Decl finds a declaration of the session by name (a const, fn, js fn or
// workflow) and returns it with the file that holds it.
func (s *Session) Decl(name string) (lang.Decl, *lang.File) {
	for i := len(s.units) - 1; i >= 0; i-- {
		for _, d := range s.units[i].Decls {
			if id := d.DeclName(); id != nil && id.Name == name {
				return d, s.units[i]
			}
		}
	}
	return nil, nil
}

// Globals returns the names of the session's consts, fns and js fns, sorted.
func (s *Session) Globals() []string {
	var out []string
	for _, f := range s.units {
		for _, d := range f.Decls {
			if _, wf := d.(*lang.WorkflowDecl); !wf && d.DeclName() != nil {
				out = append(out, d.DeclName().Name)
			}
		}
	}
	sort.Strings(out)
	return out
}
