// Package stdlib assembles WF's standard library: the core functions and
// the modules (persona actions, lists, http, js, slack, workflow). Each
// function is declared once, in its module's package, with the builtin
// helper; this package puts them together into the library the checker,
// the interpreter, the REPL, the language server and the generated
// reference (docs/stdlib.md) all read. Env is the run environment the
// modules' functions find their services in.
package stdlib

import (
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
	"github.com/wf-lang/wf/stdlib/slack"
	"github.com/wf-lang/wf/stdlib/workflow"
)

// Default returns the whole standard library, core functions first, with
// Persona's event catalogue.
func Default() *builtin.Library {
	mods := []*builtin.Module{core.Module()}
	mods = append(mods, persona.Modules()...)
	mods = append(mods, lists.Module(), httpx.Module(), js.Module(), slack.Module(), workflow.Module())
	lib := builtin.NewLibrary(mods...)
	lib.SetEvents(persona.Events())
	return lib
}
