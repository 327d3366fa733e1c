package lang

import (
	"slices"
	"strings"
)

// The rules that relate a test to its workflow: the trigger it gives must
// be one the workflow starts on, and every action the workflow runs must
// be answered by the test.

// testTrigger checks the test's trigger clause against w's on clauses.
func (c *checker) testTrigger(d *TestDecl, w *WorkflowDecl) {
	var events []string
	hasParams := false
	for _, t := range w.Triggers {
		switch t := t.(type) {
		case *EventTrigger:
			p, _ := t.Pattern.Static()
			events = append(events, p)
		case *ParamTrigger:
			hasParams = true
		}
	}
	var trig *TestClause
	for _, cl := range d.Clauses {
		if cl.Kind == TestEvent || cl.Kind == TestEventFile || cl.Kind == TestInputs {
			trig = cl
			break
		}
	}
	name := w.Name.Name
	switch {
	case trig == nil && len(events) > 0 && !hasParams && len(events) == len(w.Triggers):
		c.errorf(d.Name, "test", "the test gives no event, and %s starts only on events", name).
			Hint("add `event file \"events/….json\"` or `event \"%s\" {…}`", events[0])
	case trig == nil:
		c.testInputs(d.Name, nil, w)
	case trig.Kind == TestInputs:
		if !hasParams {
			c.errorf(trig, "test", "%s takes no inputs", name).Hint("%s", startsOn(w))
			return
		}
		m, _ := trig.Value.(*MapLit)
		c.testInputs(trig, m, w)
	case len(events) == 0:
		c.errorf(trig, "test", "%s does not start on events", name).Hint("%s", startsOn(w))
	case trig.Kind == TestEvent:
		ev, ok := trig.Str.Static()
		if ok && !slices.ContainsFunc(events, func(p string) bool { return EventMatches(p, ev) }) {
			c.warnf(trig.Str, "test", "%s does not start on %q (it listens for %s)", name, ev, quoteList(events, "and"))
		}
	}
}

// startsOn says how a workflow starts, for hints.
func startsOn(w *WorkflowDecl) string {
	var kinds []string
	for _, t := range w.Triggers {
		switch t := t.(type) {
		case *EventTrigger:
			p, _ := t.Pattern.Static()
			kinds = append(kinds, "on event \""+p+"\"")
		case *ParamTrigger:
			kinds = append(kinds, "on "+t.Kind+"(…)")
		case *ScheduleTrigger:
			kinds = append(kinds, "on schedule")
		case *EveryTrigger:
			kinds = append(kinds, "on every")
		}
	}
	return w.Name.Name + " starts " + strings.Join(kinds, ", ")
}

// testInputs checks a test's inputs (m, nil when none are given or they
// are not a map literal) against the parameters of w: each key must be a
// parameter, and every required parameter must be given.
func (c *checker) testInputs(at Node, m *MapLit, w *WorkflowDecl) {
	wi := c.info.Workflows[w]
	if wi == nil {
		return
	}
	var names []string
	for _, p := range wi.Params {
		names = append(names, p.Sym.Name)
	}
	if m == nil {
		if _, isClause := at.(*TestClause); isClause {
			return // inputs given as a value: checked when the test runs
		}
	} else {
		for _, e := range m.Entries {
			if slices.Contains(names, e.Key) {
				continue
			}
			d := c.diags.Errorf(c.file, e.KeySp, "test", "%s takes no input %s", w.Name.Name, e.Key)
			if s := Suggest(e.Key, names); s != "" {
				d.Hint("did you mean %s?", s)
			} else if len(names) > 0 {
				d.Hint("its inputs are %s", strings.Join(names, ", "))
			}
		}
	}
	for _, p := range wi.Params {
		required := p.Param.Default == nil && p.Type&TNull == 0
		given := m != nil && slices.ContainsFunc(m.Entries, func(e *MapEntry) bool { return e.Key == p.Sym.Name })
		if required && !given {
			c.errorf(at, "test", "missing input %s (%s) of %s", p.Sym.Name, p.Type, w.Name.Name).
				Hint("give it with inputs {%s: …}", p.Sym.Name)
		}
	}
}

// unmocked reports each action w runs that the test leaves unanswered: not
// mocked, not expected to stay unrun (expect no run, or left out of an
// expect steps list), and not served by the local backend when the test
// runs on it. It warns about mocks of actions w never runs.
func (c *checker) unmocked(d *TestDecl, ti *TestInfo) {
	w := ti.Workflow
	local, exact := false, false
	answered, listed := map[string]bool{}, map[string]bool{}
	for _, cl := range d.Clauses {
		switch {
		case cl.Kind == TestBackend && cl.Name != nil && cl.Name.Name == "local":
			local = true
		case cl.Kind == TestMock && cl.Step != nil:
			answered[cl.Step.Name] = true
		case cl.Kind == TestExpectNoRun && cl.Step != nil && cl.Step.Call == nil && cl.When == nil:
			answered[cl.Step.Name] = true
		case cl.Kind == TestExpectSteps && cl.When == nil:
			// The steps that ran are exactly these: any other action
			// running fails the test, so it needs no mock.
			exact = true
			for _, sp := range cl.Steps {
				listed[sp.Name] = true
			}
		}
	}
	runs := map[string]Span{}
	var order []string
	Inspect(w, func(n Node) bool {
		r, ok := n.(*RunExpr)
		if !ok || r.Call == nil {
			return true
		}
		if cal := c.info.Calls[r.Call]; cal != nil && cal.Func != nil && cal.Func.Effect {
			if _, seen := runs[cal.Func.Name]; !seen {
				runs[cal.Func.Name] = r.Sp
				order = append(order, cal.Func.Name)
			}
		}
		return true
	})
	wfile := c.file
	if f := c.prog.FileOf(w); f != nil {
		wfile = f.Path
	}
	at := d.Clause(TestWorkflow).Name
	for _, name := range order {
		if answered[name] || exact && !listed[name] || local && ServedByLocalBackend(name) {
			continue
		}
		dg := c.errorf(at, "unmocked", "%s runs %s, which this test does not mock", w.Name.Name, name).
			Note(wfile, runs[name], "run here")
		if ServedByLocalBackend(name) {
			dg.Hint("add `mock %s returns …`, `expect no run %s` when it must not run, or `backend local` to perform it on the local backend", name, name)
		} else {
			dg.Hint("add `mock %s returns …`, or `expect no run %s` when it must not run", name, name)
		}
	}
	for _, cl := range d.Clauses {
		if cl.Kind == TestPersona && !local {
			c.warnf(cl, "test", "Persona objects are read by the local backend only, and this test mocks every step").
				Hint("add `backend local`, or remove the persona clause")
		}
		if cl.Kind != TestMock || cl.Step == nil {
			continue
		}
		if t := ti.Steps[cl.Step]; t != nil && t.Func != nil {
			if _, runs := runs[t.Func.Name]; !runs {
				c.diags.Warnf(c.file, cl.Step.NameSp, "test", "%s never runs %s", w.Name.Name, t.Func.Name).
					Hint("remove the mock, or test the workflow that runs it")
			}
		}
	}
}

// moduleOf returns the module of a qualified name ("inquiry" of
// "inquiry.decline").
func moduleOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}
