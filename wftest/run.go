package wftest

import (
	"context"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Epoch is a test's now when it sets none and its event has no time.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// The final statuses a test sees: the run's, or NotStarted when its event
// does not start the workflow (its name or where clause does not match).
const (
	StatusCompleted  = interp.StatusCompleted
	StatusFailed     = interp.StatusFailed
	StatusNotStarted = "not started"
)

// Result is how one test, or one row of a table test, went.
type Result struct {
	File string
	Line int
	// Test is the test's name; Row its row (1-based, 0 for a test without
	// cases) and RowName the row's name; Name is "test" or "test/row".
	Test    string
	Row     int
	RowName string
	Name    string
	Passed  bool
	// Failures say what did not hold, each at its clause.
	Failures []*Failure
	// What the run did: its status, error, outputs and steps in order.
	Status  string
	Error   *interp.Error
	Outputs *interp.Map
	Steps   []*StepRecord
}

// Failure is one expectation that did not hold, or a problem that kept the
// test from running (a missing event file, a step that ran unmocked).
type Failure struct {
	File    string
	Pos     lang.Pos
	Message string
	// Expected and Actual, when set, are shown side by side: a line each
	// (a step, an output…); Same marks the lines that agree.
	Expected, Actual []string
	Same             []bool
}

// runTest runs a test: each of its rows (one run for a test without
// cases) that filter selects.
func (s *Suite) runTest(ctx context.Context, t *Test, filter *regexp.Regexp) []*Result {
	d := t.Decl
	rows := []*interp.Map{nil}
	names := []string{""}
	if cl := d.Clause(lang.TestCases); cl != nil {
		var err error
		if rows, names, err = s.rows(d, cl); err != nil {
			r := &Result{File: t.File, Line: d.Sp.Start.Line, Test: t.Name, Name: t.Name}
			r.Failures = append(r.Failures, clauseFailure(t.File, cl, "cases: %v", err))
			return []*Result{r}
		}
	}
	var out []*Result
	for i, row := range rows {
		r := &Result{File: t.File, Line: d.Sp.Start.Line, Test: t.Name, Name: t.Name, RowName: names[i]}
		if len(rows) > 1 || row != nil {
			r.Row, r.Name = i+1, t.Name+"/"+names[i]
		}
		if filter != nil && !filter.MatchString(r.Name) {
			continue
		}
		s.runCase(ctx, t, row, r)
		r.Passed = len(r.Failures) == 0
		out = append(out, r)
	}
	return out
}

// rows evaluates a test's cases: the rows, and their names (a row's name
// key when it is a string, else "row N").
func (s *Suite) rows(d *lang.TestDecl, cl *lang.TestClause) ([]*interp.Map, []string, error) {
	scope, err := s.Loaded.Program.NewTestScope(d, newRunEnv(s, nil).Env, Epoch)
	if err != nil {
		return nil, nil, err
	}
	v, err := scope.Eval(cl.Value)
	if err != nil {
		return nil, nil, err
	}
	list, ok := v.(*interp.List)
	if !ok {
		return nil, nil, fmt.Errorf("needs a list of maps, got %s", interp.TypeName(v))
	}
	var rows []*interp.Map
	var names []string
	for i, e := range list.Elems {
		m, ok := e.(*interp.Map)
		if !ok {
			return nil, nil, fmt.Errorf("row %d is %s, not a map", i+1, interp.TypeName(e))
		}
		name := "row " + strconv.Itoa(i+1)
		if n, ok := m.Get("name"); ok {
			if s, ok := n.(string); ok && s != "" {
				name = s
			}
		}
		rows = append(rows, m)
		names = append(names, name)
	}
	return rows, names, nil
}

// runCase runs one row of a test into r.
func (s *Suite) runCase(ctx context.Context, t *Test, row *interp.Map, r *Result) {
	c := &caseRun{suite: s, test: t, result: r}
	if !c.setup(ctx, row) {
		return
	}
	c.run(ctx)
	for _, name := range c.host.unmockedNames() {
		r.Failures = append(r.Failures, clauseFailure(t.File, t.Decl.Clause(lang.TestWorkflow),
			"%s ran, and this test does not mock it: the step failed instead of running", name))
	}
	c.expectations()
}

// caseRun is the state of one test run.
type caseRun struct {
	suite  *Suite
	test   *Test
	result *Result
	env    *runEnv
	scope  *interp.TestScope
	host   *host
	clock  *interp.FakeClock
	now    time.Time
	trig   *trigger
}

// fail adds a failure at a clause (the test's name when cl is nil).
func (c *caseRun) fail(cl lang.Node, format string, args ...any) {
	if cl == nil {
		cl = c.test.Decl.Name
	}
	c.result.Failures = append(c.result.Failures, clauseFailure(c.test.File, cl, format, args...))
}

func clauseFailure(file string, n lang.Node, format string, args ...any) *Failure {
	return &Failure{File: file, Pos: n.Span().Start, Message: fmt.Sprintf(format, args...)}
}

// eval evaluates one of the test's expressions, reporting a failure at its
// clause when it fails.
func (c *caseRun) eval(cl *lang.TestClause, x lang.Expr) (interp.Value, bool) {
	v, err := c.scope.Eval(x)
	if err != nil {
		c.fail(cl, "%s: %s", cl.Kind, errText(err))
		return nil, false
	}
	return v, true
}

func errText(err error) string {
	if e, ok := interp.AsError(err); ok {
		return e.Msg
	}
	return err.Error()
}

// run starts the workflow, unless its event does not start it.
func (c *caseRun) run(ctx context.Context) {
	prog := c.suite.Loaded.Program
	info := c.suite.Loaded.Checked.Info.Tests[c.test.Decl]
	wf := info.Workflow.Name.Name
	r := c.result
	req := interp.RunRequest{Workflow: wf, Host: c.host, Clock: c.clock, Env: c.env, RunID: "run_test",
		Seed: seedOf(r.Name), Start: c.now, Coverage: c.suite.Coverage}
	if ev := c.trig.event; ev != nil {
		ok, err := prog.Matches(wf, ev.Name, ev.Object, ev.Map())
		if err != nil || !ok {
			r.Status = StatusNotStarted
			if e, isErr := interp.AsError(err); isErr {
				r.Error = e
			}
			return
		}
		req.Trigger, req.Event = ev.Object, ev.Map()
	} else {
		req.Trigger = c.trig.inputs
	}
	res := prog.Run(ctx, req)
	r.Status, r.Error, r.Outputs = res.Status, res.Err, res.Outputs
	r.Steps = c.host.ordered()
}

// seedOf derives a run's seed from the test's name, so random() and id()
// give the same values on every run of the test.
func seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// relPath resolves a path a test names against the test file's folder.
func (c *caseRun) relPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(filepath.Dir(c.test.File), p)
}
