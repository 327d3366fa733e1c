package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib"
)

// CheckCmd is `wf check PATH…`.
type CheckCmd struct {
	Format string   `help:"Output format: text, json, github (GitHub Actions annotations) or sarif (SARIF 2.1.0, for code scanning)." enum:"text,json,github,sarif" default:"text"`
	Fix    bool     `help:"Apply the fixes of the diagnostics that have exactly one (did you mean…?, add run, rename an unused name), then check again."`
	Paths  []string `arg:"" sep:"none" predictor:"wf-files" help:"Files or folders (folders are searched for .wf files)."`
}

// Help explains the command in detail.
func (c *CheckCmd) Help() string {
	return `Parses and checks every file: syntax, names (with did-you-mean), calls against the
standard library (arity, named arguments, types), effects (actions must be called with
run), parallel branches, cron expressions, time zones, durations, regular expressions and
Persona event names. All files are checked together, so one file may use another's fn.

In text, each diagnostic names its severity (file:3:5: warning: …). --format github
prints GitHub Actions annotations, --format sarif a SARIF log; --format json the
diagnostics with their fixes. --fix applies every fix that is the only one offered,
rewrites the files and reports what is left.

Exit status: 0 when there are no errors (warnings are allowed), 1 when there are errors,
2 on usage errors (such as a missing file).`
}

// maxFixRounds bounds --fix: a fix may uncover another (add run, then the
// unused name it binds), so the files are checked again after each round.
const maxFixRounds = 5

// Run checks the files.
func (c *CheckCmd) Run(g *Globals) error {
	files, err := runtime.ExpandPathsWithTests(c.Paths)
	if err == nil {
		files, err = runtime.AddWorkflowFiles(files)
	}
	if err != nil {
		return fail(exitUsage, "wf check: %v", err)
	}
	if len(files) == 0 {
		return fail(exitUsage, "wf check: no .wf files found in %v", c.Paths)
	}
	load := func() (*runtime.Loaded, error) {
		loaded, err := runtime.LoadFiles(files, stdlib.Default(), interp.Options{JS: jsEngine()})
		if err != nil {
			return nil, fail(exitUsage, "wf check: %v", err)
		}
		return loaded, nil
	}
	loaded, err := load()
	if err != nil {
		return err
	}
	fixed := 0
	for round := 0; c.Fix && round < maxFixRounds; round++ {
		n, err := c.applyFixes(g, loaded)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		fixed += n
		if loaded, err = load(); err != nil {
			return err
		}
	}
	switch c.Format {
	case "json":
		err = lang.WriteJSON(g.stdout, loaded.Diags)
	case "github":
		writeGitHub(g.stdout, loaded.Diags)
	case "sarif":
		err = writeSARIF(g.stdout, loaded.Diags)
	default:
		r := &termdiag.Renderer{Source: loaded.Source, Color: g.color(g.stdout)}
		r.RenderAll(g.stdout, loaded.Diags)
		errs, warns := loaded.Diags.Count()
		if len(loaded.Diags) > 0 {
			fmt.Fprintln(g.stdout)
		}
		summary := fmt.Sprintf("%d %s checked: %s, %s", len(files), plural(len(files), "file"),
			countWord(errs, "error"), countWord(warns, "warning"))
		if c.Fix {
			summary += fmt.Sprintf(" (%s applied)", countWord(fixed, "fix"))
		}
		fmt.Fprintln(g.stdout, summary)
	}
	if err != nil {
		return err
	}
	if loaded.Diags.HasErrors() {
		return &exitError{code: exitFailed}
	}
	return nil
}

// applyFixes rewrites each file with the fixes of its diagnostics that
// offer exactly one, skipping a fix that overlaps one already taken, and
// returns how many it applied. Each is reported on standard error. Errors
// are fixed first: a warning may be an error's echo (a name unused only
// because its use is misspelt), so warnings wait for a round without
// fixable errors.
func (c *CheckCmd) applyFixes(g *Globals, loaded *runtime.Loaded) (int, error) {
	fixable := func(d *lang.Diagnostic) bool { return len(d.Fixes) == 1 && loaded.Sources[d.File] != nil }
	severity := lang.Warning
	for _, d := range loaded.Diags {
		if fixable(d) && d.Severity == lang.Error {
			severity = lang.Error
		}
	}
	byFile := map[string][]*lang.Diagnostic{}
	for _, d := range loaded.Diags {
		if fixable(d) && d.Severity <= severity {
			byFile[d.File] = append(byFile[d.File], d)
		}
	}
	paths := make([]string, 0, len(byFile))
	for p := range byFile {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	applied := 0
	for _, path := range paths {
		ds := byFile[path]
		// From the end of the file, so earlier offsets stay right.
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].Fixes[0].Span.Start.Offset > ds[j].Fixes[0].Span.Start.Offset })
		src := string(loaded.Sources[path])
		limit := len(src)
		for _, d := range ds {
			fx := d.Fixes[0]
			if fx.Span.End.Offset > limit || fx.Span.Start.Offset > fx.Span.End.Offset {
				continue // overlaps a later fix: the next round sees it again
			}
			src = src[:fx.Span.Start.Offset] + fx.NewText + src[fx.Span.End.Offset:]
			limit = fx.Span.Start.Offset
			applied++
			fmt.Fprintf(g.stderr, "fixed %s:%d:%d: %s (%s)\n", path, d.Span.Start.Line, d.Span.Start.Col, fx.Title, d.Message)
		}
		info, err := os.Stat(path)
		if err != nil {
			return applied, fail(exitFailed, "wf check: %v", err)
		}
		if err := os.WriteFile(path, []byte(src), info.Mode().Perm()); err != nil {
			return applied, fail(exitFailed, "wf check: %v", err)
		}
	}
	return applied, nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	if w == "fix" {
		return "fixes"
	}
	return w + "s"
}

func countWord(n int, w string) string {
	if n == 0 {
		return "no " + plural(2, w)
	}
	return fmt.Sprintf("%d %s", n, plural(n, w))
}
