package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/slack"
)

// EngineFlags configure the services a run uses.
type EngineFlags struct {
	Backend       string   `help:"Persona backend: local (the embedded store, no account) or api (the real Persona API, with PERSONA_API_KEY)." enum:"local,api" default:"local" env:"WF_PERSONA_BACKEND"`
	PersonaURL    string   `help:"Base URL of the Persona API (api backend)." env:"PERSONA_API_URL" placeholder:"URL"`
	PersonaRate   int      `help:"Most Persona API requests a minute (api backend; Persona's default limit is 300)." default:"300" env:"WF_PERSONA_RATE"`
	Secrets       string   `help:"File of NAME=value secrets read by secret(name); a name not in it is read from $WF_SECRET_<NAME>, and no other environment variable." env:"WF_SECRETS_FILE" placeholder:"FILE"`
	AllowHost     []string `sep:"none" help:"Let http.* steps reach this host, as URLs name it: HOST (any port) or HOST:PORT, such as localhost:8080 (repeatable). Other non-public addresses stay refused." placeholder:"HOST[:PORT]"`
	AllowLoopback bool     `help:"Let http.* steps reach every loopback address and port (refused by default; --allow-host opens one)." env:"WF_HTTP_ALLOW_LOOPBACK"`
	AllowPrivate  bool     `help:"Let http.* steps reach private network addresses (refused by default)." env:"WF_HTTP_ALLOW_PRIVATE"`
	SlackAPI      string   `help:"Base URL of the Slack Web API, for slack.message." env:"WF_SLACK_API_URL" placeholder:"URL"`
	MaxRuns       int      `name:"max-runs-per-trigger" help:"Most runs one trigger may cause: its own, and those started, called or reached by emit under it." default:"1000" env:"WF_MAX_RUNS_PER_TRIGGER"`
	MaxSteps      int      `help:"Most steps (and waits) one run may record." default:"10000" env:"WF_MAX_STEPS"`
	MaxLogBytes   int      `help:"Most bytes of log lines one run may record." default:"16777216" env:"WF_MAX_LOG_BYTES"`
}

// openEngine opens the engine for a command; kind names the process in the
// store's list of instances ("run", "serve"). log receives the engine's own
// messages (a failed heartbeat); nil sends warnings to stderr as text.
func openEngine(g *Globals, f *EngineFlags, kind string, log *slog.Logger) (*runtime.Engine, error) {
	if log == nil {
		log = newLogger(g, "text", "warn")
	}
	cfg := runtime.Config{Kind: kind, Logger: log,
		Store: g.Store, Synchronous: g.Synchronous, PoolMax: g.PoolMax, PoolMin: g.PoolMin, PersonaBackend: f.Backend,
		PersonaBaseURL: f.PersonaURL, PersonaRateLimit: f.PersonaRate,
		PersonaAPIKey: os.Getenv("PERSONA_API_KEY"), Version: version, JS: jsEngine(),
		HTTP:         httpx.Config{AllowLoopback: f.AllowLoopback, AllowPrivate: f.AllowPrivate, AllowHosts: f.AllowHost},
		Slack:        slack.BotConfig{Token: os.Getenv("SLACK_BOT_TOKEN"), BaseURL: f.SlackAPI},
		RecordLimits: runtime.RecordLimits{MaxRunsPerTrigger: f.MaxRuns, MaxSteps: f.MaxSteps, MaxLogBytes: f.MaxLogBytes},
	}
	secretsPath, required := f.Secrets, true
	if secretsPath == "" {
		secretsPath, required = filepath.Join(g.localDir(), "secrets.env"), false
	}
	secrets, err := runtime.LoadSecrets(secretsPath, required)
	if err != nil {
		return nil, err
	}
	cfg.Secrets = secrets
	return runtime.Open(context.Background(), cfg)
}

// openStoreOnly opens the engine with default services, for commands that
// only read or write the store.
func openStoreOnly(g *Globals) (*runtime.Engine, error) {
	return runtime.Open(context.Background(), runtime.Config{Store: g.Store, Synchronous: g.Synchronous,
		PoolMax: g.PoolMax, PoolMin: g.PoolMin, Version: version, JS: jsEngine()})
}

// closeEngine closes eng when a command ends; an error closing it (a run
// executed in the background whose outcome could not be recorded, a store
// that did not close cleanly) fails a command that had not failed already.
func closeEngine(eng *runtime.Engine, cmd string, err *error) {
	if cerr := eng.Close(); cerr != nil && *err == nil {
		*err = fail(exitFailed, "%s: %v", cmd, cerr)
	}
}

// jsEngine returns the process's JavaScript engine (js fn and js.eval).
func jsEngine() *js.Engine {
	jsOnce.Do(func() { jsShared = js.NewEngine() })
	return jsShared
}

var (
	jsOnce   sync.Once
	jsShared *js.Engine
)

// localDir is the folder of this machine's own files (secrets.env, the REPL's
// history): the embedded store's folder, or .wf when the store is a
// PostgreSQL database.
func (g *Globals) localDir() string {
	if postgres.IsURL(g.Store) {
		return ".wf"
	}
	return filepath.Dir(g.Store)
}
