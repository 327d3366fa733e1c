// Package js runs the JavaScript helpers of WF — `js fn` declarations and
// js.eval — in a sandbox. It sits in stdlib beside the other modules: the
// interpreter hands it plain Go values and gets plain Go values back; goja
// (github.com/dop251/goja) runs the code. module.go binds it to the
// interpreter (interp.JSEngine) and declares js.eval.
//
// # API
//
//	Compile(name, params, body, pos)         compile a js fn once, at load time
//	(*Program).Call(ctx, env, args)          run it
//	NewSandbox(opts)                         pooled runtimes and the js.eval cache, one per engine
//	(*Sandbox).Eval(ctx, env, code, inputs)  js.eval(code, inputs)
//
// A js fn body is a function body; js.eval code is an expression, or a
// function body whose last expression statement is its value. Both run in
// strict mode. Every error is an *Error: "risk_score: Error: bad (js line 4)",
// with the JavaScript line and column and the .wf position (the body starts
// at pos, so .wf line = pos.Line + js line - 1). Error.Err says what kind it
// is, for errors.Is: ErrSyntax, ErrThrown, ErrTimeout, ErrLimit, ErrValue,
// ErrInternal, or the context's error when the call was cancelled.
//
// # Sandbox
//
// No require, modules, file system, network, timers (setTimeout and the
// rest do not exist), console, eval, or typed arrays. The Function
// constructor and its generator and async variants throw an EvalError
// ("Function constructor is disabled in the wf sandbox"); the Function
// global stays, so `f instanceof Function` works. goja's parser would read a
// file named by a sourceMappingURL comment: source maps are off. Date.now()
// and new Date() come from Env.Now, Math.random() from Env.Rand, so a replay
// sees the same values; without them a script using them gets a TypeError.
// Local-time Date methods and new Date(y, m, d) use the process time zone
// (goja reads time.Local): run WF with TZ=UTC, or use the UTC methods, for
// replays that agree across machines.
//
// Runtimes are pooled, not made per call. Building one costs about 2 MB and
// 32,000 allocations (BenchmarkRuntimeSetup; 20-30 ms on a busy 2-core
// machine), against 106 allocations and 8 KB for a whole small call on a
// pooled one (BenchmarkCallSmall vs BenchmarkCallSmallFreshRuntime: about
// 300 times faster). Reuse is made safe by freezing: when a runtime is built,
// everything reachable from the global object and from the intrinsics only
// instances lead to (iterator and generator prototypes, …) is deep-frozen,
// so a call can change nothing another call sees; scripts run in strict mode,
// so an attempt throws a TypeError instead of failing quietly. Inherited
// names programs assign (e.name = "MyError", o.toString = …, constructor,
// message, valueOf, …) are accessors that define an own property, so the
// usual patterns still work on frozen prototypes. A runtime interrupted,
// abandoned or failing inside goja is dropped, not reused. Tests prove a
// global, prototype or builtin changed in one call is not visible in the
// next, and that every reachable intrinsic is frozen.
//
// # Limits
//
// Each call runs on its own goroutine under Env.Timeout (100ms by default);
// a timer, and ctx cancellation, interrupt it with goja's Interrupt, which
// try/catch cannot swallow: "risk_score: timed out after 100ms (js line 2)".
// goja checks for an interrupt between instructions only, never inside a
// builtin, so builtins whose cost grows with their input are wrapped:
// String.prototype methods refuse strings over MaxStringLength, and repeat,
// padStart, padEnd and join refuse results over it; Array.prototype methods,
// Array.from, Function.prototype.apply, Reflect.apply and construct, and
// array and string iteration (spread, for-of) refuse array-likes over
// MaxArrayLength; flat and flatMap count what they would produce;
// JSON.stringify runs through a replacer that stops at the time limit and
// at MaxDepth; JSON.parse and RegExp methods refuse strings over
// MaxStringLength; join and toString on nested arrays stop at MaxDepth and
// at the time limit. The refusals are RangeErrors naming the builtin. The
// JavaScript call stack is capped at MaxCallDepth frames. Arguments are
// measured as JSON-ish text before the call (Env.MaxInputBytes, 1 MiB) and
// results while they are converted (Env.MaxOutputBytes, 1 MiB).
//
// What remains: goja has no memory limit. String concatenation in a loop
// (s += s) is only bounded by the time limit — about 150 MB in 100ms.
// Builtins not wrapped still run to completion on huge strings made that
// way (Object.keys of a String object, object spread), and a regular
// expression that needs goja's backtracking engine (lookaround,
// backreferences) or a BigInt ** with a huge exponent can run for seconds.
// For these the caller does not wait: a call not back a grace period after
// its interrupt (half the time limit, 100ms to 1s) is abandoned, its runtime
// dropped, and it fails with the timeout; its goroutine finishes in the
// background (Sandbox.Runaway counts them) and once Options.MaxRunaway are
// outstanding, calls are refused. A builtin in a long assembly routine
// (math/big) can also hold up the Go garbage collector meanwhile.
//
// # Values
//
// In: nil, bool, int64 (and int), float64, string, []any, map[string]any
// and OrderedMap, copied into plain JavaScript objects and arrays the
// script may change freely; map keys go in sorted order so Object.keys is
// the same on every replay; a "__proto__" key is an ordinary property.
// Integers beyond ±(2^53-1) are refused: JavaScript numbers cannot hold them.
// Out: null and undefined are nil; integral numbers are int64 (3.0 too),
// others float64; NaN and ±Infinity are errors; BigInts that fit are int64;
// Dates are RFC 3339 strings in UTC with milliseconds when not zero; boxed
// primitives are unboxed; arrays are []any with holes nil; other objects
// contribute their own enumerable string-keyed properties, getters run. A
// function, symbol, Map, Set, Error, RegExp, Promise or cycle is an error
// naming the path, e.g. "result.fields.cb is a function". Objects come back
// as map[string]any, or, with Env.OrderedMaps, as OrderedMap in JavaScript
// key order (integer-like keys first, then insertion order).
package js
