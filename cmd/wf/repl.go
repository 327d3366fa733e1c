package main

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"

	"github.com/wf-lang/wf/repl"
	"github.com/wf-lang/wf/runtime"
)

// ReplCmd is `wf repl`.
type ReplCmd struct {
	Load    []string `arg:"" sep:"none" optional:"" predictor:"wf-files" help:"Files or folders of .wf files to load first (as :load does)." placeholder:"PATH"`
	DryRun  bool     `help:"Record every effect step with its arguments, perform none."`
	History string   `help:"History file of interactive sessions (default: repl_history beside the store, .wf/repl_history)." env:"WF_REPL_HISTORY" placeholder:"FILE"`

	EngineFlags `embed:""`
}

// Help explains the command in detail.
func (c *ReplCmd) Help() string {
	return `Starts an interactive session: type an expression to see its value, a statement (let,
when, run…) or a declaration (const, fn, js fn, workflow) to add to the session. Input
continues while the grammar wants more (an open bracket, a line ending in "and"…); TAB
completes; :help lists commands
(:load, :event, :fire, :doc, :type, :runs, :reset, :quit). Examples:

  wf repl examples/
  > :event examples/events/inquiry_minor.json
  > years_since(date(trigger.fields.birthdate)) < 18
  > :fire review_minors

Effects go to the local Persona backend unless --dry-run. Reading a script from a pipe
(wf repl < script.wfrepl) prints only results, and exits 1 when an entry failed.`
}

// Run starts the REPL.
func (c *ReplCmd) Run(g *Globals) (err error) {
	eng, err := openEngine(g, &c.EngineFlags, "run", nil)
	if err != nil {
		return fail(exitUsage, "wf repl: %v", err)
	}
	defer closeEngine(eng, "wf repl", &err)
	interactive := isTerminal(g.stdin) && isTerminal(g.stdout)
	history := c.History
	if history == "" {
		history = filepath.Join(g.localDir(), "repl_history")
	}
	color := g.color(g.stdout)
	r := repl.New(repl.Config{
		Engine: eng, JS: jsEngine(), DryRun: c.DryRun, Backend: c.Backend, Interactive: interactive,
		In: g.stdin, Out: g.stdout, Err: g.stderr, Color: color, HistoryPath: history, Load: c.Load,
		PrintRun: func(w io.Writer, rec *runtime.Record) { newPrinter(w, color).run(rec) },
	})
	failed, err := r.Run(context.Background())
	if err != nil {
		return fail(exitFailed, "wf repl: %v", err)
	}
	if failed > 0 && !interactive {
		return fail(exitFailed, "")
	}
	return nil
}

func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
