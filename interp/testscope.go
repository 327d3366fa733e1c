package interp

import (
	"fmt"
	"sync"
	"time"

	"github.com/wf-lang/wf/lang"
)

// This file compiles the expressions of test declarations (lang.TestDecl)
// and evaluates them for the test runner (package wftest): a test's
// objects, inputs, mock results, expected arguments and outputs are WF
// expressions, pure, over the file's consts and fns and the names its
// cases rows bind.

// testCode is a compiled test declaration: each of its expressions, and
// the slots of its row names.
type testCode struct {
	name      string
	file      string
	frameSize int
	rows      []*lang.Symbol
	exprs     map[lang.Expr]expr
}

func (c *compiler) test(d *lang.TestDecl) {
	ti := c.info.Tests[d]
	if ti == nil {
		return
	}
	tc := &testCode{name: d.Title(), file: c.file, frameSize: len(ti.Frame.Slots), rows: ti.Rows, exprs: map[lang.Expr]expr{}}
	c.frame, c.fnName = ti.Frame, "test "+d.Title()
	add := func(x lang.Expr) {
		if x != nil {
			tc.exprs[x] = c.expr(x)
		}
	}
	for _, cl := range d.Clauses {
		if cl.Kind != lang.TestExpectSteps { // whose Value is the step patterns, compiled argument by argument below
			add(cl.Value)
		}
		add(cl.After)
		add(cl.When)
		steps := append([]*lang.StepPattern{cl.Step}, cl.Steps...)
		for _, sp := range steps {
			if sp == nil || sp.Call == nil {
				continue
			}
			for _, a := range sp.Call.Args {
				add(a.Value)
			}
		}
	}
	if c.prog.tests == nil {
		c.prog.tests = map[*lang.TestDecl]*testCode{}
	}
	c.prog.tests[d] = tc
}

// TestScope evaluates the expressions of one test declaration, with one
// row of its cases bound. It is safe for concurrent use (mocks answer
// steps of parallel branches).
type TestScope struct {
	code *testCode
	mu   sync.Mutex
	th   *Thread
	fr   *frame
}

// NewTestScope returns a scope for the expressions of test d, whose file
// the program was compiled with. env is the library environment they see
// (Lists, secrets) and now the time now() gives.
func (p *Program) NewTestScope(d *lang.TestDecl, env any, now time.Time) (*TestScope, error) {
	tc := p.tests[d]
	if tc == nil {
		return nil, fmt.Errorf("test %q is not part of the program", d.Title())
	}
	th := p.scratchThread()
	th.run.wf = &workflow{name: "test " + tc.name, file: tc.file}
	th.run.env = env
	th.now = now
	th.fnName = "test " + tc.name
	return &TestScope{code: tc, th: th, fr: newFrame(tc.frameSize, nil)}, nil
}

// SetRow binds the names of a cases row (missing ones read as null).
func (s *TestScope) SetRow(row *Map) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sym := range s.code.rows {
		var v Value
		if row != nil {
			v, _ = row.Get(sym.Name)
		}
		s.fr.slots[sym.Slot] = v
	}
}

// Eval evaluates one of the test's expressions.
func (s *TestScope) Eval(x lang.Expr) (v Value, err error) {
	e := s.code.exprs[x]
	if e == nil {
		return nil, fmt.Errorf("the expression at %s is not part of test %q", x.Span().Start, s.code.name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, internalError(r)
		}
	}()
	s.th.run.stmts.Store(0)
	return e.eval(s.th, s.fr)
}

// Call calls a function value the test's expressions gave (a mock's
// `returns args -> …`) with positional arguments.
func (s *TestScope) Call(f Value, args ...Value) (v Value, err error) {
	fn, ok := f.(Callable)
	if !ok {
		return nil, errorf(KindType, "cannot call %s", TypeName(f))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, internalError(r)
		}
	}()
	s.th.run.stmts.Store(0)
	return s.th.CallValue(fn, args...)
}

// SetNow sets the time now() gives in the test's expressions.
func (s *TestScope) SetNow(t time.Time) {
	s.mu.Lock()
	s.th.now = t
	s.mu.Unlock()
}
