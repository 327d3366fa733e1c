package js

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// KV is one key and value of an OrderedMap.
type KV struct {
	Key   string
	Value any
}

// OrderedMap is a JavaScript object with its keys in JavaScript order
// (integer-like keys ascending, then insertion order). Calls return it in
// place of map[string]any when Env.OrderedMaps is set, and accept it as input.
type OrderedMap []KV

// Get returns the value under key and whether it is present.
func (m OrderedMap) Get(key string) (any, bool) {
	for _, kv := range m {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// Approximate JSON sizes of scalars, for the input and output limits.
const (
	sizeNull   = 4
	sizeBool   = 5
	sizeNumber = 8
)

// maxSafeInt is Number.MAX_SAFE_INTEGER: larger integers lose precision as
// JavaScript numbers.
const maxSafeInt = 1<<53 - 1

// measure checks that v holds only boundary types, nests at most MaxDepth
// deep, and fits in *budget bytes of JSON-ish text, which it spends.
func measure(v any, path string, depth int, budget *int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: %s is nested more than %d deep", ErrLimit, path, MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		*budget -= sizeNull
	case bool:
		*budget -= sizeBool
	case int:
		return measure(int64(x), path, depth, budget)
	case int64:
		if x > maxSafeInt || x < -maxSafeInt {
			return fmt.Errorf("%w: %s is %d, beyond JavaScript's safe integers (±2^53-1); pass it as a string", ErrValue, path, x)
		}
		*budget -= sizeNumber
	case float64:
		*budget -= sizeNumber
	case string:
		*budget -= len(x) + 2
	case []any:
		*budget -= 2 + len(x)
		for i, e := range x {
			if err := measure(e, path+"["+strconv.Itoa(i)+"]", depth+1, budget); err != nil {
				return err
			}
		}
	case map[string]any:
		*budget -= 2
		for k, e := range x {
			*budget -= len(k) + 4
			if err := measure(e, member(path, k), depth+1, budget); err != nil {
				return err
			}
		}
	case OrderedMap:
		*budget -= 2
		for _, kv := range x {
			*budget -= len(kv.Key) + 4
			if err := measure(kv.Value, member(path, kv.Key), depth+1, budget); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%w: %s is a %T; pass nil, bool, int64, float64, string, []any or map[string]any", ErrValue, path, v)
	}
	if *budget < 0 {
		return fmt.Errorf("%w: input", ErrLimit)
	}
	return nil
}

// toJS copies a measured Go value into plain JavaScript values: objects and
// arrays the script may change freely without touching the caller's.
// Map keys go in sorted order, so Object.keys is the same on every replay.
func toJS(vm *goja.Runtime, v any) goja.Value {
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case int:
		return vm.ToValue(int64(x))
	case bool, int64, float64, string:
		return vm.ToValue(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = toJS(vm, e)
		}
		return vm.NewArray(items...)
	case map[string]any:
		o := vm.NewObject()
		for _, k := range slices.Sorted(mapsKeys(x)) {
			setOwn(o, k, toJS(vm, x[k]))
		}
		return o
	case OrderedMap:
		o := vm.NewObject()
		for _, kv := range x {
			setOwn(o, kv.Key, toJS(vm, kv.Value))
		}
		return o
	}
	panic(fmt.Sprintf("js: unmeasured value of type %T", v))
}

// setOwn gives a fresh plain object the own property k. Set is the cheaper
// call, but on "__proto__" it would change the prototype instead.
func setOwn(o *goja.Object, k string, v goja.Value) {
	if k == "__proto__" {
		_ = o.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return
	}
	_ = o.Set(k, v)
}

// mapsKeys iterates the keys of m.
func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// decoder turns a JavaScript result into Go values, spending an output
// budget and refusing cycles, functions, symbols and non-finite numbers.
type decoder struct {
	vm      *goja.Runtime
	tag     goja.Callable
	budget  int
	ordered bool
	onPath  map[*goja.Object]bool
}

// value decodes v found at path.
func (d *decoder) value(v goja.Value, path string, depth int) (any, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: %s is nested more than %d deep", ErrLimit, path, MaxDepth)
	}
	if d.budget < 0 {
		return nil, fmt.Errorf("%w: result", ErrLimit)
	}
	switch {
	case isNullish(v):
		d.budget -= sizeNull
		return nil, nil
	case goja.IsNumber(v):
		d.budget -= sizeNumber
		return number(v.ToFloat(), v.Export(), path)
	case goja.IsString(v):
		s := v.String()
		d.budget -= len(s) + 2
		return s, nil
	case goja.IsBigInt(v):
		d.budget -= sizeNumber
		return bigInt(v.Export(), path)
	}
	switch x := v.(type) {
	case *goja.Symbol:
		return nil, fmt.Errorf("%w: %s is a symbol; results must be plain data", ErrValue, path)
	case *goja.Object:
		return d.object(x, path, depth)
	}
	if b, ok := v.Export().(bool); ok {
		d.budget -= sizeBool
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s has no WF value", ErrValue, path)
}

// object decodes an object by its class.
func (d *decoder) object(o *goja.Object, path string, depth int) (any, error) {
	switch cn := d.class(o); cn {
	case "Array":
		return d.guarded(o, path, func() (any, error) { return d.array(o, path, depth) })
	case "Object":
		return d.guarded(o, path, func() (any, error) { return d.fields(o, path, depth) })
	case "Function":
		return nil, fmt.Errorf("%w: %s is a function; results must be plain data", ErrValue, path)
	case "Date":
		return d.date(o, path)
	case "String":
		return d.value(o.ToString(), path, depth)
	case "Number":
		return d.value(o.ToNumber(), path, depth)
	case "Boolean":
		return d.value(d.vm.ToValue(o.Export()), path, depth)
	case "BigInt":
		d.budget -= sizeNumber
		return bigInt(o.Export(), path)
	case "Symbol":
		return nil, fmt.Errorf("%w: %s is a symbol; results must be plain data", ErrValue, path)
	case "Map":
		return nil, fmt.Errorf("%w: %s is a Map; return Object.fromEntries(map) instead", ErrValue, path)
	case "Set":
		return nil, fmt.Errorf("%w: %s is a Set; return [...set] instead", ErrValue, path)
	case "Error":
		return nil, fmt.Errorf("%w: %s is an Error; return its message instead", ErrValue, path)
	default:
		return nil, fmt.Errorf("%w: %s is a %s; results must be plain data", ErrValue, path, cn)
	}
}

// class names o: goja's class, or for objects goja calls plain the builtin
// tag Object.prototype.toString reports (Map, Set, Promise, an array behind
// a Proxy, …); a tag a script gave its own object does not count.
func (d *decoder) class(o *goja.Object) string {
	cn := o.ClassName()
	if cn != "Object" || d.tag == nil {
		return cn
	}
	v, err := d.tag(o)
	if err != nil {
		panic(err)
	}
	tag := strings.TrimSuffix(strings.TrimPrefix(v.String(), "[object "), "]")
	switch tag {
	case "Array", "Map", "Set", "WeakMap", "WeakSet", "Promise", "Symbol", "BigInt", "Generator":
		return tag
	}
	if strings.HasSuffix(tag, " Iterator") {
		return tag
	}
	return cn
}

// guarded refuses o when it is already being decoded further up (a cycle).
func (d *decoder) guarded(o *goja.Object, path string, f func() (any, error)) (any, error) {
	if d.onPath[o] {
		return nil, fmt.Errorf("%w: %s refers back to an enclosing value (a cycle)", ErrValue, path)
	}
	d.onPath[o] = true
	defer delete(d.onPath, o)
	return f()
}

// array decodes an array element by element; holes become nil.
func (d *decoder) array(o *goja.Object, path string, depth int) (any, error) {
	n := lengthOf(d.vm, o)
	if n > float64(d.budget) || n > MaxArrayLength {
		return nil, fmt.Errorf("%w: %s has %s elements, over the limit", ErrLimit, path, fmtNum(n))
	}
	d.budget -= 2 + int(n)
	out := make([]any, int(n))
	for i := range out {
		e, err := d.value(o.Get(strconv.Itoa(i)), path+"["+strconv.Itoa(i)+"]", depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// fields decodes an object's own enumerable string-keyed properties.
func (d *decoder) fields(o *goja.Object, path string, depth int) (any, error) {
	keys := o.Keys()
	d.budget -= 2
	if d.ordered {
		out := make(OrderedMap, 0, len(keys))
		for _, k := range keys {
			v, err := d.field(o, k, path, depth)
			if err != nil {
				return nil, err
			}
			out = append(out, KV{k, v})
		}
		return out, nil
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		v, err := d.field(o, k, path, depth)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// field decodes one property.
func (d *decoder) field(o *goja.Object, k, path string, depth int) (any, error) {
	d.budget -= len(k) + 4
	return d.value(o.Get(k), member(path, k), depth+1)
}

// date renders a Date as an RFC 3339 string in UTC.
func (d *decoder) date(o *goja.Object, path string) (any, error) {
	t, ok := o.Export().(time.Time)
	if !ok {
		return nil, fmt.Errorf("%w: %s is an invalid Date", ErrValue, path)
	}
	s := t.UTC().Format(time.RFC3339Nano)
	d.budget -= len(s) + 2
	return s, nil
}

// number returns an integral number as int64 and any other as float64.
func number(f float64, exported any, path string) (any, error) {
	if i, ok := exported.(int64); ok {
		return i, nil
	}
	switch {
	case math.IsNaN(f):
		return nil, fmt.Errorf("%w: %s is NaN; results must be finite numbers", ErrValue, path)
	case math.IsInf(f, 0):
		return nil, fmt.Errorf("%w: %s is %s; results must be finite numbers", ErrValue, path, infName(f))
	case f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63:
		return int64(f), nil
	}
	return f, nil
}

// infName spells an infinity the JavaScript way.
func infName(f float64) string {
	if f < 0 {
		return "-Infinity"
	}
	return "Infinity"
}

// bigInt returns a BigInt as int64 when it fits.
func bigInt(v any, path string) (any, error) {
	if b, ok := v.(*big.Int); ok && b.IsInt64() {
		return b.Int64(), nil
	}
	return nil, fmt.Errorf("%w: %s is a BigInt too large for int64", ErrValue, path)
}

// member renders path.key, or path["key"] when key is not an identifier.
func member(path, key string) string {
	if isIdent(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}
