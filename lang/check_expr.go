package lang

import (
	"regexp"
	"sort"
	"time"
)

// expr checks an expression and returns its static type.
func (c *checker) expr(e Expr) Type {
	switch e := e.(type) {
	case nil:
		return TNone
	case *Ident:
		return c.ident(e)
	case *NullLit:
		return TNull
	case *BoolLit:
		return TBool
	case *IntLit:
		return TInt
	case *FloatLit:
		return TFloat
	case *DurationLit:
		return TDuration
	case *StringLit:
		for _, p := range e.Parts {
			if p.Expr != nil {
				c.expr(p.Expr)
			}
		}
		return TString
	case *ListLit:
		for _, x := range e.Elems {
			c.expr(x)
		}
		return TList
	case *MapLit:
		c.mapLit(e)
		return TMap
	case *ParenExpr:
		return c.expr(e.X)
	case *UnaryExpr:
		t := c.expr(e.X)
		if e.Op == OpNot {
			c.wantBool(e.X, t, "not")
			return TBool
		}
		if !(TNumber | TDuration).Accepts(t) {
			c.errorf(e, "type", "cannot negate %s", t)
		}
		return t & (TNumber | TDuration)
	case *BinaryExpr:
		return c.binary(e)
	case *SelectorExpr:
		return c.selector(e)
	case *IndexExpr:
		xt := c.operand(e.X)
		it := c.expr(e.Index)
		if !(TList | TMap | TString | TNull).Accepts(xt) {
			c.errorf(e.X, "type", "cannot index %s", xt)
		}
		if xt == TList && !TInt.Accepts(it) {
			c.errorf(e.Index, "type", "a list index must be an int, got %s", it)
		}
		if xt == TMap && !TString.Accepts(it) {
			c.errorf(e.Index, "type", "a map key must be a string, got %s", it)
		}
		return TAny
	case *CallExpr:
		return c.call(e, false)
	case *LambdaExpr:
		return c.lambda(e)
	case *RunExpr:
		return c.run(e)
	case *WaitExpr:
		c.waitAllowed(e)
		if t := c.expr(e.Duration); !TDuration.Accepts(t) {
			c.errorf(e.Duration, "type", "wait needs a duration such as 2h, got %s", t)
		}
		if d, ok := e.Duration.(*DurationLit); ok && d.Value > MaxWait {
			c.errorf(e.Duration, "duration", "wait %s is longer than the limit of 30d", d.Raw).
				Hint("for longer delays schedule another workflow with workflow.schedule")
		}
		return TNull
	case *WaitEventExpr:
		return c.waitEvent(e, nil)
	case *BadExpr:
		c.incomplete = true
		if e.X != nil {
			saved := c.diags
			c.diags = &Diagnostics{} // the part that parsed is checked for tools, quietly
			c.expr(e.X)
			c.diags = saved
		}
		return TAny
	}
	return TAny
}

// MaxWait is the longest a wait may last, as in Persona: a time wait, or
// an event wait's timeout (its default, too).
const MaxWait = 30 * 24 * time.Hour

// operand checks x, the operand of a field read, an index or a call: a run
// there needs parentheses, (run inquiry.get(id)).status, which the "Add
// run" fix writes.
func (c *checker) operand(x Expr) Type {
	c.postfixX = x
	return c.expr(x)
}

func (c *checker) ident(id *Ident) Type {
	sym := c.resolve(id)
	if sym == nil {
		return TAny
	}
	if sym.Kind == SymModule {
		d := c.errorf(id, "module", "%s is a module, not a value", id.Name)
		if fns := ModuleFuncs(c.u, id.Name); len(fns) > 0 {
			d.Hint("call one of its functions, such as %s(…)", fns[0].Name)
		}
		return TAny
	}
	return sym.Type
}

// resolve finds what a name refers to and records the use.
func (c *checker) resolve(id *Ident) *Symbol {
	if sym, _ := c.scope.lookup(id.Name); sym != nil {
		sym.used = true
		c.info.Refs[id] = Ref{Sym: sym, Hops: c.hops(sym)}
		return sym
	}
	if sym := c.prog.GlobalSyms[id.Name]; sym != nil {
		sym.used = true
		c.info.Refs[id] = Ref{Sym: sym}
		if sym.Kind == SymConst && c.curConst != nil {
			c.constDeps[c.curConst] = append(c.constDeps[c.curConst], sym.Node.(*ConstDecl))
		}
		return sym
	}
	if sym := c.librarySym(id.Name); sym != nil {
		c.info.Refs[id] = Ref{Sym: sym}
		return sym
	}
	c.undefined(id)
	return nil
}

// hops counts the frames between the current one and sym's.
func (c *checker) hops(sym *Symbol) int {
	n := 0
	for f := c.scope.frame; f != nil && f != sym.Frame; f = f.Parent {
		n++
	}
	return n
}

// undefined reports a name that is not bound, suggesting the nearest one.
func (c *checker) undefined(id *Ident) {
	if c.lets == nil && c.decl != nil {
		c.lets = bindingsByName(collectBindings(c.decl))
	}
	for _, l := range c.lets[id.Name] {
		if id.Sp.Start.Before(l.Sp.Start) {
			c.errorf(id, "undefined", "%s is used before it is bound", id.Name).
				Note(c.file, l.Sp, "bound here")
			return
		}
	}
	d := c.errorf(id, "undefined", "undefined name %s", id.Name)
	switch id.Name {
	case "trigger", "event":
		if c.flags&inFn != 0 {
			d.Hint("a fn sees only its parameters: pass %s as an argument", id.Name)
			return
		}
	case "if":
		d.Hint("WF uses when: when cond { … }")
		return
	case "true", "false", "null", "nil", "None", "True", "False", "undefined":
		d.Hint("the literals are true, false and null")
		return
	}
	if len(*c.diags) > MaxDiagnostics {
		return // past the cap nobody sees a hint; skipping it keeps many errors linear
	}
	if s := Suggest(id.Name, c.visibleNames()); s != "" {
		d.Hint("did you mean %s?", s)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + s, Span: id.Sp, NewText: s})
	}
}

// visibleNames lists every name the current code could mean.
func (c *checker) visibleNames() []string {
	var out []string
	for sc := c.scope; sc != nil; sc = sc.parent {
		for n := range sc.names {
			out = append(out, n)
		}
	}
	for n := range c.prog.GlobalSyms {
		out = append(out, n)
	}
	out = append(out, c.builtins...)
	seen := map[string]bool{}
	for _, d := range c.u.Funcs() {
		if m := d.Module(); m != "" && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

func (c *checker) wantBool(n Node, t Type, what string) {
	if !TBool.Accepts(t) {
		c.errorf(n, "type", "%s needs a bool, got %s", what, t).
			Hint("compare it: x != null, len(xs) > 0, s != \"\"")
	}
}

// binary checks a binary expression. A chain such as a + b + c + … is a
// tree as deep as it is long, so its left spine is walked in a loop, not
// by recursion: checking stays linear and the stack small for any length.
func (c *checker) binary(e *BinaryExpr) Type {
	if _, chain := e.X.(*BinaryExpr); !chain {
		return c.binaryOp(e, c.expr(e.X), c.expr(e.Y))
	}
	spine := []*BinaryExpr{e}
	x := e.X
	for b, ok := x.(*BinaryExpr); ok; b, ok = x.(*BinaryExpr) {
		spine = append(spine, b)
		x = b.X
	}
	t := c.expr(x)
	for i := len(spine) - 1; i >= 0; i-- {
		t = c.binaryOp(spine[i], t, c.expr(spine[i].Y))
	}
	return t
}

// binaryOp checks e given the types of its operands.
func (c *checker) binaryOp(e *BinaryExpr, xt, yt Type) Type {
	bad := func(verb string) Type {
		c.diags.Errorf(c.file, Span{e.OpPos, advance(e.OpPos, e.Op.String())}, "type",
			"cannot %s %s and %s", verb, xt, yt)
		return TAny
	}
	known := func(t Type) bool { return t != TAny && t != TNone && t&TNull == 0 }
	switch e.Op {
	case OpAnd, OpOr:
		c.wantBool(e.X, xt, e.Op.String())
		c.wantBool(e.Y, yt, e.Op.String())
		return TBool
	case OpCoalesce:
		if xt == TNull {
			c.warnf(e.X, "null", "the left of ?? is always null")
		}
		return (xt &^ TNull) | yt
	case OpEq, OpNe:
		return TBool
	case OpLt, OpLe, OpGt, OpGe:
		if known(xt) && known(yt) && xt&yt == 0 && !(xt&TNumber != 0 && yt&TNumber != 0) {
			bad("compare")
		}
		return TBool
	case OpIn, OpNotIn:
		if known(yt) && !(TList | TMap | TString | THandle).Accepts(yt) {
			c.errorf(e.Y, "type", "the right of %s must be a list, a map, a string or a List, got %s", e.Op, yt)
		}
		return TBool
	case OpMatches:
		if known(xt) && !TString.Accepts(xt) {
			c.errorf(e.X, "type", "matches needs a string on the left, got %s", xt)
		}
		if s, ok := e.Y.(*StringLit); ok {
			if re, static := s.Static(); static {
				if _, err := regexp.Compile(re); err != nil {
					c.errorf(e.Y, "regex", "invalid regular expression: %v", err).
						Hint("WF uses RE2 syntax (no lookahead or backreferences)")
				}
			}
		}
		return TBool
	case OpAdd:
		switch {
		case xt == TString && yt == TString:
			return TString
		case xt == TList && yt == TList:
			return TList
		case xt == TMap && yt == TMap:
			return TMap
		case known(xt) && known(yt) && xt&TNumber != 0 && yt&TNumber != 0:
			return numResult(xt, yt)
		case xt == TTime && yt == TDuration, xt == TDuration && yt == TTime:
			return TTime
		case xt == TDuration && yt == TDuration:
			return TDuration
		case known(xt) && known(yt):
			t := bad("add")
			if xt == TString || yt == TString {
				(*c.diags)[len(*c.diags)-1].Hint(`to build text use interpolation: "${a}${b}"`)
			}
			return t
		}
		return TAny
	case OpSub:
		switch {
		case xt == TTime && yt == TTime:
			return TDuration
		case xt == TTime && yt == TDuration:
			return TTime
		case xt == TDuration && yt == TDuration:
			return TDuration
		case known(xt) && known(yt) && xt&TNumber != 0 && yt&TNumber != 0:
			return numResult(xt, yt)
		case known(xt) && known(yt):
			return bad("subtract")
		}
		return TAny
	case OpMul, OpDiv, OpMod:
		switch {
		case known(xt) && known(yt) && xt&TNumber != 0 && yt&TNumber != 0:
			if e.Op == OpDiv {
				if n, ok := e.Y.(*IntLit); ok && n.Value == 0 {
					c.errorf(e.Y, "arith", "division by zero")
				}
			}
			return numResult(xt, yt)
		case xt == TDuration && yt&TNumber != 0 && e.Op != OpMod:
			return TDuration
		case known(xt) && known(yt):
			return bad(map[Op]string{OpMul: "multiply", OpDiv: "divide", OpMod: "take the remainder of"}[e.Op])
		}
		return TAny
	}
	return TAny
}

func numResult(x, y Type) Type {
	if x == TInt && y == TInt {
		return TInt
	}
	if x == TFloat || y == TFloat {
		return TFloat
	}
	return TNumber
}

func (c *checker) mapLit(m *MapLit) {
	seen := map[string]*MapEntry{}
	for _, e := range m.Entries {
		if prev, dup := seen[e.Key]; dup {
			c.diags.Errorf(c.file, e.KeySp, "duplicate", "key %q appears twice in this map", e.Key).
				Note(c.file, prev.KeySp, "first here")
		}
		seen[e.Key] = e
		c.expr(e.Value)
	}
}

// selector checks x.name. On a module it must be a function that is called;
// on a value it reads a field.
func (c *checker) selector(e *SelectorExpr) Type {
	if mod, ok := c.moduleOf(e.X); ok {
		name := mod + "." + e.Name.Name
		if c.u.IsModule(name) {
			return TAny
		}
		if d := c.u.Func(name); d != nil {
			c.errorf(e, "call", "%s is a function: call it with (…)", name).Hint("%s", d.Signature())
			return TFunc
		}
		c.unknownMember(mod, e.Name)
		return TAny
	}
	xt := c.operand(e.X)
	if xt != TAny && xt&(TMap|TNull|THandle) == 0 {
		c.errorf(e.Name, "type", "%s has no fields", xt).Hint("fields are read from maps, such as trigger.%s", e.Name.Name)
	} else if c.shapes != nil {
		c.field(e)
	}
	return TAny
}

// librarySym returns the symbol of a core library function or a module
// named name (one per name, made on first use), or nil.
func (c *checker) librarySym(name string) *Symbol {
	if sym, ok := c.library[name]; ok {
		return sym
	}
	var sym *Symbol
	if d := c.u.Func(name); d != nil {
		sym = &Symbol{Name: name, Kind: SymBuiltin, Func: d, Type: TFunc}
	} else if c.u.IsModule(name) {
		sym = &Symbol{Name: name, Kind: SymModule}
	}
	c.library[name] = sym
	return sym
}

// moduleOf reports whether x names a library module (and not a local that
// shadows it): `inquiry`, or `a.b` for nested modules.
func (c *checker) moduleOf(x Expr) (string, bool) {
	switch x := x.(type) {
	case *Ident:
		if sym, _ := c.scope.lookup(x.Name); sym != nil {
			return "", false
		}
		if c.prog.GlobalSyms[x.Name] != nil || !c.u.IsModule(x.Name) {
			return "", false
		}
		c.info.Refs[x] = Ref{Sym: c.librarySym(x.Name)}
		return x.Name, true
	case *SelectorExpr:
		if m, ok := c.moduleOf(x.X); ok && c.u.IsModule(m+"."+x.Name.Name) {
			return m + "." + x.Name.Name, true
		}
	}
	return "", false
}

func (c *checker) unknownMember(mod string, name *Ident) {
	d := c.errorf(name, "undefined", "module %s has no function %s", mod, name.Name)
	var names []string
	for _, f := range ModuleFuncs(c.u, mod) {
		names = append(names, f.Short())
	}
	if s := Suggest(name.Name, names); s != "" {
		d.Hint("did you mean %s.%s?", mod, s)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + mod + "." + s, Span: name.Sp, NewText: s})
	} else if len(names) > 0 {
		if len(names) > 12 {
			names = append(names[:12], "…")
		}
		d.Hint("%s has: %s", mod, joinNames(names))
	}
}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func (c *checker) lambda(e *LambdaExpr) Type {
	saved := c.flags
	c.flags |= inLambda
	c.pushFrame(e, false)
	seen := map[string]bool{}
	for _, p := range e.Params {
		if seen[p.Name] {
			c.errorf(p, "duplicate", "parameter %s is declared twice", p.Name)
			continue
		}
		seen[p.Name] = true
		c.bind(p, e, TAny).used = true
	}
	c.expr(e.Body)
	c.popScope()
	c.flags = saved
	return TFunc
}

func (c *checker) waitAllowed(n Node) {
	switch {
	case c.flags&inWorkflow == 0 || c.flags&inPure != 0:
		c.errorf(n, "context", "wait is only allowed in a workflow")
	case c.flags&inLambda != 0:
		c.errorf(n, "context", "wait is not allowed in a lambda")
	}
}

// waitEvent checks `wait event "name" [where …] [timeout …]`. In
// `let e = wait event … where e.…` the where clause sees the candidate event
// under the let's name, in a frame of its own.
func (c *checker) waitEvent(e *WaitEventExpr, name *Ident) Type {
	c.waitAllowed(e)
	c.eventName(e.Name)
	if e.Where != nil && name != nil {
		saved := c.flags
		c.flags |= inPure
		c.pushFrame(e, false)
		c.bind(&Ident{Sp: name.Sp, Name: name.Name}, e, TMap).used = true
		c.wantBool(e.Where, c.expr(e.Where), "a where clause")
		c.popScope()
		c.flags = saved
	} else if e.Where != nil {
		c.expr(e.Where)
	}
	if e.Timeout != nil {
		if t := c.expr(e.Timeout); !TDuration.Accepts(t) {
			c.errorf(e.Timeout, "type", "timeout needs a duration such as 7d, got %s", t)
		}
		if d, ok := e.Timeout.(*DurationLit); ok && d.Value > MaxWait {
			c.errorf(e.Timeout, "duration", "timeout %s is longer than the limit of 30d", d.Raw)
		}
	}
	return TMap | TNull
}
