package wftest

import (
	"fmt"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/repl"
)

// expectations checks the test's expect clauses against what the run did.
func (c *caseRun) expectations() {
	for _, cl := range c.test.Decl.Clauses {
		if !cl.Kind.IsExpect() {
			continue
		}
		if cl.When != nil {
			v, ok := c.eval(cl, cl.When)
			if !ok {
				continue
			}
			if b, isBool := v.(bool); !isBool {
				c.fail(cl.When, "when needs a bool, got %s", interp.TypeName(v))
				continue
			} else if !b {
				continue
			}
		}
		switch cl.Kind {
		case lang.TestExpectRun, lang.TestExpectNoRun:
			c.expectRun(cl)
		case lang.TestExpectSteps:
			c.expectSteps(cl)
		case lang.TestExpectOutput:
			c.expectOutput(cl)
		case lang.TestExpectStatus:
			if v, ok := c.eval(cl, cl.Value); ok && interp.ToString(v) != c.result.Status {
				f := c.failure(cl, "expect status: the run ended %s", c.status())
				f.Expected, f.Actual, f.Same = []string{interp.ToString(v)}, []string{c.result.Status}, []bool{false}
			}
		case lang.TestExpectError:
			c.expectError(cl)
		}
	}
}

// failure adds a failure at a clause and returns it, for details.
func (c *caseRun) failure(cl lang.Node, format string, args ...any) *Failure {
	c.fail(cl, format, args...)
	return c.result.Failures[len(c.result.Failures)-1]
}

// status describes how the run ended: "completed", or "failed: message".
func (c *caseRun) status() string {
	r := c.result
	if r.Error != nil && r.Status != StatusCompleted {
		return fmt.Sprintf("%s (%s)", r.Status, r.Error.Msg)
	}
	return r.Status
}

func (c *caseRun) expectRun(cl *lang.TestClause) {
	p, ok := c.pattern(cl, cl.Step)
	if !ok {
		return
	}
	var hits []*StepRecord
	for _, st := range c.result.Steps {
		if p.match(st.Name, st.Args) {
			hits = append(hits, st)
		}
	}
	want := cl.Step.X
	switch {
	case cl.Kind == lang.TestExpectRun && len(hits) == 0:
		f := c.failure(cl, "expect run: no step matched %s (the run %s)", c.source(want), c.status())
		f.Expected = []string{c.source(want)}
		f.Actual = c.stepLines(c.result.Steps)
		f.Same = make([]bool, len(f.Actual)) // the one expected line differs from them all
		for i := 1; i < len(f.Same); i++ {
			f.Same[i] = true
		}
	case cl.Kind == lang.TestExpectNoRun && len(hits) > 0:
		f := c.failure(cl, "expect no run: %d %s matched %s", len(hits), plural(len(hits), "step"), c.source(want))
		f.Expected = []string{"(no step matching " + c.source(want) + ")"}
		f.Actual = c.stepLines(hits)
		f.Same = make([]bool, len(f.Actual))
	}
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

func (c *caseRun) expectSteps(cl *lang.TestClause) {
	var pats []pattern
	for _, sp := range cl.Steps {
		p, ok := c.pattern(cl, sp)
		if !ok {
			return
		}
		pats = append(pats, p)
	}
	steps := c.result.Steps
	var exp, act []string
	var same []bool
	ok := true
	if cl.AnyOrder {
		pairing, all := matchAnyOrder(pats, steps)
		ok = all
		used := make([]bool, len(steps))
		for i, sp := range cl.Steps {
			exp = append(exp, c.source(sp.X))
			if j := pairing[i]; j >= 0 {
				act, same, used[j] = append(act, c.stepLine(steps[j])), append(same, true), true
			} else {
				act, same = append(act, ""), append(same, false)
			}
		}
		for j, st := range steps {
			if !used[j] {
				exp, act, same = append(exp, ""), append(act, c.stepLine(st)), append(same, false)
			}
		}
	} else {
		for i := 0; i < max(len(pats), len(steps)); i++ {
			e, a, s := "", "", false
			if i < len(pats) {
				e = c.source(cl.Steps[i].X)
			}
			if i < len(steps) {
				a = c.stepLine(steps[i])
			}
			if i < len(pats) && i < len(steps) {
				s = pats[i].match(steps[i].Name, steps[i].Args)
			}
			exp, act, same = append(exp, e), append(act, a), append(same, s)
			ok = ok && s
		}
	}
	if !ok {
		order := ""
		if cl.AnyOrder {
			order = " (in any order)"
		}
		f := c.failure(cl, "expect steps%s: the steps differ (the run %s)", order, c.status())
		f.Expected, f.Actual, f.Same = exp, act, same
	}
}

// matchAnyOrder pairs each pattern with a distinct step it matches
// (pairing[i] is the step of pattern i, or -1), by augmenting paths, and
// reports whether every pattern and every step is paired.
func matchAnyOrder(pats []pattern, steps []*StepRecord) ([]int, bool) {
	stepOf := make([]int, len(pats))
	patOf := make([]int, len(steps))
	for i := range patOf {
		patOf[i] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j, st := range steps {
			if seen[j] || !pats[i].match(st.Name, st.Args) {
				continue
			}
			seen[j] = true
			if patOf[j] < 0 || try(patOf[j], seen) {
				patOf[j], stepOf[i] = i, j
				return true
			}
		}
		return false
	}
	paired := 0
	for i := range pats {
		stepOf[i] = -1
		if try(i, make([]bool, len(steps))) {
			paired++
		}
	}
	for j, i := range patOf {
		if i >= 0 {
			stepOf[i] = j
		}
	}
	return stepOf, paired == len(pats) && paired == len(steps)
}

func (c *caseRun) expectOutput(cl *lang.TestClause) {
	v, ok := c.eval(cl, cl.Value)
	want, isMap := v.(*interp.Map)
	if !ok || !isMap {
		return
	}
	got := c.result.Outputs
	var exp, act []string
	var same []bool
	all := true
	for i := 0; i < want.Len(); i++ {
		k, ev := want.At(i)
		var av interp.Value
		present := false
		if got != nil {
			av, present = got.Get(k)
		}
		s := present && matches(ev, av)
		all = all && s
		exp = append(exp, k+": "+c.value(ev))
		if present {
			act = append(act, k+": "+c.value(av))
		} else {
			act = append(act, k+": (no such output)")
		}
		same = append(same, s)
	}
	if !all {
		f := c.failure(cl, "expect output: the outputs differ (the run %s)", c.status())
		f.Expected, f.Actual, f.Same = exp, act, same
	}
}

func (c *caseRun) expectError(cl *lang.TestClause) {
	v, ok := c.eval(cl, cl.Value)
	if !ok {
		return
	}
	r := c.result
	if r.Error == nil {
		f := c.failure(cl, "expect error: the run %s without an error", c.status())
		f.Expected, f.Actual, f.Same = []string{c.value(v)}, []string{"(no error)"}, []bool{false}
		return
	}
	actual := r.Error.Value()
	var hold bool
	if s, isStr := v.(string); isStr {
		hold = s == r.Error.Msg
	} else {
		hold = matches(v, actual)
	}
	if !hold {
		f := c.failure(cl, "expect error: the error differs")
		f.Expected, f.Actual, f.Same = []string{c.value(v)}, []string{c.value(actual)}, []bool{false}
	}
}

// printer formats values for failures, on one line.
var printer = &repl.Printer{Width: 1 << 20}

func (c *caseRun) value(v interp.Value) string { return printer.Format(v) }

// source returns a node's text in the test file.
func (c *caseRun) source(n lang.Node) string {
	src := c.suite.Loaded.Source(c.test.File)
	sp := n.Span()
	if sp.End.Offset > len(src) || sp.Start.Offset > sp.End.Offset {
		return ""
	}
	return strings.Join(strings.Fields(string(src[sp.Start.Offset:sp.End.Offset])), " ")
}

// stepLine shows a step as a call: name(param: value, …), with " failed:
// …" when it failed.
func (c *caseRun) stepLine(st *StepRecord) string { return stepLine(st) }

func stepLine(st *StepRecord) string {
	var b strings.Builder
	b.WriteString(st.Name)
	b.WriteByte('(')
	if st.Args != nil {
		for i := 0; i < st.Args.Len(); i++ {
			k, v := st.Args.At(i)
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k + ": " + printer.Format(v))
		}
	}
	b.WriteByte(')')
	if st.Status == interp.StepFailed || st.Status == interp.StepContinued {
		b.WriteString(" " + st.Status + ": " + st.Error)
	}
	return b.String()
}

func (c *caseRun) stepLines(steps []*StepRecord) []string {
	out := make([]string, len(steps))
	for i, st := range steps {
		out[i] = stepLine(st)
	}
	if len(out) == 0 {
		out = []string{"(no steps)"}
	}
	return out
}
