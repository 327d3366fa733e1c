package interp

import (
	"time"

	"github.com/wf-lang/wf/lang"
)

// Evaluator runs one WF fn over and over with no run around it: a rule
// engine's hot path (benchmarks, the REPL, rule backtests). It reuses one
// frame and one thread, so an evaluation allocates only what the fn itself
// builds. An Evaluator is not safe for concurrent use; make one per
// goroutine.
//
// Its evaluations make one long run, whose id is EvaluatorRunID: library
// state is kept across them as a run keeps it (a List resolved by
// list("…") is reused until the run's handle of it would be refreshed).
type Evaluator struct {
	prog *Program
	fn   *function
	fr   *frame
	th   *Thread
	ret  expr // x when the fn's body is `return x` (see oneReturn)
}

// NewEvaluator compiles src, which must declare the fn named name (it may
// declare consts and other fns too), against lib.
func NewEvaluator(path, src, name string, lib Library, opts Options) (*Evaluator, lang.Diagnostics) {
	f, diags := lang.Parse(path, []byte(src))
	checked, cd := lang.Check([]*lang.File{f}, lib)
	diags = append(diags, cd...)
	if diags.HasErrors() {
		return nil, diags
	}
	sym := checked.GlobalSyms[name]
	if sym == nil || sym.Kind != lang.SymFn {
		diags.Errorf(path, lang.Span{}, "evaluator", "%s declares no fn %s", path, name)
		return nil, diags
	}
	prog, cd2 := Compile(checked, lib, opts)
	if cd2.HasErrors() {
		return nil, append(diags, cd2...)
	}
	fn := prog.fns[sym.Index]
	th := prog.scratchThread()
	th.run.wf = &workflow{name: name, file: path}
	th.run.runID = EvaluatorRunID
	th.now = time.Now().UTC()
	th.fnName = name
	e := &Evaluator{prog: prog, fn: fn, fr: newFrame(fn.frameSize, nil), th: th}
	e.ret = e.oneReturn()
	return e, diags
}

// EvaluatorRunID is the run id an Evaluator's evaluations see.
const EvaluatorRunID = "evaluator"

// SetEnv sets the library environment (Lists, secrets…) the fn sees.
func (e *Evaluator) SetEnv(env any) { e.th.run.env = env }

// SetNow sets the time now() returns in the fn (the machine's time when
// the evaluator was made, until set).
func (e *Evaluator) SetNow(t time.Time) { e.th.now = t }

// SetLimits sets the budget each evaluation gets (DefaultLimits until set).
func (e *Evaluator) SetLimits(l Limits) {
	e.th.run.limits = l
	e.ret = e.oneReturn()
}

// Eval calls the fn with args and returns what it returns.
func (e *Evaluator) Eval(args ...Value) (Value, error) {
	if len(args) != e.fn.nparams {
		return nil, arityError(e.fn.name, e.fn.nparams, len(args))
	}
	fr := e.fr
	//lint:ignore S1001 a loop: frames are small, and copy costs a call (typedslicecopy)
	for i, a := range args {
		fr.slots[i] = a
	}
	for i := len(args); i < len(fr.slots); i++ {
		fr.slots[i] = nil
	}
	fr.ret = nil
	stmts := &e.th.run.stmts
	if ret := e.ret; ret != nil {
		// The body is `return x`: its statement is the evaluation's first,
		// which no budget of at least one statement refuses. The count it
		// leaves (1) is set only when x's calls moved it, so that an
		// evaluation that calls nothing writes no shared counter.
		if stmts.Load() != 1 {
			stmts.Store(1)
		}
		return ret.eval(e.th, fr)
	}
	stmts.Store(0)
	if _, err := execBlock(e.th, fr, e.fn.body); err != nil {
		return nil, err
	}
	return fr.ret, nil
}

// oneReturn returns x (or nil) when the fn's body is the single statement
// `return x` and the statement budget allows at least one statement.
func (e *Evaluator) oneReturn() expr {
	if len(e.fn.body) != 1 || e.th.run.limits.MaxStatements < 1 {
		return nil
	}
	if r, ok := e.fn.body[0].(*returnStmt); ok {
		return r.x
	}
	return nil
}
