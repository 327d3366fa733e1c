package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/wftest"
)

// TestCmd is `wf test [PATH…]`.
type TestCmd struct {
	Paths        []string      `arg:"" optional:"" predictor:"wf-files" help:"Test files (*_test.wf) or folders holding them (default: the current folder)."`
	RunRE        string        `name:"run" help:"Run only the tests whose name (or name/row for a table test) matches this regular expression." placeholder:"REGEX"`
	JSON         bool          `help:"Print the results (and the coverage, with --coverage) as JSON."`
	Verbose      bool          `short:"v" help:"List the tests that pass too."`
	JUnit        string        `name:"junit" help:"Write the results as JUnit XML to this file, for CI systems." placeholder:"FILE.xml"`
	Coverage     bool          `help:"Report decision coverage: which when routes, else branches, no-route-matched cases, catch handlers, parallel branches and loop bodies the tests reached."`
	CoverageJSON string        `name:"coverage-json" help:"Where --coverage writes its JSON report." default:"wf-coverage.json" placeholder:"FILE.json"`
	CoverageHTML string        `name:"coverage-html" help:"Write the coverage as HTML pages (the source, routes coloured) into this folder." placeholder:"DIR"`
	MinCoverage  float64       `name:"min-coverage" help:"Fail when decision coverage is below this percentage (0 to 100)." placeholder:"N"`
	Parallel     int           `help:"How many tests run at once (default: the number of CPUs)." placeholder:"N"`
	Watch        bool          `help:"Run the tests again whenever a .wf or .json file under the paths changes (until interrupted)."`
	JSTimeout    time.Duration `name:"js-timeout" default:"${js_test_timeout}" help:"The time limit of each js fn call in a test (default: ${default}). A run's limit is 100ms, a wall-clock guard a busy machine can trip: tests keep a guard against a script that never ends, without failing because the machine was busy." placeholder:"D"`

	engine *js.Engine
}

// Help explains the command in detail.
func (c *TestCmd) Help() string {
	return `Runs the test declarations of *_test.wf files. A test names a workflow of the .wf files
beside it, what starts it and what its steps return, and what must happen:

  test "a minor is marked for review" {
    workflow review_minors
    event file "events/inquiry_minor.json"
    mock inquiry.mark_for_review returns {status: "needs_review"}
    mock slack.post
    expect run inquiry.mark_for_review(comment: "applicant is 16")
  }

Tests run in memory, in parallel, with no network, no store and no wall clock: steps are
answered by mocks (or by an in-memory local backend with "backend local"), waits end at
once on a fake clock. A failure shows its position and the expected and actual steps side
by side. See docs/testing.md.

--coverage reports, per file, the routes the tests reached and lists those they never did,
and writes a JSON report (--coverage-json); --coverage-html DIR renders the source with
its routes coloured; --min-coverage N fails below N percent.

Exit status: 0 when every test passed, 1 when one failed (or coverage is below
--min-coverage), 2 for usage errors or scripts with errors.`
}

// Run runs the tests, once or, with --watch, on every change.
func (c *TestCmd) Run(g *Globals) error {
	if c.MinCoverage < 0 || c.MinCoverage > 100 {
		return fail(exitUsage, "wf test: --min-coverage must be between 0 and 100, got %g", c.MinCoverage)
	}
	var filter *regexp.Regexp
	if c.RunRE != "" {
		re, err := regexp.Compile(c.RunRE)
		if err != nil {
			return fail(exitUsage, "wf test: --run: %v", err)
		}
		filter = re
	}
	if len(c.Paths) == 0 {
		c.Paths = []string{"."}
	}
	if c.Watch {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		return watch(ctx, g, c.Paths, func() {
			if err := c.once(ctx, g, filter); err != nil {
				if e, ok := err.(*exitError); ok && e.msg != "" {
					fmt.Fprintln(g.stderr, e.msg)
				}
			}
		})
	}
	return c.once(context.Background(), g, filter)
}

// once loads and runs the tests and reports them.
func (c *TestCmd) once(ctx context.Context, g *Globals, filter *regexp.Regexp) error {
	pkgs, err := wftest.Packages(c.Paths)
	if err != nil {
		return fail(exitUsage, "wf test: %v", err)
	}
	if len(pkgs) == 0 {
		fmt.Fprintf(g.stderr, "wf test: no test files (*%s) in %v\n", lang.TestSuffix, c.Paths)
		return nil
	}
	var suites []*wftest.Suite
	broken := false
	for _, p := range pkgs {
		s, err := wftest.Load(p, c.js())
		if err != nil {
			return fail(exitUsage, "wf test: %v", err)
		}
		if len(s.Loaded.Diags) > 0 {
			r := &termdiag.Renderer{Source: s.Loaded.Source, Color: g.color(g.stderr)}
			r.RenderAll(g.stderr, s.Loaded.Diags)
		}
		broken = broken || s.Loaded.Program == nil
		suites = append(suites, s)
	}
	if broken {
		return fail(exitUsage, "wf test: the scripts have errors; no test ran")
	}
	results := wftest.Run(ctx, suites, wftest.Options{Run: filter, Parallel: c.Parallel})
	var cov *wftest.CoverageReport
	if c.Coverage || c.CoverageHTML != "" || c.MinCoverage > 0 {
		cov = wftest.Coverage(suites)
	}
	if c.JSON {
		if err := wftest.NewJSONReport(results, cov).Write(g.stdout); err != nil {
			return err
		}
	} else {
		wftest.WriteText(g.stdout, results, c.Verbose)
		if c.Coverage && cov != nil {
			cov.WriteSummary(g.stdout)
		}
	}
	if err := c.writeFiles(results, cov); err != nil {
		return err
	}
	sum := wftest.Summarize(results)
	if !c.JSON {
		if sum.Failed > 0 {
			fmt.Fprintf(g.stdout, "FAIL: %d of %d %s failed\n", sum.Failed, sum.Tests, plural(sum.Tests, "test"))
		} else {
			fmt.Fprintf(g.stdout, "PASS: %d %s\n", sum.Tests, plural(sum.Tests, "test"))
		}
	}
	if sum.Tests == 0 && filter != nil {
		fmt.Fprintf(g.stderr, "wf test: no test matches --run %q\n", c.RunRE)
	}
	switch {
	case sum.Failed > 0:
		return &exitError{code: exitFailed}
	case cov != nil && c.MinCoverage > 0 && cov.Percent < c.MinCoverage:
		return fail(exitFailed, "wf test: decision coverage %.1f%% is below --min-coverage %g", cov.Percent, c.MinCoverage)
	}
	return nil
}

// writeFiles writes the JUnit, coverage JSON and coverage HTML files asked for.
func (c *TestCmd) writeFiles(results []*wftest.Result, cov *wftest.CoverageReport) error {
	if c.JUnit != "" {
		f, err := os.Create(c.JUnit)
		if err != nil {
			return fail(exitUsage, "wf test: --junit: %v", err)
		}
		err = wftest.WriteJUnit(f, results)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(exitUsage, "wf test: --junit: %v", err)
		}
	}
	if cov == nil {
		return nil
	}
	if c.Coverage {
		if err := cov.WriteJSON(c.CoverageJSON); err != nil {
			return fail(exitUsage, "wf test: --coverage-json: %v", err)
		}
	}
	if c.CoverageHTML != "" {
		if err := cov.WriteHTML(c.CoverageHTML); err != nil {
			return fail(exitUsage, "wf test: --coverage-html: %v", err)
		}
	}
	return nil
}

// js returns the JavaScript engine the tests share, with the tests' time
// limit.
func (c *TestCmd) js() *js.Engine {
	if c.engine == nil {
		c.engine = js.NewEngine()
		c.engine.Timeout = c.JSTimeout
	}
	return c.engine
}
