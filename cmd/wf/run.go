package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// RunCmd is `wf run FILE …`.
type RunCmd struct {
	File      string   `arg:"" optional:"" predictor:"wf-files" help:"The .wf file (or folder of .wf files) to load (not needed with --resume)."`
	Workflow  string   `predictor:"workflow" help:"The workflow to run (may be left out when the file has one, or when --event picks them)." placeholder:"NAME"`
	Event     string   `predictor:"json-files" help:"Start the run(s) with an event: a Persona webhook body, or {\"name\": …, \"payload\": {…}}. Every workflow whose on event matches runs." placeholder:"FILE.json"`
	EventName string   `help:"Start with an event of this name, its object read from --payload." placeholder:"NAME"`
	Payload   string   `predictor:"json-files" help:"The object of --event-name: a Persona JSON:API document or resource, or a plain object." placeholder:"FILE.json"`
	Input     []string `short:"i" sep:"none" help:"An input of an on api/manual/workflow trigger, as key=value (repeatable). Values that read as JSON are taken as JSON." placeholder:"KEY=VALUE"`
	InputFile string   `predictor:"json-files" help:"The inputs as a JSON object (or Persona's data.attributes.fields shape)." placeholder:"FILE.json"`
	DryRun    bool     `help:"Record every effect step with its arguments, perform none."`
	JSON      bool     `help:"Print the full run record as JSON (an array with --event)."`
	SkipWaits bool     `help:"End time waits (wait 2h) at once."`
	EventFile []string `sep:"none" predictor:"json-files" help:"An event that may answer a wait event (repeatable)." placeholder:"FILE.json"`
	Fixtures  []string `sep:"none" predictor:"json-files" help:"Load Lists and Persona objects from a fixtures file before running (repeatable)." placeholder:"FILE.json"`
	Now       string   `help:"Pin the run's start time, as RFC 3339 (for reproducible runs)." placeholder:"TIME"`
	Resume    string   `predictor:"run-id" help:"Continue a failed or interrupted run: the same run, with its recorded trigger, on its own version's source; finished steps are replayed, not performed again." placeholder:"RUN_ID"`

	EngineFlags `embed:""`
}

// Help explains the command in detail.
func (c *RunCmd) Help() string {
	return `Loads the file, checks it, and runs a workflow, recording the run and every step in the
store (.wf/wf.db by default; see --store). Examples:

  wf run examples/decline_blocked_ip.wf --event examples/events/inquiry_blocked_ip.json --fixtures examples/fixtures.json
  wf run examples/kyb_checks.wf -i business_name="Acme Corp" -i address="1 Main St" -i ein=12-3456789
  wf run flow.wf --workflow nightly --dry-run --json

Actions go to the local Persona backend by default (no account needed); --backend api uses
the real Persona API with PERSONA_API_KEY.

wf run waits for the runs they start in the background (workflow.start, emit), which are
recorded too (wf runs); one that does not complete is named on stderr.

Exit status: 0 when every run it reports, and every run they started, completed; 1 when
one failed (or could not record its outcome); 2 for usage errors or a script with errors.`
}

// Run runs the workflow(s).
func (c *RunCmd) Run(g *Globals) (err error) {
	if err := c.validate(); err != nil {
		return err
	}
	eng, err := openEngine(g, &c.EngineFlags, "run", nil)
	if err != nil {
		return fail(exitUsage, "wf run: %v", err)
	}
	defer closeEngine(eng, "wf run", &err)
	if c.Resume != "" {
		return c.resume(g, eng)
	}
	files, err := runtime.ExpandPaths([]string{c.File})
	if err != nil {
		return fail(exitUsage, "wf run: %v", err)
	}
	loaded, err := eng.Load(files)
	if err != nil {
		return fail(exitUsage, "wf run: %v", err)
	}
	if loaded.Diags.HasErrors() {
		(&termdiag.Renderer{Source: loaded.Source, Color: g.color(g.stderr)}).RenderAll(g.stderr, loaded.Diags)
		return fail(exitUsage, "\nwf run: %s has errors; nothing was run", c.File)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for _, fx := range c.Fixtures {
		if _, _, err := eng.LoadFixtures(ctx, fx); err != nil {
			return fail(exitUsage, "wf run: fixtures: %v", err)
		}
	}
	base, err := c.baseOptions()
	if err != nil {
		return err
	}
	if ev, err := c.event(); err != nil {
		return err
	} else if ev != nil {
		if c.Workflow != "" && !loaded.Program.HasWorkflow(c.Workflow) {
			_, err := c.pickWorkflow(loaded.Program)
			return err
		}
		routes, recs, err := eng.RunEvent(ctx, loaded, ev, c.Workflow, base)
		if err != nil {
			return fail(exitUsage, "wf run: %v", err)
		}
		filterFailed := c.reportRoutes(g, loaded, ev, routes)
		if err := c.report(g, eng, recs, true); err != nil {
			return err
		}
		if filterFailed {
			return &exitError{code: exitFailed}
		}
		return nil
	}
	name, err := c.pickWorkflow(loaded.Program)
	if err != nil {
		return err
	}
	if err := c.needsEvent(loaded.Program, name); err != nil {
		return err
	}
	opts := base
	opts.Workflow = name
	if opts.Inputs, err = c.inputs(loaded.Program, name); err != nil {
		return err
	}
	rec, err := eng.Run(ctx, loaded, opts)
	if err != nil {
		return fail(exitUsage, "wf run: %v", err)
	}
	return c.report(g, eng, []*runtime.Record{rec}, false)
}

// resume continues a run from the store: its trigger, inputs and source
// are the recorded ones.
func (c *RunCmd) resume(g *Globals, eng *runtime.Engine) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	base, err := c.baseOptions()
	if err != nil {
		return err
	}
	if c.File != "" {
		c.noteVersion(ctx, g, eng)
	}
	rec, err := eng.Run(ctx, nil, base)
	if err != nil {
		return fail(exitUsage, "wf run: --resume %s: %v", c.Resume, err)
	}
	return c.report(g, eng, []*runtime.Record{rec}, false)
}

// noteVersion tells when the file given with --resume is not the version
// the run continues on.
func (c *RunCmd) noteVersion(ctx context.Context, g *Globals, eng *runtime.Engine) {
	prev, err := eng.Store.GetRun(ctx, c.Resume)
	if err != nil {
		return
	}
	files, err := runtime.ExpandPaths([]string{c.File})
	if err != nil {
		return
	}
	l, err := eng.Load(files)
	if err != nil || l.Program == nil || l.Program.Version == prev.Version {
		return
	}
	fmt.Fprintf(g.stderr, "note: %s has changed since run %s started; the run continues on its own version %.12s\n",
		c.File, prev.ID, prev.Version)
}

func (c *RunCmd) validate() error {
	if c.Resume != "" {
		if c.Event != "" || c.EventName != "" || c.Payload != "" || len(c.Input) > 0 || c.InputFile != "" || c.Workflow != "" || len(c.Fixtures) > 0 {
			return fail(exitUsage, "wf run: --resume continues the run with its recorded trigger; drop --event, --input, --workflow and --fixtures")
		}
		return nil
	}
	if c.File == "" {
		return fail(exitUsage, "wf run: name the .wf file (or folder) to run, or --resume RUN_ID")
	}
	sources := 0
	if c.Event != "" {
		sources++
	}
	if c.EventName != "" || c.Payload != "" {
		if c.EventName == "" || c.Payload == "" {
			return fail(exitUsage, "wf run: --event-name and --payload go together")
		}
		sources++
	}
	if len(c.Input) > 0 || c.InputFile != "" {
		sources++
	}
	if sources > 1 {
		return fail(exitUsage, "wf run: give one of --event, --event-name with --payload, or inputs (--input/--input-file)")
	}
	return nil
}

func (c *RunCmd) baseOptions() (runtime.RunOptions, error) {
	opts := runtime.RunOptions{DryRun: c.DryRun, SkipWaits: c.SkipWaits, Resume: c.Resume}
	if c.Now != "" {
		t, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			return opts, fail(exitUsage, "wf run: --now %q is not an RFC 3339 time (such as 2026-11-25T10:00:00Z)", c.Now)
		}
		opts.Start = t.UTC()
	}
	for _, f := range c.EventFile {
		ev, err := readEvent(f)
		if err != nil {
			return opts, err
		}
		opts.WaitEvents = append(opts.WaitEvents, ev)
	}
	return opts, nil
}

func readEvent(path string) (*runtime.Event, error) {
	data, err := readfile.Read(path, interp.MaxJSONInput)
	if err != nil {
		return nil, fail(exitUsage, "wf run: %v", err)
	}
	ev, err := runtime.DecodeEvent(data)
	if err != nil {
		return nil, fail(exitUsage, "wf run: %s: %v", path, err)
	}
	return ev, nil
}

// event reads the triggering event, if one was given.
func (c *RunCmd) event() (*runtime.Event, error) {
	switch {
	case c.Event != "":
		return readEvent(c.Event)
	case c.EventName != "":
		data, err := readfile.Read(c.Payload, interp.MaxJSONInput)
		if err != nil {
			return nil, fail(exitUsage, "wf run: %v", err)
		}
		v, err := interp.ParseJSON(data)
		if err != nil {
			return nil, fail(exitUsage, "wf run: %s: %v", c.Payload, err)
		}
		obj, err := runtime.DecodePayload(v)
		if err != nil {
			return nil, fail(exitUsage, "wf run: %s: %v", c.Payload, err)
		}
		return &runtime.Event{Name: c.EventName, ID: "evt_local", Object: obj}, nil
	}
	return nil, nil
}

// reportRoutes tells on stderr which workflows the event did not start: a
// where filter that failed (it never starts its workflow) is shown as an
// error at the filter's position. It reports whether any filter failed.
func (c *RunCmd) reportRoutes(g *Globals, loaded *runtime.Loaded, ev *runtime.Event, routes []runtime.Route) bool {
	failed, started := false, 0
	r := &termdiag.Renderer{Source: loaded.Source, Color: g.color(g.stderr)}
	for _, rt := range routes {
		switch {
		case rt.FilterErr != nil:
			failed = true
			d := rt.FilterErr.Diagnostic()
			d.Message = termSafe(fmt.Sprintf("the where filter of %s failed, so it did not start: %s", rt.Workflow, d.Message))
			d.Hints = []string{"event " + termSafe(ev.ID) + " is recorded with this error; the workflow did not run"}
			if rt.FilterErr.Kind == interp.KindNull {
				d.Hints = append(d.Hints, "write ?. or ?? in the filter to treat a missing field as no match")
			}
			r.RenderAll(g.stderr, lang.Diagnostics{d})
		case rt.Start:
			started++
		}
	}
	if started == 0 && !failed {
		fmt.Fprintf(g.stderr, "no workflow in %s starts on %s\n", c.File, termSafe(ev.Name))
	}
	return failed
}

func (c *RunCmd) pickWorkflow(p *interp.Program) (string, error) {
	names := p.Workflows()
	if c.Workflow != "" {
		if !p.HasWorkflow(c.Workflow) {
			msg := fmt.Sprintf("wf run: %s has no workflow %s", c.File, c.Workflow)
			if s := lang.Suggest(c.Workflow, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			} else {
				msg += fmt.Sprintf(" (it has: %s)", strings.Join(names, ", "))
			}
			return "", fail(exitUsage, "%s", msg)
		}
		return c.Workflow, nil
	}
	if len(names) == 1 {
		return names[0], nil
	}
	return "", fail(exitUsage, "wf run: %s has %d workflows (%s): choose one with --workflow", c.File, len(names), strings.Join(names, ", "))
}

// needsEvent refuses to start, without an event, a workflow that only
// events start: it would fail at once and leave a failed run behind.
func (c *RunCmd) needsEvent(p *interp.Program, name string) error {
	kinds := p.TriggerKinds(name)
	if !kinds["event"] || len(kinds) > 1 {
		return nil
	}
	patterns := p.EventPatterns(name)
	example := "inquiry.completed"
	if len(patterns) > 0 && !strings.ContainsAny(patterns[0], "*?[") {
		example = patterns[0]
	}
	return fail(exitUsage, "wf run: workflow %s starts on events (on event %s): give one with --event FILE.json, or --event-name %s --payload FILE.json",
		name, quoteAll(patterns), example)
}

// quoteAll writes names as WF strings, joined with "or".
func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, " or ")
}

func (c *RunCmd) inputs(p *interp.Program, name string) (*interp.Map, error) {
	if c.InputFile != "" {
		data, err := readfile.Read(c.InputFile, interp.MaxJSONInput)
		if err != nil {
			return nil, fail(exitUsage, "wf run: %v", err)
		}
		m, err := runtime.APIInputs(data)
		if err != nil {
			return nil, fail(exitUsage, "wf run: %s: %v", c.InputFile, err)
		}
		return m, nil
	}
	m, err := runtime.ParseInputs(c.Input, p.Params(name))
	if err != nil {
		return nil, fail(exitUsage, "wf run: %v", err)
	}
	if _, err := p.BindInputs(name, m); err != nil {
		return nil, fail(exitUsage, "wf run: %s: %v", name, err)
	}
	return m, nil
}

// report prints the runs, waits for those they started in the background
// (workflow.start, emit) and sets the exit status: a run that did not
// complete fails the command, whether it is one reported or one started in
// the background (said on stderr).
func (c *RunCmd) report(g *Globals, eng *runtime.Engine, recs []*runtime.Record, array bool) error {
	if c.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		var err error
		if array {
			if recs == nil {
				recs = []*runtime.Record{}
			}
			err = enc.Encode(recs)
		} else {
			err = enc.Encode(recs[0])
		}
		if err != nil {
			return err
		}
	} else {
		p := newPrinter(g.stdout, g.color(g.stdout))
		for i, r := range recs {
			if i > 0 {
				fmt.Fprintln(g.stdout)
			}
			p.run(r)
		}
	}
	failed := false
	for _, r := range recs {
		failed = failed || r.Status != interp.StatusCompleted
	}
	for _, r := range eng.WaitBackground() {
		if r.Status == interp.StatusCompleted {
			continue
		}
		failed = true
		fmt.Fprintf(g.stderr, "wf run: %s\n", r.BackgroundOutcome())
	}
	if failed {
		return &exitError{code: exitFailed}
	}
	return nil
}
