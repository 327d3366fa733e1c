package bench

import (
	"context"
	"fmt"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/lists"
)

// Eval evaluates one compiled rule over the data it was compiled with and
// returns a bool (R1, R2) or an int64 (R3).
type Eval func() (any, error)

// Engine compiles the rules in one engine's language.
type Engine struct {
	// Name is the engine as the table names it.
	Name string
	// Compile compiles rule r over d, once; the Eval it returns does only
	// the evaluation.
	Compile func(r Rule, d *Data) (Eval, error)
}

// Engines lists the engines in table order. NativeMap is the baseline of
// the ratios: hand-written Go over the same map the peers read.
var Engines = []Engine{
	{"wf", compileWF},
	{"expr", compileExpr},
	{"cel-go", compileCEL},
	{"goja", compileGoja},
	{"starlark", compileStarlark},
	{NativeMap, compileNativeMap},
	{"native-struct", compileNativeStruct},
}

// NativeMap is the name of the baseline engine.
const NativeMap = "native-map"

// BlockedList is the name of the WF List R1-list reads.
const BlockedList = "blocked-ips"

// compileWF compiles a rule as a WF fn with interp.NewEvaluator over
// stdlib.Default(); the trigger is an *interp.Map, the blocked addresses
// a WF List in a lists.Service over a MemStore (R1-list) or an
// *interp.List (R1-value).
func compileWF(r Rule, d *Data) (Eval, error) {
	src, fn := wfSource(r)
	ev, diags := interp.NewEvaluator("rules.wf", src, fn, stdlib.Default(), interp.Options{})
	if diags.HasErrors() {
		return nil, diags.Err()
	}
	tr := d.Trigger
	switch r {
	case R1List:
		svc, err := BlockedService(d.Blocked)
		if err != nil {
			return nil, err
		}
		ev.SetEnv(&stdlib.Env{ListService: svc})
	case R1Value:
		elems := make([]interp.Value, len(d.Blocked))
		for i, ip := range d.Blocked {
			elems[i] = ip
		}
		blocked := interp.NewList(elems)
		return func() (any, error) { return ev.Eval(tr, blocked) }, nil
	}
	return func() (any, error) { return ev.Eval(tr) }, nil
}

func wfSource(r Rule) (src, fn string) {
	switch r {
	case R1List:
		return wfR1List, "r1"
	case R1Value:
		return wfR1Value, "r1"
	case R2:
		return wfR2, "r2"
	}
	return wfR3(), "r3"
}

// BlockedService returns a Lists service over a MemStore holding the
// ip_address List BlockedList with the given addresses.
func BlockedService(ips []string) (*lists.Service, error) {
	ctx := context.Background()
	svc := lists.NewService(lists.NewMemStore())
	if _, err := svc.Create(ctx, BlockedList, lists.KindIPAddress); err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if _, err := svc.Add(ctx, BlockedList, ip, nil); err != nil {
			return nil, fmt.Errorf("bench: blocked %s: %w", ip, err)
		}
	}
	return svc, nil
}
