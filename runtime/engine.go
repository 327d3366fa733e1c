package runtime

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
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
	// Store names the store (see OpenStore): the path of a SQLite file or
	// a PostgreSQL URL.
	Store string
	// PoolMax and PoolMin size a PostgreSQL store's connection pool (0: the
	// defaults).
	PoolMax, PoolMin int32
	// Synchronous is SQLite's durability level: "NORMAL" (default: a
	// committed run survives a crash of the process) or "FULL" (it survives
	// a power loss too, at a cost per commit; see docs/running.md).
	Synchronous string
	// PersonaBackend is "local" (the default) or "api".
	PersonaBackend string
	PersonaAPIKey  string
	PersonaBaseURL string
	// PersonaRateLimit caps Persona API requests a minute (default 300).
	PersonaRateLimit int
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
	// RecordLimits caps what one trigger and one run may record; zero fields
	// take the defaults (DefaultMaxRunsPerTrigger…).
	RecordLimits RecordLimits
	// JS compiles js fn bodies and runs js.eval; a new engine when nil.
	JS *js.Engine
	// Version is WF's own version (User-Agent).
	Version string
	// Kind says what this process is in the store's list of instances:
	// "run" (the default: wf run and other commands) or "serve".
	Kind string
	// Heartbeat is how often the instance tells the store it is alive
	// (default a third of StaleAfter).
	Heartbeat time.Duration
	// StaleAfter is how long an instance may miss heartbeats before its
	// unfinished runs count as interrupted (default store.DefaultStaleAfter).
	StaleAfter time.Duration
	// Logger receives what the engine has to say outside a run: a heartbeat
	// the store refused, and its recovery (default: discard).
	Logger *slog.Logger
}

// RecordLimits cap what a trigger can cause and a run can write, so that a
// short script cannot fill the store: past a cap the run fails with a limit
// error (not catchable).
type RecordLimits struct {
	MaxRunsPerTrigger int // runs one trigger causes, its own included
	MaxSteps          int // steps and waits one run records
	MaxLogBytes       int // text of the log lines one run records
}

func (c RecordLimits) withDefaults() RecordLimits {
	if c.MaxRunsPerTrigger <= 0 {
		c.MaxRunsPerTrigger = DefaultMaxRunsPerTrigger
	}
	if c.MaxSteps <= 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	if c.MaxLogBytes <= 0 {
		c.MaxLogBytes = DefaultMaxLogBytes
	}
	return c
}

// Engine runs programs against one store and one set of services. It is
// one instance in the store's terms: the runs it executes are owned by it
// while they run, and it heart-beats so that a run it leaves behind when the
// process dies is seen as interrupted and can be taken over.
type Engine struct {
	cfg      Config
	caps     RecordLimits
	Store    store.Store
	Lib      *builtin.Library
	Lists    *lists.Service
	Persona  persona.Client
	HTTP     *httpx.Client
	clock    interp.Clock
	instance string
	// queue executes runs that runs start (workflow.start, emit) and runs
	// woken when a child ends; nil for wf run, which executes them itself.
	queue Queue
	// treeMu makes counting a tree of runs and adding a run to it one step
	// (the cap on runs per trigger); across instances sharing a store the
	// cap may be passed by the runs started at the same moment.
	treeMu sync.Mutex
	// background counts runs a wf run executes besides the one it was asked
	// for (emit listeners, workflow.start), waited for by Close.
	background sync.WaitGroup
	// bgErrs holds the errors of background executions (a store that
	// failed under them), returned by Close: the runs' records cannot say.
	bgMu   sync.Mutex
	bgErrs []error
	// bgRecs holds the records of the background executions that ended.
	bgRecs []*Record
	// versions holds compiled programs by version hash.
	versions sync.Map
	// running maps the id of each run executing here to its cancel func;
	// claimed holds the ids of runs an execution has taken here.
	running sync.Map
	claimed sync.Map
	// unreleased holds the ids of runs whose execution here stopped on an
	// error and which the store could not be told to release (see release).
	unreleased sync.Map
	// fresh holds the events of runs this instance accepted and has not yet
	// executed, so their triggers need not be read back from the record.
	fresh     freshEvents
	beat      heartbeat
	closeOnce sync.Once
}

// Queue executes runs queued in the store for this engine's instance. The
// service provides one (a bounded pool of workers); without one, an engine
// executes the runs that runs start in goroutines of its own.
type Queue interface {
	Enqueue(ids ...string)
	// Shared reports whether the workers of every instance sharing the
	// store take runs queued for no owner (see QueueOwner).
	Shared() bool
}

// Open opens the store, builds the services and registers the instance.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	clock := cfg.Clock
	if clock == nil {
		clock = interp.RealClock{}
	}
	st, err := OpenStore(ctx, cfg.Store, StoreOptions{Synchronous: cfg.Synchronous, PoolMax: cfg.PoolMax, PoolMin: cfg.PoolMin,
		StaleAfter: cfg.StaleAfter, Now: clock.Now})
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, caps: cfg.RecordLimits.withDefaults(), Store: st, Lib: stdlib.Default(), clock: clock, instance: newID("ins_")}
	if cfg.Secrets == nil {
		e.cfg.Secrets = &Secrets{file: map[string]string{}}
	}
	if cfg.JS == nil {
		e.cfg.JS = js.NewEngine()
	}
	if e.cfg.Kind == "" {
		e.cfg.Kind = "run"
	}
	e.Lists = lists.NewService(listStore{st})
	pc := persona.Config{
		Backend: cfg.PersonaBackend, Store: objectStore{st}, Lists: listMatcher{e.Lists},
		APIKey: cfg.PersonaAPIKey, BaseURL: cfg.PersonaBaseURL, Version: cfg.Version, RateLimit: cfg.PersonaRateLimit,
		Now: func() time.Time { return e.clock.Now() },
	}
	if e.Persona, err = persona.New(pc); err != nil {
		st.Close()
		return nil, err
	}
	e.HTTP = httpx.New(cfg.HTTP)
	host, _ := os.Hostname()
	if err := st.RegisterInstance(ctx, store.Instance{ID: e.instance, Kind: e.cfg.Kind, Host: host, PID: os.Getpid()}); err != nil {
		st.Close()
		return nil, err
	}
	if err := e.reapLocal(ctx, host); err != nil {
		st.Close()
		return nil, err
	}
	e.startHeartbeat()
	return e, nil
}

// Clock is the engine's clock: runs, the store's times and the service's
// schedules all read it.
func (e *Engine) Clock() interp.Clock { return e.clock }

// Instance is this engine's id in the store: the owner of the runs it executes.
func (e *Engine) Instance() string { return e.instance }

// FollowListChanges keeps the Lists' cached indexes current from the store's
// announcements of List changes, until ctx ends, when the store makes them (a
// PostgreSQL store shared by several instances: see lists.Service.SetFeedLive).
// Otherwise it returns at once, and each run reads a List's version as it
// resolves it.
func (e *Engine) FollowListChanges(ctx context.Context) {
	if f, ok := e.Store.(interface {
		ListenListChanges(ctx context.Context, changed func(string), live func(bool))
	}); ok {
		f.ListenListChanges(ctx, e.Lists.Changed, e.Lists.SetFeedLive)
	}
}

// QueueOwner is the owner runs are queued for when this engine queues them
// (new runs, woken runs): this instance, or nobody ("") when its queue is
// shared by every instance of the store, whose workers then take them.
func (e *Engine) QueueOwner() string {
	if e.queue != nil && e.queue.Shared() {
		return ""
	}
	return e.instance
}

// SetQueue makes q execute the runs that runs start and wake (the service's
// worker pool).
func (e *Engine) SetQueue(q Queue) { e.queue = q }

// Close waits for runs started in the background, records that the
// instance stopped, then closes the store. Its error includes those of
// background executions that could not record their outcome.
func (e *Engine) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.background.Wait()
		e.stopHeartbeat()
		e.bgMu.Lock()
		errs := append(e.bgErrs, e.Store.StopInstance(context.Background(), e.instance), e.Store.Close())
		e.bgMu.Unlock()
		err = errors.Join(errs...)
	})
	return err
}

func (e *Engine) interpOptions() interp.Options { return interp.Options{JS: e.cfg.JS} }

// Load reads, checks and compiles files with the engine's library.
func (e *Engine) Load(paths []string) (*Loaded, error) {
	return LoadFiles(paths, e.Lib, e.interpOptions())
}

// newID returns a random id with a prefix.
func newID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + hex.EncodeToString(b[:])
}

func randomSeed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// ErrNoWorkflow is returned when a run names no workflow of the program.
var ErrNoWorkflow = errors.New("no such workflow")

// errorRecord is the record of a run's error.
func errorRecord(e *interp.Error) *ErrorRecord {
	rec := &ErrorRecord{Kind: e.Kind, Message: e.Msg, Step: e.Step, StepKey: e.StepKey, Workflow: e.Workflow, GoStack: e.GoStack}
	if e.Pos.IsValid() {
		rec.Pos = fmt.Sprintf("%s:%d:%d", e.File, e.Pos.Line, e.Pos.Col)
	}
	for _, f := range e.Stack {
		rec.Stack = append(rec.Stack, fmt.Sprintf("%s at %s:%d:%d", f.Name, f.File, f.Pos.Line, f.Pos.Col))
	}
	return rec
}

// env builds the library environment of one run.
func (e *Engine) env(l *Loaded, r *runContext) *stdlib.Env {
	return &stdlib.Env{
		PersonaClient: e.Persona, ListService: e.Lists, HTTPClient: e.HTTP, Slack: e.cfg.Slack,
		Runner: &runner{e: e, l: l, parent: r}, Secrets: e.cfg.Secrets, JSEngine: e.cfg.JS,
	}
}

// Env returns the library environment the REPL evaluates its entries in:
// the engine's Persona backend, Lists, HTTP client, Slack bot, secrets, and
// a runner for workflow.call over l (its runs are dry runs when dryRun).
func (e *Engine) Env(l *Loaded, dryRun bool) *stdlib.Env {
	return e.env(l, &runContext{mode: execMode{dryRun: dryRun, skipWaits: true}})
}

// LoadSources parses, checks and compiles in-memory files with the engine's
// library, in the order of paths.
func (e *Engine) LoadSources(paths []string, files map[string]string) *Loaded {
	return LoadSources(paths, files, e.Lib, e.interpOptions())
}

// reapLocal marks stopped the instances on this machine whose process is
// gone (killed, crashed): their unfinished runs count as interrupted at once
// (wf runs shows them so, wf serve continues them, wf run --resume may take
// them) instead of after the heartbeat timeout.
func (e *Engine) reapLocal(ctx context.Context, host string) error {
	live, err := e.Store.LiveInstances(ctx)
	if err != nil {
		return err
	}
	for id, in := range live {
		if id == e.instance || in.Host != host || processAlive(in.PID) && in.PID != os.Getpid() {
			continue
		}
		if err := e.Store.StopInstance(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// decoded is a run's trigger and event values, as the interpreter takes
// them.
type decoded struct {
	trigger interp.Value
	event   *interp.Map
}

// freshEvents maps the ids of runs about to be executed here to their
// decoded triggers, for at most maxFresh runs (beyond that, or for runs
// executed later, triggers are read back from the record).
type freshEvents struct {
	mu sync.Mutex
	m  map[string]decoded
}

const maxFresh = 2_000

func (f *freshEvents) remember(id string, d decoded) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]decoded{}
	}
	if len(f.m) < maxFresh {
		f.m[id] = d
	}
}

func (f *freshEvents) take(id string) (decoded, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.m[id]
	delete(f.m, id)
	return d, ok
}
