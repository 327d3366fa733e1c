package bench

import (
	"fmt"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
)

// compileExpr compiles a rule with expr against a map[string]any env
// holding the trigger (the Go form) and the blocked addresses as a
// map[string]bool (R1-list: expr's `in` looks up map keys) or an []any
// (R1-value). A vm.VM is reused, as expr's docs advise for hot loops.
func compileExpr(r Rule, d *Data) (Eval, error) {
	env := map[string]any{"trigger": d.Map}
	src := exprR1
	opts := []expr.Option{expr.Env(env), expr.AsBool()}
	switch r {
	case R1List:
		env["blocked"] = boolSet(d.Blocked)
	case R1Value:
		env["blocked"] = anyList(d.Blocked)
	case R2:
		src = exprR2
	case R3:
		src = ternaryR3(exprSyntax)
		opts = []expr.Option{expr.Env(env), expr.AsInt64()}
	}
	prog, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, err
	}
	machine := &vm.VM{}
	return func() (any, error) { return machine.Run(prog, env) }, nil
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

// compileCEL compiles a rule with cel-go (with ext.Strings for
// lowerAscii) and the optimizing planner. The trigger is declared
// map(string, dyn), the blocked addresses map(string, bool) (R1-list: `in`
// tests keys) or list(string) (R1-value); the activation, built once from
// a map[string]any, is reused.
func compileCEL(r Rule, d *Data) (Eval, error) {
	vars := map[string]any{"trigger": d.Map}
	decls := []cel.EnvOption{cel.Variable("trigger", cel.MapType(cel.StringType, cel.DynType)), ext.Strings()}
	src := celR1
	switch r {
	case R1List:
		vars["blocked"] = boolSet(d.Blocked)
		decls = append(decls, cel.Variable("blocked", cel.MapType(cel.StringType, cel.BoolType)))
	case R1Value:
		vars["blocked"] = d.Blocked
		decls = append(decls, cel.Variable("blocked", cel.ListType(cel.StringType)))
	case R2:
		src = celR2
	case R3:
		src = ternaryR3(celSyntax)
	}
	env, err := cel.NewEnv(decls...)
	if err != nil {
		return nil, err
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	act, err := cel.NewActivation(vars)
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		out, _, err := prg.Eval(act)
		if err != nil {
			return nil, err
		}
		if e, ok := out.(*types.Err); ok {
			return nil, fmt.Errorf("cel: %v", e)
		}
		return out.Value(), nil
	}, nil
}
