package js

import (
	"errors"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// Engine connects the sandbox to WF: it compiles `js fn` bodies for the
// interpreter (interp.JSEngine) and runs js.eval. One Engine is shared by
// every run of a process; its Sandbox pools runtimes.
type Engine struct {
	sandbox *Sandbox
	// Timeout bounds each call; zero means DefaultTimeout.
	Timeout time.Duration
}

// NewEngine makes an engine with its own sandbox.
func NewEngine() *Engine { return &Engine{sandbox: NewSandbox(Options{})} }

// Provider is what js.eval needs from the run's environment.
type Provider interface{ JS() *Engine }

// Compile implements interp.JSEngine: it compiles a js fn body once.
func (e *Engine) Compile(name string, params []string, code, file string, pos lang.Pos) (interp.JSFunc, error) {
	p, err := Compile(name, params, code, Pos{File: file, Line: pos.Line, Col: pos.Col})
	if err != nil {
		return nil, err
	}
	return &jsFunc{e: e, p: p}, nil
}

// env is a call's environment: the run's clock and seed, so a replayed run
// sees the same Date.now() and Math.random().
func (e *Engine) env(th *interp.Thread) Env {
	return Env{Now: th.Now, Rand: th.Rand, Timeout: e.Timeout, OrderedMaps: true, Sandbox: e.sandbox}
}

type jsFunc struct {
	e *Engine
	p *Program
}

// Call implements interp.JSFunc.
func (f *jsFunc) Call(th *interp.Thread, args []interp.Value) (interp.Value, error) {
	in := make([]any, len(args))
	for i, a := range args {
		in[i] = toJSInput(a)
	}
	out, err := f.p.Call(th.Context(), f.e.env(th), in)
	if err != nil {
		return nil, wfError(err)
	}
	return fromJS(out), nil
}

// wfError gives a JavaScript failure its interpreter kind: timeout for a
// call stopped by its time limit, js for everything else.
func wfError(err error) error {
	if errors.Is(err, ErrTimeout) {
		return interp.Errorf(interp.KindTimeout, "%s", err.Error())
	}
	return interp.Errorf(interp.KindJS, "%s", err.Error())
}

// Module returns the js module: js.eval.
func Module() *builtin.Module {
	return &builtin.Module{
		Name: "js",
		Doc: "JavaScript helpers run in a sandbox (goja): no file system, network, timers or require; " +
			"Date.now() and Math.random() come from the run's clock and seed; each call is time-limited " +
			"(100ms) and its input and output sizes are capped. Declare reusable helpers with " +
			"`js fn name(params) \"\"\"…\"\"\"`; they are compiled once, when the file is loaded.",
		Builtins: []*interp.Builtin{
			builtin.Pure("js.eval(code: string, inputs: map?) -> any",
				"Runs JavaScript code (an expression, or statements ending in return) with each key of inputs "+
					"bound as a variable, and returns its value. The code is compiled once and cached.",
				`js.eval("a * 2 + b", {a: 20, b: 2})  # 42`,
				func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
					code, _ := a.String(0)
					inputs, err := a.OptMap(1)
					if err != nil {
						return nil, err
					}
					if err := th.CheckValue(inputs, "the inputs of js.eval"); err != nil {
						return nil, err
					}
					p, ok := th.Env().(Provider)
					if !ok || p.JS() == nil {
						return nil, interp.Permanent(interp.Errorf(interp.KindValue, "no JavaScript engine is configured"))
					}
					eng := p.JS()
					in := make(map[string]any, inputs.Len())
					for i := range inputs.Keys() {
						k, v := inputs.At(i)
						in[k] = toJSInput(v)
					}
					out, err := eng.sandbox.Eval(th.Context(), eng.env(th), code, in)
					if err != nil {
						return nil, wfError(err)
					}
					return fromJS(out), nil
				}),
		},
	}
}

// toJSInput turns a WF value into the plain values the sandbox accepts;
// maps keep their order.
func toJSInput(v interp.Value) any {
	switch x := v.(type) {
	case *interp.Map:
		out := make(OrderedMap, 0, x.Len())
		for i := range x.Keys() {
			k, val := x.At(i)
			out = append(out, KV{Key: k, Value: toJSInput(val)})
		}
		return out
	case *interp.List:
		out := make([]any, len(x.Elems))
		for i, e := range x.Elems {
			out[i] = toJSInput(e)
		}
		return out
	}
	return interp.ToGo(v)
}

// fromJS turns a sandbox result into a WF value, keeping object key order.
func fromJS(v any) interp.Value {
	switch x := v.(type) {
	case OrderedMap:
		m := interp.NewMap(len(x))
		for _, kv := range x {
			m.Set(kv.Key, fromJS(kv.Value))
		}
		return m
	case []any:
		out := make([]interp.Value, len(x))
		for i, e := range x {
			out[i] = fromJS(e)
		}
		return interp.NewList(out)
	}
	return interp.FromGo(v)
}
