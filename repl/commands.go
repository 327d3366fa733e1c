package repl

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// command is one :command.
type command struct {
	name, args, help string
	run              func(r *REPL, ctx context.Context, path, arg string) bool
}

// commands lists the :commands in the order :help shows them.
func commands() []command {
	return []command{
		{"help", "", "this text", (*REPL).cmdHelp},
		{"load", "FILE|DIR", "load the declarations of .wf files (again: reload them)", (*REPL).cmdLoad},
		{"event", "FILE.json", "bind trigger and event from a Persona webhook payload, as wf run --event does", (*REPL).cmdEvent},
		{"fire", "WORKFLOW [{inputs}]", "run a workflow through the engine, recorded like wf run, and show its steps", (*REPL).cmdFire},
		{"doc", "NAME", "a function's signature, doc and example; a module's functions; a declaration", (*REPL).cmdDoc},
		{"type", "EXPR", "the static type of an expression (and its kind here when that is open)", (*REPL).cmdType},
		{"runs", "[N]", "the N most recent runs in the store (10)", (*REPL).cmdRuns},
		{"reset", "", "forget every name, declaration and the bound event", (*REPL).cmdReset},
		{"quit", "", "leave the REPL (also Ctrl-D)", (*REPL).cmdQuit},
	}
}

// canonical returns the command an alias stands for (:q, :exit, :h, :?).
func canonical(name string) string {
	switch name {
	case "q", "exit":
		return "quit"
	case "h", "?":
		return "help"
	}
	return name
}

// command runs a :command line.
func (r *REPL) command(ctx context.Context, path, line string) bool {
	name, arg, _ := strings.Cut(strings.TrimPrefix(line, ":"), " ")
	arg = strings.TrimSpace(arg)
	name = canonical(name)
	var names []string
	for _, c := range commands() {
		if c.name == name {
			return c.run(r, ctx, path, arg)
		}
		names = append(names, c.name)
	}
	msg := fmt.Sprintf("unknown command :%s", name)
	if s := lang.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean :%s?)", s)
	}
	return r.fail("%s; :help lists the commands", msg)
}

// fail prints an error line and returns false.
func (r *REPL) fail(format string, args ...any) bool {
	fmt.Fprintf(r.errw, "%s %s\n", r.pr.paint(ansi.Red+ansi.Bold, "error:"), r.pr.Redact(fmt.Sprintf(format, args...)))
	return false
}

func (r *REPL) cmdHelp(_ context.Context, _, _ string) bool {
	fmt.Fprintln(r.out, `Type an expression to see its value; a statement (let, when, for, run, log…) or a
declaration (const, fn, js fn, workflow) to add to the session. Input goes on while a
bracket, brace or """ string is open or the line ends in an operator (a blank line ends
it). TAB completes names, fields, functions and parameters.`)
	fmt.Fprintln(r.out)
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  :%s %s\t%s\n", c.name, c.args, c.help)
	}
	tw.Flush()
	return true
}

func (r *REPL) cmdQuit(context.Context, string, string) bool {
	r.quit = true
	return true
}

func (r *REPL) cmdReset(context.Context, string, string) bool {
	r.sess.Reset()
	fmt.Fprintln(r.out, "session reset")
	return true
}

func (r *REPL) cmdLoad(_ context.Context, _, arg string) bool {
	if arg == "" {
		return r.fail(":load needs a file or folder, such as :load examples/decline_blocked_ip.wf")
	}
	paths, err := runtime.ExpandPaths([]string{arg})
	if err != nil {
		return r.fail(":load: %v", err)
	}
	if len(paths) == 0 {
		return r.fail(":load: %s holds no .wf file", arg)
	}
	var files []*lang.File
	var diags lang.Diagnostics
	for _, p := range paths {
		src, err := readFile(p, lang.MaxFileSize)
		if err != nil {
			return r.fail(":load: %v", err)
		}
		f, pd := lang.Parse(p, src)
		r.sess.sources[p] = src
		files = append(files, f)
		diags = append(diags, pd...)
	}
	if !diags.HasErrors() {
		diags = append(diags, r.sess.Load(files)...)
	}
	r.renderDiags(diags)
	if diags.HasErrors() {
		return r.fail(":load: %s has errors; nothing was loaded", arg)
	}
	for _, f := range files {
		fmt.Fprintf(r.out, "loaded %s: %s\n", f.Path, describeDecls(f.Decls))
	}
	return true
}

// describeDecls lists declarations as "workflow a, fn b".
func describeDecls(ds []lang.Decl) string {
	var parts []string
	for _, d := range ds {
		if id := d.DeclName(); id != nil {
			parts = append(parts, declKind(d)+" "+id.Name)
		}
	}
	if len(parts) == 0 {
		return "no declarations"
	}
	return strings.Join(parts, ", ")
}

func declKind(d lang.Decl) string {
	switch d.(type) {
	case *lang.WorkflowDecl:
		return "workflow"
	case *lang.FnDecl:
		return "fn"
	case *lang.JsFnDecl:
		return "js fn"
	}
	return "const"
}

func readFile(path string, limit int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Size() > limit {
		return nil, fmt.Errorf("%s is too large: %d bytes (the limit is %d)", path, info.Size(), limit)
	}
	return os.ReadFile(path)
}

// maxEvent caps the size of an event file.
const maxEvent = 16 << 20

func (r *REPL) cmdEvent(ctx context.Context, _, arg string) bool {
	if arg == "" {
		if ev := r.sess.Event(); ev != nil {
			fmt.Fprintf(r.out, "event %s is bound\n", ev.Name)
			return true
		}
		return r.fail(":event needs a JSON file, such as :event examples/events/inquiry_minor.json")
	}
	body, err := readFile(arg, maxEvent)
	if err != nil {
		return r.fail(":event: %v", err)
	}
	ev, err := runtime.DecodeEvent(body)
	if err != nil {
		return r.fail(":event: %s: %v", arg, err)
	}
	if err := r.sess.BindEvent(ctx, ev); err != nil {
		return r.fail(":event: %s: %v", arg, err)
	}
	what := "null"
	if ev.Object != nil {
		typ, _ := ev.Object.Get("type")
		id, _ := ev.Object.Get("id")
		what = strings.TrimSpace(interp.ToString(typ) + " " + interp.ToString(id))
	}
	fmt.Fprintf(r.out, "event %s bound: trigger is %s\n", ev.Name, what)
	r.printStarts()
	return true
}

// printStarts says which of the session's workflows the bound event starts.
func (r *REPL) printStarts() {
	names := r.sess.EventWorkflows()
	if len(names) == 0 {
		return
	}
	var parts []string
	for _, n := range names {
		ok, err := r.sess.Starts(n)
		switch {
		case err != nil:
			parts = append(parts, fmt.Sprintf("%s (its where clause failed: %v)", n, err))
		case ok:
			parts = append(parts, n+" (starts)")
		default:
			parts = append(parts, n+" (its where clause is false)")
		}
	}
	fmt.Fprintf(r.out, "workflows on %s: %s\n", r.sess.Event().Name, r.pr.Redact(strings.Join(parts, ", ")))
}

func (r *REPL) cmdFire(ctx context.Context, path, arg string) bool {
	name, rest, _ := strings.Cut(arg, " ")
	if name == "" {
		return r.fail(":fire needs a workflow name, such as :fire decline_blocked_ip")
	}
	var inputs *interp.Map
	if rest = strings.TrimSpace(rest); rest != "" {
		var out *Outcome
		inputs, out = r.sess.Inputs(ctx, path, rest)
		if inputs == nil {
			r.printOutcome(path, out)
			return false
		}
	}
	if ev := r.sess.Event(); ev != nil && inputs == nil && r.sess.hasEventTrigger(name) {
		if ok, err := r.sess.Starts(name); err == nil && !ok {
			fmt.Fprintf(r.out, "note: %s does not start on this %s event; firing it anyway\n", name, ev.Name)
		}
	}
	rec, err := r.sess.Fire(ctx, name, inputs)
	if err != nil {
		return r.fail(":fire: %v", err)
	}
	if r.cfg.PrintRun != nil {
		r.cfg.PrintRun(r.out, rec)
	} else {
		r.printRecord(rec)
	}
	ok := rec.Status == interp.StatusCompleted
	for _, b := range r.sess.Background() {
		if b.Status == interp.StatusCompleted {
			continue
		}
		ok = false
		fmt.Fprintf(r.out, "note: %s\n", b.BackgroundOutcome())
	}
	return ok
}

func (r *REPL) cmdType(ctx context.Context, path, arg string) bool {
	if arg == "" {
		return r.fail(":type needs an expression, such as :type trigger.fields")
	}
	t, v, known, diags := r.sess.TypeOf(ctx, path, arg)
	r.renderDiags(diags)
	if diags.HasErrors() {
		return false
	}
	if known {
		fmt.Fprintf(r.out, "%s (%s here)\n", t, interp.TypeName(v))
	} else {
		fmt.Fprintln(r.out, t)
	}
	return true
}

// renderDiags prints diagnostics as wf check does.
func (r *REPL) renderDiags(ds lang.Diagnostics) {
	if len(ds) > 0 {
		r.diag.RenderAll(r.errw, ds)
	}
}

// printOutcome prints an entry's diagnostics, steps and logs, values,
// outputs and error.
func (r *REPL) printOutcome(path string, out *Outcome) {
	r.renderDiags(out.Diags)
	for _, ev := range out.Trace {
		switch {
		case ev.Step != nil:
			r.printStep(ev.Step)
		case ev.Log != nil:
			fmt.Fprintf(r.out, "%s %s\n", r.pr.paint(ansi.Cyan, "log"), r.pr.Redact(ev.Log.Message))
		}
	}
	for _, v := range out.Values {
		if !v.Quiet() {
			fmt.Fprintln(r.out, r.pr.Format(v.Value))
		}
	}
	if out.Outputs != nil && out.Outputs.Len() > 0 {
		fmt.Fprintf(r.out, "%s %s\n", r.pr.paint(ansi.Bold, "output"), r.pr.Format(out.Outputs))
	}
	if out.Err != nil {
		d := out.Err.Diagnostic()
		d.Message = r.pr.Redact(d.Message)
		if d.File == "" {
			d.File = path // a limit or a cancel has no position: name the entry
		}
		switch out.Err.Kind {
		case interp.KindCancel:
			d.Hints = append(d.Hints, "the entry was stopped; the session goes on")
		case interp.KindLimit:
			d.Hints = append(d.Hints, "the entry reached one of the engine's limits; the session goes on")
		}
		r.diag.Render(r.errw, d)
	}
}

func stepMark(status string) string {
	switch status {
	case interp.StepFailed:
		return "✗"
	case interp.StepContinued:
		return "!"
	case interp.StepDryRun:
		return "○"
	case interp.StepReplayed:
		return "↺"
	}
	return "✓"
}

// printStep prints one step of an entry: its mark, action and status, the
// arguments of a step not performed, and the error of a failed one.
func (r *REPL) printStep(s *interp.StepRecord) {
	col := ansi.Green
	switch s.Status {
	case interp.StepFailed:
		col = ansi.Red
	case interp.StepContinued, interp.StepDryRun:
		col = ansi.Yellow
	}
	line := fmt.Sprintf("%s %s  %s", r.pr.paint(col, stepMark(s.Status)), s.Name, s.Status)
	if s.Status == interp.StepDryRun && s.Args != nil {
		line += "  " + (&Printer{Color: r.pr.Color, Width: 1 << 20, Secrets: r.pr.Secrets}).Format(s.Args)
	}
	fmt.Fprintln(r.out, line)
	if s.Err != "" && s.Status != interp.StepFailed {
		fmt.Fprintf(r.out, "  %s %s\n", r.pr.paint(ansi.Red, "error"), r.pr.Redact(s.Err))
	}
}
