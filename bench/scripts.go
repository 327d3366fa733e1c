package bench

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/dop251/goja"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// compileGoja compiles a rule as a JavaScript function in one goja
// runtime. The trigger is a native JS object built once (from the trigger's
// JSON), the blocked addresses a Set (R1-list) or an array (R1-value, and
// a new one each time for R1-fresh).
func compileGoja(r Rule, d *Data) (Program, error) {
	vm := goja.New()
	src, name := jsR1List, "r1"
	switch r {
	case R1Value, R1Fresh:
		src = jsR1Value
	case R2:
		src, name = jsR2, "r2"
	case R3:
		src, name = jsR3(), "r3"
	}
	if _, err := vm.RunString(src); err != nil {
		return Program{}, err
	}
	fn, ok := goja.AssertFunction(vm.Get(name))
	if !ok {
		return Program{}, fmt.Errorf("goja: %s is not a function", name)
	}
	trigger, err := vm.RunString("(" + string(d.JSON) + ")")
	if err != nil {
		return Program{}, err
	}
	args := []goja.Value{trigger}
	switch r {
	case R1List, R1Value:
		blocked, err := vm.RunString(jsBlocked(r, d.Blocked))
		if err != nil {
			return Program{}, err
		}
		args = append(args, blocked)
	}
	this := goja.Undefined()
	eval := func() (any, error) {
		v, err := fn(this, args...)
		if err != nil {
			return nil, err
		}
		return v.Export(), nil
	}
	if r == R1Fresh {
		args = append(args, nil)
		in := newFresh(func() goja.Value { return vm.NewArray(anyList(d.Blocked)...) })
		return in.program(func(blocked goja.Value) (any, error) {
			args[1] = blocked
			return eval()
		}), nil
	}
	return Program{Eval: eval}, nil
}

// jsBlocked is the JS expression for the blocked addresses.
func jsBlocked(r Rule, ips []string) string {
	arr, _ := json.Marshal(ips)
	if r == R1List {
		return "new Set(" + string(arr) + ")"
	}
	return string(arr)
}

// compileStarlark compiles a rule as a starlark function. The trigger is
// a frozen dict (nested dicts and lists), the blocked addresses a frozen
// set (R1-list) or list (R1-value, and a new one each time for R1-fresh);
// the argument tuple is built once.
func compileStarlark(r Rule, d *Data) (Program, error) {
	src, name := starR1, "r1"
	switch r {
	case R2:
		src, name = starR2, "r2"
	case R3:
		src, name = starlarkR3(), "r3"
	}
	th := &starlark.Thread{Name: "bench"}
	globals, err := starlark.ExecFileOptions(&syntax.FileOptions{}, th, "rules.star", src, nil)
	if err != nil {
		return Program{}, err
	}
	fn := globals[name]
	args := starlark.Tuple{starValue(d.Map)}
	switch r {
	case R1List:
		set := starlark.NewSet(len(d.Blocked))
		for _, ip := range d.Blocked {
			if err := set.Insert(starlark.String(ip)); err != nil {
				return Program{}, err
			}
		}
		args = append(args, set)
	case R1Value:
		args = append(args, starValue(anyList(d.Blocked)))
	}
	args.Freeze()
	eval := func() (any, error) {
		v, err := starlark.Call(th, fn, args, nil)
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case starlark.Bool:
			return bool(v), nil
		case starlark.Int:
			n, _ := v.Int64()
			return n, nil
		}
		return nil, fmt.Errorf("starlark: %s returned %s", name, v.Type())
	}
	if r == R1Fresh {
		args = append(args, nil)
		in := newFresh(func() starlark.Value { return starValue(anyList(d.Blocked)) })
		return in.program(func(blocked starlark.Value) (any, error) {
			args[1] = blocked
			return eval()
		}), nil
	}
	return Program{Eval: eval}, nil
}

// starValue converts a Go value (as interp.ToGo makes it) to starlark.
func starValue(x any) starlark.Value {
	switch x := x.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := starlark.NewDict(len(x))
		for _, k := range keys {
			_ = d.SetKey(starlark.String(k), starValue(x[k]))
		}
		return d
	case []any:
		elems := make([]starlark.Value, len(x))
		for i, e := range x {
			elems[i] = starValue(e)
		}
		return starlark.NewList(elems)
	case string:
		return starlark.String(x)
	case int64:
		return starlark.MakeInt64(x)
	case float64:
		return starlark.Float(x)
	case bool:
		return starlark.Bool(x)
	}
	return starlark.None
}
