package wftest

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
)

// WriteChanged prints a changed run as it is found: the run, what it did,
// what the new version would do, and the first step where they differ.
func WriteChanged(w io.Writer, c *ChangedRun) {
	trig := ""
	if c.TriggerID != "" {
		trig = "  " + c.TriggerID
	}
	fmt.Fprintf(w, "changed  %s  %s  %s%s\n", c.ID, c.Workflow, c.StartedAt.UTC().Format(time.RFC3339), trig)
	fmt.Fprintf(w, "    was: %s\n", c.Old.Label())
	fmt.Fprintf(w, "    now: %s\n", c.New.Label())
	d := c.Diverged
	if d.Index < 0 {
		fmt.Fprintf(w, "    first difference: the run ends %s, not %s\n", d.New, d.Old)
	} else {
		at := ""
		if d.File != "" {
			at = fmt.Sprintf(" (%s:%d:%d)", d.File, d.Pos.Line, d.Pos.Col)
		}
		fmt.Fprintf(w, "    first difference, step %d%s:\n      was: %s\n      now: %s\n", d.Index+1, at, d.Old, d.New)
	}
	if c.New.Error != "" && c.New.Status != StatusCompleted {
		fmt.Fprintf(w, "    new error: %s\n", c.New.Error)
	}
}

// WriteSummary prints the table of changed outcomes, the runs per route of
// the new version, and the counts.
func (res *BacktestResult) WriteSummary(w io.Writer) {
	if len(res.Transitions) > 0 {
		fmt.Fprintf(w, "\nchanged outcomes (runs)\n")
		for _, t := range res.sortedTransitions() {
			fmt.Fprintf(w, "  %6d  %s → %s\n", t.Runs, t.Old, t.New)
		}
	}
	if len(res.Routes) > 0 {
		fmt.Fprintf(w, "\nroutes of the new version (runs that took each, of which changed)\n")
		for _, r := range res.routeRows() {
			fmt.Fprintf(w, "  %6d  %6d  %s:%d:%d: %s: %s\n", r.Runs, r.Changed, r.File, r.Line, r.Column, r.Owner, r.Label)
		}
	}
	fmt.Fprintf(w, "\nreplayed %d %s: %d changed, %d unchanged", res.Replayed, plural(res.Replayed, "run"), res.Changed, res.Replayed-res.Changed)
	if n := res.skipped(); n > 0 {
		fmt.Fprintf(w, "; skipped %d (", n)
		for i, k := range sortedKeys(res.Skipped) {
			if i > 0 {
				fmt.Fprint(w, ", ")
			}
			fmt.Fprintf(w, "%d %s", res.Skipped[k], k)
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
}

func (res *BacktestResult) skipped() int {
	n := 0
	for _, v := range res.Skipped {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Transition is a change of outcome and how many runs made it.
type Transition struct {
	Old  string `json:"old"`
	New  string `json:"new"`
	Runs int    `json:"runs"`
}

func (res *BacktestResult) sortedTransitions() []Transition {
	var out []Transition
	for k, n := range res.Transitions {
		out = append(out, Transition{Old: k[0], New: k[1], Runs: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Runs != out[j].Runs {
			return out[i].Runs > out[j].Runs
		}
		return out[i].Old+out[i].New < out[j].Old+out[j].New
	})
	return out
}

// RouteRow is a route of the new version with the runs that took it.
type RouteRow struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Owner   string `json:"owner"`
	Label   string `json:"label"`
	Runs    int    `json:"runs"`
	Changed int    `json:"changed"`
}

func (res *BacktestResult) routeRows() []RouteRow {
	var out []RouteRow
	for i, r := range res.Routes {
		out = append(out, RouteRow{File: r.File, Line: r.Span.Start.Line, Column: r.Span.Start.Col, Owner: r.Owner,
			Label: routeLabel(res.Loaded.Source(r.File), r), Runs: res.Runs[i], Changed: res.RouteCh[i]})
	}
	return out
}

// jsonChanged is a changed run as --json prints it, one per line.
type jsonChanged struct {
	Type      string      `json:"type"`
	ID        string      `json:"run"`
	Workflow  string      `json:"workflow"`
	TriggerID string      `json:"trigger_id,omitempty"`
	StartedAt time.Time   `json:"started_at"`
	Old       jsonOutcome `json:"old"`
	New       jsonOutcome `json:"new"`
	Diverged  struct {
		Step int    `json:"step"` // 1-based; 0: the steps agree, the end differs
		Old  string `json:"old"`
		New  string `json:"new"`
		Pos  string `json:"pos,omitempty"`
	} `json:"diverged"`
}

type jsonOutcome struct {
	Status string   `json:"status"`
	Label  string   `json:"label"`
	Error  string   `json:"error,omitempty"`
	Steps  []string `json:"steps"`
}

func outcomeJSON(o *Outcome) jsonOutcome {
	j := jsonOutcome{Status: o.Status, Label: o.Label(), Error: o.Error, Steps: []string{}}
	for _, s := range o.Steps {
		j.Steps = append(j.Steps, s.Line)
	}
	return j
}

// WriteChangedJSON prints a changed run as one line of JSON.
func WriteChangedJSON(w io.Writer, c *ChangedRun) error {
	j := jsonChanged{Type: "changed", ID: c.ID, Workflow: c.Workflow, TriggerID: c.TriggerID, StartedAt: c.StartedAt.UTC(),
		Old: outcomeJSON(c.Old), New: outcomeJSON(c.New)}
	j.Diverged.Step, j.Diverged.Old, j.Diverged.New = c.Diverged.Index+1, c.Diverged.Old, c.Diverged.New
	if c.Diverged.File != "" {
		j.Diverged.Pos = fmt.Sprintf("%s:%d:%d", c.Diverged.File, c.Diverged.Pos.Line, c.Diverged.Pos.Col)
	}
	return json.NewEncoder(w).Encode(j)
}

// WriteSummaryJSON prints the summary as the last line of --json.
func (res *BacktestResult) WriteSummaryJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(struct {
		Type        string         `json:"type"`
		Replayed    int            `json:"replayed"`
		Changed     int            `json:"changed"`
		Skipped     map[string]int `json:"skipped"`
		Transitions []Transition   `json:"transitions"`
		Routes      []RouteRow     `json:"routes"`
	}{"summary", res.Replayed, res.Changed, res.Skipped, append([]Transition{}, res.sortedTransitions()...), append([]RouteRow{}, res.routeRows()...)})
}
