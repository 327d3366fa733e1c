package bench

import (
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// compileExpr compiles a rule with expr against a map[string]any env
// holding the trigger (the Go form) and the blocked addresses as a
// map[string]bool (R1-list: expr's `in` looks up map keys) or an []any
// (R1-value, R1-fresh). A vm.VM is reused, as expr's docs advise for hot
// loops.
func compileExpr(r Rule, d *Data) (Program, error) {
	env := map[string]any{"trigger": d.Map}
	src := exprR1
	opts := []expr.Option{expr.Env(env), expr.AsBool()}
	switch r {
	case R1List:
		env["blocked"] = boolSet(d.Blocked)
	case R1Value, R1Fresh:
		env["blocked"] = anyList(d.Blocked)
	case R2:
		src = exprR2
	case R3:
		src = ternaryR3(exprSyntax)
		opts = []expr.Option{expr.Env(env), expr.AsInt64()}
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return Program{}, err
	}
	machine := &vm.VM{}
	if r == R1Fresh {
		in := newFresh(func() []any { return anyList(d.Blocked) })
		return in.program(func(blocked []any) (any, error) {
			env["blocked"] = blocked
			return machine.Run(prog, env)
		}), nil
	}
	return Program{Eval: func() (any, error) { return machine.Run(prog, env) }}, nil
}

// exprEnv is expr's typed environment: the trigger as the Applicant
// struct, whose fields expr reads by offset. It is passed by value:
// measured, a pointer to it makes expr 2 to 9 times slower.
type exprEnv struct {
	Trigger Applicant       `expr:"trigger"`
	Set     map[string]bool `expr:"blocked_set"`
	List    []any           `expr:"blocked"`
}

// compileExprStruct compiles a rule with expr against the typed exprEnv
// (expr's fastest mode): the same sources, with R1-list's set under its
// own name. For R1-fresh each new input is a whole env (built, like the
// lists, outside the timed loop).
func compileExprStruct(r Rule, d *Data) (Program, error) {
	env := exprEnv{Trigger: *d.Struct}
	src := exprR1
	opts := []expr.Option{expr.Env(env), expr.AsBool()}
	switch r {
	case R1List:
		env.Set, src = boolSet(d.Blocked), exprR1Set
	case R1Value, R1Fresh:
		env.List = anyList(d.Blocked)
	case R2:
		src = exprR2
	case R3:
		src = ternaryR3(exprSyntax)
		opts = []expr.Option{expr.Env(env), expr.AsInt64()}
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return Program{}, err
	}
	machine := &vm.VM{}
	if r == R1Fresh {
		in := newFresh(func() any {
			e := env
			e.List = anyList(d.Blocked)
			return e
		})
		return in.program(func(e any) (any, error) { return machine.Run(prog, e) }), nil
	}
	boxed := any(env)
	return Program{Eval: func() (any, error) { return machine.Run(prog, boxed) }}, nil
}

func boolSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func anyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// celVars is a cel activation over fixed variables, so an evaluation
// builds nothing: the trigger and the blocked addresses, converted to CEL
// values once (cel-go's best input form; see compileCEL).
type celVars struct {
	trigger, blocked ref.Val
}

// ResolveName implements interpreter.Activation.
func (a *celVars) ResolveName(name string) (any, bool) {
	switch name {
	case "trigger":
		return a.trigger, true
	case "blocked":
		return a.blocked, a.blocked != nil
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *celVars) Parent() interpreter.Activation { return nil }

// The forms in which cel-go can get its data. BenchmarkCELForms measures
// both: the ref.Val form is faster on every rule (R1-value 3.4× faster,
// R3 1.4×), so compileCEL uses it.
const (
	celNative  = iota // map[string]any and []string, wrapped by cel-go on access
	celRefVals        // maps and lists of ref.Val, converted once
)

// celValue converts a Go value (as interp.ToGo makes it) to a CEL value:
// maps and lists of CEL values when form is celRefVals, else cel-go's
// wrapper of the Go value.
func celValue(x any, form int) ref.Val {
	if form == celNative {
		return types.DefaultTypeAdapter.NativeToValue(x)
	}
	switch x := x.(type) {
	case map[string]any:
		m := make(map[ref.Val]ref.Val, len(x))
		for k, v := range x {
			m[types.String(k)] = celValue(v, form)
		}
		return types.NewRefValMap(types.DefaultTypeAdapter, m)
	case []any:
		l := make([]ref.Val, len(x))
		for i, v := range x {
			l[i] = celValue(v, form)
		}
		return types.NewRefValList(types.DefaultTypeAdapter, l)
	}
	return types.DefaultTypeAdapter.NativeToValue(x)
}

// compileCEL compiles a rule with cel-go (with ext.Strings for
// lowerAscii) and the optimizing planner. The trigger is declared
// map(string, dyn), the blocked addresses map(string, bool) (R1-list: `in`
// tests keys) or list(string) (R1-value, R1-fresh). The data is converted
// to CEL values once, and the activation, which resolves the two
// variables to them, is reused.
func compileCEL(r Rule, d *Data) (Program, error) { return compileCELForm(r, d, celRefVals) }

// compileCELForm is compileCEL with the data in the given form.
func compileCELForm(r Rule, d *Data, form int) (Program, error) {
	decls := []cel.EnvOption{cel.Variable("trigger", cel.MapType(cel.StringType, cel.DynType)), ext.Strings()}
	src := celR1
	switch r {
	case R1List:
		decls = append(decls, cel.Variable("blocked", cel.MapType(cel.StringType, cel.BoolType)))
	case R1Value, R1Fresh:
		decls = append(decls, cel.Variable("blocked", cel.ListType(cel.StringType)))
	case R2:
		src = celR2
	case R3:
		src = ternaryR3(celSyntax)
	}
	env, err := cel.NewEnv(decls...)
	if err != nil {
		return Program{}, err
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return Program{}, iss.Err()
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return Program{}, err
	}
	vars := &celVars{trigger: celValue(d.Map, form)}
	switch r {
	case R1List:
		vars.blocked = types.DefaultTypeAdapter.NativeToValue(boolSet(d.Blocked))
	case R1Value:
		vars.blocked = celValue(anyList(d.Blocked), form)
	}
	eval := func() (any, error) {
		out, _, err := prg.Eval(vars)
		if err != nil {
			return nil, err
		}
		if e, ok := out.(*types.Err); ok {
			return nil, fmt.Errorf("cel: %v", e)
		}
		return out.Value(), nil
	}
	if r == R1Fresh {
		in := newFresh(func() ref.Val { return celValue(anyList(d.Blocked), form) })
		return in.program(func(blocked ref.Val) (any, error) {
			vars.blocked = blocked
			return eval()
		}), nil
	}
	return Program{Eval: eval}, nil
}
