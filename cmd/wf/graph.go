package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/service/console"
	"github.com/wf-lang/wf/stdlib"
)

// GraphCmd is `wf graph FILE`.
type GraphCmd struct {
	File     string `arg:"" help:"The .wf file (or folder of .wf files) to draw."`
	Workflow string `help:"Draw only this workflow (default: every workflow, or the one --run ran)." placeholder:"NAME"`
	Format   string `help:"Output format: svg, dot or mermaid." enum:"svg,dot,mermaid" default:"svg"`
	RunID    string `name:"run" help:"Lay a recorded run over the graph: its path highlighted, each step coloured by status." placeholder:"RUN_ID"`
	Output   string `short:"o" help:"Write to this file instead of standard output." placeholder:"FILE"`
}

// Help explains the command in detail.
func (c *GraphCmd) Help() string {
	return `Draws workflows as diagrams from the checked source: triggers, when routes with their
conditions (and the path taken when no route matches), parallel branches, loops, waits,
try/catch, and each run step labelled with its action. With --run, the path that run
took is highlighted and each step is coloured by its status. SVG is laid out by Graphviz
(built in, nothing to install); Mermaid pastes into a pull request description. Examples:

  wf graph examples/showcase.wf --workflow screen_inquiry > screen_inquiry.svg
  wf graph examples/kyb_checks.wf --format mermaid
  wf graph examples/decline_blocked_ip.wf --run run_3bb2 -o run.svg

Exit status: 0 when the graph was written, 1 when the run cannot be drawn, 2 for usage
errors or a script with errors.`
}

// Run draws the graph.
func (c *GraphCmd) Run(g *Globals) error {
	files, err := runtime.ExpandPaths([]string{c.File})
	if err != nil {
		return fail(exitUsage, "wf graph: %v", err)
	}
	if len(files) == 0 {
		return fail(exitUsage, "wf graph: no .wf files found in %s", c.File)
	}
	loaded, err := runtime.LoadFiles(files, stdlib.Default(), interp.Options{JS: jsEngine()})
	if err != nil {
		return fail(exitUsage, "wf graph: %v", err)
	}
	if loaded.Diags.HasErrors() {
		(&termdiag.Renderer{Source: loaded.Source, Color: g.color(g.stderr)}).RenderAll(g.stderr, loaded.Diags)
		return fail(exitUsage, "\nwf graph: %s has errors; nothing was drawn", c.File)
	}
	var run *graph.RunInfo
	if c.RunID != "" {
		if loaded, run, err = c.loadRun(g, loaded); err != nil {
			return err
		}
	}
	var gs []*graph.Graph
	if c.Workflow != "" {
		gr, err := graph.Build(loaded.Checked, c.Workflow)
		if err != nil {
			return fail(exitUsage, "wf graph: %v", err)
		}
		gs = []*graph.Graph{gr}
	} else if gs, err = graph.BuildAll(loaded.Checked); err != nil {
		return fail(exitUsage, "wf graph: %v", err)
	}
	if len(gs) == 0 {
		return fail(exitUsage, "wf graph: %s declares no workflow", c.File)
	}
	if run != nil {
		if unmatched := gs[0].Apply(run); len(unmatched) > 0 {
			fmt.Fprintf(g.stderr, "wf graph: %d %s of run %s %s on no node of the graph: %s\n", len(unmatched),
				plural(len(unmatched), "step"), run.ID, isAre(len(unmatched)), strings.Join(unmatched, ", "))
		}
	}
	var out []byte
	switch c.Format {
	case "dot":
		out = graph.DOT(gs)
	case "mermaid":
		out = graph.Mermaid(gs)
	default:
		if out, err = graph.SVG(context.Background(), gs); err != nil {
			return fail(exitFailed, "wf graph: %v", err)
		}
	}
	if c.Output != "" {
		if err := os.WriteFile(c.Output, out, 0o644); err != nil {
			return fail(exitFailed, "wf graph: %v", err)
		}
		return nil
	}
	_, err = g.stdout.Write(out)
	return err
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// loadRun reads the run and picks its workflow. When the files on disk are
// not the version the run ran, the run's own version (kept in the store) is
// drawn instead, so the steps land where they ran.
func (c *GraphCmd) loadRun(g *Globals, loaded *runtime.Loaded) (*runtime.Loaded, *graph.RunInfo, error) {
	eng, err := openStoreOnly(g)
	if err != nil {
		return nil, nil, fail(exitUsage, "wf graph: %v", err)
	}
	defer eng.Close()
	ctx := context.Background()
	r, err := eng.Store.GetRun(ctx, c.RunID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fail(exitFailed, "wf graph: no run %s", c.RunID)
	}
	if err != nil {
		return nil, nil, fail(exitFailed, "wf graph: %v", err)
	}
	if c.Workflow != "" && c.Workflow != r.Workflow {
		return nil, nil, fail(exitUsage, "wf graph: run %s is of workflow %s, not %s", r.ID, r.Workflow, c.Workflow)
	}
	c.Workflow = r.Workflow
	if interp.Version(loaded.Files) != r.Version {
		ran, err := eng.Version(ctx, r.Version)
		if err != nil {
			return nil, nil, fail(exitFailed, "wf graph: run %s ran version %s of its files, which cannot be loaded: %v",
				r.ID, shortVersion(r.Version), err)
		}
		fmt.Fprintf(g.stderr, "wf graph: %s changed since run %s; drawing the version it ran (%s)\n", c.File, r.ID, shortVersion(r.Version))
		loaded = ran
	}
	return loaded, console.RunInfo(runtime.RecordOf(r)), nil
}
