package main

import (
	"fmt"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib"
)

// CheckCmd is `wf check PATH…`.
type CheckCmd struct {
	Format string   `help:"Output format: text or json." enum:"text,json" default:"text"`
	Paths  []string `arg:"" sep:"none" help:"Files or folders (folders are searched for .wf files)."`
}

// Help explains the command in detail.
func (c *CheckCmd) Help() string {
	return `Parses and checks every file: syntax, names (with did-you-mean), calls against the
standard library (arity, named arguments, types), effects (actions must be called with
run), parallel branches, cron expressions, time zones, durations, regular expressions and
Persona event names. All files are checked together, so one file may use another's fn.

Exit status: 0 when there are no errors (warnings are allowed), 1 when there are errors,
2 on usage errors (such as a missing file).`
}

// Run checks the files.
func (c *CheckCmd) Run(g *Globals) error {
	files, err := runtime.ExpandPaths(c.Paths)
	if err != nil {
		return fail(exitUsage, "wf check: %v", err)
	}
	if len(files) == 0 {
		return fail(exitUsage, "wf check: no .wf files found in %v", c.Paths)
	}
	loaded, err := runtime.LoadFiles(files, stdlib.Default(), interp.Options{JS: jsEngine()})
	if err != nil {
		return fail(exitUsage, "wf check: %v", err)
	}
	if c.Format == "json" {
		if err := lang.WriteJSON(g.stdout, loaded.Diags); err != nil {
			return err
		}
	} else {
		r := &lang.Renderer{Source: loaded.Source, Color: g.color(g.stdout)}
		r.RenderAll(g.stdout, loaded.Diags)
		errs, warns := loaded.Diags.Count()
		if len(loaded.Diags) > 0 {
			fmt.Fprintln(g.stdout)
		}
		fmt.Fprintf(g.stdout, "%d %s checked: %s, %s\n", len(files), plural(len(files), "file"),
			countWord(errs, "error"), countWord(warns, "warning"))
	}
	if loaded.Diags.HasErrors() {
		return &exitError{code: exitFailed}
	}
	return nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

func countWord(n int, w string) string {
	if n == 0 {
		return "no " + w + "s"
	}
	return fmt.Sprintf("%d %s", n, plural(n, w))
}
