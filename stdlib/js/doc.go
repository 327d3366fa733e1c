// Package js runs the JavaScript helpers of WF: `js fn` declarations and
// js.eval. It sits in stdlib beside the other modules: the interpreter hands
// it plain Go values and gets plain Go values back; goja
// (github.com/dop251/goja) runs the code.
//
// Functions:
//
//	Compile(name, params, body, pos)         compile a js fn once, at load time
//	(*Program).Call(ctx, env, args)          run it
//	NewSandbox(opts)                         runtimes and the js.eval cache, one per engine
//	(*Sandbox).Eval(ctx, env, code, inputs)  js.eval(code, inputs)
//
// TODO(doc): expanded below once the behaviour settles.
package js
