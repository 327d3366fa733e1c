package js

import (
	"strconv"

	"github.com/dop251/goja"
)

// flatCount walks what flat would produce, refusing more than MaxArrayLength
// elements, so arrays sharing their parts ([a, a] twenty levels deep) cannot
// make flat run for seconds.
func flatCount(g *guard, name string, c *goja.FunctionCall) {
	if isNullish(c.This) {
		return
	}
	depth := 1.0
	if d := c.Argument(0); !goja.IsUndefined(d) {
		depth = d.ToFloat()
	}
	var n float64
	g.countFlat(name, c.This.ToObject(g.vm), depth, &n, 0)
}

// countFlat counts every element visited, arrays included.
func (g *guard) countFlat(name string, o *goja.Object, depth float64, n *float64, level int) {
	l := int(g.checkLen(name, o))
	for i := 0; i < l; i++ {
		*n++
		if *n > MaxArrayLength {
			g.fail("%s: result over the limit of %d elements", name, MaxArrayLength)
		}
		e := o.Get(strconv.Itoa(i))
		if depth >= 1 && isArray(e) {
			if level >= MaxDepth {
				g.fail("%s: arrays nested more than %d deep", name, MaxDepth)
			}
			g.tick()
			g.countFlat(name, e.(*goja.Object), depth-1, n, level+1)
		}
	}
}

// flatMapCount wraps the callback to count what flatMap will flatten.
func flatMapCount(g *guard, name string, c *goja.FunctionCall) {
	g.checkLen(name, c.This)
	cb, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		return
	}
	total := 0.0
	args := append([]goja.Value(nil), c.Arguments...)
	args[0] = g.vm.ToValue(func(fc goja.FunctionCall) goja.Value {
		v, err := cb(fc.This, fc.Arguments...)
		if err != nil {
			panic(err)
		}
		total++
		if isArray(v) {
			total += lengthOf(g.vm, v)
		}
		if total > MaxArrayLength {
			g.fail("%s: result over the limit of %d elements", name, MaxArrayLength)
		}
		return v
	})
	c.Arguments = args
}

// wrapJSON guards JSON.parse by input size and JSON.stringify through a
// replacer that ticks, tracks nesting and keeps the caller's replacer.
func (g *guard) wrapJSON(j *goja.Object) {
	g.wrap(j, "parse", "JSON.parse", stringArg, false)
	orig := j.Get("stringify")
	stringify, ok := goja.AssertFunction(orig)
	if !ok {
		return
	}
	pre := func(g *guard, _ string, c *goja.FunctionCall) {
		c.Arguments = []goja.Value{c.Argument(0), g.replacer(c.Argument(1)), c.Argument(2)}
	}
	w := g.wrapper(g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		v, err := stringify(c.This, c.Arguments...)
		if err != nil {
			panic(err)
		}
		return v
	}), "JSON.stringify", pre, false)
	o := orig.ToObject(g.vm)
	_ = w.DefineDataProperty("name", o.Get("name"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", o.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = j.Set("stringify", w)
}

// replacer returns the replacer JSON.stringify runs with: it applies the
// caller's replacer function, or emulates a replacer array (keeping the
// object's key order rather than the array's), and refuses nesting deeper
// than MaxDepth.
func (g *guard) replacer(user goja.Value) goja.Value {
	fn, _ := goja.AssertFunction(user)
	allow := g.allowList(user)
	depth := map[*goja.Object]int{}
	nodes, root := 0, true
	return g.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		if nodes++; nodes%256 == 0 {
			g.tick()
		}
		holder, _ := c.This.(*goja.Object)
		key, v := c.Argument(0), c.Argument(1)
		if !root && allow != nil && !isArray(holder) && !allow[key.String()] {
			return goja.Undefined()
		}
		root = false
		if fn != nil {
			r, err := fn(c.This, key, v)
			if err != nil {
				panic(err)
			}
			v = r
		}
		if o, ok := v.(*goja.Object); ok {
			d := depth[holder] + 1
			if d > MaxDepth {
				g.fail("JSON.stringify: value nested more than %d deep", MaxDepth)
			}
			depth[o] = d
		}
		return v
	})
}

// allowList reads a replacer array into a set of keys, or returns nil.
func (g *guard) allowList(v goja.Value) map[string]bool {
	o, ok := v.(*goja.Object)
	if !ok || !isArray(o) {
		return nil
	}
	n := int(g.checkLen("JSON.stringify", o))
	allow := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		e := o.Get(strconv.Itoa(i))
		switch k := e.(type) {
		case goja.String:
			allow[k.String()] = true
		case *goja.Object:
			if cn := k.ClassName(); cn == "String" || cn == "Number" {
				allow[k.String()] = true
			}
		default:
			if goja.IsNumber(e) {
				allow[e.String()] = true
			}
		}
	}
	return allow
}

// protoOf returns the prototype object of the named global constructor.
func protoOf(vm *goja.Runtime, name string) *goja.Object {
	return vm.Get(name).ToObject(vm).Get("prototype").ToObject(vm)
}

// isNullish reports whether v is absent, undefined or null.
func isNullish(v goja.Value) bool {
	return v == nil || goja.IsUndefined(v) || goja.IsNull(v)
}

// isArray reports whether v is a JavaScript array.
func isArray(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o != nil && o.ClassName() == "Array"
}

// lengthOf reads the length property of an array-like.
func lengthOf(vm *goja.Runtime, v goja.Value) float64 {
	l := v.ToObject(vm).Get("length")
	if l == nil {
		return 0
	}
	return l.ToFloat()
}
