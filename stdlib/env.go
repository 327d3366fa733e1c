package stdlib

import (
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
	"github.com/wf-lang/wf/stdlib/slack"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// Env is the environment a run's library functions find their services in
// (interp.RunRequest.Env): it implements every module's Provider and
// core.SecretSource. A nil field is a service that is not configured; the
// functions that need it fail with a clear error. The runtime fills one per
// process (or per run); it is read-only once a run starts.
//
// The fields are named after the services but not exactly like the
// providers' methods (Persona(), Lists(), HTTP()), which Go does not allow
// on one type.
type Env struct {
	// PersonaClient is the Persona backend: local or api.
	PersonaClient persona.Client
	// ListService is the Lists engine.
	ListService *lists.Service
	// HTTPClient sends http and slack requests.
	HTTPClient *httpx.Client
	// Slack configures slack.message's bot.
	Slack slack.BotConfig
	// Runner calls, starts and schedules other workflows.
	Runner workflow.Runner
	// Secrets answers secret(name).
	Secrets core.SecretSource
	// JSEngine runs js.eval.
	JSEngine *js.Engine
}

// Every provider the modules ask for.
var (
	_ persona.Provider  = (*Env)(nil)
	_ lists.Provider    = (*Env)(nil)
	_ httpx.Provider    = (*Env)(nil)
	_ slack.Provider    = (*Env)(nil)
	_ workflow.Provider = (*Env)(nil)
	_ core.SecretSource = (*Env)(nil)
	_ js.Provider       = (*Env)(nil)
)

// JS implements js.Provider.
func (e *Env) JS() *js.Engine { return e.JSEngine }

// Persona implements persona.Provider.
func (e *Env) Persona() persona.Client { return e.PersonaClient }

// Lists implements lists.Provider.
func (e *Env) Lists() *lists.Service { return e.ListService }

// HTTP implements httpx.Provider and slack.Provider.
func (e *Env) HTTP() *httpx.Client { return e.HTTPClient }

// SlackBot implements slack.Provider.
func (e *Env) SlackBot() slack.BotConfig { return e.Slack }

// Workflows implements workflow.Provider.
func (e *Env) Workflows() workflow.Runner { return e.Runner }

// Secret implements core.SecretSource; without Secrets no secret is set.
func (e *Env) Secret(name string) (string, bool) {
	if e.Secrets == nil {
		return "", false
	}
	return e.Secrets.Secret(name)
}
