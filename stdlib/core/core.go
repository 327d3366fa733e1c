// Package core holds WF's core functions: strings, lists, maps, numbers,
// time on the run's clock, email parts, JSON, hashing, ids and secrets.
// Each is declared once (signature, doc, example, implementation); any core
// function can also be called as a method on its first argument, so
// lower(s) is s.lower().
package core

import (
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// Module returns the core functions.
func Module() *builtin.Module {
	var all []*interp.Builtin
	for _, group := range [][]*interp.Builtin{stringFuncs(), listFuncs(), mapFuncs(), numberFuncs(), timeFuncs(), miscFuncs()} {
		all = append(all, group...)
	}
	return &builtin.Module{
		Name: "",
		Doc: "Core functions are pure: they read their arguments and the run's clock and seed, " +
			"and change nothing. Any of them can be called as a method on its first argument: " +
			"`lower(s)` is `s.lower()`.",
		Builtins: all,
	}
}

type (
	V    = interp.Value
	Args = interp.Args
	T    = interp.Thread
)

var (
	pure = builtin.Pure
	errf = interp.Errorf
)
