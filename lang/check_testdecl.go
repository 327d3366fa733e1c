package lang

import (
	"fmt"
	"slices"
	"strings"
)

// Checking test declarations. A test's expressions are pure: they see the
// file's consts, fns and js fns, the library's pure functions, and the
// names its cases rows bind; never trigger or a step. The rule that makes a
// test safe to run anywhere: every action the workflow runs is mocked, or
// expected not to run, unless the test runs on the local backend (which
// only serves Persona actions and Lists: HTTP, Slack and workflow calls
// are always mocked).

// TestInfo is what the checker learned about a test declaration.
type TestInfo struct {
	// Workflow is the workflow the test runs (nil when the name is unknown).
	Workflow *WorkflowDecl
	// Frame holds the names the cases rows bind, in slots 0…len(Rows)-1.
	Frame *Frame
	// Rows are those names, in slot order.
	Rows []*Symbol
	// Steps maps each step pattern to what it names.
	Steps map[*StepPattern]*StepTarget
}

// StepTarget is what a step pattern names: a library action or a js fn.
type StepTarget struct {
	Func *FuncDecl
	JsFn *JsFnDecl
	// Params are the parameter names, which positional arguments of the
	// pattern stand for.
	Params []string
}

// LocalBackendModules are the modules whose actions the local backend
// performs, so a test with `backend local` need not mock them.
var LocalBackendModules = []string{"inquiry", "case", "report", "verification", "account", "transaction", "lists"}

// ServedByLocalBackend reports whether the local backend performs the
// action (inquiry.decline, lists.add…), as a test with `backend local` runs it.
func ServedByLocalBackend(action string) bool {
	return slices.Contains(LocalBackendModules, moduleOf(action))
}

// TestStatuses are the final statuses expect status may name.
var TestStatuses = []string{"completed", "failed", "not started"}

// singleClauses may appear once per test; the value says what they are.
var singleClauses = map[TestKind]string{
	TestWorkflow: "workflow", TestNow: "now", TestBackend: "backend", TestSecrets: "secrets", TestCases: "cases",
	TestEvent: "trigger", TestEventFile: "trigger", TestInputs: "trigger",
}

func (c *checker) testDecls(files []*File) {
	titles := map[string]*TestDecl{}
	titleFile := map[string]string{}
	for _, f := range files {
		c.file, c.src = f.Path, f.Src
		for _, d := range f.Decls {
			td, ok := d.(*TestDecl)
			if !ok {
				continue
			}
			c.incomplete = false
			if t := td.Title(); t != "" {
				if prev, dup := titles[t]; dup {
					c.errorf(td.Name, "duplicate", "test %q is declared twice", t).Note(titleFile[t], prev.Name.Sp, "first declared here")
				} else {
					titles[t], titleFile[t] = td, f.Path
				}
			}
			c.testDecl(td)
		}
	}
}

func (c *checker) testDecl(d *TestDecl) {
	if !IsTestFile(c.file) {
		c.errorf(d.Name, "test", "a test belongs in a file whose name ends in %s", TestSuffix).
			Hint("move it to a file such as %s: wf test runs those, and wf run and wf serve leave them out",
				strings.TrimSuffix(c.file, ".wf")+TestSuffix)
	}
	c.lets, c.decl = nil, d
	c.scope = &scope{}
	c.flags = inPure
	ti := &TestInfo{Frame: c.pushFrame(d, false), Steps: map[*StepPattern]*StepTarget{}}
	c.info.Tests[d] = ti
	seen := map[string]*TestClause{}
	for _, cl := range d.Clauses {
		what, single := singleClauses[cl.Kind]
		if !single {
			continue
		}
		if prev, dup := seen[what]; dup {
			c.errorf(cl, "test", "a test has one %s clause", what).Note(c.file, prev.Sp, "the first is here")
			continue
		}
		seen[what] = cl
	}
	if cases := d.Clause(TestCases); cases != nil {
		ti.Rows = c.caseRows(cases)
	}
	if w := d.Clause(TestWorkflow); w != nil {
		ti.Workflow = c.testWorkflow(w.Name)
	} else if !d.Broken {
		c.errorf(d.Name, "test", "the test names no workflow").Hint("add a line such as `workflow review_minors`")
	}
	for _, cl := range d.Clauses {
		c.testClause(ti, cl)
	}
	// A test that lost a clause to a syntax error is not checked as a
	// whole: the lost clause may be the mock or the trigger it lacks.
	if ti.Workflow != nil && !d.Broken {
		c.testTrigger(d, ti.Workflow)
		c.unmocked(d, ti)
	}
	c.scope = nil
}

// caseRows checks cases [{…}, …] and binds the rows' keys as names.
func (c *checker) caseRows(cl *TestClause) []*Symbol {
	rows, ok := cl.Value.(*ListLit)
	if !ok || len(rows.Elems) == 0 {
		c.expr(cl.Value)
		c.errorf(cl.Value, "test", "cases needs a list of rows, each a map: cases [{age: 17}, {age: 18}]")
		return nil
	}
	var keys []*MapEntry
	types := map[string]Type{}
	for i, r := range rows.Elems {
		m, ok := r.(*MapLit)
		if !ok {
			c.expr(r)
			c.errorf(r, "test", "a row of cases is a map, such as {age: 17, reviewed: true}")
			continue
		}
		for j, e := range m.Entries {
			if slices.ContainsFunc(m.Entries[:j], func(p *MapEntry) bool { return p.Key == e.Key }) {
				c.diags.Errorf(c.file, e.KeySp, "duplicate", "key %q appears twice in this row", e.Key)
			}
			types[e.Key] |= c.expr(e.Value)
			if !slices.ContainsFunc(keys, func(k *MapEntry) bool { return k.Key == e.Key }) {
				keys = append(keys, e)
			}
		}
		for _, k := range keys {
			if !slices.ContainsFunc(m.Entries, func(e *MapEntry) bool { return e.Key == k.Key }) {
				c.errorf(m, "test", "row %d has no %s (every row gives the same keys)", i+1, k.Key)
			}
		}
	}
	var out []*Symbol
	for _, k := range keys {
		if !isName(k.Key) {
			c.diags.Errorf(c.file, k.KeySp, "test", "the key %q of a row is not a name", k.Key).
				Hint("row keys become names in the test: write them as names (snake_case)")
			continue
		}
		sym := c.bind(&Ident{Sp: k.KeySp, Name: k.Key}, cl, types[k.Key])
		sym.used = true
		out = append(out, sym)
	}
	return out
}

// testWorkflow resolves the workflow a test names.
func (c *checker) testWorkflow(name *Ident) *WorkflowDecl {
	if name == nil {
		return nil
	}
	if w := c.prog.Workflow(name.Name); w != nil {
		return w
	}
	d := c.errorf(name, "undefined", "no workflow named %s", name.Name)
	if s := Suggest(name.Name, c.prog.WorkflowNames()); s != "" {
		d.Hint("did you mean %s?", s)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + s, Span: name.Sp, NewText: s})
	} else {
		d.Hint("wf test loads the .wf files beside the test file; name one of their workflows")
	}
	return nil
}

// testClause checks one clause (the workflow was resolved already).
func (c *checker) testClause(ti *TestInfo, cl *TestClause) {
	switch cl.Kind {
	case TestEvent, TestDeliver:
		if t := c.expr(cl.Value); !TMap.Accepts(t) {
			c.errorf(cl.Value, "type", "an event's object is a map, got %s", t)
		}
		if cl.After != nil {
			if t := c.expr(cl.After); !TDuration.Accepts(t) {
				c.errorf(cl.After, "type", "after needs a duration such as 2d, got %s", t)
			}
		}
	case TestInputs, TestSecrets:
		if t := c.expr(cl.Value); !TMap.Accepts(t) {
			c.errorf(cl.Value, "type", "%s needs a map, got %s", cl.Kind, t)
		}
	case TestNow:
		if t := c.expr(cl.Value); !(TTime | TString).Accepts(t) {
			c.errorf(cl.Value, "type", "now needs a time, such as \"2026-03-01T10:00:00Z\", got %s", t)
		}
	case TestBackend:
		if cl.Name != nil && cl.Name.Name != "local" {
			c.errorf(cl.Name, "test", "unknown backend %s: a test runs on mocks, or on the local backend (backend local)", cl.Name.Name)
		}
	case TestList, TestPersona:
		c.expr(cl.Value)
	case TestMock:
		c.stepTarget(ti, cl.Step, true)
		if cl.Value == nil {
			break
		}
		t := c.expr(cl.Value)
		if cl.Fails && !(TString | TMap).Accepts(t) {
			c.errorf(cl.Value, "type", "fails needs the error's message (a string), got %s", t)
		}
	case TestExpectRun, TestExpectNoRun:
		c.stepTarget(ti, cl.Step, false)
	case TestExpectSteps:
		if cl.Value != nil {
			for _, sp := range cl.Steps {
				c.stepTarget(ti, sp, false)
			}
		}
	case TestExpectOutput, TestExpectError:
		c.expr(cl.Value)
	case TestExpectStatus:
		c.expectStatus(cl.Value)
	}
	if cl.When != nil {
		c.wantBool(cl.When, c.expr(cl.When), "when")
	}
}

func (c *checker) expectStatus(x Expr) {
	t := c.expr(x)
	if s, ok := x.(*StringLit); ok {
		if text, static := s.Static(); static && !slices.Contains(TestStatuses, text) {
			d := c.errorf(x, "test", "unknown status %q: a run ends %s", text, quoteList(TestStatuses, "or"))
			if sug := Suggest(text, TestStatuses); sug != "" {
				d.Hint("did you mean %q?", sug)
			}
		}
		return
	}
	if !TString.Accepts(t) {
		c.errorf(x, "type", "expect status needs a string, got %s", t)
	}
}

func quoteList(xs []string, last string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + last + " " + q[len(q)-1]
}

// stepTarget resolves a step pattern to an action (or, for a mock, a js
// fn) and checks its arguments: each named one must be a parameter, and
// their values are pure expressions.
func (c *checker) stepTarget(ti *TestInfo, sp *StepPattern, mock bool) {
	if sp == nil || sp.Name == "" {
		return
	}
	target := c.resolveStep(sp, mock)
	if target != nil {
		ti.Steps[sp] = target
	}
	if sp.Call == nil {
		return
	}
	named := target != nil && target.Func != nil && target.Func.Named
	for i, a := range sp.Call.Args {
		c.expr(a.Value)
		if target == nil {
			continue
		}
		if a.Name == nil {
			if i >= len(target.Params) {
				c.errorf(a, "call", "%s takes %d arguments, this step gives %d", sp.Name, len(target.Params), len(sp.Call.Args))
			}
			continue
		}
		if !slices.Contains(target.Params, a.Name.Name) && !named {
			d := c.errorf(a.Name, "call", "%s has no parameter %s", sp.Name, a.Name.Name)
			if s := Suggest(a.Name.Name, target.Params); s != "" {
				d.Hint("did you mean %s?", s)
			}
		}
	}
}

func (c *checker) resolveStep(sp *StepPattern, mock bool) *StepTarget {
	at := Span{sp.NameSp.Start, sp.NameSp.End}
	if d := c.u.Func(sp.Name); d != nil {
		if !d.Effect {
			c.diags.Errorf(c.file, at, "test", "%s is a pure function, not a step", sp.Name).
				Hint("only actions (run steps) are mocked and expected; a test sees a pure function's real result")
			return nil
		}
		t := &StepTarget{Func: d}
		for _, p := range d.Params {
			t.Params = append(t.Params, p.Name)
		}
		return t
	}
	if sym := c.prog.GlobalSyms[sp.Name]; sym != nil {
		switch sym.Kind {
		case SymJsFn:
			if !mock {
				c.diags.Errorf(c.file, at, "test", "%s is a js fn, not a step", sp.Name).
					Hint("a test may mock a js fn's result (mock %s returns …), but only actions are steps", sp.Name)
				return nil
			}
			fn := sym.Node.(*JsFnDecl)
			t := &StepTarget{JsFn: fn}
			for _, p := range fn.Params {
				t.Params = append(t.Params, p.Name.Name)
			}
			return t
		case SymFn:
			c.diags.Errorf(c.file, at, "test", "%s is a fn, which a test runs as written", sp.Name).
				Hint("mock the actions whose results it reads instead")
			return nil
		}
	}
	d := c.diags.Errorf(c.file, at, "undefined", "unknown action %s", sp.Name)
	if s := Suggest(sp.Name, c.stepNames(mock)); s != "" {
		d.Hint("did you mean %s?", s)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + s, Span: at, NewText: s})
	}
	return nil
}

// stepNames lists the actions (and, for mocks, the js fns) a pattern may name.
func (c *checker) stepNames(mock bool) []string {
	var out []string
	for _, d := range c.u.Funcs() {
		if d.Effect {
			out = append(out, d.Name)
		}
	}
	if mock {
		for _, f := range c.prog.JsFns {
			out = append(out, f.Name.Name)
		}
	}
	return out
}
