package js

import (
	"errors"
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// jsRuntime is one goja runtime set up for the sandbox: globals removed,
// builtins guarded, intrinsics frozen. It runs one call at a time.
type jsRuntime struct {
	vm   *goja.Runtime
	g    *guard
	tag  goja.Callable // the original Object.prototype.toString
	now  func() time.Time
	rand func() float64
}

// removedGlobals lists what no script may reach: dynamic code (eval), Go
// errors, and the typed arrays, whose constructors allocate any size at once.
func removedGlobals() []string {
	return []string{
		"eval", "GoError", "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics",
		"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
		"BigInt64Array", "BigUint64Array", "WeakRef", "FinalizationRegistry",
	}
}

// newRuntime builds a runtime and runs the prelude in it.
func newRuntime(prelude *goja.Program) (*jsRuntime, error) {
	vm := goja.New()
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	vm.SetMaxCallStackSize(MaxCallDepth)
	rt := &jsRuntime{vm: vm, g: &guard{vm: vm}}
	vm.SetTimeSource(rt.clock)
	vm.SetRandSource(rt.random)
	global := vm.GlobalObject()
	for _, name := range removedGlobals() {
		if err := global.Delete(name); err != nil {
			return nil, err
		}
	}
	if ex := vm.Try(rt.g.install); ex != nil {
		return nil, ex
	}
	rt.tag, _ = goja.AssertFunction(protoOf(vm, "Object").Get("toString"))
	if _, err := vm.RunProgram(prelude); err != nil {
		return nil, fmt.Errorf("prelude: %w", err)
	}
	return rt, nil
}

// clock serves Date.now() and new Date() from the call's Env.Now.
func (rt *jsRuntime) clock() time.Time {
	if rt.now == nil {
		panic(rt.vm.NewTypeError("Date: this call has no clock (Env.Now is nil)"))
	}
	return rt.now()
}

// random serves Math.random() from the call's Env.Rand.
func (rt *jsRuntime) random() float64 {
	if rt.rand == nil {
		panic(rt.vm.NewTypeError("Math.random: this call has no random source (Env.Rand is nil)"))
	}
	return rt.rand()
}

// begin readies the runtime for a call.
func (rt *jsRuntime) begin(env Env) {
	rt.now, rt.rand = env.Now, env.Rand
	rt.g.stop.Store(false)
	rt.g.depth = 0
	rt.vm.ClearInterrupt()
}

// end drops the call's references before the runtime goes back to the pool.
func (rt *jsRuntime) end() {
	rt.now, rt.rand = nil, nil
}

// interrupt stops the running script with reason, builtins included.
func (rt *jsRuntime) interrupt(reason *stopReason) {
	rt.g.stop.Store(true)
	rt.vm.Interrupt(reason)
}

// stopReason is the value a call is interrupted with.
type stopReason struct {
	cause error
	msg   string
}

// outcome is what a call's goroutine hands back; reusable says the runtime
// ended in a state fit for the next call.
type outcome struct {
	v        any
	err      error
	reusable bool
}

// exec runs p with args and decodes the result, on its own goroutine.
func (rt *jsRuntime) exec(p *Program, args []any, env Env) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = outcome{err: rt.panicked(p, r)}
		}
	}()
	fnv, err := rt.vm.RunProgram(p.prog)
	if err != nil {
		return outcome{err: rt.jsError(p, err)}
	}
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		return outcome{err: newError(p.name, ErrInternal, "internal error: wrapper is not a function")}
	}
	jsArgs := make([]goja.Value, len(args))
	for i, a := range args {
		jsArgs[i] = toJS(rt.vm, a)
	}
	v, err := fn(goja.Undefined(), jsArgs...)
	if err != nil {
		var ex *goja.Exception
		return outcome{err: rt.jsError(p, err), reusable: errors.As(err, &ex)}
	}
	return rt.decode(p, v, env)
}

// decode converts the result, running getters under goja's exception handling.
func (rt *jsRuntime) decode(p *Program, v goja.Value, env Env) outcome {
	d := decoder{vm: rt.vm, tag: rt.tag, budget: env.MaxOutputBytes, ordered: env.OrderedMaps, onPath: map[*goja.Object]bool{}}
	var res any
	var err error
	if ex := rt.vm.Try(func() { res, err = d.value(v, "result", 0) }); ex != nil {
		return outcome{err: rt.jsError(p, ex), reusable: true}
	}
	if err == nil && d.budget < 0 {
		err = fmt.Errorf("%w: result", ErrLimit)
	}
	if err != nil {
		return outcome{err: boundaryError(p.name, err, env.MaxOutputBytes), reusable: true}
	}
	return outcome{v: res, reusable: true}
}

// panicked turns a recovered panic into an error: goja's uncatchable
// exceptions surface this way from getters run while decoding.
func (rt *jsRuntime) panicked(p *Program, r any) error {
	if err, ok := r.(error); ok {
		var ie *goja.InterruptedError
		var so *goja.StackOverflowError
		if errors.As(err, &ie) || errors.As(err, &so) {
			return rt.jsError(p, err)
		}
	}
	return newError(p.name, ErrInternal, fmt.Sprintf("internal error: %v", r))
}
