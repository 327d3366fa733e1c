package runtime

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
	"github.com/wf-lang/wf/stdlib/slack"
)

// Config configures an Engine.
type Config struct {
	// StorePath is the SQLite file (see store.DefaultPath).
	StorePath string
	// PersonaBackend is "local" (the default) or "api".
	PersonaBackend string
	PersonaAPIKey  string
	PersonaBaseURL string
	// HTTP configures outbound requests (http.*, slack.*).
	HTTP httpx.Config
	// Slack is the bot configuration for slack.message.
	Slack slack.BotConfig
	// Secrets answers secret(name).
	Secrets *Secrets
	// Clock is the run clock; the real clock when nil.
	Clock interp.Clock
	// Limits overrides the interpreter's default limits.
	Limits *interp.Limits
	// JS compiles js fn bodies and runs js.eval; a new engine when nil.
	JS *js.Engine
	// Version is WF's own version (User-Agent).
	Version string
}

// Engine runs programs against one store and one set of services.
type Engine struct {
	cfg     Config
	Store   *store.Store
	Lib     *builtin.Library
	Lists   *lists.Service
	Persona persona.Client
	HTTP    *httpx.Client
	clock   interp.Clock
	// background counts runs started with workflow.start.
	background sync.WaitGroup
	// versions remembers the program versions already saved.
	versions sync.Map
}

// Open opens the store and builds the services.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	st, err := store.Open(ctx, cfg.StorePath)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, Store: st, Lib: stdlib.Default(), clock: cfg.Clock}
	if e.clock == nil {
		e.clock = interp.RealClock{}
	}
	if cfg.Secrets == nil {
		e.cfg.Secrets = &Secrets{file: map[string]string{}}
	}
	if cfg.JS == nil {
		e.cfg.JS = js.NewEngine()
	}
	e.Lists = lists.NewService(listStore{st})
	pc := persona.Config{
		Backend: cfg.PersonaBackend, Store: objectStore{st}, Lists: listMatcher{e.Lists},
		APIKey: cfg.PersonaAPIKey, BaseURL: cfg.PersonaBaseURL, Version: cfg.Version,
		Now: func() time.Time { return e.clock.Now() },
	}
	if e.Persona, err = persona.New(pc); err != nil {
		st.Close()
		return nil, err
	}
	e.HTTP = httpx.New(cfg.HTTP)
	return e, nil
}

// Close waits for runs started in the background, then closes the store.
func (e *Engine) Close() error {
	e.background.Wait()
	return e.Store.Close()
}

// Load reads, checks and compiles files with the engine's library.
func (e *Engine) Load(paths []string) (*Loaded, error) {
	return LoadFiles(paths, e.Lib, interp.Options{JS: e.cfg.JS})
}

// RunOptions say how to start one run.
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
	// Resume re-runs the run with this id against its journal.
	Resume string
	// ParentID is the run that started this one.
	ParentID string
	// Depth is the workflow.call nesting depth.
	Depth int
}

// newID returns a random run id.
func newID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// ErrNoWorkflow is returned when a run names no workflow of the program.
var ErrNoWorkflow = errors.New("no such workflow")

// Run executes one workflow run, recording it as it goes, and returns the
// finished record. Errors of the run itself (a failed step, a fail
// statement) are in the record; an error is returned only when the run
// could not be started or recorded.
func (e *Engine) Run(ctx context.Context, l *Loaded, opts RunOptions) (*Record, error) {
	prog := l.Program
	if prog == nil {
		return nil, fmt.Errorf("the program has errors")
	}
	if !prog.HasWorkflow(opts.Workflow) {
		return nil, fmt.Errorf("%w: %s", ErrNoWorkflow, opts.Workflow)
	}
	trigger, evMap, err := e.bindTrigger(ctx, prog, opts)
	if err != nil {
		return nil, err
	}
	if _, saved := e.versions.Load(prog.Version); !saved {
		paths, source := l.Bundle()
		if err := e.Store.SaveVersion(ctx, store.Version{Hash: prog.Version, Path: paths, Source: source}); err != nil {
			return nil, err
		}
		e.versions.Store(prog.Version, true)
	}
	runID, seed, start := opts.ID, randomSeed(), opts.Start
	if runID == "" {
		runID = newID("run_")
	}
	opts.ID = runID
	if start.IsZero() {
		start = e.clock.Now()
	}
	var journal map[string]*interp.StepRecord
	if opts.Resume != "" {
		prev, err := e.Store.GetRun(ctx, opts.Resume)
		if err != nil {
			return nil, err
		}
		j, err := e.Store.Journal(ctx, prev.ID)
		if err != nil {
			return nil, err
		}
		if journal, err = journalFromStore(j); err != nil {
			return nil, err
		}
		seed, start = uint64(prev.Seed), prev.ClockStart
	}
	rec := &store.Run{ID: runID, Workflow: opts.Workflow, Version: prog.Version, Trigger: mustJSON(trigger),
		Event: mustJSON(evMap), Seed: int64(seed), ClockStart: start, ParentID: opts.ParentID, DryRun: opts.DryRun}
	if opts.Inputs != nil {
		rec.Inputs = mustJSON(opts.Inputs)
	}
	if err := e.Store.CreateRun(ctx, rec); err != nil {
		return nil, err
	}
	mem := &interp.MemHost{Clock: e.clock, Journal: journal, DryRun: opts.DryRun, SkipWaits: opts.SkipWaits}
	mem.EmitFunc = (&emitter{e: e, l: l, parent: opts}).emit
	for _, ev := range opts.WaitEvents {
		mem.Events = append(mem.Events, ev.Value())
	}
	host := newDurableHost(e.Store, runID, mem)
	res := prog.Run(ctx, interp.RunRequest{
		Workflow: opts.Workflow, Trigger: trigger, Event: evMap, Host: host, Clock: e.clock,
		Env: e.env(l, opts), RunID: runID, Seed: seed, Limits: e.cfg.Limits, Start: start,
	})
	if serr := host.storeErr(); serr != nil && res.Err == nil {
		res.Status, res.Err = interp.StatusFailed, &interp.Error{Kind: interp.KindStep, Msg: serr.Error()}
	}
	outputs := json.RawMessage(interp.Redact(res.Secrets, string(mustJSON(res.Outputs))))
	var errJSON json.RawMessage
	if res.Err != nil {
		errJSON = mustJSON(errorRecord(res.Err))
	}
	// The record's times are the machine's; the run's logical clock (now()
	// in the script) starts at ClockStart and may be pinned with --now.
	finished := e.clock.Now()
	if err := e.Store.FinishRun(context.WithoutCancel(ctx), runID, res.Status, outputs, errJSON, finished); err != nil {
		return nil, err
	}
	// The record is what was just written; reading it back would cost
	// three queries for nothing.
	rec.Status, rec.Outputs, rec.Error, rec.FinishedAt = res.Status, outputs, errJSON, finished
	rec.Steps, rec.Logs = host.written()
	return RecordOf(rec), nil
}

// bindTrigger works out the trigger and event values for a run.
func (e *Engine) bindTrigger(ctx context.Context, prog *interp.Program, opts RunOptions) (interp.Value, *interp.Map, error) {
	if opts.Event != nil {
		if opts.Event.Object != nil && e.cfg.PersonaBackend != "api" {
			if local, ok := e.Persona.(*persona.Local); ok {
				// Objects without an id and type (plain JSON triggers) are
				// not saved; the run goes on without them.
				_, _ = local.Upsert(ctx, interp.ToGo(opts.Event.Object).(map[string]any))
			}
		}
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

func errorRecord(e *interp.Error) *ErrorRecord {
	rec := &ErrorRecord{Kind: e.Kind, Message: e.Msg, Step: e.Step, StepKey: e.StepKey, Workflow: e.Workflow}
	if e.Pos.IsValid() {
		rec.Pos = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col)
	}
	for _, f := range e.Stack {
		rec.Stack = append(rec.Stack, fmt.Sprintf("%s at %s:%d:%d", f.Name, f.File, f.Pos.Line, f.Pos.Col))
	}
	return rec
}

func mustJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case *interp.Map:
		if x == nil {
			return nil
		}
	case *ErrorRecord:
		b, _ := json.Marshal(x)
		return b
	}
	b, err := interp.MarshalJSON(v)
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	return b
}
