package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/lists"
)

// Eval evaluates one compiled rule over the data it was compiled with and
// returns a bool (R1, R2) or an int64 (R3).
type Eval func() (any, error)

// Program is a compiled rule.
type Program struct {
	// Eval does one evaluation and nothing else.
	Eval Eval
	// Refill is set for a rule whose input must be new on every evaluation
	// (R1-fresh): it makes the inputs of the next n evaluations, which the
	// benchmark calls outside its timed loop. Each Eval consumes one.
	Refill func(n int)
}

// Engine compiles the rules in one engine's language.
type Engine struct {
	// Name is the engine as the table names it.
	Name string
	// Compile compiles rule r over d, once; the Program it returns does
	// only the evaluation. It returns ErrNotApplicable for a rule the
	// engine has no form of (native-set is only R1-value's baseline).
	Compile func(r Rule, d *Data) (Program, error)
}

// ErrNotApplicable is what Compile returns for a rule an engine skips.
var ErrNotApplicable = errors.New("bench: the engine has no form of this rule")

// Engines lists the engines in table order. The fair baseline of a rule
// is the fastest of the native engines over the dynamic data (NativeMap,
// NativeSet); native-struct, over a typed struct, is the floor no dynamic
// engine can reach.
var Engines = []Engine{
	{"wf", compileWF},
	{"expr", compileExpr},
	{"expr-struct", compileExprStruct},
	{"cel-go", compileCEL},
	{"goja", compileGoja},
	{"starlark", compileStarlark},
	{NativeMap, compileNativeMap},
	{NativeSet, compileNativeSet},
	{"native-struct", compileNativeStruct},
}

// The names of the native baselines over the dynamic data.
const (
	NativeMap = "native-map"
	NativeSet = "native-set"
)

// BlockedList is the name of the WF List R1-list reads.
const BlockedList = "blocked-ips"

// compileWF compiles a rule as a WF fn with interp.NewEvaluator over
// stdlib.Default(); the trigger is an *interp.Map, the blocked addresses
// a WF List in a lists.Service over a MemStore (R1-list) or an
// *interp.List (R1-value: the same list each time; R1-fresh: a new one).
func compileWF(r Rule, d *Data) (Program, error) {
	src, fn := wfSource(r)
	ev, diags := interp.NewEvaluator("rules.wf", src, fn, stdlib.Default(), interp.Options{})
	if diags.HasErrors() {
		return Program{}, diags.Err()
	}
	tr := d.Trigger
	elems := make([]interp.Value, len(d.Blocked))
	for i, ip := range d.Blocked {
		elems[i] = ip
	}
	switch r {
	case R1List:
		svc, err := BlockedService(d.Blocked)
		if err != nil {
			return Program{}, err
		}
		ev.SetEnv(&stdlib.Env{ListService: svc})
	case R1Value:
		blocked := interp.NewList(elems)
		return Program{Eval: func() (any, error) { return ev.Eval(tr, blocked) }}, nil
	case R1Fresh:
		in := newFresh(func() *interp.List { return interp.NewList(slices.Clone(elems)) })
		return in.program(func(l *interp.List) (any, error) { return ev.Eval(tr, l) }), nil
	}
	return Program{Eval: func() (any, error) { return ev.Eval(tr) }}, nil
}

func wfSource(r Rule) (src, fn string) {
	switch r {
	case R1List:
		return wfR1List, "r1"
	case R1Value, R1Fresh:
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

// fresh hands out inputs that are new on every evaluation (R1-fresh):
// refill makes the next batch, next returns each once.
type fresh[T any] struct {
	make func() T
	buf  []T
	i    int
}

func newFresh[T any](make func() T) *fresh[T] { return &fresh[T]{make: make} }

func (f *fresh[T]) refill(n int) {
	clear(f.buf)
	f.buf, f.i = f.buf[:0], 0
	for range n {
		f.buf = append(f.buf, f.make())
	}
}

// next returns the next input, making one if the batch is used up (tests
// call Eval without Refill).
func (f *fresh[T]) next() T {
	if f.i == len(f.buf) {
		f.refill(1)
	}
	v := f.buf[f.i]
	f.i++
	return v
}

// program evaluates eval on a new input each time.
func (f *fresh[T]) program(eval func(T) (any, error)) Program {
	return Program{Eval: func() (any, error) { return eval(f.next()) }, Refill: f.refill}
}
