package interp

import (
	"sync/atomic"
	"time"

	"github.com/wf-lang/wf/lang"
)

// Builtin is a library function: its declaration (the single source of
// truth for checking, docs and completion) and its implementation.
//
// Fn must not keep args after it returns: the interpreter reuses the record
// for the next call. The values read from it may be kept.
type Builtin struct {
	Decl *lang.FuncDecl
	Fn   func(th *Thread, args *Args) (Value, error)
	// AppendString, when set, is the function appending to dst what Fn
	// returns for the one string argument s; only a function of one string
	// parameter returning a string may have it. The optimization pass uses
	// it to build a string that is only compared, such as lower(s) in
	// lower(s) == "jane doe", in a reused buffer instead of a new string.
	AppendString func(dst []byte, s string) []byte
	// KeepsSecrets says Fn receives secrets as Secret values and keeps them
	// secret itself (workflow.call passes them to the run it starts).
	// Other functions receive their text, and what a pure one returns from
	// a secret is a secret (see Secret).
	KeepsSecrets bool
}

// call calls a library function: a function that does not keep secrets
// gets the text of its secret arguments, and its result is a secret when
// they were; an error it returns is scrubbed of their text.
func (th *Thread) call(b *Builtin, a *Args) (Value, error) {
	if b.KeepsSecrets || !th.run.secretsSeen.Load() {
		return b.Fn(th, a)
	}
	names, texts := a.reveal()
	v, err := b.Fn(th, a)
	if names == "" {
		return v, err
	}
	if err != nil {
		return nil, scrub(err, texts)
	}
	return taint(v, names), nil
}

// reveal replaces the secrets among the arguments by their text, and
// returns their names and texts.
func (a *Args) reveal() (names string, texts []string) {
	for i, v := range a.vals {
		if HoldsSecret(v) {
			names = secretNames(v, names)
			a.vals[i] = Reveal(v, &texts)
		}
	}
	for i, v := range a.rest {
		if HoldsSecret(v) {
			names = secretNames(v, names)
			a.rest[i] = Reveal(v, &texts)
		}
	}
	if a.extra != nil && HoldsSecret(a.extra) {
		names = secretNames(a.extra, names)
		a.extra = Reveal(a.extra, &texts).(*Map)
	}
	return names, texts
}

// Name implements Callable.
func (b *Builtin) Name() string { return b.Decl.Name }

// Library maps qualified names to builtins. The stdlib provides one.
type Library interface {
	lang.Universe
	Builtin(name string) *Builtin
}

// Args holds a call's arguments in parameter order, after the one unpacking
// step every call goes through: positional and named arguments are placed,
// defaults filled in, and each value checked against its parameter's type,
// so errors read the same for every function.
type Args struct {
	decl *lang.FuncDecl
	vals []Value
	// rest holds the extra positional values of a variadic last parameter.
	rest []Value
	// extra holds named arguments beyond the parameters (for Named decls).
	extra *Map
	// memo is the call site's memo, nil for calls without a site.
	memo *Memo
}

// Memo is a slot in which a library function keeps what it worked out for
// one call site, such as a resolved List, across calls. Concurrent runs of
// a program share it: store only values that are not changed afterwards,
// and check that a loaded value still applies.
type Memo struct{ v atomic.Pointer[memoValue] }

// memoValue is a value stored in a Memo, with its Reusable side found once
// when it is stored (nil when it has none), so that a call site asks it
// without a type assertion.
type memoValue struct {
	v any
	r Reusable
}

// Load returns the value stored last, or nil.
func (m *Memo) Load() any {
	if p := m.v.Load(); p != nil {
		return p.v
	}
	return nil
}

// reusable returns the value stored last as a Reusable, or nil.
func (m *Memo) reusable() Reusable {
	if p := m.v.Load(); p != nil {
		return p.r
	}
	return nil
}

// Store replaces the value.
func (m *Memo) Store(v any) {
	r, _ := v.(Reusable)
	m.v.Store(&memoValue{v: v, r: r})
}

// Reusable is a memo value that can answer a call whose arguments are all
// constants by itself: the interpreter asks it first and makes the call
// only when ok is false.
type Reusable interface {
	Reuse(th *Thread) (v Value, ok bool)
}

// Memo returns the memo of the call site, or nil when the call has none
// (a function value called by another function, a run step).
func (a *Args) Memo() *Memo { return a.memo }

// Len returns the number of parameters.
func (a *Args) Len() int { return len(a.vals) }

// Value returns parameter i as it is (nil when left out).
func (a *Args) Value(i int) Value { return a.vals[i] }

// Rest returns the values of a variadic last parameter.
func (a *Args) Rest() []Value { return a.rest }

// Extra returns the named arguments beyond the declared parameters.
func (a *Args) Extra() *Map {
	if a.extra == nil {
		return NewMap(0)
	}
	return a.extra
}

// Given reports whether parameter i was supplied (or has a default).
func (a *Args) Given(i int) bool { return a.vals[i] != nil }

func (a *Args) bad(i int, want string) error {
	if _, ok := a.vals[i].(*Secret); ok {
		return Permanent(errorf(KindValue, "%s: %s cannot be a secret", a.decl.Name, a.decl.Params[i].Name))
	}
	return Permanent(errorf(KindType, "%s: %s must be %s, got %s", a.decl.Name, a.decl.Params[i].Name, want, TypeName(a.vals[i])))
}

// String returns parameter i as a string.
func (a *Args) String(i int) (string, error) {
	s, ok := a.vals[i].(string)
	if !ok {
		return "", a.bad(i, "string")
	}
	return s, nil
}

// OptString returns parameter i as a string, or def when it is null.
func (a *Args) OptString(i int, def string) (string, error) {
	if a.vals[i] == nil {
		return def, nil
	}
	return a.String(i)
}

// Int returns parameter i as an int (an integral float is accepted).
func (a *Args) Int(i int) (int64, error) {
	switch v := a.vals[i].(type) {
	case int64:
		return v, nil
	case float64:
		if v == float64(int64(v)) {
			return int64(v), nil
		}
	}
	return 0, a.bad(i, "int")
}

// Float returns parameter i as a float (ints are converted).
func (a *Args) Float(i int) (float64, error) {
	switch v := a.vals[i].(type) {
	case int64:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, a.bad(i, "number")
}

// Bool returns parameter i as a bool.
func (a *Args) Bool(i int) (bool, error) {
	b, ok := a.vals[i].(bool)
	if !ok {
		return false, a.bad(i, "bool")
	}
	return b, nil
}

// List returns parameter i as a list.
func (a *Args) List(i int) (*List, error) {
	l, ok := a.vals[i].(*List)
	if !ok {
		return nil, a.bad(i, "list")
	}
	return l, nil
}

// Map returns parameter i as a map.
func (a *Args) Map(i int) (*Map, error) {
	m, ok := a.vals[i].(*Map)
	if !ok {
		return nil, a.bad(i, "map")
	}
	return m, nil
}

// OptMap returns parameter i as a map, or an empty map when it is null.
func (a *Args) OptMap(i int) (*Map, error) {
	if a.vals[i] == nil {
		return NewMap(0), nil
	}
	return a.Map(i)
}

// Duration returns parameter i as a duration.
func (a *Args) Duration(i int) (time.Duration, error) {
	d, ok := a.vals[i].(time.Duration)
	if !ok {
		return 0, a.bad(i, "duration")
	}
	return d, nil
}

// Time returns parameter i as a time.
func (a *Args) Time(i int) (time.Time, error) {
	t, ok := a.vals[i].(time.Time)
	if !ok {
		return time.Time{}, a.bad(i, "time")
	}
	return t, nil
}

// Func returns parameter i as a function value.
func (a *Args) Func(i int) (Callable, error) {
	f, ok := a.vals[i].(Callable)
	if !ok {
		return nil, a.bad(i, "function")
	}
	return f, nil
}

// check verifies every value against its parameter's type.
func (a *Args) check() error {
	for i, p := range a.decl.Params {
		if p.Variadic {
			for _, v := range a.rest {
				if !typeOK(p.Type, v) {
					return Permanent(errorf(KindType, "%s: %s must be %s, got %s", a.decl.Name, p.Name, p.Type, TypeName(v)))
				}
			}
			continue
		}
		v := a.vals[i]
		if v == nil {
			if p.Required() && p.Type&lang.TNull == 0 {
				return Permanent(errorf(KindNull, "%s: %s is null", a.decl.Name, p.Name))
			}
			continue
		}
		if !typeOK(p.Type, v) {
			return a.bad(i, p.Type.String())
		}
	}
	return nil
}

// ValueType returns the static type bit of a value.
func ValueType(v Value) lang.Type {
	switch v.(type) {
	case nil:
		return lang.TNull
	case bool:
		return lang.TBool
	case int64:
		return lang.TInt
	case float64:
		return lang.TFloat
	case string, *Secret:
		return lang.TString
	case time.Duration:
		return lang.TDuration
	case time.Time:
		return lang.TTime
	case *List:
		return lang.TList
	case *Map:
		return lang.TMap
	case Callable:
		return lang.TFunc
	case Handle:
		return lang.THandle
	}
	return lang.TAny
}

func typeOK(t lang.Type, v Value) bool { return t&ValueType(v) != 0 }

// argPlan says, for a call of a library function, where each parameter's
// value comes from: an argument expression or the default.
type argPlan struct {
	decl     *lang.FuncDecl
	params   []expr   // per parameter: the argument, or nil
	texts    []string // per parameter: the argument's source text, for errors
	defaults []Value
	rest     []expr // extra positional args for a variadic last parameter
	extraK   []string
	extraV   []expr
}

// unpack evaluates a plan's arguments into new Args, which the caller may
// keep. recv, when hasRecv, is the method receiver and fills the first
// parameter.
func (p *argPlan) unpack(th *Thread, fr *frame, recv Value, hasRecv bool) (*Args, error) {
	a := &Args{decl: p.decl, vals: make([]Value, len(p.params))}
	return a, p.fill(th, fr, a, recv, hasRecv)
}

// fill evaluates a plan's arguments into a, whose vals has one cleared
// element per parameter, and checks them.
func (p *argPlan) fill(th *Thread, fr *frame, a *Args, recv Value, hasRecv bool) error {
	for i, x := range p.params {
		switch {
		case i == 0 && hasRecv:
			a.vals[0] = recv
		case x != nil:
			v, err := x.eval(th, fr)
			if err != nil {
				return err
			}
			a.vals[i] = v
		default:
			a.vals[i] = p.defaults[i]
		}
	}
	if len(p.rest) > 0 {
		a.rest = make([]Value, 0, len(p.rest))
		for _, x := range p.rest {
			v, err := x.eval(th, fr)
			if err != nil {
				return err
			}
			a.rest = append(a.rest, v)
		}
	}
	if len(p.extraK) > 0 {
		a.extra = NewMap(len(p.extraK))
		for i, k := range p.extraK {
			v, err := p.extraV[i].eval(th, fr)
			if err != nil {
				return err
			}
			a.extra.Set(k, v)
		}
	}
	return p.check(a)
}

// check is a.check, except that an argument that is null where its
// parameter needs a value is named by its expression, as the script wrote
// it: `date: trigger.fields.birthdat is null`, not `date: x is null`.
func (p *argPlan) check(a *Args) error {
	for i, prm := range a.decl.Params {
		if !prm.Variadic && a.vals[i] == nil && prm.Required() && prm.Type&lang.TNull == 0 && p.texts[i] != "" {
			return Permanent(errorf(KindNull, "%s: %s is null", a.decl.Name, p.texts[i]))
		}
	}
	return a.check()
}

// record returns the arguments as a map by parameter name, for step records.
func (a *Args) record() *Map {
	m := NewMap(len(a.vals))
	for i, p := range a.decl.Params {
		if p.Variadic {
			m.Set(p.Name, NewList(append([]Value(nil), a.rest...)))
			continue
		}
		if a.vals[i] != nil {
			m.Set(p.Name, a.vals[i])
		}
	}
	if a.extra != nil {
		for i, k := range a.extra.keys {
			m.Set(k, a.extra.vals[i])
		}
	}
	return m
}

// CallValue calls a function value (a lambda, fn, js fn or builtin) with
// positional arguments. Library functions such as filter and map use it.
func (th *Thread) CallValue(f Callable, args ...Value) (Value, error) {
	switch f := f.(type) {
	case *Closure:
		return f.call(th, args)
	case *Builtin:
		if err := th.tick(); err != nil {
			return nil, err
		}
		a := &Args{decl: f.Decl, vals: make([]Value, len(f.Decl.Params))}
		n := 0
		for i, p := range f.Decl.Params {
			if p.Variadic {
				a.rest = append(a.rest, args[min(n, len(args)):]...)
				n = len(args)
				break
			}
			if n < len(args) {
				a.vals[i] = args[n]
				n++
			}
		}
		if n < len(args) {
			return nil, errorf(KindType, "%s takes %d arguments, got %d", f.Decl.Name, len(f.Decl.Params), len(args))
		}
		if err := a.check(); err != nil {
			return nil, err
		}
		return th.call(f, a)
	}
	return nil, errorf(KindType, "cannot call %s", TypeName(f))
}

// Closure is a function value: a lambda with the frame it was made in, a fn,
// or a js fn.
type Closure struct {
	name   string
	fn     *function
	parent *frame
}

// Name implements Callable.
func (c *Closure) Name() string { return c.name }

func (c *Closure) call(th *Thread, args []Value) (Value, error) {
	return c.fn.call(th, c.parent, args, lang.Pos{})
}

func arityError(name string, want, got int) error {
	return errorf(KindType, "%s takes %d %s, got %d", name, want, plural(want, "argument"), got)
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
