// Package stdlib assembles WF's standard library: the core functions and
// the modules (persona actions, lists, http, js, slack, workflow). Each
// function is declared once, in its module's package, with the builtin
// helper; this package puts them together into the library the checker,
// the interpreter, the REPL, the language server and the generated
// reference (docs/stdlib.md) all read.
package stdlib

import (
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
)

// Default returns the whole standard library.
func Default() *builtin.Library {
	return builtin.NewLibrary(core.Module())
}
