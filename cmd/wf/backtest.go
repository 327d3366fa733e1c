package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/wftest"
)

// BacktestCmd is `wf backtest NEW.wf`.
type BacktestCmd struct {
	File        string `arg:"" predictor:"wf-files" help:"The new version: a .wf file, or a folder of them."`
	AgainstRuns string `name:"against-runs" help:"Which recorded runs to replay: workflow=NAME, status=completed|failed, trigger=ID (the trigger's object id), before=TIME, joined by commas (default: the finished runs of the new version's workflows)." placeholder:"FILTER"`
	Since       string `help:"Only runs started this long ago or since, such as 7d or 12h." placeholder:"DURATION"`
	Limit       int    `help:"Replay at most this many runs, the newest first (0: every one)." placeholder:"N"`
	JSON        bool   `help:"Print one JSON object a line: each changed run as it is found, then the summary."`
}

// Help explains the command in detail.
func (c *BacktestCmd) Help() string {
	return `Replays the recorded triggers of past runs through a new version of their workflow and
lists every run whose decision would change. Each run is replayed in a sandbox: its event
goes through the new where clause, its inputs through the new parameters, at the run's
original time and seed, and every step is answered with what the old run recorded (a step
the old run never made gives null): nothing is performed. Lists are read as they are now.

  wf backtest stricter/review_minors.wf --since 7d
  wf backtest flows/ --against-runs workflow=screen_inquiry,status=completed --limit 5000 --json

The report lists each changed run (what it did, what it would do, the first step where
they differ), then the changes by outcome, the runs per route of the new version and the
counts. Runs are read a page at a time, so memory does not grow with their number; on a
terminal a progress line shows how far it got.

Exit status: 0 when the backtest ran (whatever changed), 1 when the store failed, 2 for
usage errors or a new version with errors.`
}

// Run replays the runs and reports them.
func (c *BacktestCmd) Run(g *Globals) error {
	filter, err := c.filter(time.Now())
	if err != nil {
		return fail(exitUsage, "wf backtest: %v", err)
	}
	if c.Limit < 0 {
		return fail(exitUsage, "wf backtest: --limit must be 0 or more, got %d", c.Limit)
	}
	files, err := runtime.ExpandPaths([]string{c.File})
	if err != nil {
		return fail(exitUsage, "wf backtest: %v", err)
	}
	if len(files) == 0 {
		return fail(exitUsage, "wf backtest: no .wf files in %s", c.File)
	}
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitFailed, "wf backtest: %v", err)
	}
	defer eng.Close()
	loaded, err := eng.Load(files)
	if err != nil {
		return fail(exitUsage, "wf backtest: %v", err)
	}
	if loaded.Program == nil {
		(&termdiag.Renderer{Source: loaded.Source, Color: g.color(g.stderr)}).RenderAll(g.stderr, loaded.Diags)
		return fail(exitUsage, "wf backtest: %s has errors", c.File)
	}
	if names := loaded.Program.Workflows(); filter.Workflow == "" && len(names) == 1 {
		filter.Workflow = names[0]
	} else if filter.Workflow != "" && !loaded.Program.HasWorkflow(filter.Workflow) {
		return fail(exitUsage, "wf backtest: %s has no workflow %s (it has %s)", c.File, filter.Workflow, strings.Join(names, ", "))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := wftest.BacktestOptions{Filter: filter, Limit: c.Limit, Env: wftest.ReplayEnv(eng.Lists, jsEngine())}
	var werr error
	prog := &progressLine{w: g.stderr}
	if f, ok := g.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		opts.Progress = prog.update
	}
	if c.JSON {
		opts.Changed = func(ch *wftest.ChangedRun) { werr = firstErr(werr, wftest.WriteChangedJSON(g.stdout, ch)) }
	} else {
		opts.Changed = func(ch *wftest.ChangedRun) { prog.clear(); wftest.WriteChanged(g.stdout, ch) }
	}
	res, err := wftest.Backtest(ctx, eng.Store, loaded, opts)
	prog.clear()
	if err != nil {
		return fail(exitFailed, "wf backtest: %v", err)
	}
	if c.JSON {
		werr = firstErr(werr, res.WriteSummaryJSON(g.stdout))
	} else {
		res.WriteSummary(g.stdout)
	}
	return werr
}

// progressLine shows how far a backtest got on one terminal line.
type progressLine struct {
	w     io.Writer
	shown bool
}

func (p *progressLine) update(seen, changed int) {
	if seen%25 == 0 {
		fmt.Fprintf(p.w, "\rbacktest: %d runs read, %d changed", seen, changed)
		p.shown = true
	}
}

// clear removes the line before other output.
func (p *progressLine) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// filter reads --against-runs and --since into a run filter.
func (c *BacktestCmd) filter(now time.Time) (store.RunFilter, error) {
	var f store.RunFilter
	if c.Since != "" {
		d, err := lang.ParseDuration(c.Since)
		if err != nil || d <= 0 {
			return f, fmt.Errorf("--since %q is not a duration such as 7d or 12h", c.Since)
		}
		f.Since = now.Add(-d)
	}
	if c.AgainstRuns == "" {
		return f, nil
	}
	keys := []string{"workflow", "status", "trigger", "before"}
	for _, part := range strings.Split(c.AgainstRuns, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || v == "" {
			return f, fmt.Errorf("--against-runs: %q is not key=value (keys: %s)", part, strings.Join(keys, ", "))
		}
		switch k {
		case "workflow":
			f.Workflow = v
		case "status":
			if v != store.StatusCompleted && v != store.StatusFailed {
				return f, fmt.Errorf("--against-runs: status is completed or failed (the runs that ended), got %q", v)
			}
			f.Status = v
		case "trigger":
			f.TriggerID = v
		case "before":
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, fmt.Errorf("--against-runs: before=%q is not an RFC 3339 time", v)
			}
			f.Before = t
		default:
			sort.Strings(keys)
			return f, fmt.Errorf("--against-runs: unknown key %q (keys: %s)", k, strings.Join(keys, ", "))
		}
	}
	return f, nil
}
