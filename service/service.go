// Package service is `wf serve`: the long-running process a team deploys.
// It sits above the runtime (cmd ← service ← runtime ← stdlib ← interp ←
// lang) and owns everything that needs a server: the HTTP API and the
// Persona webhook intake with its signature check, bearer tokens, the
// scheduler (cron and interval triggers, workflow.schedule, timers of parked
// runs), the worker pool that executes queued runs, the watch on the
// workflow files, metrics and structured logs. The runtime below it does the
// runs themselves: versions, the durable journal, parking and waking.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/queue"
	"github.com/wf-lang/wf/runtime/store"
)

// Config configures a Service. Zero fields get the defaults documented on
// each.
type Config struct {
	// Dir is the folder of .wf files to serve.
	Dir string
	// Webhooks are the Persona webhook endpoints: "" is POST
	// /webhooks/persona, any other name POST /webhooks/persona/{name}. Each
	// has one or more secrets (several while a secret rotates).
	Webhooks map[string][]string
	// Tolerance is how far a webhook's signed timestamp may be from now
	// (default 5 minutes).
	Tolerance time.Duration
	// MaxBody caps a request body (default 5 MiB).
	MaxBody int64
	// Workers is how many runs execute at once (default 64); QueueSize how
	// many queued runs wait in memory (default 10,000; more wait in the
	// store).
	Workers, QueueSize int
	// MaxWait caps the ?wait of an API trigger (default 60s).
	MaxWait time.Duration
	// Reload is how often the files are checked for changes (default 1s;
	// negative: never).
	Reload time.Duration
	// Logger receives the service's structured logs (default: discard).
	Logger *slog.Logger
	// Late is how long after its time a tick counts as late (default 1m).
	Late time.Duration
	// Queue hands runs to workers; nil for the embedded queue, a pool of
	// Workers goroutines in this process fed from the store. A queue shared
	// by several instances (queue.River on a PostgreSQL store) hands runs to
	// the workers of all of them and elects the one that runs the scheduler.
	Queue queue.Queue
}

func (c *Config) defaults() {
	if c.Tolerance <= 0 {
		c.Tolerance = 5 * time.Minute
	}
	if c.MaxBody <= 0 {
		c.MaxBody = 5 << 20
	}
	if c.Workers <= 0 {
		c.Workers = 64
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 10_000
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 60 * time.Second
	}
	if c.Reload == 0 {
		c.Reload = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Late <= 0 {
		c.Late = time.Minute
	}
}

// Service is a running `wf serve`.
type Service struct {
	cfg     Config
	eng     *runtime.Engine
	log     *slog.Logger
	files   *fileSet
	current atomic.Pointer[runtime.Loaded]
	queue   queue.Queue
	sched   *scheduler
	metrics *metrics
	tokens  *tokenCache
	waiters waiters
	handler http.Handler
	// ui serves the paths the API does not own (see Mount); changes and
	// rejected feed the console (hooks.go).
	ui       http.Handler
	changes  changes
	rejected rejections
	ready    atomic.Bool

	countMu sync.Mutex
	counts  map[string]int64
	countAt time.Time

	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup
}

// New loads and checks every .wf file under cfg.Dir. A folder whose files
// have errors is refused: the error holds the diagnostics (see LoadError).
func New(eng *runtime.Engine, cfg Config) (*Service, error) {
	cfg.defaults()
	s := &Service{cfg: cfg, eng: eng, log: cfg.Logger, metrics: newMetrics(), tokens: newTokenCache(eng.Store)}
	s.files = &fileSet{dir: cfg.Dir}
	l, err := s.files.load(eng)
	if err != nil {
		return nil, err
	}
	if err := eng.SaveVersion(context.Background(), l); err != nil {
		return nil, err
	}
	s.current.Store(l)
	if cfg.Queue != nil {
		s.queue = cfg.Queue
	} else {
		wq := newWorkQueue(eng, cfg.Workers, cfg.QueueSize)
		wq.changed = s.changes.signal
		s.queue = wq
	}
	eng.SetQueue(s.queue)
	s.sched = newScheduler(s)
	s.metrics.register(s)
	s.handler = s.routes()
	return s, nil
}

// Program returns the version new runs start on.
func (s *Service) Program() *runtime.Loaded { return s.current.Load() }

// Handler is the service's HTTP API.
func (s *Service) Handler() http.Handler { return s.handler }

// Start continues the runs a previous process left (queued, running or due),
// then starts the workers, the scheduler and the file watch.
func (s *Service) Start(ctx context.Context) error {
	s.ctx, s.cancel = context.WithCancel(ctx)
	if err := s.queue.Start(s.ctx, s.exec); err != nil {
		return err
	}
	if err := s.recover(ctx); err != nil {
		return fmt.Errorf("recovering runs: %w", err)
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.sched.loop(s.ctx)
	}()
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.eng.FollowListChanges(s.ctx)
	}()
	if s.cfg.Reload > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.watch(s.ctx)
		}()
	}
	s.ready.Store(true)
	return nil
}

// recover takes over the runs of instances that died (queued or running
// for an owner that stopped heart-beating) and hands them to the workers.
func (s *Service) recover(ctx context.Context) error {
	recovered, err := s.eng.Store.RecoverRuns(ctx, s.eng.QueueOwner())
	if err != nil {
		return err
	}
	if len(recovered) > 0 {
		s.log.Info("continuing runs left by a previous process", "runs", len(recovered))
		s.queue.Enqueue(recovered...)
	}
	return nil
}

// Serve answers HTTP requests on ln until Shutdown.
func (s *Service) Serve(srv *http.Server, ln net.Listener) error {
	srv.Handler = s.handler
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// NewServer returns an http.Server with timeouts against slow clients.
func (s *Service) NewServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.MaxWait + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Shutdown stops the scheduler and the watch, lets the runs executing end
// or park until ctx is done (then cancels them: they are continued after a
// restart), and stops the workers. The HTTP server is stopped by the caller
// first, so nothing new arrives.
func (s *Service) Shutdown(ctx context.Context) {
	s.ready.Store(false)
	if s.cancel == nil {
		return
	}
	s.sched.stop()
	s.queue.Stop(ctx)
	s.cancel()
	s.bg.Wait()
}

// Drain waits until every queued run has been executed (to its end or a
// park), or ctx is done. Tests use it after sending triggers.
func (s *Service) Drain(ctx context.Context) error { return s.queue.WaitIdle(ctx) }

// exec is how the queue's workers execute a run: the engine executes it and
// the outcome is reported (metrics, ?wait callers, logs). A run not claimed
// (another worker has it, or it has ended) is the queue's to handle.
func (s *Service) exec(ctx context.Context, id string) error {
	rec, err := s.eng.Execute(ctx, id)
	if errors.Is(err, store.ErrNotClaimed) {
		return err
	}
	s.executed(id, rec, err)
	return err
}

// Tick runs one scheduler pass now (tests, after moving a fake clock).
func (s *Service) Tick(ctx context.Context) error { return s.sched.pass(ctx) }

// executed is called by a worker after each execution.
func (s *Service) executed(id string, rec *runtime.Record, err error) {
	s.changes.signal()
	if err != nil {
		s.log.Error("run could not be executed", "run", id, "error", err)
		return
	}
	if rec == nil {
		return
	}
	s.metrics.observe(rec)
	s.waiters.notify(rec)
	switch rec.Status {
	case "parked":
		s.sched.poke()
	case "failed":
		msg := ""
		if e := rec.ParsedError(); e != nil {
			msg = e.Message
		}
		s.log.Warn("run failed", "run", rec.ID, "workflow", rec.Workflow, "event", rec.EventID, "error", msg)
	}
}
