package main

// ReplCmd is `wf repl`.
type ReplCmd struct{}

// Run starts the REPL.
func (c *ReplCmd) Run(g *Globals) error {
	return fail(exitUsage, "wf repl: not built yet")
}
