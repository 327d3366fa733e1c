package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// printer writes run records for people: a header, the step timeline, log
// lines, outputs and the final status.
type printer struct {
	w     io.Writer
	color bool
}

func newPrinter(w io.Writer, color bool) *printer { return &printer{w: w, color: color} }

func (p *printer) c(code, s string) string { return ansi.Paint(p.color, code, s) }

func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

func (p *printer) run(r *runtime.Record) {
	dry := ""
	if r.DryRun {
		dry = p.c(ansi.Yellow, " (dry run)")
	}
	fmt.Fprintf(p.w, "%s %s  %s%s\n", p.c(ansi.Bold, "run"), r.ID, p.c(ansi.Bold, r.Workflow), dry)
	fmt.Fprintf(p.w, "  %s %s   %s %s\n", p.c(ansi.Dim, "version"), shortVersion(r.Version), p.c(ansi.Dim, "started"), r.StartedAt.Format(time.RFC3339))
	if len(r.Steps) == 0 {
		fmt.Fprintf(p.w, "  %s\n", p.c(ansi.Dim, "no steps"))
	}
	width := 0
	for _, s := range r.Steps {
		width = max(width, len(s.Name))
	}
	steps := append([]runtime.StepRecord(nil), r.Steps...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Seq < steps[j].Seq })
	logs := append([]runtime.LogRecord(nil), r.Logs...)
	sort.SliceStable(logs, func(i, j int) bool { return logs[i].Seq < logs[j].Seq })
	// Steps and log lines in the order they were written (they share one
	// sequence): a step when it finished, a log line when it ran.
	for _, s := range steps {
		for len(logs) > 0 && logs[0].Seq < s.Seq {
			p.log(logs[0])
			logs = logs[1:]
		}
		p.step(s, width)
	}
	for _, l := range logs {
		p.log(l)
	}
	if out := string(r.Outputs); out != "{}" && out != "null" {
		fmt.Fprintf(p.w, "  %s %s\n", p.c(ansi.Bold, "outputs"), termSafe(compactJSON(r.Outputs)))
	}
	dur := ""
	if r.FinishedAt != nil {
		dur = " in " + roundDur(r.FinishedAt.Sub(r.StartedAt))
	}
	switch r.Status {
	case interp.StatusCompleted:
		fmt.Fprintf(p.w, "%s%s\n", p.c(ansi.Green, "completed"), dur)
	default:
		fmt.Fprintf(p.w, "%s%s\n", p.c(ansi.Red, r.Status), dur)
		if e := r.ParsedError(); e != nil {
			where := ""
			if e.Pos != "" {
				where = e.Pos + ": "
			}
			fmt.Fprintf(p.w, "  %s [%s]\n", termSafe(where+e.Message), termSafe(e.Kind))
			for _, s := range e.Stack {
				fmt.Fprintf(p.w, "    called from %s\n", termSafe(s))
			}
		}
	}
}

func (p *printer) step(s runtime.StepRecord, width int) {
	mark, col := "✓", ansi.Green
	switch s.Status {
	case interp.StepFailed:
		mark, col = "✗", ansi.Red
	case interp.StepContinued:
		mark, col = "!", ansi.Yellow
	case interp.StepDryRun:
		mark, col = "○", ansi.Yellow
	case interp.StepReplayed:
		mark, col = "↺", ansi.Cyan
	}
	dur := ""
	if s.FinishedAt != nil {
		dur = roundDur(s.FinishedAt.Sub(s.StartedAt))
	}
	extra := ""
	if s.Attempts > 1 {
		extra = fmt.Sprintf("  %d attempts", s.Attempts)
	}
	fmt.Fprintf(p.w, "  %s %-*s  %-9s %6s%s\n", p.c(col, mark), width, s.Name, s.Status, dur, extra)
	fmt.Fprintf(p.w, "      %s %s\n", p.c(ansi.Dim, "args"), termSafe(compactJSON(s.Args)))
	if string(s.Result) != "null" && len(s.Result) > 0 {
		fmt.Fprintf(p.w, "      %s %s\n", p.c(ansi.Dim, "result"), termSafe(compactJSON(s.Result)))
	}
	if s.Error != nil {
		fmt.Fprintf(p.w, "      %s %s\n", p.c(ansi.Red, "error"), termSafe(*s.Error))
	}
}

func (p *printer) log(l runtime.LogRecord) {
	fmt.Fprintf(p.w, "  %s %s  %s\n", p.c(ansi.Cyan, "log"), termSafe(l.Message), p.c(ansi.Dim, termSafe(l.Pos)))
}

func roundDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// compactJSON prints JSON on one line, shortened when long (--json prints
// it whole).
func compactJSON(b json.RawMessage) string {
	s := strings.TrimSpace(string(b))
	if len(s) > maxJSON {
		cut := maxJSON - 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = fmt.Sprintf("%s… (%d more bytes; --json shows all)", s[:cut], len(s)-cut)
	}
	return s
}

// maxJSON is the longest value a human-readable record shows.
const maxJSON = 300
