package interp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/wf-lang/wf/lang"
)

// Run statuses.
const (
	StatusCompleted = "completed"
	StatusFailed    = "failed"
)

// RunRequest is everything one run needs.
type RunRequest struct {
	Workflow string
	// Trigger is the value bound to `trigger`: the event's object, or the
	// inputs map for api, workflow and manual triggers (see BindInputs).
	Trigger Value
	// Event is bound to `event`: {name, id, created_at}.
	Event *Map
	Host  Host
	Clock Clock
	// Env is handed to library functions (Thread.Env).
	Env    any
	RunID  string
	Seed   uint64
	Limits *Limits
	// Start is the run's logical start time; the clock's time when zero.
	Start time.Time
	// Coverage, when set, counts the routes the run takes (a Coverage of
	// this program).
	Coverage *Coverage
}

// RunResult is how a run ended.
type RunResult struct {
	Status   string
	Outputs  *Map
	Err      *Error
	Started  time.Time
	Finished time.Time
	// Secrets are the values secret() returned, for the host to redact.
	Secrets []string
	// Parked says what a parked run waits for (Status is StatusParked).
	Parked *Parked
}

// Workflows returns the names of the program's workflows, sorted.
func (p *Program) Workflows() []string {
	out := make([]string, 0, len(p.workflows))
	for n := range p.workflows {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// HasWorkflow reports whether the program has a workflow by that name.
func (p *Program) HasWorkflow(name string) bool { return p.workflows[name] != nil }

// TriggerKinds returns the trigger kinds of a workflow: event, api,
// workflow, manual, schedule, every.
func (p *Program) TriggerKinds(name string) map[string]bool {
	if w := p.workflows[name]; w != nil {
		return w.kinds
	}
	return nil
}

// Schedule is one clock trigger of a workflow: `on schedule "cron" [tz "Zone"]`
// or `on every D`.
type Schedule struct {
	Workflow string
	Cron     string        // the cron expression (schedule triggers)
	TZ       string        // its time zone ("" for UTC)
	Every    time.Duration // the interval (every triggers)
}

// ID names the trigger within its workflow, stably across versions that
// keep it unchanged: "every 15m0s", or "cron 0 9 * * 1-5 tz Europe/Berlin".
func (s Schedule) ID() string {
	if s.Every > 0 {
		return "every " + s.Every.String()
	}
	id := "cron " + s.Cron
	if s.TZ != "" {
		id += " tz " + s.TZ
	}
	return id
}

// Schedules returns every clock trigger of the program, by workflow name.
func (p *Program) Schedules() []Schedule {
	var out []Schedule
	for _, n := range p.Workflows() {
		out = append(out, p.workflows[n].schedules...)
	}
	return out
}

// InputError lists every problem with the inputs of a run.
type InputError struct {
	Problems []string
}

func (e *InputError) Error() string { return strings.Join(e.Problems, "; ") }

// Param describes a parameter a workflow's trigger takes.
type Param struct {
	Name     string
	Type     lang.Type
	Required bool
}

// Params returns the parameters of a workflow's api/workflow/manual triggers.
func (p *Program) Params(name string) []Param {
	w := p.workflows[name]
	if w == nil {
		return nil
	}
	out := make([]Param, len(w.params))
	for i, ps := range w.params {
		out[i] = Param{Name: ps.name, Type: ps.typ, Required: !ps.hasDef && ps.typ&lang.TNull == 0}
	}
	return out
}

// BindInputs checks inputs against a workflow's parameters and fills in
// defaults, returning the map bound to `trigger`. A missing, unknown or
// mistyped input is an error, reported before anything runs.
func (p *Program) BindInputs(name string, inputs *Map) (*Map, error) {
	w := p.workflows[name]
	if w == nil {
		return nil, fmt.Errorf("no workflow named %s", name)
	}
	if inputs == nil {
		inputs = NewMap(0)
	}
	known := map[string]bool{}
	out := NewMap(len(w.params))
	var problems []string
	th := p.scratchThread()
	for _, ps := range w.params {
		known[ps.name] = true
		v, given := inputs.Get(ps.name)
		switch {
		case !given || v == nil:
			if ps.hasDef {
				dv, err := ps.def.eval(th, newFrame(0, nil))
				if err != nil {
					return nil, fmt.Errorf("default of %s: %v", ps.name, errMsg(err))
				}
				out.Set(ps.name, dv)
				continue
			}
			if ps.typ&lang.TNull != 0 {
				out.Set(ps.name, nil)
				continue
			}
			problems = append(problems, fmt.Sprintf("missing input %s (%s)", ps.name, ps.typ))
			continue
		case !typeOK(ps.typ, v):
			if f, ok := v.(float64); ok && ps.typ&lang.TInt != 0 && f == float64(int64(f)) {
				v = int64(f)
			} else {
				problems = append(problems, fmt.Sprintf("input %s must be %s, got %s", ps.name, ps.typ, TypeName(v)))
				continue
			}
		}
		out.Set(ps.name, v)
	}
	for _, k := range inputs.Keys() {
		if !known[k] {
			names := make([]string, 0, len(w.params))
			for _, ps := range w.params {
				names = append(names, ps.name)
			}
			msg := fmt.Sprintf("unknown input %s", k)
			if s := lang.Suggest(k, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			} else if len(names) > 0 {
				msg += fmt.Sprintf(" (%s takes %s)", name, strings.Join(names, ", "))
			} else {
				msg += fmt.Sprintf(" (%s takes no inputs)", name)
			}
			problems = append(problems, msg)
		}
	}
	if len(problems) > 0 {
		return nil, &InputError{Problems: problems}
	}
	return out, nil
}

// EventWorkflows returns the workflows with an `on event` pattern matching
// the event name, sorted by name. It does not evaluate where clauses.
func (p *Program) EventWorkflows(event string) []string {
	var out []string
	for n, w := range p.workflows {
		for _, et := range w.events {
			if lang.EventMatches(et.pattern, event) {
				out = append(out, n)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// EventPatterns returns the event names and globs a workflow's `on event`
// clauses listen for.
func (p *Program) EventPatterns(name string) []string {
	w := p.workflows[name]
	if w == nil {
		return nil
	}
	out := make([]string, len(w.events))
	for i, et := range w.events {
		out[i] = et.pattern
	}
	return out
}

// Matches reports whether an event starts the workflow: some `on event`
// pattern matches its name and that clause's where condition holds.
//
// A where condition that fails to evaluate (a null relationship, a type
// error) or gives something other than a bool is an error, never a match:
// the caller must not start the workflow. The error is an *Error with the
// workflow, file and position of the condition.
func (p *Program) Matches(name, event string, trigger Value, ev *Map) (bool, error) {
	w := p.workflows[name]
	if w == nil {
		return false, fmt.Errorf("no workflow named %s", name)
	}
	for _, et := range w.events {
		if !lang.EventMatches(et.pattern, event) {
			continue
		}
		if et.where == nil {
			return true, nil
		}
		ok, err := p.evalWhere(w, et, trigger, ev)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// evalWhere evaluates one trigger's where condition. Any failure, a panic
// included, is returned as an error located at the condition.
func (p *Program) evalWhere(w *workflow, et eventTrigger, trigger Value, ev *Map) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, internalError(r)
		}
		if err != nil {
			err = filterError(w, et, err)
		}
	}()
	th := p.scratchThread()
	th.run.wf = w
	fr := newFrame(w.frameSize, nil)
	w.bind(fr, trigger, ev)
	v, err := et.where.eval(th, fr)
	if err != nil {
		return false, err
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, errorf(KindType, "the where filter gave %s, not a bool", TypeName(v))
	}
	return b, nil
}

// filterError locates a where filter's error at the filter (when the
// expression did not locate it more precisely) and names the workflow.
func filterError(w *workflow, et eventTrigger, err error) *Error {
	re, ok := AsError(err)
	if !ok {
		re = &Error{Kind: KindValue, Msg: err.Error(), Cause: err}
	}
	re = re.clone()
	if !re.Pos.IsValid() {
		re.Pos, re.End = et.pos.Start, et.pos.End
	}
	if re.File == "" {
		re.File = w.file
	}
	re.Workflow = w.name
	return re
}

func (w *workflow) bind(fr *frame, trigger Value, ev *Map) {
	fr.slots[w.info.Trigger.Slot] = trigger
	if w.info.Event != nil {
		if ev == nil {
			fr.slots[w.info.Event.Slot] = nil
		} else {
			fr.slots[w.info.Event.Slot] = ev
		}
	}
	if m, ok := trigger.(*Map); ok {
		for _, ps := range w.params {
			v, _ := m.Get(ps.name)
			fr.slots[ps.slot] = v
		}
	}
}

// Run executes a workflow to its end. It never panics: an internal failure
// becomes a failed run.
func (p *Program) Run(ctx context.Context, req RunRequest) (res *RunResult) {
	w := p.workflows[req.Workflow]
	clock := req.Clock
	if clock == nil {
		clock = RealClock{}
	}
	start := req.Start
	if start.IsZero() {
		start = clock.Now()
	}
	res = &RunResult{Started: start, Outputs: NewMap(0)}
	if w == nil {
		res.Status = StatusFailed
		res.Err = &Error{Kind: KindValue, Msg: fmt.Sprintf("no workflow named %s", req.Workflow)}
		return res
	}
	limits := DefaultLimits
	if req.Limits != nil {
		limits = *req.Limits
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rs := &runState{prog: p, wf: w, host: req.Host, clock: clock, limits: limits, env: req.Env,
		runID: req.RunID, seed: req.Seed, started: clock.Now(), outputs: res.Outputs, ctx: ctx, cancel: cancel, cover: req.Coverage}
	th := &Thread{run: rs, ctx: ctx, now: start, rng: rand.New(rand.NewPCG(req.Seed, 0x5746)), fnName: "workflow " + w.name}
	// A run started by another (workflow.call, emit) may be given secrets.
	th.addSecretsOf(req.Trigger)
	if req.Event != nil {
		th.addSecretsOf(req.Event)
	}
	fr := newFrame(w.frameSize, nil)
	w.bind(fr, req.Trigger, req.Event)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = internalError(r)
			}
		}()
		_, err = execBlock(th, fr, w.body)
		return err
	}()
	res.Finished = th.now
	rs.mu.Lock()
	res.Secrets = append([]string(nil), rs.secrets...)
	rs.mu.Unlock()
	if p, ok := AsParked(err); ok {
		res.Status, res.Parked = StatusParked, p
		return res
	}
	if err != nil {
		res.Status = StatusFailed
		re, ok := AsError(err)
		if !ok {
			re = &Error{Kind: KindValue, Msg: err.Error(), Cause: err}
		}
		if re.Workflow == "" {
			re.Workflow = w.name
		}
		if re.File == "" {
			re.File = w.file
		}
		re.Msg = Redact(res.Secrets, re.Msg)
		res.Err = re
		return res
	}
	res.Status = StatusCompleted
	return res
}

// scratchThread is a thread for evaluating constants, defaults and trigger
// filters outside any run.
func (p *Program) scratchThread() *Thread {
	rs := &runState{prog: p, wf: &workflow{name: "(const)"}, host: NopHost{}, clock: RealClock{},
		limits: DefaultLimits, outputs: NewMap(0), ctx: context.Background()}
	return &Thread{run: rs, ctx: context.Background(), rng: rand.New(rand.NewPCG(1, 2))}
}

// NopHost refuses steps and ignores logs and outputs. Constants and
// filters run with it.
type NopHost struct{}

// Step refuses the step.
func (NopHost) Step(context.Context, *Step) (Value, error) {
	return nil, errorf(KindValue, "steps cannot run here")
}

// Wait refuses the wait.
func (NopHost) Wait(context.Context, *Wait) (Value, error) {
	return nil, errorf(KindValue, "waits cannot run here")
}

// Log does nothing.
func (NopHost) Log(context.Context, *LogLine) {}

// Output does nothing.
func (NopHost) Output(context.Context, string, Value) {}

// Emit does nothing.
func (NopHost) Emit(context.Context, string, string, *Map) error { return nil }
