package runtime

import "github.com/wf-lang/wf/stdlib"

// env builds the library environment of one run.
func (e *Engine) env(l *Loaded, opts RunOptions) any {
	return &stdlib.Env{
		PersonaClient: e.Persona, ListService: e.Lists, HTTPClient: e.HTTP, Slack: e.cfg.Slack,
		Runner: &runner{e: e, l: l, parentOpts: opts}, Secrets: e.cfg.Secrets, JSEngine: e.cfg.JS,
	}
}

// Env returns the library environment a run of l started with opts gets:
// the engine's Persona backend, Lists, HTTP client, Slack bot, secrets, and
// a runner for workflow.call over l. The REPL evaluates its entries in it.
func (e *Engine) Env(l *Loaded, opts RunOptions) any { return e.env(l, opts) }
