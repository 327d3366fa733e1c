// Package workflow is WF's `workflow` module: one workflow calling,
// starting or scheduling another (`run workflow.call("kyb_checks", {…})`).
// It sits in stdlib between the interpreter, which calls its functions as
// recorded steps, and the runtime, which implements Runner: the runtime
// owns runs, so this package only checks arguments, carries the call depth
// and an idempotency key in the context, and converts results.
//
// # Depth
//
// Workflows may call each other, so a cycle (a calls b calls a) would start
// runs without end. Every run has a depth: 0 for a run started by a
// trigger, and one more than its caller's for a run started through this
// module. Depth(ctx) is the depth of the run whose step ctx belongs to; the
// functions here pass WithDepth(ctx, Depth(ctx)+1) to the Runner, the depth
// the new run will have, and refuse to go beyond MaxDepth themselves. A
// Runner must also refuse a ctx deeper than MaxDepth, and must run the new
// run with a context carrying that depth, including runs that Start and
// Schedule begin later from a queue: it stores the depth with the run.
package workflow

import (
	"context"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// MaxDepth is the deepest a chain of workflows started by workflows may go.
const MaxDepth = 8

// Runner starts runs of the workflows loaded with the caller. The runtime
// implements it; see the package doc for the depth it must enforce.
//
// An input never holds a secret: the functions refuse one (a run started
// by another starts from its record, which holds only a secret's marker).
type Runner interface {
	// Call runs the workflow with input (checked against its trigger's
	// parameters) and waits for it to end, returning its outputs; a failed
	// run is an error.
	Call(ctx context.Context, name string, input *interp.Map) (*interp.Map, error)
	// Start queues a run of the workflow and returns its id without
	// waiting.
	Start(ctx context.Context, name string, input *interp.Map) (string, error)
	// Schedule queues a run of the workflow to start at a time and returns
	// its id.
	Schedule(ctx context.Context, name string, at time.Time, input *interp.Map) (string, error)
}

// Provider is what a run's environment provides for the workflow module.
type Provider interface {
	// Workflows returns the runner; nil when none is configured.
	Workflows() Runner
}

type depthKey struct{}

type keyKey struct{}

// WithDepth returns ctx carrying a run depth.
func WithDepth(ctx context.Context, depth int) context.Context {
	return context.WithValue(ctx, depthKey{}, depth)
}

// Depth returns the run depth ctx carries, 0 when none.
func Depth(ctx context.Context) int {
	d, _ := ctx.Value(depthKey{}).(int)
	return d
}

// IdempotencyKey returns the key of the step that asked for the run (the
// caller's run id and step key), "" when none. A Runner may use it to start
// at most one run per step when a crashed run is replayed.
func IdempotencyKey(ctx context.Context) string {
	k, _ := ctx.Value(keyKey{}).(string)
	return k
}

// WithIdempotencyKey returns ctx carrying a step's idempotency key.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyKey{}, key)
}

// Module returns the workflow module.
func Module() *builtin.Module {
	return &builtin.Module{
		Name: "workflow",
		Doc: "Workflows calling other workflows, which take their input through `on workflow(name: type, …)`. " +
			"Each call is a recorded step, so a replayed run does not start the other run again. Chains of " +
			"workflows started by workflows stop at 8 deep, which ends cycles. An input may not hold a secret " +
			"(the other run starts from its record, which keeps only the secret's marker): call secret() in " +
			"the other workflow.",
		Builtins: keepSecrets(
			builtin.Action("workflow.call(name: string, input: map?) -> map", "Runs the workflow with input "+
				"and waits for it to end, returning its outputs. If the other run fails, this step fails.",
				`run workflow.call("kyb_checks", {business_name: n, address: a, ein: ein})`, call),
			builtin.Action("workflow.start(name: string, input: map?) -> string", "Starts a run of the "+
				"workflow with input and returns its id at once, without waiting for it.",
				`run workflow.start("send_welcome", {account_id: a.id})`, start),
			builtin.Action("workflow.schedule(name: string, at: time|duration, input: map?) -> string",
				"Schedules a run of the workflow at a time, or after a delay from now() (at most 365d), "+
					"and returns its id.",
				`run workflow.schedule("reverify", at: 30d, input: {account_id: a.id})`, schedule),
		),
	}
}

// keepSecrets marks the functions as getting secrets as they are, not
// their text, so that prepare can refuse them.
func keepSecrets(bs ...*interp.Builtin) []*interp.Builtin {
	for _, b := range bs {
		b.KeepsSecrets = true
	}
	return bs
}

// maxDelay bounds workflow.schedule's delay.
const maxDelay = 365 * 24 * time.Hour

// prepare returns the runner, the context for it and the arguments every
// function takes.
func prepare(th *interp.Thread, a *interp.Args, inputAt int) (Runner, context.Context, string, *interp.Map, error) {
	name, _ := a.String(0)
	input, err := a.OptMap(inputAt)
	if err != nil {
		return nil, nil, "", nil, err
	}
	if interp.HoldsSecret(input) {
		return nil, nil, "", nil, permanent(interp.KindValue, "the input holds a secret, which another run cannot be given: "+
			"it starts from its record, which keeps only the secret's marker; call secret() in %s instead", name)
	}
	var r Runner
	if p, ok := th.Env().(Provider); ok {
		r = p.Workflows()
	}
	if r == nil {
		return nil, nil, "", nil, permanent(interp.KindValue, "no workflow runner is configured for this run")
	}
	ctx := th.Context()
	depth := Depth(ctx) + 1
	if depth > MaxDepth {
		return nil, nil, "", nil, permanent(interp.KindValue,
			"workflows started by workflows are nested more than %d deep (is there a cycle?)", MaxDepth)
	}
	ctx = WithIdempotencyKey(WithDepth(ctx, depth), th.RunID()+":"+th.StepKey())
	return r, ctx, name, input, nil
}

func permanent(kind, format string, args ...any) error {
	return interp.Permanent(interp.Errorf(kind, format, args...))
}

func call(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	r, ctx, name, input, err := prepare(th, a, 1)
	if err != nil {
		return nil, err
	}
	out, err := r.Call(ctx, name, input)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = interp.NewMap(0)
	}
	return out, nil
}

func start(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	r, ctx, name, input, err := prepare(th, a, 1)
	if err != nil {
		return nil, err
	}
	id, err := r.Start(ctx, name, input)
	if err != nil {
		return nil, err
	}
	return id, nil
}

func schedule(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	var at time.Time
	switch v := a.Value(1).(type) {
	case time.Time:
		at = v
	case time.Duration:
		if v < 0 || v > maxDelay {
			return nil, permanent(interp.KindValue, "at must be a delay from 0s to 365d, got %s", interp.FormatDuration(v))
		}
		at = th.Now().Add(v)
	}
	r, ctx, name, input, err := prepare(th, a, 2)
	if err != nil {
		return nil, err
	}
	id, err := r.Schedule(ctx, name, at.UTC(), input)
	if err != nil {
		return nil, err
	}
	return id, nil
}
