package runtime

import (
	"strings"

	"github.com/wf-lang/wf/stdlib"
)

func replaceAll(s, old, new string) string { return strings.ReplaceAll(s, old, new) }

// env builds the library environment of one run.
func (e *Engine) env(l *Loaded, opts RunOptions) any {
	return &stdlib.Env{
		PersonaClient: e.Persona, ListService: e.Lists, HTTPClient: e.HTTP, Slack: e.cfg.Slack,
		Runner: &runner{e: e, l: l, parentOpts: opts}, Secrets: e.cfg.Secrets,
	}
}
