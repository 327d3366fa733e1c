package js

import (
	"fmt"
	"math"
	"strconv"
	"sync/atomic"

	"github.com/dop251/goja"
)

// Limits enforced inside every runtime. goja cannot interrupt a builtin
// while it runs, so the builtins whose cost grows with their input are
// wrapped to refuse inputs over these limits with a RangeError.
const (
	// MaxStringLength caps, in UTF-16 units, the strings String.prototype
	// methods accept and produce (repeat, padStart, join, …).
	MaxStringLength = 1 << 20
	// MaxArrayLength caps the length of the arrays and array-likes builtins
	// walk (Array.prototype methods, Array.from, apply, spread).
	MaxArrayLength = 1 << 17
	// MaxDepth caps nesting: values crossing the boundary, join and
	// JSON.stringify.
	MaxDepth = 256
	// MaxCallDepth caps the JavaScript call stack.
	MaxCallDepth = 4096
)

// guard holds the per-runtime state of the wrapped builtins.
type guard struct {
	vm       *goja.Runtime
	stop     atomic.Bool
	depth    int
	rangeErr goja.Value
}

// hook adjusts a call before the original builtin runs.
type hook func(g *guard, name string, c *goja.FunctionCall)

// tick refuses to go on once the call has been interrupted, so a builtin
// re-entered many times (a nested join) stops at the time limit.
func (g *guard) tick() {
	if g.stop.Load() {
		g.fail("script interrupted")
	}
}

// fail throws a RangeError.
func (g *guard) fail(format string, args ...any) {
	obj, err := g.vm.New(g.rangeErr, g.vm.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(err)
	}
	panic(obj)
}

// install wraps the builtins on the global object; run before the freeze.
func (g *guard) install() {
	vm := g.vm
	g.rangeErr = vm.Get("RangeError")
	ap := protoOf(vm, "Array")
	for _, k := range ap.GetOwnPropertyNames() {
		g.wrapArrayMethod(ap, k)
	}
	g.wrapSym(ap, goja.SymIterator, "Array.prototype[Symbol.iterator]", arrayThis)
	sp := protoOf(vm, "String")
	for _, k := range sp.GetOwnPropertyNames() {
		g.wrapStringMethod(sp, k)
	}
	g.wrapSym(sp, goja.SymIterator, "String.prototype[Symbol.iterator]", stringThis)
	g.wrap(protoOf(vm, "Function"), "apply", "Function.prototype.apply", argList(1), false)
	reflect := vm.Get("Reflect").ToObject(vm)
	g.wrap(reflect, "apply", "Reflect.apply", argList(2), false)
	g.wrap(reflect, "construct", "Reflect.construct", argList(1), false)
	g.wrap(vm.Get("Array").ToObject(vm), "from", "Array.from", argList(0), false)
	g.wrapJSON(vm.Get("JSON").ToObject(vm))
	rp := protoOf(vm, "RegExp")
	for _, k := range []string{"exec", "test"} {
		g.wrap(rp, k, "RegExp.prototype."+k, stringArg, false)
	}
	for _, s := range []*goja.Symbol{goja.SymMatch, goja.SymMatchAll, goja.SymReplace, goja.SymSearch, goja.SymSplit} {
		g.wrapSym(rp, s, "RegExp.prototype["+s.String()+"]", stringArg)
	}
}

// wrapArrayMethod guards one Array.prototype method.
func (g *guard) wrapArrayMethod(ap *goja.Object, k string) {
	name := "Array.prototype." + k
	switch k {
	case "constructor", "push", "pop", "at":
		// constant time per call: left unwrapped, they are common in loops
	case "concat":
		g.wrap(ap, k, name, concatArgs, false)
	case "flat":
		g.wrap(ap, k, name, flatCount, false)
	case "flatMap":
		g.wrap(ap, k, name, flatMapCount, false)
	case "join":
		g.wrap(ap, k, name, joinSize, true)
	case "toString", "toLocaleString":
		g.wrap(ap, k, name, arrayThis, true)
	default:
		g.wrap(ap, k, name, arrayThis, false)
	}
}

// wrapStringMethod guards one String.prototype method.
func (g *guard) wrapStringMethod(sp *goja.Object, k string) {
	name := "String.prototype." + k
	switch k {
	case "constructor", "toString", "valueOf", "charAt", "charCodeAt", "codePointAt", "at":
		// constant time, or checking this itself (toString, valueOf)
	case "repeat":
		g.wrap(sp, k, name, repeatSize, false)
	case "padStart", "padEnd":
		g.wrap(sp, k, name, padSize, false)
	default:
		g.wrap(sp, k, name, stringThis, false)
	}
}

// wrap replaces obj[key], when it is a function, with one that checks the
// call, runs the original and checks its result. With nest set the wrapper
// counts its own nesting (join calling toString calling join).
func (g *guard) wrap(obj *goja.Object, key, name string, pre hook, nest bool) {
	if w := g.wrapper(obj.Get(key), name, pre, nest); w != nil {
		_ = obj.Set(key, w)
	}
}

// wrapSym is wrap for a symbol-keyed method.
func (g *guard) wrapSym(obj *goja.Object, sym *goja.Symbol, name string, pre hook) {
	if w := g.wrapper(obj.GetSymbol(sym), name, pre, false); w != nil {
		_ = obj.SetSymbol(sym, w)
	}
}

// wrapper builds the guarded function, keeping the original's name and
// length, or returns nil when orig is not a function.
func (g *guard) wrapper(orig goja.Value, name string, pre hook, nest bool) *goja.Object {
	f, ok := goja.AssertFunction(orig)
	if !ok {
		return nil
	}
	w := g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		g.tick()
		if nest {
			g.depth++
			defer func() { g.depth-- }()
			if g.depth > MaxDepth {
				g.fail("%s: arrays nested more than %d deep", name, MaxDepth)
			}
		}
		if pre != nil {
			pre(g, name, &c)
		}
		v, err := f(c.This, c.Arguments...)
		if err != nil {
			panic(err)
		}
		g.checkResult(name, v)
		return v
	}).(*goja.Object)
	o := orig.ToObject(g.vm)
	_ = w.DefineDataProperty("name", o.Get("name"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", o.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return w
}

// checkResult refuses a string or array a builtin produced over its limit.
func (g *guard) checkResult(name string, v goja.Value) {
	switch r := v.(type) {
	case goja.String:
		if n := r.Length(); n > MaxStringLength {
			g.fail("%s: result of %d characters is over the limit of %d", name, n, MaxStringLength)
		}
	case *goja.Object:
		if r.ClassName() == "Array" {
			g.checkLen(name, r)
		}
	}
}

// checkLen refuses an array-like longer than MaxArrayLength.
func (g *guard) checkLen(name string, v goja.Value) float64 {
	if isNullish(v) {
		return 0
	}
	n := lengthOf(g.vm, v)
	if n > MaxArrayLength {
		g.fail("%s: length %s is over the limit of %d", name, fmtNum(n), MaxArrayLength)
	}
	return n
}

// arrayThis checks the receiver's length.
func arrayThis(g *guard, name string, c *goja.FunctionCall) { g.checkLen(name, c.This) }

// argList checks the length of the array-like argument i.
func argList(i int) hook {
	return func(g *guard, name string, c *goja.FunctionCall) {
		if a, ok := c.Argument(i).(*goja.Object); ok {
			g.checkLen(name, a)
		}
	}
}

// stringThis converts the receiver to a string once and checks its length.
func stringThis(g *guard, name string, c *goja.FunctionCall) {
	if isNullish(c.This) {
		return
	}
	s := c.This.ToString()
	c.This = s
	if str, ok := s.(goja.String); ok && str.Length() > MaxStringLength {
		g.fail("%s: string of %d characters is over the limit of %d", name, str.Length(), MaxStringLength)
	}
}

// stringArg checks the length of a string first argument.
func stringArg(g *guard, name string, c *goja.FunctionCall) {
	if s, ok := c.Argument(0).(goja.String); ok && s.Length() > MaxStringLength {
		g.fail("%s: string of %d characters is over the limit of %d", name, s.Length(), MaxStringLength)
	}
}

// repeatSize refuses a repeat whose result would be over MaxStringLength.
func repeatSize(g *guard, name string, c *goja.FunctionCall) {
	stringThis(g, name, c)
	if isNullish(c.This) {
		return
	}
	n := float64(c.This.(goja.String).Length())
	count := c.Argument(0).ToFloat()
	if count > 0 && !math.IsInf(count, 0) && n*math.Trunc(count) > MaxStringLength {
		g.fail("%s: result of %s characters would be over the limit of %d", name, fmtNum(n*math.Trunc(count)), MaxStringLength)
	}
}

// padSize refuses a padStart/padEnd target length over MaxStringLength.
func padSize(g *guard, name string, c *goja.FunctionCall) {
	stringThis(g, name, c)
	if target := c.Argument(0).ToFloat(); target > MaxStringLength {
		g.fail("%s: length %s is over the limit of %d", name, fmtNum(target), MaxStringLength)
	}
}

// joinSize checks the receiver and the room the separators alone take.
func joinSize(g *guard, name string, c *goja.FunctionCall) {
	n := g.checkLen(name, c.This)
	sep := 1.0
	if s := c.Argument(0); !goja.IsUndefined(s) {
		sep = float64(s.ToString().(goja.String).Length())
	}
	if n > 1 && sep*(n-1) > MaxStringLength {
		g.fail("%s: separators alone would be over the limit of %d characters", name, MaxStringLength)
	}
}

// concatArgs checks the length of the joined array.
func concatArgs(g *guard, name string, c *goja.FunctionCall) {
	total := g.checkLen(name, c.This)
	for _, a := range c.Arguments {
		total++
		if o, ok := a.(*goja.Object); ok && o.ClassName() == "Array" {
			total += g.checkLen(name, o) - 1
		}
	}
	if total > MaxArrayLength {
		g.fail("%s: length %s is over the limit of %d", name, fmtNum(total), MaxArrayLength)
	}
}

// fmtNum renders a length for an error message.
func fmtNum(f float64) string {
	if f >= 1e15 || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', 4, 64)
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}
