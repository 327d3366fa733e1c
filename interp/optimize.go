package interp

// This file is the optimization pass: after a program is compiled, its
// bodies are walked once and some general node shapes are replaced by
// nodes that compute the same thing with less work:
//
//   - a comparison with a constant (x == "s", x != 1, x < 18) keeps the
//     constant in the node instead of evaluating it, with a typed fast path
//     for strings, ints and floats;
//   - the same comparison of a field of a local (trigger.age < 18,
//     trigger.status == "completed") also reads the field itself, with the
//     field read's position hint, in one node;
//   - x in f(…), a library call such as list("blocked-ips"), reads a field
//     of a local on the left inline with its hint and hands a string
//     straight to a handle that looks strings up (StringContainer);
//   - a string that is built only to be compared with a constant string
//     (lower("${a} ${b}") == "jane doe", a + b != "x") is built in a buffer
//     the thread reuses instead of a new string (render.go).
//
// Every rewritten node evaluates the same subexpressions, in the same order
// and exactly once, and gives the same value or the same error as the node
// it replaces: a fast path that does not apply (a field that is not a
// string, a value of another type) finishes with the generic code on the
// values already computed, never by evaluating anything again (a pure
// function such as uuid() may give another value the second time).
// optimize_test.go runs programs with and without the pass and compares.
//
// Nodes the pass does not know are left as they are, with their children.

import "strings"

// optimize rewrites every body of the program.
func (p *Program) optimize() {
	for _, f := range p.fns {
		optFunction(f)
	}
	for _, w := range p.workflows {
		optStmts(w.body)
		for i := range w.events {
			if w.events[i].where != nil {
				w.events[i].where = optExpr(w.events[i].where)
			}
		}
		for i := range w.params {
			if w.params[i].def != nil {
				w.params[i].def = optExpr(w.params[i].def)
			}
		}
	}
}

// optFunction rewrites a fn, lambda or filter body.
func optFunction(f *function) {
	if f == nil {
		return
	}
	optStmts(f.body)
	for i, d := range f.defaults {
		if d != nil {
			f.defaults[i] = optExpr(d)
		}
	}
	if f.expr != nil {
		f.expr = optExpr(f.expr)
	}
}

func optStmts(body []stmt) {
	for _, s := range body {
		optStmt(s)
	}
}

// optStmt rewrites the expressions and bodies of a statement in place.
func optStmt(s stmt) {
	switch s := s.(type) {
	case *letStmt:
		s.x = optExpr(s.x)
	case *assignStmt:
		s.x = optExpr(s.x)
		for i := range s.path {
			if s.path[i].index != nil {
				s.path[i].index = optExpr(s.path[i].index)
			}
		}
	case *exprStmt:
		s.x = optExpr(s.x)
	case *valueStmt:
		s.x = optExpr(s.x)
	case *returnStmt:
		if s.x != nil {
			s.x = optExpr(s.x)
		}
	case *whenStmt:
		for i := range s.conds {
			s.conds[i] = optExpr(s.conds[i])
			optStmts(s.bodies[i])
		}
		optStmts(s.els)
	case *parallelStmt:
		for _, b := range s.branches {
			optStmts(b)
		}
	case *forStmt:
		s.iter = optExpr(s.iter)
		if s.limit != nil {
			s.limit = optExpr(s.limit)
		}
		optStmts(s.body)
	case *tryStmt:
		optStmts(s.body)
		optStmts(s.catch)
	case *blockStmt:
		optStmts(s.body)
	case *outputStmt:
		optExprs(s.m.vals)
	case *failStmt:
		s.x = optExpr(s.x)
	case *logStmt:
		s.x = optExpr(s.x)
	case *emitStmt:
		s.name = optExpr(s.name)
		if s.payload != nil {
			optExprs(s.payload.vals)
		}
	}
}

func optExprs(xs []expr) {
	for i, x := range xs {
		if x != nil {
			xs[i] = optExpr(x)
		}
	}
}

// optPlan rewrites the argument expressions of a library call.
func optPlan(p *argPlan) {
	optExprs(p.params)
	optExprs(p.rest)
	optExprs(p.extraV)
}

// optExpr rewrites x's children, then x, and returns what replaces x.
func optExpr(x expr) expr {
	switch e := x.(type) {
	case *selectorExpr:
		if e.slot < 0 {
			e.x = optExpr(e.x)
		}
	case *indexExpr:
		e.x, e.index = optExpr(e.x), optExpr(e.index)
	case *notExpr:
		e.x = optExpr(e.x)
	case *negExpr:
		e.x = optExpr(e.x)
	case *logicExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
	case *coalesceExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
	case *inExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
		return optIn(e)
	case *matchesExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
	case *arithExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
	case *interpExpr:
		optExprs(e.parts)
	case *listExpr:
		optExprs(e.elems)
	case *mapExpr:
		optExprs(e.vals)
	case *lambdaExpr:
		optFunction(e.fn)
	case *callBuiltin:
		if e.recv != nil {
			e.recv = optExpr(e.recv)
		}
		optPlan(e.plan)
	case *callFn:
		optExprs(e.args)
	case *callDynamic:
		e.f = optExpr(e.f)
		optExprs(e.args)
	case *runExpr:
		if e.recv != nil {
			e.recv = optExpr(e.recv)
		}
		optPlan(e.plan)
		if e.with != nil {
			optExprs(e.with.vals)
		}
	case *waitExpr:
		e.d = optExpr(e.d)
	case *waitEventExpr:
		optFunction(e.filter)
		if e.timeout != nil {
			e.timeout = optExpr(e.timeout)
		}
	case *eqExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
		return optEq(e)
	case *cmpExpr:
		e.x, e.y = optExpr(e.x), optExpr(e.y)
		return optCmp(e)
	}
	return x
}

// localField returns x as a field read of a local of the frame, or nil.
func localField(x expr) *selectorExpr {
	if sel, ok := x.(*selectorExpr); ok && sel.slot >= 0 {
		return sel
	}
	return nil
}

// optEq rewrites x == k and k == x for a constant k.
func optEq(e *eqExpr) expr {
	if _, ok := e.x.(*constExpr); ok {
		e.x, e.y = e.y, e.x // a constant has no effect: the order does not matter
	}
	k, ok := e.y.(*constExpr)
	if !ok || isContainer(k.v) { // comparing containers is measured first (checkCompare)
		return e
	}
	if s, ok := k.v.(string); ok {
		if r := renderable(e.x); r != nil {
			return &eqRendered{r: r, s: s, ne: e.ne}
		}
	}
	if sel := localField(e.x); sel != nil {
		if s, ok := k.v.(string); ok {
			return &eqFieldStr{sel: sel, s: s, ne: e.ne}
		}
		return &eqField{sel: sel, k: newConstOperand(k.v), ne: e.ne}
	}
	return &eqConst{x: e.x, k: newConstOperand(k.v), ne: e.ne}
}

// optCmp rewrites x < k (and <=, >, >=) for a constant k.
func optCmp(e *cmpExpr) expr {
	k, ok := e.y.(*constExpr)
	if !ok {
		return e
	}
	if sel := localField(e.x); sel != nil {
		if i, ok := k.v.(int64); ok {
			return &cmpFieldInt{cmp: e, sel: sel, k: i}
		}
		return &cmpField{cmp: e, sel: sel, k: newConstOperand(k.v)}
	}
	return &cmpConst{cmp: e, k: newConstOperand(k.v)}
}

// constOperand is a constant operand of a comparison with its type
// worked out once.
type constOperand struct {
	v    Value
	kind byte // 's' string, 'i' int, 'f' float, 0 other
	s    string
	i    int64
	f    float64
}

func newConstOperand(v Value) constOperand {
	k := constOperand{v: v}
	switch x := v.(type) {
	case string:
		k.kind, k.s = 's', x
	case int64:
		k.kind, k.i = 'i', x
	case float64:
		k.kind, k.f = 'f', x
	}
	return k
}

// equal reports whether v == k.
func (k *constOperand) equal(v Value) bool {
	switch k.kind {
	case 's':
		if s, ok := v.(string); ok {
			return s == k.s
		}
	case 'i':
		if i, ok := v.(int64); ok {
			return i == k.i
		}
	case 'f':
		if f, ok := v.(float64); ok {
			return f == k.f
		}
	}
	return Equal(v, k.v)
}

// compare returns v op k, or the comparison's error.
func (k *constOperand) compare(e *cmpExpr, v Value) (Value, error) {
	switch k.kind {
	case 'i':
		if i, ok := v.(int64); ok {
			return cmpResult(e.op, cmp3(i, k.i)), nil
		}
	case 'f':
		if f, ok := v.(float64); ok {
			return cmpResult(e.op, cmpFloat(f, k.f)), nil
		}
	case 's':
		if s, ok := v.(string); ok {
			return cmpResult(e.op, strings.Compare(s, k.s)), nil
		}
	}
	return e.compare(v, k.v)
}

// eqConst is x == k (x != k with ne).
type eqConst struct {
	x  expr
	k  constOperand
	ne bool
}

func (e *eqConst) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	return e.k.equal(v) != e.ne, nil
}

// read evaluates a field read of a local: inline when the local is a map
// and the read's position hint holds (fast), else by the read itself (which
// updates the hint or reports a null or a non-map).
func (sel *selectorExpr) read(th *Thread, fr *frame) (Value, error) {
	if v, ok := sel.fast(fr); ok {
		return v, nil
	}
	return sel.eval(th, fr)
}

// fast returns the field when the local is a map and the position hint
// holds.
func (sel *selectorExpr) fast(fr *frame) (Value, bool) {
	if m, ok := fr.slots[sel.slot].(*Map); ok {
		if h := int(sel.hint.Load()); h < len(m.keys) && m.keys[h] == sel.name {
			return m.vals[h], true
		}
	}
	return nil, false
}

// eqFieldStr is local.name == "s" (!= with ne), the commonest condition of
// a rule (trigger.status == "completed").
type eqFieldStr struct {
	sel *selectorExpr
	s   string
	ne  bool
}

func (e *eqFieldStr) eval(th *Thread, fr *frame) (Value, error) {
	v, ok := e.sel.fast(fr)
	if !ok {
		var err error
		if v, err = e.sel.eval(th, fr); err != nil {
			return nil, err
		}
	}
	if s, ok := v.(string); ok {
		return (s == e.s) != e.ne, nil
	}
	return Equal(v, e.s) != e.ne, nil
}

// cmpFieldInt is local.name < k (and <=, >, >=) for an int k.
type cmpFieldInt struct {
	cmp *cmpExpr
	sel *selectorExpr
	k   int64
}

func (e *cmpFieldInt) eval(th *Thread, fr *frame) (Value, error) {
	v, ok := e.sel.fast(fr)
	if !ok {
		var err error
		if v, err = e.sel.eval(th, fr); err != nil {
			return nil, err
		}
	}
	if i, ok := v.(int64); ok {
		return cmpResult(e.cmp.op, cmp3(i, e.k)), nil
	}
	return e.cmp.compare(v, e.k)
}

// eqField is local.name == k (!= with ne).
type eqField struct {
	sel *selectorExpr
	k   constOperand
	ne  bool
}

func (e *eqField) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.sel.read(th, fr)
	if err != nil {
		return nil, err
	}
	return e.k.equal(v) != e.ne, nil
}

// cmpConst is x < k (and <=, >, >=).
type cmpConst struct {
	cmp *cmpExpr
	k   constOperand
}

func (e *cmpConst) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.cmp.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	return e.k.compare(e.cmp, v)
}

// cmpField is local.name < k (and <=, >, >=).
type cmpField struct {
	cmp *cmpExpr
	sel *selectorExpr
	k   constOperand
}

func (e *cmpField) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.sel.read(th, fr)
	if err != nil {
		return nil, err
	}
	return e.k.compare(e.cmp, v)
}

// optIn rewrites x in f(…) for a library call f (x in list("blocked-ips")).
func optIn(e *inExpr) expr {
	if _, ok := e.y.(*callBuiltin); !ok {
		return e
	}
	return &inCall{in: e, sel: localField(e.x)}
}

// inCall is x in f(…) for a library call f: x is read inline when it is a
// field of a local, then the call is made (answered by its memo when it
// can be: list("…") with a constant name), and a string is looked up
// without boxing it when the handle can (a List).
type inCall struct {
	in  *inExpr
	sel *selectorExpr // x as a field of a local, or nil
}

func (e *inCall) eval(th *Thread, fr *frame) (Value, error) {
	var (
		x   Value
		ok  bool
		err error
	)
	if e.sel != nil {
		x, ok = e.sel.fast(fr)
	}
	if !ok {
		if x, err = e.in.x.eval(th, fr); err != nil {
			return nil, err
		}
	}
	y, err := e.in.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	if s, ok := x.(string); ok {
		if c, ok := y.(StringContainer); ok {
			return c.ContainsString(s) != e.in.not, nil
		}
	}
	return e.in.lookIn(th, x, y)
}
