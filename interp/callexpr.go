package interp

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/wf-lang/wf/lang"
)

// callBuiltin calls a library function by name or as a method. Only pure
// functions are called this way (actions go through run), so the argument
// record comes from the thread's stack and goes back after the call.
type callBuiltin struct {
	at
	b    *Builtin
	plan *argPlan
	recv expr // the receiver of a method call, or nil
	memo Memo
	// constArgs is set when every argument is a constant, so a Reusable
	// memo may answer the call.
	constArgs bool
}

func (e *callBuiltin) eval(th *Thread, fr *frame) (Value, error) {
	if e.constArgs {
		if r := e.memo.reusable(); r != nil {
			if v, ok := r.Reuse(th); ok {
				return v, nil
			}
		}
	}
	var recv Value
	if e.recv != nil {
		var err error
		if recv, err = e.recv.eval(th, fr); err != nil {
			return nil, err
		}
	}
	args := th.pushArgs(e.plan.decl, len(e.plan.params))
	if err := e.plan.fill(th, fr, args, recv, e.recv != nil); err != nil {
		th.popArgs(args)
		return nil, e.fail(err)
	}
	return e.invoke(th, args)
}

// callWith makes the call of a one-parameter function with its argument's
// value already evaluated, as eval would with that value.
func (e *callBuiltin) callWith(th *Thread, x Value) (Value, error) {
	args := th.pushArgs(e.plan.decl, 1)
	args.vals[0] = x
	if err := e.plan.check(args); err != nil {
		th.popArgs(args)
		return nil, e.fail(err)
	}
	return e.invoke(th, args)
}

// invoke calls the function with args from the thread's stack, which it
// hands back.
func (e *callBuiltin) invoke(th *Thread, args *Args) (Value, error) {
	args.memo = &e.memo
	v, err := th.call(e.b, args)
	th.popArgs(args)
	if err != nil {
		return nil, e.fail(libErr(e.b.Decl.Name, err))
	}
	return v, nil
}

// allConst reports whether every argument of the call is a constant.
func (e *callBuiltin) allConst() bool {
	p := e.plan
	if e.recv != nil || len(p.rest) > 0 || len(p.extraK) > 0 {
		return false
	}
	for _, x := range p.params {
		if _, ok := x.(*constExpr); x != nil && !ok {
			return false
		}
	}
	return true
}

// onlyArg returns the expression of the call's one argument (its receiver
// for a method), or nil when the call has another shape.
func (e *callBuiltin) onlyArg() expr {
	p := e.plan
	if len(p.params) != 1 || len(p.rest) > 0 || len(p.extraK) > 0 {
		return nil
	}
	if e.recv != nil {
		return e.recv
	}
	return p.params[0]
}

// libErr makes a library function's error start with its qualified name,
// so errors read the same whichever function failed.
func libErr(name string, err error) error {
	if re, ok := AsError(err); ok {
		if re.Kind != KindAssert && re.Kind != KindLimit && re.Kind != KindCancel && !strings.HasPrefix(re.Msg, name+":") {
			re.Msg = name + ": " + re.Msg
		}
		return err
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, name+":") {
		msg = name + ": " + msg
	}
	kind := KindValue
	if errors.Is(err, context.DeadlineExceeded) {
		kind = KindTimeout
	}
	return &Error{Kind: kind, Msg: msg, Cause: err}
}

// function is anything with a body that is called with a new frame: a fn,
// a lambda, a js fn, or a wait filter.
type function struct {
	name      string
	file      string
	pos       lang.Pos
	nparams   int
	frameSize int
	defaults  []expr // per parameter; nil when required
	body      []stmt // fn
	expr      expr   // lambda and filter bodies
	js        JSFunc // js fn
}

// call runs the function with positional args in a new frame whose parent
// is parent (lambdas) or nil (fns).
func (f *function) call(th *Thread, parent *frame, args []Value, _ lang.Pos) (Value, error) {
	if len(args) > f.nparams || (f.defaults == nil && len(args) != f.nparams && f.js == nil) {
		return nil, arityError(f.name, f.nparams, len(args))
	}
	if err := th.tick(); err != nil {
		return nil, err
	}
	th.depth++
	defer func() { th.depth-- }()
	if th.depth > th.run.limits.MaxCallDepth {
		return nil, errorf(KindLimit, "calls are nested more than %d deep", th.run.limits.MaxCallDepth)
	}
	if f.js != nil {
		full := make([]Value, f.nparams)
		copy(full, args)
		var names string
		var texts []string
		for i, a := range full {
			if err := th.CheckValue(a, "an argument of js fn "+f.name); err != nil {
				return nil, err
			}
			if HoldsSecret(a) {
				names = secretNames(a, names)
				full[i] = Reveal(a, &texts)
			}
		}
		v, err := f.js.Call(th, full)
		if names == "" {
			return v, err
		}
		if err != nil {
			return nil, scrub(err, texts)
		}
		return taint(v, names), nil
	}
	fr := newFrame(f.frameSize, parent)
	copy(fr.slots, args)
	for i := len(args); i < f.nparams; i++ {
		if f.defaults == nil || f.defaults[i] == nil {
			return nil, arityError(f.name, f.nparams, len(args))
		}
		v, err := f.defaults[i].eval(th, fr)
		if err != nil {
			return nil, err
		}
		fr.slots[i] = v
	}
	if f.expr != nil {
		return f.expr.eval(th, fr)
	}
	saved := th.fnName
	th.fnName = f.name
	defer func() { th.fnName = saved }()
	if _, err := execBlock(th, fr, f.body); err != nil {
		return nil, err
	}
	return fr.ret, nil
}

// callFn calls a top-level fn or js fn with arguments placed by the
// checker's rules (positional, then named).
type callFn struct {
	at
	fn     *function
	args   []expr // per parameter, nil when left to its default
	caller string
}

func (e *callFn) eval(th *Thread, fr *frame) (Value, error) {
	n := len(e.args)
	for n > 0 && e.args[n-1] == nil {
		n--
	}
	vals := make([]Value, n)
	for i := 0; i < n; i++ {
		if e.args[i] == nil {
			if e.fn.defaults == nil || e.fn.defaults[i] == nil {
				return nil, e.errorf(KindType, "%s: missing argument %d", e.fn.name, i+1)
			}
			v, err := e.fn.defaults[i].eval(th, newFrame(e.fn.frameSize, nil))
			if err != nil {
				return nil, err
			}
			vals[i] = v
			continue
		}
		v, err := e.args[i].eval(th, fr)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	v, err := e.fn.call(th, nil, vals, e.sp.Start)
	if err != nil {
		return nil, e.trace(err)
	}
	return v, nil
}

// trace adds a "called from" line to an error leaving a call.
func (a *at) traceAs(err error, caller string) error {
	err = a.fail(err)
	if re, ok := AsError(err); ok && re.Pos != a.sp.Start {
		re.Stack = append(re.Stack, StackFrame{Name: caller, File: a.file, Pos: a.sp.Start})
	}
	return err
}

func (e *callFn) trace(err error) error { return e.traceAs(err, e.caller) }

// callDynamic calls a function value.
type callDynamic struct {
	at
	f      expr
	args   []expr
	caller string
}

func (e *callDynamic) eval(th *Thread, fr *frame) (Value, error) {
	f, err := e.f.eval(th, fr)
	if err != nil {
		return nil, err
	}
	c, ok := f.(Callable)
	if !ok {
		if f == nil {
			return nil, e.errorf(KindNull, "cannot call null: %s is null", e.text)
		}
		return nil, e.errorf(KindType, "cannot call %s", TypeName(f))
	}
	vals := make([]Value, len(e.args))
	for i, a := range e.args {
		if vals[i], err = a.eval(th, fr); err != nil {
			return nil, err
		}
	}
	v, err := th.CallValue(c, vals...)
	if err != nil {
		return nil, e.traceAs(err, e.caller)
	}
	return v, nil
}

// regexCache keeps the patterns compiled at run time.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*Regex
}

const regexCacheSize = 256

func (c *regexCache) get(p string) (*Regex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if re, ok := c.m[p]; ok {
		return re, nil
	}
	re, err := CompileRegex(p)
	if err != nil {
		return nil, err
	}
	if c.m == nil || len(c.m) >= regexCacheSize {
		c.m = map[string]*Regex{}
	}
	c.m[p] = re
	return re, nil
}

// JSEngine compiles js fn bodies. The stdlib's js module provides one.
type JSEngine interface {
	Compile(name string, params []string, code string, file string, pos lang.Pos) (JSFunc, error)
}

// JSFunc is a compiled js fn.
type JSFunc interface {
	Call(th *Thread, args []Value) (Value, error)
}
