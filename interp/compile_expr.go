package interp

import (
	"strconv"

	"github.com/wf-lang/wf/lang"
)

func (c *compiler) expr(e lang.Expr) expr {
	switch e := e.(type) {
	case *lang.Ident:
		return c.ident(e)
	case *lang.NullLit:
		return &constExpr{nil}
	case *lang.BoolLit:
		return &constExpr{e.Value}
	case *lang.IntLit:
		return &constExpr{e.Value}
	case *lang.FloatLit:
		return &constExpr{e.Value}
	case *lang.DurationLit:
		return &constExpr{e.Value}
	case *lang.StringLit:
		return c.str(e)
	case *lang.ListLit:
		l := &listExpr{elems: make([]expr, len(e.Elems))}
		for i, x := range e.Elems {
			l.elems[i] = c.expr(x)
		}
		return c.fold(l)
	case *lang.MapLit:
		return c.fold(c.mapLit(e))
	case *lang.ParenExpr:
		return c.expr(e.X)
	case *lang.UnaryExpr:
		if e.Op == lang.OpNot {
			return &notExpr{at: c.at(e.X), x: c.expr(e.X)}
		}
		return &negExpr{at: c.at(e.X), x: c.expr(e.X)}
	case *lang.BinaryExpr:
		return c.binary(e)
	case *lang.SelectorExpr:
		return c.selector(e)
	case *lang.IndexExpr:
		return &indexExpr{at: c.at(e), x: c.expr(e.X), index: c.expr(e.Index), xText: c.text(e.X)}
	case *lang.CallExpr:
		return c.call(e)
	case *lang.LambdaExpr:
		return &lambdaExpr{fn: c.function("lambda", e, e.Body, len(e.Params))}
	case *lang.RunExpr:
		return c.run(e)
	case *lang.WaitExpr:
		return &waitExpr{at: c.at(e), d: c.expr(e.Duration), path: c.stepPath()}
	case *lang.WaitEventExpr:
		return c.waitEvent(e)
	}
	c.internal(e, "cannot compile an expression %T", e)
	return &constExpr{nil}
}

// function compiles a lambda-like body (an expression in its own frame).
func (c *compiler) function(name string, owner lang.Node, body lang.Expr, nparams int) *function {
	saved := c.frame
	c.frame = c.info.Frames[owner]
	f := &function{name: name, file: c.file, pos: owner.Span().Start, nparams: nparams,
		frameSize: len(c.frame.Slots), expr: c.expr(body)}
	c.frame = saved
	return f
}

func (c *compiler) stepPath() string {
	p := c.path + "~" + strconv.Itoa(c.nrun)
	c.nrun++
	return p
}

func (c *compiler) ident(id *lang.Ident) expr {
	ref, ok := c.info.Refs[id]
	if !ok {
		c.internal(id, "%s is not resolved", id.Name)
		return &constExpr{nil}
	}
	sym := ref.Sym
	switch sym.Kind {
	case lang.SymLocal:
		if ref.Hops == 0 {
			return &localExpr{slot: sym.Slot}
		}
		return &upExpr{hops: ref.Hops, slot: sym.Slot}
	case lang.SymConst:
		return &constRef{idx: sym.Index}
	case lang.SymFn:
		return &fnRef{fn: c.prog.fns[sym.Index]}
	case lang.SymJsFn:
		return &fnRef{fn: c.prog.jsfns[sym.Index]}
	case lang.SymBuiltin:
		if b := c.prog.lib.Builtin(sym.Func.Name); b != nil {
			return &constExpr{b}
		}
		c.errorf(id, "%s is declared but has no implementation", sym.Func.Name)
		return &constExpr{nil}
	}
	c.internal(id, "%s resolves to a %v, which is not a value", id.Name, sym.Kind)
	return &constExpr{nil}
}

// selector compiles x.name, reading x straight from its slot when it is a
// local of the frame.
func (c *compiler) selector(e *lang.SelectorExpr) expr {
	x := c.expr(e.X)
	slot := -1
	if l, ok := x.(*localExpr); ok {
		slot = l.slot
	}
	return &selectorExpr{at: c.at(e), x: x, slot: slot, xText: c.text(e.X), name: e.Name.Name, optional: e.Optional}
}

// fold evaluates a list or map of constants once, at compile time.
func (c *compiler) fold(x expr) expr {
	switch x := x.(type) {
	case *listExpr:
		for _, e := range x.elems {
			if _, ok := e.(*constExpr); !ok {
				return x
			}
		}
	case *mapExpr:
		for _, e := range x.vals {
			if _, ok := e.(*constExpr); !ok {
				return x
			}
		}
	}
	v, err := x.eval(nil, nil)
	if err != nil {
		return x
	}
	return &constExpr{v}
}

func (c *compiler) str(s *lang.StringLit) expr {
	if text, ok := s.Static(); ok {
		return &constExpr{text}
	}
	ie := &interpExpr{at: c.at(s)}
	text := ""
	for _, p := range s.Parts {
		if p.Expr == nil {
			text += p.Text
			continue
		}
		ie.texts = append(ie.texts, text)
		ie.parts = append(ie.parts, c.expr(p.Expr))
		text = ""
	}
	ie.texts = append(ie.texts, text)
	return ie
}

func (c *compiler) mapLit(m *lang.MapLit) *mapExpr {
	out := &mapExpr{}
	for _, e := range m.Entries {
		out.keys = append(out.keys, e.Key)
		out.vals = append(out.vals, c.expr(e.Value))
	}
	return out
}

// binary compiles a binary expression. A chain such as a + b + c + … is a
// tree as deep as it is long, so its left spine is compiled in a loop, not
// by recursion.
func (c *compiler) binary(e *lang.BinaryExpr) expr {
	if _, chain := e.X.(*lang.BinaryExpr); !chain {
		return c.binaryOp(e, c.expr(e.X), c.expr(e.Y))
	}
	spine := []*lang.BinaryExpr{e}
	left := e.X
	for b, ok := left.(*lang.BinaryExpr); ok; b, ok = left.(*lang.BinaryExpr) {
		spine = append(spine, b)
		left = b.X
	}
	x := c.expr(left)
	for i := len(spine) - 1; i >= 0; i-- {
		x = c.binaryOp(spine[i], x, c.expr(spine[i].Y))
	}
	return x
}

// binaryOp compiles e from its compiled operands.
func (c *compiler) binaryOp(e *lang.BinaryExpr, x, y expr) expr {
	a := at{file: c.file, sp: lang.Span{Start: e.OpPos, End: e.Sp.End}, text: c.text(e)}
	xt, yt := c.text(e.X), c.text(e.Y)
	switch e.Op {
	case lang.OpAnd, lang.OpOr:
		return &logicExpr{at: a, x: x, y: y, xText: xt, yText: yt, or: e.Op == lang.OpOr}
	case lang.OpCoalesce:
		return &coalesceExpr{x: x, y: y}
	case lang.OpEq, lang.OpNe:
		return &eqExpr{at: &a, x: x, y: y, ne: e.Op == lang.OpNe}
	case lang.OpLt, lang.OpLe, lang.OpGt, lang.OpGe:
		return &cmpExpr{at: a, op: e.Op, x: x, y: y, xText: xt, yText: yt}
	case lang.OpIn, lang.OpNotIn:
		return &inExpr{at: a, x: x, y: y, yText: yt, not: e.Op == lang.OpNotIn}
	case lang.OpMatches:
		m := &matchesExpr{at: a, x: x, y: y, cache: c.prog.regexes, xText: xt}
		if k, ok := y.(*constExpr); ok {
			if p, ok := k.v.(string); ok {
				re, err := CompileRegex(p)
				if err != nil {
					c.errorf(e.Y, "%s", errMsg(err))
				}
				m.re = re
			}
		}
		return m
	}
	return &arithExpr{at: a, op: e.Op, x: x, y: y, xText: xt, yText: yt}
}

// call compiles a call according to what the checker resolved it to.
func (c *compiler) call(e *lang.CallExpr) expr {
	cal := c.info.Calls[e]
	if cal == nil {
		c.internal(e, "the call %s is not resolved", c.text(e.Fn))
		return &constExpr{nil}
	}
	switch cal.Kind {
	case lang.CallBuiltin, lang.CallMethod:
		b := c.prog.lib.Builtin(cal.Func.Name)
		if b == nil {
			c.errorf(e, "%s is declared but has no implementation", cal.Func.Name)
			return &constExpr{nil}
		}
		ce := &callBuiltin{at: c.at(e), b: b}
		var recv lang.Expr
		if cal.Kind == lang.CallMethod {
			recv = e.Fn.(*lang.SelectorExpr).X
			ce.recv = c.expr(recv)
		}
		ce.plan = c.plan(b.Decl, e.Args, recv)
		ce.constArgs = ce.allConst()
		return ce
	case lang.CallFn:
		return &callFn{at: c.at(e), fn: c.prog.fns[cal.Sym.Index], args: c.userArgs(cal.Fn.Params, e.Args), caller: c.fnName}
	case lang.CallJsFn:
		return &callFn{at: c.at(e), fn: c.prog.jsfns[cal.Sym.Index], args: c.userArgs(cal.JsFn.Params, e.Args), caller: c.fnName}
	}
	d := &callDynamic{at: c.at(e), f: c.expr(e.Fn), caller: c.fnName}
	for _, a := range e.Args {
		d.args = append(d.args, c.expr(a.Value))
	}
	return d
}

// plan places a call's arguments on a declaration's parameters, once;
// recv is the receiver of a method call, nil for a plain call.
func (c *compiler) plan(d *lang.FuncDecl, args []*lang.Arg, recv lang.Expr) *argPlan {
	p := &argPlan{decl: d, params: make([]expr, len(d.Params)), defaults: make([]Value, len(d.Params)), texts: make([]string, len(d.Params))}
	for i, prm := range d.Params {
		p.defaults[i] = c.prog.defaultValue(prm)
	}
	pi := 0
	if recv != nil {
		pi = 1
		if len(p.texts) > 0 {
			p.texts[0] = c.text(recv)
		}
	}
	for _, a := range args {
		x := c.expr(a.Value)
		if a.Name == nil {
			if pi < len(d.Params) && d.Params[pi].Variadic {
				p.rest = append(p.rest, x)
				continue
			}
			if pi < len(d.Params) {
				p.params[pi], p.texts[pi] = x, c.text(a.Value)
				pi++
			}
			continue
		}
		found := false
		for i, prm := range d.Params {
			if prm.Name == a.Name.Name {
				p.params[i], p.texts[i], found = x, c.text(a.Value), true
			}
		}
		if !found {
			p.extraK = append(p.extraK, a.Name.Name)
			p.extraV = append(p.extraV, x)
		}
	}
	return p
}

// defaultValue evaluates a parameter's default (WF source) once.
func (p *Program) defaultValue(prm lang.ParamDecl) Value {
	if prm.Default == "" {
		return nil
	}
	x, diags := lang.ParseExpr("<default>", prm.Default)
	if diags.HasErrors() {
		return nil
	}
	c := &compiler{prog: p, info: &lang.Info{Refs: map[*lang.Ident]lang.Ref{}}}
	v, err := c.expr(x).eval(p.scratchThread(), newFrame(0, nil))
	if err != nil {
		return nil
	}
	return v
}

// userArgs places a fn call's arguments on its parameters.
func (c *compiler) userArgs(params []*lang.Param, args []*lang.Arg) []expr {
	out := make([]expr, len(params))
	pi := 0
	for _, a := range args {
		x := c.expr(a.Value)
		if a.Name == nil {
			if pi < len(out) {
				out[pi] = x
			}
			pi++
			continue
		}
		for i, p := range params {
			if p.Name.Name == a.Name.Name {
				out[i] = x
			}
		}
	}
	return out
}

func (c *compiler) run(r *lang.RunExpr) expr {
	path := c.stepPath()
	if r.Call == nil {
		c.internal(r, "run without a call")
		return &constExpr{nil}
	}
	cal := c.info.Calls[r.Call]
	if cal == nil || (cal.Kind != lang.CallBuiltin && cal.Kind != lang.CallMethod) {
		// run of a fn: evaluate it as a plain call (the checker warned).
		return c.call(r.Call)
	}
	b := c.prog.lib.Builtin(cal.Func.Name)
	if b == nil {
		c.errorf(r.Call, "%s is declared but has no implementation", cal.Func.Name)
		return &constExpr{nil}
	}
	re := &runExpr{at: c.at(r), b: b, path: path}
	var recv lang.Expr
	if cal.Kind == lang.CallMethod {
		recv = r.Call.Fn.(*lang.SelectorExpr).X
		re.recv = c.expr(recv)
	}
	re.plan = c.plan(b.Decl, r.Call.Args, recv)
	if r.With != nil {
		re.with = c.mapLit(r.With)
	}
	return re
}

func (c *compiler) waitEvent(e *lang.WaitEventExpr) expr {
	name, _ := e.Name.Static()
	w := &waitEventExpr{at: c.at(e), name: name, path: c.stepPath()}
	if e.Where != nil && c.info.Frames[e] != nil {
		w.filter = c.function("where", e, e.Where, 1)
	}
	if e.Timeout != nil {
		w.timeout = c.expr(e.Timeout)
	}
	return w
}
