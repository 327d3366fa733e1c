package lang

import (
	"fmt"
	"strings"
)

// call checks a call and records its callee. underRun is set for the call
// directly under a run.
func (c *checker) call(e *CallExpr, underRun bool) Type {
	operand := c.postfixX == Expr(e) // read before the arguments are checked
	callee := c.callee(e)
	if callee == nil {
		for _, a := range e.Args {
			c.expr(a.Value)
		}
		return TAny
	}
	c.info.Calls[e] = callee
	switch callee.Kind {
	case CallBuiltin, CallMethod:
		d := callee.Func
		args := e.Args
		var recv Type = TNone
		if callee.Kind == CallMethod {
			recv = c.operand(e.Fn.(*SelectorExpr).X)
		}
		c.checkArgs(e, d, args, recv)
		if d.Effect && !underRun {
			c.effectOutsideRun(e, d, operand)
		}
		return d.Result
	case CallFn:
		c.checkUserArgs(e, callee.Fn.Name.Name, callee.Fn.Params)
	case CallJsFn:
		c.checkUserArgs(e, callee.JsFn.Name.Name, callee.JsFn.Params)
	default:
		c.operand(e.Fn)
		for _, a := range e.Args {
			if a.Name != nil && a.Name.Name != "" {
				c.errorf(a.Name, "call", "a function value takes positional arguments only")
			}
			c.expr(a.Value)
		}
	}
	return TAny
}

// callee works out what e calls: a library function by name, a module
// function, a core function as a method, a fn or js fn, or a value.
// newCallee allocates a Callee from the checker's slab.
func (c *checker) newCallee(k Callee) *Callee {
	p := c.callees.next()
	*p = k
	return p
}

// moduleFunc returns the library function mod.name, or nil.
func (c *checker) moduleFunc(mod, name string) *FuncDecl {
	key := [2]string{mod, name}
	d, ok := c.funcs[key]
	if !ok {
		d = c.u.Func(mod + "." + name)
		c.funcs[key] = d
	}
	return d
}

func (c *checker) callee(e *CallExpr) *Callee {
	switch fn := e.Fn.(type) {
	case *Ident:
		if sym, _ := c.scope.lookup(fn.Name); sym != nil {
			return c.newCallee(Callee{Kind: CallDynamic})
		}
		sym := c.resolve(fn)
		if sym == nil {
			return nil
		}
		switch sym.Kind {
		case SymFn:
			return c.newCallee(Callee{Kind: CallFn, Sym: sym, Fn: sym.Node.(*FnDecl)})
		case SymJsFn:
			return c.newCallee(Callee{Kind: CallJsFn, Sym: sym, JsFn: sym.Node.(*JsFnDecl)})
		case SymBuiltin:
			return c.newCallee(Callee{Kind: CallBuiltin, Func: sym.Func})
		case SymModule:
			c.errorf(fn, "call", "%s is a module, not a function", fn.Name)
			return nil
		case SymConst:
			c.errorf(fn, "call", "%s is a const, not a function", fn.Name)
			return nil
		}
		return c.newCallee(Callee{Kind: CallDynamic})
	case *SelectorExpr:
		if mod, ok := c.moduleOf(fn.X); ok {
			d := c.moduleFunc(mod, fn.Name.Name)
			if d == nil {
				c.unknownMember(mod, fn.Name)
				return nil
			}
			return c.newCallee(Callee{Kind: CallBuiltin, Func: d})
		}
		d := c.u.Func(fn.Name.Name)
		if d == nil || d.NoMethod || d.Module() != "" || len(d.Params) == 0 {
			c.operand(fn.X)
			dg := c.diags.Errorf(c.file, fn.Name.Sp, "undefined", "unknown method %s", fn.Name.Name)
			if s := Suggest(fn.Name.Name, c.methodNames()); s != "" {
				dg.Hint("did you mean %s?", s)
				dg.Fixes = append(dg.Fixes, Fix{Title: "Change to " + s, Span: fn.Name.Sp, NewText: s})
			}
			return nil
		}
		return c.newCallee(Callee{Kind: CallMethod, Func: d})
	}
	return c.newCallee(Callee{Kind: CallDynamic})
}

func (c *checker) methodNames() []string {
	var out []string
	for _, d := range c.u.Funcs() {
		if d.Module() == "" && !d.NoMethod && len(d.Params) > 0 {
			out = append(out, d.Name)
		}
	}
	return out
}

// checkArgs matches a call's arguments to a declaration: arity, named
// arguments and the types of arguments whose type is known. recv is the
// receiver's type for a method call (it fills the first parameter).
func (c *checker) checkArgs(e *CallExpr, d *FuncDecl, args []*Arg, recv Type) {
	params := d.Params
	filled := make([]bool, len(params))
	pi := 0
	if recv != TNone {
		if !params[0].Type.Accepts(recv) && recv != TAny && recv&TNull == 0 {
			c.errorf(e.Fn.(*SelectorExpr).X, "type", "%s: %s must be %s, got %s", d.Name, params[0].Name, params[0].Type, recv)
		}
		filled[0] = true
		pi = 1
	}
	for _, a := range args {
		at := c.expr(a.Value)
		if a.Name != nil && a.Name.Name == "" {
			continue // a malformed name, reported by the parser
		}
		if a.Name == nil {
			if pi >= len(params) {
				c.errorf(a, "arity", "%s takes %s", d.Name, arity(d, recv != TNone)).Hint("%s", d.Signature())
				continue
			}
			p := params[pi]
			c.argType(d, p, a, at)
			filled[pi] = true
			if !p.Variadic {
				pi++
			}
			continue
		}
		idx := -1
		for i, p := range params {
			if p.Name == a.Name.Name {
				idx = i
			}
		}
		if idx < 0 {
			if d.Named {
				continue
			}
			dg := c.errorf(a.Name, "arity", "%s has no parameter %s", d.Name, a.Name.Name)
			var names []string
			for _, p := range params {
				names = append(names, p.Name)
			}
			if s := Suggest(a.Name.Name, names); s != "" {
				dg.Hint("did you mean %s?", s)
				dg.Fixes = append(dg.Fixes, Fix{Title: "Change to " + s, Span: a.Name.Sp, NewText: s})
			} else {
				dg.Hint("%s", d.Signature())
			}
			continue
		}
		if filled[idx] {
			c.errorf(a.Name, "arity", "%s: %s is given twice", d.Name, a.Name.Name)
			continue
		}
		filled[idx] = true
		c.argType(d, params[idx], a, at)
	}
	var missing []string
	for i, p := range params {
		if !filled[i] && p.Required() {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		c.diags.Errorf(c.file, Span{e.Rparen, advance(e.Rparen, ")")}, "arity", "%s: missing %s %s",
			d.Name, plural(len(missing), "argument"), strings.Join(missing, ", ")).Hint("%s", d.Signature())
	}
}

func (c *checker) argType(d *FuncDecl, p ParamDecl, a *Arg, at Type) {
	if p.Type.Accepts(at) || at == TAny || at&TNull != 0 && p.Type&^TNull != 0 && at&^TNull == 0 {
		return
	}
	if at&p.Type == 0 && at != TAny {
		want := p.Type
		if want != TNull {
			want &^= TNull // null is allowed, but a value of the wrong type is the problem
		}
		c.errorf(a.Value, "type", "%s: %s must be %s, got %s", d.Name, p.Name, want, at)
	}
}

func arity(d *FuncDecl, method bool) string {
	min, max := 0, 0
	for i, p := range d.Params {
		if method && i == 0 {
			continue
		}
		if p.Variadic {
			max = -1
			break
		}
		max++
		if p.Required() {
			min++
		}
	}
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d %s", min, plural(min, "argument"))
	case min == max:
		return fmt.Sprintf("%d %s", min, plural(min, "argument"))
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// checkUserArgs checks a call of a fn or js fn against its parameters.
func (c *checker) checkUserArgs(e *CallExpr, name string, params []*Param) {
	filled := make([]bool, len(params))
	pi := 0
	for _, a := range e.Args {
		c.expr(a.Value)
		if a.Name != nil && a.Name.Name == "" {
			continue // a malformed name, reported by the parser
		}
		if a.Name == nil {
			if pi >= len(params) {
				c.errorf(a, "arity", "%s takes %d %s", name, len(params), plural(len(params), "argument"))
				continue
			}
			filled[pi] = true
			pi++
			continue
		}
		idx := -1
		for i, p := range params {
			if p.Name.Name == a.Name.Name {
				idx = i
			}
		}
		if idx < 0 {
			c.errorf(a.Name, "arity", "%s has no parameter %s", name, a.Name.Name)
			continue
		}
		if filled[idx] {
			c.errorf(a.Name, "arity", "%s: %s is given twice", name, a.Name.Name)
		}
		filled[idx] = true
	}
	var missing []string
	for i, p := range params {
		if !filled[i] && p.Default == nil {
			missing = append(missing, p.Name.Name)
		}
	}
	if len(missing) > 0 {
		c.diags.Errorf(c.file, Span{e.Rparen, advance(e.Rparen, ")")}, "arity", "%s: missing %s %s",
			name, plural(len(missing), "argument"), strings.Join(missing, ", "))
	}
}

// effectOutsideRun reports an action called as a plain expression. The
// fix adds run, in parentheses when the call is the operand of a field
// read, index or method call (run takes the whole postfix expression).
func (c *checker) effectOutsideRun(e *CallExpr, d *FuncDecl, operand bool) {
	dg := c.errorf(e, "effect", "%s is an action: call it with run", d.Name)
	if c.flags&inWorkflow != 0 && c.flags&(inPure|inLambda) == 0 {
		dg.Hint("write run %s(…) so the step is recorded, retried and replayed safely", d.Name)
		switch {
		case !operand:
			dg.Fixes = append(dg.Fixes, Fix{Title: "Add run", Span: Span{e.Sp.Start, e.Sp.Start}, NewText: "run "})
		case e.Sp.Start.Offset >= 0 && e.Sp.End.Offset <= len(c.src) && e.Sp.Start.Offset < e.Sp.End.Offset:
			call := string(c.src[e.Sp.Start.Offset:e.Sp.End.Offset])
			dg.Fixes = append(dg.Fixes, Fix{Title: "Add run", Span: e.Sp, NewText: "(run " + call + ")"})
		}
	} else {
		dg.Hint("actions may only run in a workflow body, as a run step")
	}
}

// run checks `run call [with {…}]`.
func (c *checker) run(r *RunExpr) Type {
	switch {
	case c.flags&inFn != 0:
		c.errorf(r, "context", "run is not allowed in a fn").
			Hint("a fn is pure; run the action in the workflow and pass the result to the fn")
	case c.flags&inLambda != 0:
		c.errorf(r, "context", "run is not allowed in a lambda").
			Hint("use for or parallel for to run a step for each item")
	case c.flags&inPure != 0 || c.flags&inWorkflow == 0:
		c.errorf(r, "context", "run is not allowed here").
			Hint("steps run in a workflow body, not in triggers, filters, defaults or consts")
	}
	if r.With != nil {
		c.runOptions(r.With)
	}
	if r.Call == nil {
		return TAny
	}
	t := c.call(r.Call, true)
	if cal := c.info.Calls[r.Call]; cal != nil {
		pure := ""
		switch cal.Kind {
		case CallBuiltin, CallMethod:
			if !cal.Func.Effect {
				pure = cal.Func.Name
			}
		case CallFn:
			pure = cal.Fn.Name.Name
		case CallJsFn:
			pure = cal.JsFn.Name.Name
		case CallDynamic:
			c.errorf(r.Call, "effect", "run needs a library action, not a function value")
		}
		if pure != "" {
			c.warnf(r.Call, "effect", "run of a pure function: %s has no effect", pure).
				Hint("call it directly, without run")
		}
	}
	return t
}

// RunOptions are the keys a `run … with {…}` map may hold, with their types.
var RunOptions = map[string]Type{
	"retries":           TInt,
	"backoff":           TDuration,
	"timeout":           TDuration,
	"continue_on_error": TBool,
	"on_interrupt":      TString,
}

func (c *checker) runOptions(m *MapLit) {
	c.mapLit(m)
	names := make([]string, 0, len(RunOptions))
	for k := range RunOptions {
		names = append(names, k)
	}
	for _, e := range m.Entries {
		want, ok := RunOptions[e.Key]
		if !ok {
			d := c.diags.Errorf(c.file, e.KeySp, "option", "unknown run option %s", e.Key)
			if s := Suggest(e.Key, names); s != "" {
				d.Hint("did you mean %s?", s)
				d.Fixes = append(d.Fixes, Fix{Title: "Change to " + s, Span: e.KeySp, NewText: s})
			} else {
				d.Hint("options are retries, backoff, timeout, continue_on_error and on_interrupt")
			}
			continue
		}
		t := c.expr(e.Value)
		if t != TAny && !want.Accepts(t) {
			c.errorf(e.Value, "type", "run option %s must be %s, got %s", e.Key, want, t)
		}
		switch v := e.Value.(type) {
		case *IntLit:
			if e.Key == "retries" && (v.Value < 0 || v.Value > 20) {
				c.errorf(v, "option", "retries must be between 0 and 20, got %d", v.Value)
			}
		case *DurationLit:
			if e.Key == "timeout" && v.Value <= 0 {
				c.errorf(v, "option", "timeout must be positive, got %s", v.Raw)
			}
		case *StringLit:
			if s, ok := v.Static(); ok && e.Key == "on_interrupt" && s != "retry" && s != "fail" {
				c.errorf(v, "option", `on_interrupt must be "retry" or "fail", got %q`, s)
			}
		}
	}
}
