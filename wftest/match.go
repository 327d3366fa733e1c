package wftest

import (
	"strconv"
	"strings"
	"sync"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// pattern is a step pattern with its arguments evaluated: a step matches
// when it has the name and each argument matches (see matches).
type pattern struct {
	name string
	args []argValue
}

// argValue is one argument a pattern gives, by parameter name.
type argValue struct {
	name  string
	value interp.Value
}

// pattern evaluates a step pattern of the test.
func (c *caseRun) pattern(cl *lang.TestClause, sp *lang.StepPattern) (pattern, bool) {
	p := pattern{name: sp.Name}
	if sp.Call == nil {
		return p, true
	}
	target := c.suite.Loaded.Checked.Info.Tests[c.test.Decl].Steps[sp]
	for i, a := range sp.Call.Args {
		v, ok := c.eval(cl, a.Value)
		if !ok {
			return p, false
		}
		name := ""
		switch {
		case a.Name != nil:
			name = a.Name.Name
		case target != nil && i < len(target.Params):
			name = target.Params[i]
		}
		p.args = append(p.args, argValue{name: name, value: v})
	}
	return p, true
}

// match reports whether a step named name with arguments args matches.
func (p pattern) match(name string, args *interp.Map) bool {
	if p.name != name {
		return false
	}
	for _, a := range p.args {
		var v interp.Value
		if args != nil {
			v, _ = args.Get(a.name)
		}
		if !matches(a.value, v) {
			return false
		}
	}
	return true
}

// matches compares an expected value with an actual one, partially: a map
// matches a map holding at least its entries (each matching), a list a
// list of as many elements (each matching), anything else an equal value
// (as == compares: 1 matches 1.0, a secret matches its text).
func matches(exp, act interp.Value) bool {
	switch e := exp.(type) {
	case *interp.Map:
		a, ok := act.(*interp.Map)
		if !ok {
			return false
		}
		for i := 0; i < e.Len(); i++ {
			k, ev := e.At(i)
			av, _ := a.Get(k)
			if !matches(ev, av) {
				return false
			}
		}
		return true
	case *interp.List:
		a, ok := act.(*interp.List)
		if !ok || len(a.Elems) != len(e.Elems) {
			return false
		}
		for i := range e.Elems {
			if !matches(e.Elems[i], a.Elems[i]) {
				return false
			}
		}
		return true
	}
	return interp.Equal(exp, act)
}

// mock is one mock clause, evaluated.
type mock struct {
	pattern
	clause *lang.TestClause
	once   bool
	fails  bool
	value  interp.Value
	used   bool
}

// mockSet is a test's mocks in the order written.
type mockSet struct {
	mu   sync.Mutex
	list []*mock
}

// take returns the first mock that answers a call (not used up, and
// matching), using it up when it answers once; nil when none does.
func (s *mockSet) take(name string, args *interp.Map) *mock {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.list {
		if !m.used && m.match(name, args) {
			if m.once {
				m.used = true
			}
			return m
		}
	}
	return nil
}

// mocks evaluates the test's mock clauses.
func (c *caseRun) mocks() *mockSet {
	s := &mockSet{}
	for _, cl := range c.test.Decl.Clauses {
		if cl.Kind != lang.TestMock || cl.Step == nil {
			continue
		}
		p, ok := c.pattern(cl, cl.Step)
		if !ok {
			continue
		}
		m := &mock{pattern: p, clause: cl, once: cl.Once, fails: cl.Fails}
		if cl.Value != nil {
			if m.value, ok = c.eval(cl, cl.Value); !ok {
				continue
			}
		}
		s.list = append(s.list, m)
	}
	return s
}

// stepLess orders step keys as a run without parallel blocks meets them:
// by the statement path, a loop's iteration counting before the statements
// of its body, a statement's own steps (a when's conditions, a loop's list)
// before those of its blocks, a try's body before its catch, and parallel
// branches by their place. So the order of the steps of parallel branches,
// which run at once, is the same on every run.
func stepLess(a, b string) bool {
	ka, kb := orderKey(a), orderKey(b)
	for i := 0; i < len(ka) && i < len(kb); i++ {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return len(ka) < len(kb)
}

// orderKey turns a step key ("ver:2.f.0~1[3]") into numbers that sort in
// that order.
func orderKey(key string) []int {
	if i := strings.IndexByte(key, ':'); i >= 0 {
		key = key[i+1:]
	}
	path, step, _ := strings.Cut(key, "~")
	var iters []int
	n, rest, _ := strings.Cut(step, "[")
	for _, it := range strings.Split(rest, "[") {
		if v, err := strconv.Atoi(strings.TrimSuffix(it, "]")); err == nil {
			iters = append(iters, v)
		}
	}
	var out []int
	for _, part := range strings.Split(path, ".") {
		switch {
		case part == "":
		case part == "f":
			it := 0
			if len(iters) > 0 {
				it, iters = iters[0], iters[1:]
			}
			out = append(out, 1, it)
		case part == "t", part == "b":
			out = append(out, 1, 0)
		case part == "c", part == "e":
			out = append(out, 1, 1<<20)
		case part[0] == 'w' || part[0] == 'p':
			v, _ := strconv.Atoi(part[1:])
			out = append(out, 1, v)
		default:
			v, _ := strconv.Atoi(part)
			out = append(out, 1, v)
		}
	}
	s, _ := strconv.Atoi(n)
	return append(out, 0, s)
}
