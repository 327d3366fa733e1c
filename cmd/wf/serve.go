package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/wf-lang/wf/runtime/queue"
	"github.com/wf-lang/wf/service"
	"github.com/wf-lang/wf/service/console"
)

// ServeCmd is `wf serve DIR` and `wf serve tokens …`.
type ServeCmd struct {
	Start  ServeStartCmd `cmd:"" default:"withargs" help:"Serve the workflows in a folder (the default: wf serve DIR)."`
	Tokens TokensCmd     `cmd:"" help:"Manage the bearer tokens of the HTTP API."`
}

// ServeStartCmd runs the service.
type ServeStartCmd struct {
	Dir             string        `arg:"" help:"The folder of .wf files to serve (watched: an edit that checks clean becomes the new version)." type:"existingdir"`
	Listen          string        `help:"Address to listen on." default:"127.0.0.1:8080" env:"WF_LISTEN" placeholder:"HOST:PORT"`
	WebhookSecret   []string      `name:"webhook-secret" sep:"," help:"Secret of the Persona webhook at POST /webhooks/persona (repeat, or separate with commas, while a secret rotates)." env:"WF_WEBHOOK_SECRET" placeholder:"SECRET"`
	Webhook         []string      `sep:"none" help:"A further webhook endpoint, POST /webhooks/persona/NAME, with its secret (repeatable)." placeholder:"NAME=SECRET"`
	Tolerance       time.Duration `help:"How far a webhook's signed timestamp may be from now." default:"5m" env:"WF_WEBHOOK_TOLERANCE"`
	MaxBody         int64         `help:"Largest request body accepted, in bytes." default:"5242880" env:"WF_MAX_BODY"`
	Workers         int           `help:"How many runs execute at once." default:"64" env:"WF_WORKERS"`
	RescueAfter     time.Duration `help:"On a PostgreSQL store, how long a run's job may run before another instance takes it over (a run whose instance died is continued then)." default:"1m" env:"WF_RESCUE_AFTER"`
	ShutdownTimeout time.Duration `help:"On SIGTERM or SIGINT, how long running steps get to end or park before they are cancelled (and continued after a restart)." default:"30s" env:"WF_SHUTDOWN_TIMEOUT"`
	Reload          time.Duration `help:"How often the folder is checked for edits (0 never)." default:"1s" env:"WF_RELOAD"`
	LogFormat       string        `help:"Log format: auto (JSON unless stderr is a terminal), json or text." enum:"auto,json,text" default:"auto" env:"WF_LOG_FORMAT"`
	LogLevel        string        `help:"Least severe log level written: debug, info, warn or error." enum:"debug,info,warn,error" default:"info" env:"WF_LOG_LEVEL"`
	Fixtures        []string      `sep:"none" help:"Load Lists and Persona objects from a fixtures file before serving (repeatable)." placeholder:"FILE.json"`
	Console         bool          `help:"Serve the web console at / (log in with an API token); --no-console leaves only the API." default:"true" negatable:"" env:"WF_CONSOLE"`
	SecureCookies   bool          `help:"Mark the console's cookies Secure: set it when people reach wf serve over HTTPS through a proxy." env:"WF_SECURE_COOKIES"`
	AddrFile        string        `help:"Write the address the service listens on to this file once it serves (useful with --listen 127.0.0.1:0)." placeholder:"FILE"`
	DebugAddr       string        `help:"Serve Go's profiler (net/http/pprof) on this address, for diagnosing the service (keep it on loopback)." placeholder:"HOST:PORT"`

	EngineFlags `embed:""`
}

// Help explains the service.
func (c *ServeStartCmd) Help() string {
	return `Serves the workflows of a folder: Persona webhooks start event workflows, the HTTP API
starts on api(...) workflows and reads runs, and the clock fires on schedule / on every
triggers and wakes waiting runs. Everything is recorded in the store (--store); a run
interrupted by a crash is continued when the service starts again.

  wf serve examples --webhook-secret wbhsec_example --fixtures examples/fixtures.json
  wf events send examples/events/inquiry_blocked_ip.json --to http://127.0.0.1:8080 --secret wbhsec_example
  wf serve tokens create ci          # a bearer token for the API and the web console

Settings come from flags, then environment variables (WF_…), then a JSON config file
(--config or WF_CONFIG: {"listen": "…", "webhook_secret": ["…"], …}), then defaults.
See docs/serving.md.`
}

// Run serves until SIGTERM or SIGINT.
func (c *ServeStartCmd) Run(g *Globals) (err error) {
	webhooks, err := c.webhooks()
	if err != nil {
		return err
	}
	log := newLogger(g, c.LogFormat, c.LogLevel)
	eng, err := openEngine(g, &c.EngineFlags, "serve", log)
	if err != nil {
		return fail(exitUsage, "wf serve: %v", err)
	}
	defer closeEngine(eng, "wf serve", &err)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, fx := range c.Fixtures {
		if _, _, err := eng.LoadFixtures(ctx, fx); err != nil {
			return fail(exitUsage, "wf serve: fixtures: %v", err)
		}
	}
	q, err := queue.ForStore(eng.Store, queue.RiverOptions{ID: eng.Instance(), Workers: c.Workers,
		RescueAfter: c.RescueAfter, Now: eng.Clock().Now, Logger: log.With("component", "river")})
	if err != nil {
		return fail(exitUsage, "wf serve: %v", err)
	}
	svc, err := service.New(eng, service.Config{Dir: c.Dir, Webhooks: webhooks, Tolerance: c.Tolerance,
		MaxBody: c.MaxBody, Workers: c.Workers, Reload: reloadEvery(c.Reload), Logger: log, Queue: q})
	if err != nil {
		var le *service.LoadError
		if errors.As(err, &le) {
			le.Render(g.stderr, g.color(g.stderr))
			return fail(exitUsage, "\nwf serve: %s has errors; not serving", c.Dir)
		}
		return fail(exitUsage, "wf serve: %v", err)
	}
	var con *console.Console
	if c.Console {
		if con, err = console.New(svc, console.Options{Logger: log, SecureCookies: c.SecureCookies}); err != nil {
			return fail(exitFailed, "wf serve: console: %v", err)
		}
		svc.Mount(con)
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fail(exitUsage, "wf serve: %v", err)
	}
	if err := svc.Start(ctx); err != nil {
		return fail(exitFailed, "wf serve: %v", err)
	}
	if c.AddrFile != "" {
		if err := writeFileAtomic(c.AddrFile, []byte(ln.Addr().String()+"\n")); err != nil {
			return fail(exitUsage, "wf serve: --addr-file: %v", err)
		}
	}
	if c.DebugAddr != "" {
		dln, err := net.Listen("tcp", c.DebugAddr)
		if err != nil {
			return fail(exitUsage, "wf serve: --debug-addr: %v", err)
		}
		go func() { _ = http.Serve(dln, debugMux()) }()
		defer dln.Close()
	}
	srv := svc.NewServer()
	if con != nil {
		srv.RegisterOnShutdown(con.Close) // live views would hold the shutdown up
	}
	log.Info("serving", "addr", ln.Addr().String(), "dir", c.Dir, "version", svc.Program().Program.Version[:12],
		"workflows", svc.Program().Program.Workflows(), "store", eng.Store.Location(), "webhooks", len(webhooks))
	if len(webhooks) == 0 {
		log.Warn("no webhook secret is configured: POST /webhooks/persona answers 404 (set --webhook-secret)")
	}
	served := make(chan error, 1)
	go func() { served <- svc.Serve(srv, ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", c.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	// Stop accepting; requests in flight finish, or are cut at the timeout.
	if serr := srv.Shutdown(sctx); serr != nil {
		log.Warn("requests still in flight at the shutdown timeout were cut off", "err", serr)
	}
	svc.Shutdown(sctx)
	log.Info("stopped")
	if err != nil {
		return fail(exitFailed, "wf serve: %v", err)
	}
	return nil
}

func reloadEvery(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

// webhooks builds the webhook endpoints: "" for the default one.
func (c *ServeStartCmd) webhooks() (map[string][]string, error) {
	out := map[string][]string{}
	for _, s := range c.WebhookSecret {
		if s = strings.TrimSpace(s); s != "" {
			out[""] = append(out[""], s)
		}
	}
	for _, w := range c.Webhook {
		name, secret, ok := strings.Cut(w, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || secret == "" || strings.Contains(name, "/") {
			return nil, fail(exitUsage, "wf serve: --webhook %q: write NAME=SECRET (NAME without /)", w)
		}
		out[name] = append(out[name], secret)
	}
	return out, nil
}

// newLogger writes structured logs to stderr: JSON unless it is a terminal.
func newLogger(g *Globals, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level)) // the enum admits only valid levels
	opts := &slog.HandlerOptions{Level: lv}
	if format == "auto" {
		format = "json"
		if f, ok := g.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(g.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(g.stderr, opts))
}

// TokensCmd manages API tokens.
type TokensCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create a token; its secret is printed once."`
	List   TokenListCmd   `cmd:"" help:"List tokens (not their secrets)."`
	Revoke TokenRevokeCmd `cmd:"" help:"Revoke a token by id or name."`
}

// TokenCreateCmd is `wf serve tokens create NAME`.
type TokenCreateCmd struct {
	Name string `arg:"" help:"A name for the token (who or what uses it)."`
}

// Run creates the token.
func (c *TokenCreateCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf serve tokens: %v", err)
	}
	defer eng.Close()
	tok, secret, err := service.NewToken(context.Background(), eng.Store, c.Name)
	if err != nil {
		return fail(exitFailed, "wf serve tokens: %v", err)
	}
	fmt.Fprintf(g.stderr, "created %s (%s); the secret below is shown only now:\n", tok.ID, tok.Name)
	fmt.Fprintln(g.stdout, secret)
	return nil
}

// TokenListCmd is `wf serve tokens list`.
type TokenListCmd struct{}

// Run lists the tokens.
func (c *TokenListCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf serve tokens: %v", err)
	}
	defer eng.Close()
	toks, err := eng.Store.Tokens(context.Background())
	if err != nil {
		return fail(exitFailed, "wf serve tokens: %v", err)
	}
	if len(toks) == 0 {
		fmt.Fprintln(g.stdout, "no tokens (create one with: wf serve tokens create NAME)")
		return nil
	}
	for _, t := range toks {
		state := "active"
		if !t.RevokedAt.IsZero() {
			state = "revoked " + t.RevokedAt.Format(time.RFC3339)
		}
		used := "never used"
		if !t.LastUsed.IsZero() {
			used = "used " + t.LastUsed.Format(time.RFC3339)
		}
		fmt.Fprintf(g.stdout, "%s  %-20s  created %s  %s  %s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339), used, state)
	}
	return nil
}

// TokenRevokeCmd is `wf serve tokens revoke ID|NAME`.
type TokenRevokeCmd struct {
	Token string `arg:"" help:"The token's id (tok_…) or name."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf serve tokens: %v", err)
	}
	defer eng.Close()
	if err := eng.Store.RevokeToken(context.Background(), c.Token); err != nil {
		return fail(exitFailed, "wf serve tokens: %v", err)
	}
	fmt.Fprintf(g.stdout, "revoked %s (the service stops accepting it within %s)\n", c.Token, "5s")
	return nil
}

// writeFileAtomic writes a file that readers never see half written.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// debugMux serves Go's profiler.
func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
