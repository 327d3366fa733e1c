package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// RunsCmd is `wf runs list|show`.
type RunsCmd struct {
	List RunsListCmd `cmd:"" default:"withargs" help:"List recent runs, newest first."`
	Show RunsShowCmd `cmd:"" help:"Show one run with every step."`
}

// RunsListCmd is `wf runs list`.
type RunsListCmd struct {
	Workflow string `help:"Only runs of this workflow." placeholder:"NAME"`
	Status   string `help:"Only runs with this status: running, completed or failed." enum:",running,completed,failed" default:""`
	Limit    int    `help:"At most this many runs (1 to 1000)." default:"20"`
	JSON     bool   `help:"Print JSON."`
}

// Run lists runs.
func (c *RunsListCmd) Run(g *Globals) error {
	if c.Limit < 1 || c.Limit > store.MaxRunLimit {
		return fail(exitUsage, "wf runs list: --limit must be between 1 and %d (one listing shows at most %d runs), got %d",
			store.MaxRunLimit, store.MaxRunLimit, c.Limit)
	}
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf runs: %v", err)
	}
	defer eng.Close()
	runs, err := eng.Store.ListRuns(context.Background(), store.RunFilter{Workflow: c.Workflow, Status: c.Status, Limit: c.Limit})
	if err != nil {
		return err
	}
	if c.JSON {
		out := make([]*runtime.Record, 0, len(runs))
		for i := range runs {
			out = append(out, runtime.RecordOf(&runs[i]))
		}
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(runs) == 0 {
		fmt.Fprintln(g.stdout, "no runs recorded")
		return nil
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tSTARTED\tDURATION")
	for _, r := range runs {
		dur := "-"
		if !r.FinishedAt.IsZero() {
			dur = roundDur(r.FinishedAt.Sub(r.StartedAt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Workflow, r.Status, r.StartedAt.Format(time.RFC3339), dur)
	}
	return tw.Flush()
}

// RunsShowCmd is `wf runs show ID`.
type RunsShowCmd struct {
	ID   string `arg:"" predictor:"run-id" help:"The run's id, or a unique prefix of it."`
	JSON bool   `help:"Print the full run record as JSON."`
}

// Run shows a run.
func (c *RunsShowCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf runs: %v", err)
	}
	defer eng.Close()
	r, err := eng.Store.GetRun(context.Background(), c.ID)
	if errors.Is(err, store.ErrNotFound) {
		return fail(exitFailed, "wf runs show: no run %s", c.ID)
	}
	if err != nil {
		return fail(exitFailed, "wf runs show: %v", err)
	}
	rec := runtime.RecordOf(r)
	if c.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rec)
	}
	newPrinter(g.stdout, g.color(g.stdout)).run(rec)
	return nil
}
