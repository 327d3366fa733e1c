package wftest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	wfrt "github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/lists"
)

// Backtesting: what would a new version of a workflow have decided on the
// runs it already made? Each recorded run matching a filter is replayed on
// the new version in a sandbox: its recorded trigger (its event through the
// new where clause, its inputs bound by the new parameters), its original
// clock and seed, and every step answered from what the old run recorded
// (see replayHost). Its outcome (the steps it would take, and how it would
// end) is compared with the recorded one. Runs are read a page at a time
// and nothing of a run is kept after it is compared, so memory does not
// grow with the number of runs.

// BacktestOptions say which runs to replay and where results go.
type BacktestOptions struct {
	// Filter selects runs (Workflow, Status, TriggerID, Since, Before);
	// its Limit and After are managed by the backtest.
	Filter store.RunFilter
	// Limit is the most runs to replay, newest first (0: all); skipped runs
	// do not count.
	Limit int
	// Env is the library environment of the replays: the Lists that x in
	// list(…) reads, secrets, the JavaScript engine. Steps never reach it.
	Env any
	// Changed receives each run whose outcome changed, as it is found.
	Changed func(*ChangedRun)
	// Progress is called after each run (replayed or skipped).
	Progress func(seen, changed int)
}

// ChangedRun is a run the new version would have decided differently.
type ChangedRun struct {
	ID        string
	Workflow  string
	TriggerID string
	StartedAt time.Time
	Old, New  *Outcome
	// Diverged is where the outcomes first differ.
	Diverged *Divergence
}

// Outcome is what a run did, or would do: how it ended and its steps.
type Outcome struct {
	Status string
	Error  string
	Steps  []Step
}

// Step is one step of an outcome, shown as a call.
type Step struct {
	Name string
	Line string // name(arg: value, …), with " failed: …" when it failed
	args string // canonical JSON of the arguments, for comparison
	File string
	Pos  lang.Pos
}

// Divergence is the first place two outcomes differ: a step (Index, from
// 0) or, when every step is the same, how the runs ended (Index -1).
type Divergence struct {
	Index    int
	Old, New string
	File     string
	Pos      lang.Pos
}

// BacktestResult counts what a backtest found.
type BacktestResult struct {
	Replayed, Changed int
	// Skipped counts the runs not replayed, by reason.
	Skipped map[string]int
	// Transitions counts the changed runs by old and new outcome label.
	Transitions map[[2]string]int
	// Routes are the new version's routes with the runs that took each.
	Routes  []interp.Route
	Runs    []int
	RouteCh []int // of which changed
	Loaded  *wfrt.Loaded
}

// Backtest replays the runs of st that opts selects on the new version l.
func Backtest(ctx context.Context, st store.Store, l *wfrt.Loaded, opts BacktestOptions) (*BacktestResult, error) {
	prog := l.Program
	res := &BacktestResult{Skipped: map[string]int{}, Transitions: map[[2]string]int{}, Loaded: l,
		Routes: prog.Routes(), Runs: make([]int, len(prog.Routes())), RouteCh: make([]int, len(prog.Routes()))}
	f := opts.Filter
	f.Limit = store.MaxRunLimit
	seen := 0
	for {
		page, err := st.ListRuns(ctx, f)
		if err != nil {
			return res, err
		}
		for i := range page {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			if opts.Limit > 0 && res.Replayed >= opts.Limit {
				return res, nil
			}
			if err := res.one(ctx, st, prog, &page[i], opts); err != nil {
				return res, err
			}
			seen++
			if opts.Progress != nil {
				opts.Progress(seen, res.Changed)
			}
		}
		if len(page) < f.Limit {
			return res, nil
		}
		last := page[len(page)-1]
		f.After = &store.Cursor{StartedAt: last.StartedAt, ID: last.ID}
	}
}

// skipReason says why a run is not replayed, or "".
func skipReason(prog *interp.Program, row *store.Run) string {
	switch {
	case row.DryRun:
		return "dry runs"
	case row.Status == store.StatusCancelled:
		return "cancelled"
	case !store.Ended(row.Status):
		return "not finished"
	case !prog.HasWorkflow(row.Workflow):
		return "of a workflow the new version does not have"
	}
	return ""
}

// one replays one run and compares it.
func (res *BacktestResult) one(ctx context.Context, st store.Store, prog *interp.Program, row *store.Run, opts BacktestOptions) error {
	if why := skipReason(prog, row); why != "" {
		res.Skipped[why]++
		return nil
	}
	full, err := st.GetRun(ctx, row.ID)
	if err != nil {
		return fmt.Errorf("run %s: %w", row.ID, err)
	}
	old := recordedOutcome(full)
	cov := prog.NewCoverage()
	now := replay(ctx, prog, full, opts.Env, cov)
	res.Replayed++
	div := diverge(old, now)
	if div != nil {
		res.Changed++
		from, to := old.Label(), now.Label()
		if from == to {
			to += " (other arguments)"
		}
		res.Transitions[[2]string{from, to}]++
		if opts.Changed != nil {
			opts.Changed(&ChangedRun{ID: full.ID, Workflow: full.Workflow, TriggerID: full.TriggerID, StartedAt: full.StartedAt,
				Old: old, New: now, Diverged: div})
		}
	}
	for i := range res.Routes {
		if cov.Hits(i) > 0 {
			res.Runs[i]++
			if div != nil {
				res.RouteCh[i]++
			}
		}
	}
	return nil
}

// Statuses of a replay that did not run.
const (
	statusCannotStart = "cannot start"
)

// replay runs a recorded run on prog and returns its outcome.
func replay(ctx context.Context, prog *interp.Program, run *store.Run, env any, cov *interp.Coverage) *Outcome {
	trigger, ev, err := wfrt.RecordedTrigger(prog, run)
	if err != nil {
		return &Outcome{Status: statusCannotStart, Error: err.Error()}
	}
	if ev != nil {
		name, _ := ev.Get("name")
		ok, err := prog.Matches(run.Workflow, interp.ToString(name), trigger, ev)
		if err != nil || !ok {
			out := &Outcome{Status: StatusNotStarted}
			if err != nil {
				out.Error = errText(err)
			}
			return out
		}
	}
	clock := interp.NewFakeClock(run.ClockStart)
	h := newReplayHost(run, clock)
	r := prog.Run(ctx, interp.RunRequest{Workflow: run.Workflow, Trigger: trigger, Event: ev, Host: h, Clock: clock,
		Env: env, RunID: run.ID, Seed: uint64(run.Seed), Start: run.ClockStart, Coverage: cov})
	out := &Outcome{Status: r.Status}
	if r.Err != nil {
		out.Error = r.Err.Msg
	}
	for _, s := range h.ordered() {
		out.Steps = append(out.Steps, Step{Name: s.Name, Line: stepLine(s), args: valueJSON(s.Args), File: s.File, Pos: s.Pos})
	}
	return out
}

// recordedOutcome is what a recorded run did: its action steps in the
// text's order and how it ended.
func recordedOutcome(run *store.Run) *Outcome {
	out := &Outcome{Status: run.Status}
	if len(run.Error) > 0 {
		var e wfrt.ErrorRecord
		if json.Unmarshal(run.Error, &e) == nil {
			out.Error = e.Message
		}
	}
	h := newReplayHost(run, nil)
	for _, r := range h.steps {
		rec := &StepRecord{Name: r.name, Status: r.status, Error: r.err}
		if r.args != "" {
			v, _ := interp.ParseJSON(r.rawArgs)
			rec.Args, _ = v.(*interp.Map)
		}
		out.Steps = append(out.Steps, Step{Name: r.name, Line: stepLine(rec), args: r.args})
	}
	return out
}

// diverge returns where two outcomes first differ, or nil when they are
// the same decision: the same steps with the same arguments, ending the
// same way.
func diverge(old, now *Outcome) *Divergence {
	for i := 0; i < max(len(old.Steps), len(now.Steps)); i++ {
		d := &Divergence{Index: i, Old: "(no step)", New: "(no step)"}
		if i < len(old.Steps) {
			d.Old = old.Steps[i].Line
		}
		if i < len(now.Steps) {
			d.New, d.File, d.Pos = now.Steps[i].Line, now.Steps[i].File, now.Steps[i].Pos
		}
		if i >= len(old.Steps) || i >= len(now.Steps) || old.Steps[i].Name != now.Steps[i].Name || old.Steps[i].args != now.Steps[i].args {
			return d
		}
	}
	if old.Status != now.Status {
		return &Divergence{Index: -1, Old: old.Status, New: now.Status}
	}
	return nil
}

// Label names an outcome for the table of changes: its actions in order
// ("nothing" when none; an action repeated n times in a row is "name ×n"),
// with how it ended when it did not complete.
func (o *Outcome) Label() string {
	var parts []string
	for i := 0; i < len(o.Steps); {
		j := i
		for j < len(o.Steps) && o.Steps[j].Name == o.Steps[i].Name {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%s ×%d", o.Steps[i].Name, j-i))
		} else {
			parts = append(parts, o.Steps[i].Name)
		}
		i = j
	}
	label := strings.Join(parts, ", ")
	if label == "" {
		label = "nothing"
	}
	if o.Status != StatusCompleted {
		return o.Status + ": " + label
	}
	return label
}

// ReplayEnv is the library environment of replays: the store's Lists (as
// they are now), the JavaScript engine, and secrets that read as their
// names (a replay performs nothing, so it needs no real secret).
func ReplayEnv(ls *lists.Service, engine *js.Engine) *stdlib.Env {
	return &stdlib.Env{ListService: ls, Secrets: testSecrets{}, JSEngine: engine}
}
