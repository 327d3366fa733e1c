package interp

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wf-lang/wf/lang"
)

// Limits bound what one run may do. A run that reaches a limit fails with
// an error of kind "limit", which try/catch does not catch.
type Limits struct {
	// MaxStatements is the run's budget: every statement executed and every
	// call of a function (fn, lambda, js fn, or a library function called as
	// a value) counts one, and copying or comparing large values counts in
	// proportion to their size (see Charge).
	MaxStatements int64
	MaxIterations int           // iterations of one loop
	MaxCallDepth  int           // nested fn, js fn and lambda calls
	MaxDuration   time.Duration // run time on the run's clock, waits excluded
	MaxItems      int           // elements of one list or entries of one map
	MaxString     int           // bytes of one string
	// MaxValueSize bounds, in bytes of compact JSON (see Measure), a value
	// that is compared, hashed, encoded, printed or passed across a boundary
	// (a step's arguments, outputs, an emitted event, JavaScript). Zero
	// means the default.
	MaxValueSize int
}

// DefaultLimits are the limits a run gets unless configured.
var DefaultLimits = Limits{
	MaxStatements: 1_000_000,
	MaxIterations: 100_000,
	MaxCallDepth:  200,
	MaxDuration:   time.Hour,
	MaxItems:      1_000_000,
	MaxString:     16 << 20,
	MaxValueSize:  32 << 20,
}

// runState is shared by every thread (branch) of one run.
type runState struct {
	prog    *Program
	wf      *workflow
	host    Host
	clock   Clock
	limits  Limits
	env     any
	runID   string
	seed    uint64
	started time.Time
	waited  atomic.Int64 // time spent in waits, excluded from MaxDuration
	stmts   atomic.Int64
	mu      sync.Mutex
	outputs *Map
	// secrets are the texts of the secrets the run has held (secretNames
	// their names, in the same order).
	secrets, secretNames []string
	// secretsSeen is set once the run holds a secret: from then on
	// library calls look for secrets among their arguments.
	secretsSeen atomic.Bool
	ctx         context.Context
	cancel      context.CancelCauseFunc
	// cover counts the routes the run takes (nil: not counted).
	cover *Coverage
}

// Thread is the state of one line of execution within a run: the main body,
// or one parallel branch. Library functions receive it.
type Thread struct {
	run   *runState
	ctx   context.Context
	now   time.Time // the run's logical time, advanced by steps and waits
	rng   *rand.Rand
	iter  string // loop iterations and branches around the current code, for step keys
	depth int
	// fnName is the name of the function executing, for backtraces.
	fnName string
	// stepKey is the key of the step being performed, inside a step.
	curStep string
	// argStep is the key of the step whose arguments are being evaluated.
	argStep string
	// args is a stack of argument records that library calls reuse, so a
	// call of a pure function allocates none (see callBuiltin); nargs of
	// them are in use.
	args  []*Args
	nargs int
	// scratch is a buffer for strings that are built only to be compared
	// (see render.go).
	scratch []byte
}

// pushArgs returns a cleared argument record for a call of decl, from the
// thread's stack. The caller hands it back with popArgs.
func (th *Thread) pushArgs(decl *lang.FuncDecl, n int) *Args {
	if th.nargs == len(th.args) {
		th.args = append(th.args, &Args{})
	}
	a := th.args[th.nargs]
	th.nargs++
	a.decl = decl
	if cap(a.vals) < n {
		a.vals = make([]Value, n)
	}
	a.vals = a.vals[:n]
	return a
}

// popArgs hands back the record of the innermost call, dropping what it
// refers to.
func (th *Thread) popArgs(a *Args) {
	clear(a.vals)
	a.rest, a.extra, a.memo = nil, nil, nil
	th.nargs--
}

// StepKey returns the key of the step being performed ("" outside a step).
// Libraries derive idempotency keys from it and the run id.
func (th *Thread) StepKey() string { return th.curStep }

// IdempotencyKey returns the idempotency key of the step being performed,
// or of the step whose arguments are being evaluated: the run id and the
// step key, the same in every attempt and replay of that step. It is ""
// elsewhere.
func (th *Thread) IdempotencyKey() string {
	k := th.curStep
	if k == "" {
		k = th.argStep
	}
	if k == "" {
		return ""
	}
	return th.run.runID + ":" + k
}

// Context returns the context of the current step or run.
func (th *Thread) Context() context.Context { return th.ctx }

// Env returns the library services the run was started with.
func (th *Thread) Env() any { return th.run.env }

// RunID returns the run's id.
func (th *Thread) RunID() string { return th.run.runID }

// Workflow returns the name of the running workflow.
func (th *Thread) Workflow() string { return th.run.wf.name }

// Now returns the run's logical time: the start of the run, then the time
// each step or wait ended. A replayed run sees the same times.
func (th *Thread) Now() time.Time { return th.now }

// Clock returns the run's clock, for libraries that must measure real time
// (timeouts inside a step).
func (th *Thread) Clock() Clock { return th.run.clock }

// Rand returns a number in [0,1) from the run's seeded generator.
func (th *Thread) Rand() float64 { return th.rng.Float64() }

// ID returns a new id with the given prefix, from the run's seed, such as
// "case_3f9c0a1b2d4e5f60".
func (th *Thread) ID(prefix string) string {
	return prefix + strconv.FormatUint(th.rng.Uint64()|1<<63, 16)[1:]
}

// child makes a thread for a parallel branch or iteration. Its random
// numbers come from a generator seeded by the run's seed and the branch's
// key, so they do not depend on scheduling.
func (th *Thread) child(ctx context.Context, iter, branch string) *Thread {
	h := fnv.New64a()
	h.Write([]byte(iter))
	h.Write([]byte(branch))
	return &Thread{
		run: th.run, ctx: ctx, now: th.now, iter: iter, depth: th.depth, fnName: th.fnName,
		rng: rand.New(rand.NewPCG(th.run.seed, h.Sum64())),
	}
}

// stepKey builds a step's key from its static path and the iteration.
func (th *Thread) stepKey(path string) string {
	var b strings.Builder
	b.Grow(len(th.run.prog.Version) + len(path) + len(th.iter) + 2)
	b.WriteString(th.run.prog.shortVersion())
	b.WriteByte(':')
	b.WriteString(path)
	b.WriteString(th.iter)
	return b.String()
}

// tick counts one statement or call and enforces the budget and time limits.
func (th *Thread) tick() error {
	n := th.run.stmts.Add(1)
	if n > th.run.limits.MaxStatements {
		return th.budgetErr()
	}
	if n&1023 == 0 {
		if err := th.ctx.Err(); err != nil {
			return th.cancelled()
		}
		if th.run.limits.MaxDuration > 0 {
			busy := th.run.clock.Now().Sub(th.run.started) - time.Duration(th.run.waited.Load())
			if busy > th.run.limits.MaxDuration {
				return errorf(KindLimit, "the run took longer than %s", FormatDuration(th.run.limits.MaxDuration))
			}
		}
	}
	return nil
}

func (th *Thread) cancelled() error {
	if cause := context.Cause(th.ctx); cause != nil && cause != context.Canceled {
		if e, ok := AsError(cause); ok {
			return e
		}
	}
	return &Error{Kind: KindCancel, Msg: "the run was cancelled", Cause: errCancelled}
}

// checkSize enforces the value size limits on a new list, map or string.
func (th *Thread) checkSize(n int, what string) error {
	limit := th.run.limits.MaxItems
	if what == "string" {
		limit = th.run.limits.MaxString
	}
	if n > limit {
		return errorf(KindLimit, "%s is too large: %d (the limit is %d)", what, n, limit)
	}
	return nil
}

// CheckSize enforces the run's size limits on a value a library function
// is about to build: what is "string" (n in bytes), "list" or "map".
func (th *Thread) CheckSize(n int, what string) error { return th.checkSize(n, what) }
