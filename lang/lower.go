package lang

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// lowerer turns grammar structs into AST nodes. It is the only code that
// sees both; it also reports the errors the grammar cannot express (bad
// escapes, chained comparisons, misplaced named arguments…).
type lowerer struct {
	file   string
	srcLen int
	diags  *Diagnostics
	// ifLine is the line of a stray `if`, so its condition, lowered as the
	// next statement, is not reported a second time.
	ifLine int
}

func lpos(p lexer.Position) Pos { return Pos{Offset: p.Offset, Line: p.Line, Col: p.Column} }

// tokEnd returns the position just after token t.
func tokEnd(t lexer.Token) Pos { return advance(lpos(t.Pos), t.Value) }

// lastEnd returns the end of the last token of a node.
func lastEnd(toks []lexer.Token) Pos {
	if len(toks) == 0 {
		return Pos{}
	}
	return tokEnd(toks[len(toks)-1])
}

func lastPos(toks []lexer.Token) Pos {
	if len(toks) == 0 {
		return Pos{}
	}
	return lpos(toks[len(toks)-1].Pos)
}

func (l *lowerer) errorf(sp Span, code, format string, args ...any) *Diagnostic {
	return l.diags.Errorf(l.file, sp, code, format, args...)
}

func (l *lowerer) name(n *nameG) *Ident {
	if n == nil {
		return nil
	}
	p := lpos(n.Pos)
	return &Ident{Sp: Span{p, advance(p, n.Name)}, Name: n.Name}
}

func (l *lowerer) anyName(n *anyNameG) *Ident {
	p := lpos(n.Pos)
	return &Ident{Sp: Span{p, advance(p, n.Name)}, Name: n.Name}
}

// ---- declarations ----

func (l *lowerer) decl(d *declG) Decl {
	switch {
	case d.Workflow != nil:
		return l.workflow(d.Workflow)
	case d.Const != nil:
		c := d.Const
		v := l.expr(c.Value)
		return &ConstDecl{Sp: Span{lpos(c.Pos), v.Span().End}, Name: l.name(c.Name), Value: v}
	case d.Fn != nil:
		f := d.Fn
		body := l.block(f.Body)
		return &FnDecl{Sp: Span{lpos(f.Pos), body.Sp.End}, Name: l.name(f.Name), Params: l.params(f.Params), Body: body}
	case d.JsFn != nil:
		return l.jsFn(d.JsFn)
	}
	return nil
}

func (l *lowerer) workflow(w *workflowG) *WorkflowDecl {
	wf := &WorkflowDecl{Name: l.name(w.Name), Rbrace: lastPos(w.Tokens)}
	wf.Sp = Span{lpos(w.Pos), lastEnd(w.Tokens)}
	wf.Lbrace = advance(wf.Name.Sp.End, "")
	for _, t := range w.Tokens {
		if t.Value == "{" {
			wf.Lbrace = lpos(t.Pos)
			break
		}
	}
	for _, it := range w.Items {
		if it.On != nil {
			tr := l.trigger(it.On)
			if len(wf.Body) > 0 {
				l.errorf(tr.Span(), "syntax", "on clause after a statement").
					Hint("put every `on` clause at the top of the workflow, before its statements")
			}
			wf.Triggers = append(wf.Triggers, tr)
			continue
		}
		wf.Body = append(wf.Body, l.stmt(it.Stmt))
	}
	return wf
}

func (l *lowerer) jsFn(f *jsFnG) *JsFnDecl {
	d := &JsFnDecl{Name: l.name(f.Name), Params: l.params(f.Params)}
	start := lpos(f.Body.Pos)
	end := advance(start, f.Body.Text)
	d.Sp = Span{lpos(f.Pos), end}
	d.CodeSp = Span{start, end}
	d.CodePos = advance(start, `"""`)
	code, ok := strings.CutPrefix(f.Body.Text, `"""`)
	if c, closed := strings.CutSuffix(code, `"""`); closed && len(f.Body.Text) >= 6 {
		code = c
	} else {
		ok = false
	}
	if !ok {
		l.errorf(Span{start, advance(start, `"""`)}, "syntax", `raw string not terminated`).
			Hint(`close the JavaScript body with """`)
	}
	d.Code = code
	return d
}

func (l *lowerer) params(ps []*paramG) []*Param {
	out := make([]*Param, 0, len(ps))
	for _, p := range ps {
		prm := &Param{Name: l.name(p.Name)}
		end := prm.Name.Sp.End
		if p.Type != nil {
			id := l.name(p.Type)
			prm.Type = &TypeRef{Sp: id.Sp, Name: id.Name, Optional: p.Opt != ""}
			if prm.Type.Optional {
				prm.Type.Sp.End = advance(id.Sp.End, "?")
			}
			end = prm.Type.Sp.End
		}
		if p.Default != nil {
			prm.Default = l.expr(p.Default)
			end = prm.Default.Span().End
		}
		prm.Sp = Span{prm.Name.Sp.Start, end}
		out = append(out, prm)
	}
	return out
}

// ---- triggers ----

func (l *lowerer) trigger(o *onG) Trigger {
	start := lpos(o.Pos)
	switch {
	case o.Event != nil:
		t := &EventTrigger{Pattern: l.str(o.Event.Pattern)}
		end := t.Pattern.Sp.End
		if o.Event.Where != nil {
			t.Where = l.expr(o.Event.Where)
			end = t.Where.Span().End
		}
		t.Sp = Span{start, end}
		l.static(t.Pattern, "an event name")
		return t
	case o.Params != nil:
		return &ParamTrigger{Sp: Span{start, lastEnd(o.Params.Tokens)}, Kind: o.Params.Kind, Params: l.params(o.Params.Params)}
	case o.Schedule != nil:
		t := &ScheduleTrigger{Cron: l.str(o.Schedule.Cron)}
		end := t.Cron.Sp.End
		l.static(t.Cron, "a cron expression")
		if o.Schedule.TZ != nil {
			t.TZ = l.str(o.Schedule.TZ)
			end = t.TZ.Sp.End
			l.static(t.TZ, "a time zone")
		}
		t.Sp = Span{start, end}
		return t
	default:
		d := l.duration(o.Every.Every.Pos, o.Every.Every.Value)
		return &EveryTrigger{Sp: Span{start, d.Sp.End}, Every: d}
	}
}

func (l *lowerer) static(s *StringLit, what string) {
	if _, ok := s.Static(); !ok {
		l.errorf(s.Sp, "syntax", "%s cannot use ${…} interpolation", what).
			Hint("write the text directly; it is fixed when the file is loaded")
	}
}

// ---- statements ----

func (l *lowerer) block(b *blockG) *Block {
	out := &Block{Sp: Span{lpos(b.Pos), lastEnd(b.Tokens)}, Rbrace: lastPos(b.Tokens)}
	out.Stmts = make([]Stmt, 0, len(b.Stmts))
	for _, s := range b.Stmts {
		out.Stmts = append(out.Stmts, l.stmt(s))
	}
	return out
}

func (l *lowerer) stmt(s *stmtG) Stmt {
	start := lpos(s.Pos)
	switch {
	case s.Let != nil:
		v := l.expr(s.Let.Value)
		return &LetStmt{Sp: Span{start, v.Span().End}, Name: l.name(s.Let.Name), Value: v}
	case s.When != nil:
		return l.when(s.When)
	case s.Parallel != nil:
		if s.Parallel.For != nil {
			f := l.forStmt(s.Parallel.For)
			f.Parallel = true
			f.Sp.Start = start
			return f
		}
		b := l.block(s.Parallel.Body)
		return &ParallelStmt{Sp: Span{start, b.Sp.End}, Body: b}
	case s.For != nil:
		f := l.forStmt(s.For)
		if f.Limit != nil {
			l.errorf(f.Limit.Span(), "syntax", "limit is only allowed on parallel for").
				Hint("write `parallel for … limit N { … }` to run iterations at once, at most N at a time")
		}
		return f
	case s.Try != nil:
		t := &TryStmt{Body: l.block(s.Try.Body), Catch: l.block(s.Try.Catch)}
		if s.Try.Err != nil {
			t.Err = l.name(s.Try.Err)
		}
		t.Sp = Span{start, t.Catch.Sp.End}
		return t
	case s.Output != nil:
		m := l.mapLit(s.Output.Value)
		return &OutputStmt{Sp: Span{start, m.Sp.End}, Value: m}
	case s.Fail != nil:
		r := l.expr(s.Fail)
		return &FailStmt{Sp: Span{start, r.Span().End}, Reason: r}
	case s.Stop != "":
		return &StopStmt{Sp: Span{start, advance(start, "stop")}}
	case s.Log != nil:
		m := l.expr(s.Log)
		return &LogStmt{Sp: Span{start, m.Span().End}, Message: m}
	case s.Emit != nil:
		e := &EmitStmt{Name: l.expr(s.Emit.Name)}
		end := e.Name.Span().End
		if s.Emit.Payload != nil {
			e.Payload = l.mapLit(s.Emit.Payload)
			end = e.Payload.Sp.End
		}
		e.Sp = Span{start, end}
		return e
	case s.Return != nil:
		r := &ReturnStmt{Sp: Span{start, advance(start, "return")}}
		if s.Return.Value != nil {
			r.Value = l.expr(s.Return.Value)
			r.Sp.End = r.Value.Span().End
		}
		return r
	case s.Block != nil:
		return &BlockStmt{Block: l.block(s.Block)}
	default:
		return l.simple(s.Simple)
	}
}

func (l *lowerer) simple(s *simpleG) Stmt {
	x := l.expr(s.X)
	if s.Eq == nil {
		if isIf(x) {
			l.errorf(x.Span(), "syntax", "expected a statement, found name if").
				Hint("WF uses when for conditions: when cond { … } else { … }")
			l.ifLine = x.Span().Start.Line
			return &ExprStmt{X: &BadExpr{Sp: x.Span()}}
		}
		switch x.(type) {
		case *CallExpr, *RunExpr, *WaitExpr, *WaitEventExpr, *BadExpr:
		default:
			if x.Span().Start.Line == l.ifLine {
				return &ExprStmt{X: &BadExpr{Sp: x.Span()}} // the condition of a stray if
			}
			l.errorf(x.Span(), "syntax", "expression is not a statement").
				Hint("use its value: `let name = …`, or act on it with `run`")
		}
		return &ExprStmt{X: x}
	}
	v := l.expr(s.Value)
	switch x.(type) {
	case *Ident, *SelectorExpr, *IndexExpr, *BadExpr:
	default:
		l.errorf(x.Span(), "syntax", "cannot assign to this expression").
			Hint("the left of `=` must be a name, a field (`m.key`) or an index (`xs[0]`)")
		x = &BadExpr{Sp: x.Span()} // reported here, not again by the checker
	}
	return &AssignStmt{Sp: Span{x.Span().Start, v.Span().End}, Target: x, OpPos: lpos(s.Eq.Pos), Value: v}
}

// isIf reports whether x is a stray `if` or `if(…)` from another language.
func isIf(x Expr) bool {
	if c, ok := x.(*CallExpr); ok {
		x = c.Fn
	}
	id, ok := x.(*Ident)
	return ok && id.Name == "if"
}

func (l *lowerer) when(w *whenG) *WhenStmt {
	out := &WhenStmt{}
	for w != nil {
		br := &WhenBranch{Cond: l.expr(w.Cond), Body: l.block(w.Body)}
		br.Sp = Span{lpos(w.Pos), br.Body.Sp.End}
		out.Branches = append(out.Branches, br)
		e := w.Else
		w = nil
		if e != nil {
			if e.When != nil {
				w = e.When
			} else {
				out.ElsePos = lpos(e.Pos)
				out.Else = l.block(e.Body)
			}
		}
	}
	out.Sp = Span{out.Branches[0].Sp.Start, out.Branches[len(out.Branches)-1].Sp.End}
	if out.Else != nil {
		out.Sp.End = out.Else.Sp.End
	}
	return out
}

func (l *lowerer) forStmt(f *forG) *ForStmt {
	out := &ForStmt{Value: l.name(f.First), Iter: l.expr(f.Iter), Body: l.block(f.Body)}
	if f.Value != nil {
		out.Key, out.Value = out.Value, l.name(f.Value)
	}
	if f.Limit != nil {
		out.Limit = l.expr(f.Limit)
	}
	out.Sp = Span{lpos(f.Pos), out.Body.Sp.End}
	return out
}

// ---- expressions ----

// flat is an expression as the grammar parsed it: operands separated by
// binary operators, each operand with its prefix operators. climb gives it
// its precedence.
type flat struct {
	operands []*unaryG
	ops      []*binG
	i        int // current operand
	pre      int // next prefix of the current operand
}

func (l *lowerer) expr(e *exprG) Expr {
	if e == nil {
		return &BadExpr{}
	}
	f := &flat{operands: make([]*unaryG, 0, len(e.Rest)+1), ops: e.Rest}
	f.operands = append(f.operands, e.First)
	for _, b := range e.Rest {
		f.operands = append(f.operands, b.Right)
	}
	return l.climb(f, 0)
}

func (l *lowerer) climb(f *flat, minPrec int) Expr {
	left := l.operand(f)
	for f.i < len(f.ops) {
		b := f.ops[f.i]
		op := binaryOps[b.Op]
		prec := op.Precedence()
		if prec <= minPrec {
			break
		}
		f.i++
		f.pre = 0
		right := l.climb(f, prec)
		if op.IsComparison() {
			if lb, ok := left.(*BinaryExpr); ok && lb.Op.IsComparison() {
				l.errorf(Span{lpos(b.Pos), advance(lpos(b.Pos), op.String())}, "syntax", "comparisons cannot be chained").
					Hint("join them with and: `a < b and b < c`")
			}
		}
		left = &BinaryExpr{Sp: Span{left.Span().Start, right.Span().End}, Op: op, OpPos: lpos(b.Pos), X: left, Y: right}
	}
	return left
}

// operand lowers the current operand with its remaining prefix operators.
// `not` takes everything that binds tighter than it (comparisons and
// arithmetic); `-` takes only the operand itself.
func (l *lowerer) operand(f *flat) Expr {
	u := f.operands[f.i]
	if f.pre < len(u.Prefix) {
		p := u.Prefix[f.pre]
		f.pre++
		op, prec := OpNeg, precUnary
		if p.Op == "not" {
			op, prec = OpNot, precNot
		}
		x := l.climb(f, prec)
		return &UnaryExpr{Sp: Span{lpos(p.Pos), x.Span().End}, Op: op, OpPos: lpos(p.Pos), X: x}
	}
	return l.postfix(u.X)
}

func (l *lowerer) postfix(p *postfixG) Expr {
	x := l.primary(p.X)
	for _, s := range p.Suffixes {
		switch {
		case s.Field != nil:
			name := l.anyName(s.Field.Name)
			x = &SelectorExpr{Sp: Span{x.Span().Start, name.Sp.End}, X: x, Name: name, Optional: s.Field.Op == "?."}
		case s.Index != nil:
			idx := l.expr(s.Index.Index)
			x = &IndexExpr{Sp: Span{x.Span().Start, lastEnd(s.Index.Tokens)}, X: x, Index: idx}
		default:
			x = l.call(x, s.Call)
		}
	}
	return x
}

func (l *lowerer) call(fn Expr, c *callG) *CallExpr {
	out := &CallExpr{Fn: fn, Lparen: lpos(c.Pos), Rparen: lastPos(c.Tokens)}
	out.Sp = Span{fn.Span().Start, lastEnd(c.Tokens)}
	named := false
	for _, a := range c.Args {
		arg := l.arg(a)
		if arg.Name != nil {
			named = true
		} else if named {
			l.errorf(arg.Sp, "syntax", "positional argument after a named argument").
				Hint("put positional arguments first: f(a, b, name: c)")
		}
		out.Args = append(out.Args, arg)
	}
	return out
}

func (l *lowerer) arg(a *argG) *Arg {
	if a.Named == nil {
		v := l.expr(a.Value)
		return &Arg{Sp: v.Span(), Value: v}
	}
	v := l.expr(a.Named)
	key := l.expr(a.Value)
	id, ok := key.(*Ident)
	if !ok {
		l.errorf(key.Span(), "syntax", "a named argument needs a name before the colon").
			Hint("write name: value")
		id = &Ident{Sp: key.Span()}
	}
	return &Arg{Sp: Span{key.Span().Start, v.Span().End}, Name: id, Value: v}
}

func (l *lowerer) primary(p *primaryG) Expr {
	start := lpos(p.Pos)
	switch {
	case p.Ident != nil:
		id := &Ident{Sp: Span{start, advance(start, p.Ident.Name)}, Name: p.Ident.Name}
		if p.Ident.Arrow != nil {
			return l.lambda(start, []*Ident{id}, p.Ident.Arrow)
		}
		return id
	case p.Str != nil:
		return l.str(p.Str)
	case p.Number != "":
		return l.number(start, p.Number)
	case p.Duration != "":
		return l.duration(p.Pos, p.Duration)
	case p.Lit != "":
		sp := Span{start, advance(start, p.Lit)}
		switch p.Lit {
		case "true":
			return &BoolLit{Sp: sp, Value: true}
		case "false":
			return &BoolLit{Sp: sp}
		}
		return &NullLit{Sp: sp}
	case p.List != nil:
		out := &ListLit{Sp: Span{start, lastEnd(p.List.Tokens)}, Elems: make([]Expr, 0, len(p.List.Elems))}
		for _, e := range p.List.Elems {
			out.Elems = append(out.Elems, l.expr(e))
		}
		return out
	case p.Map != nil:
		return l.mapLit(p.Map)
	case p.Paren != nil:
		return l.paren(start, p.Paren)
	case p.Run != nil:
		return l.run(start, p.Run)
	case p.Wait != nil:
		return l.wait(start, p.Wait)
	case p.Raw != nil:
		return l.raw(p.Raw)
	}
	return &BadExpr{Sp: Span{start, start}}
}

func (l *lowerer) lambda(start Pos, params []*Ident, a *arrowG) *LambdaExpr {
	body := l.expr(a.Body)
	return &LambdaExpr{Sp: Span{start, body.Span().End}, Params: params, Arrow: lpos(a.Pos), Body: body}
}

func (l *lowerer) paren(start Pos, p *parenG) Expr {
	end := lastEnd(p.Tokens)
	elems := make([]Expr, 0, len(p.Elems))
	for _, e := range p.Elems {
		elems = append(elems, l.expr(e))
	}
	if p.Arrow != nil {
		params := make([]*Ident, 0, len(elems))
		for _, e := range elems {
			id, ok := e.(*Ident)
			if !ok {
				l.errorf(e.Span(), "syntax", "a lambda parameter must be a name")
				continue
			}
			params = append(params, id)
		}
		return l.lambda(start, params, p.Arrow)
	}
	switch len(elems) {
	case 1:
		return &ParenExpr{Sp: Span{start, end}, X: elems[0]}
	case 0:
		l.errorf(Span{start, end}, "syntax", "expected expression, found )")
	default:
		l.errorf(Span{start, end}, "syntax", "parentheses hold one expression").
			Hint("for a list of values write [a, b]; for a lambda write (a, b) -> …")
	}
	return &BadExpr{Sp: Span{start, end}}
}

func (l *lowerer) run(start Pos, r *runG) Expr {
	x := l.postfix(r.Call)
	out := &RunExpr{}
	end := x.Span().End
	if r.With != nil {
		out.With = l.mapLit(r.With)
		end = out.With.Sp.End
	}
	out.Sp = Span{start, end}
	call, ok := x.(*CallExpr)
	if !ok {
		d := l.errorf(x.Span(), "syntax", "run needs an action call").
			Hint("write run module.action(arguments), such as run inquiry.decline(trigger.id)")
		if sel, isSel := x.(*SelectorExpr); isSel {
			if _, inner := sel.X.(*CallExpr); inner {
				d.Hint("to use a field of the result, wrap the step in parentheses: (run …).%s", sel.Name.Name)
			}
		}
		return &BadExpr{Sp: out.Sp}
	}
	out.Call = call
	return out
}

func (l *lowerer) wait(start Pos, w *waitG) Expr {
	if w.For != nil {
		d := l.postfix(w.For)
		return &WaitExpr{Sp: Span{start, d.Span().End}, Duration: d}
	}
	e := w.Event
	out := &WaitEventExpr{Name: l.str(e.Name)}
	l.static(out.Name, "an event name")
	end := out.Name.Sp.End
	if e.Where != nil {
		out.Where = l.expr(e.Where)
		end = out.Where.Span().End
	}
	if e.Timeout != nil {
		out.Timeout = l.postfix(e.Timeout)
		end = out.Timeout.Span().End
	}
	out.Sp = Span{start, end}
	return out
}

func (l *lowerer) mapLit(m *mapG) *MapLit {
	out := &MapLit{Sp: Span{lpos(m.Pos), lastEnd(m.Tokens)}, Entries: make([]*MapEntry, 0, len(m.Entries))}
	for _, e := range m.Entries {
		ent := &MapEntry{Value: l.expr(e.Value)}
		if e.Name != nil {
			id := l.anyName(e.Name)
			ent.Key, ent.KeySp = id.Name, id.Sp
		} else {
			s := l.str(e.Str)
			ent.KeySp, ent.Quoted = s.Sp, true
			if text, ok := s.Static(); ok {
				ent.Key = text
			} else {
				l.errorf(s.Sp, "syntax", "a map key cannot use ${…} interpolation")
			}
		}
		ent.Sp = Span{ent.KeySp.Start, ent.Value.Span().End}
		out.Entries = append(out.Entries, ent)
	}
	return out
}

// ---- literals ----

func (l *lowerer) number(start Pos, raw string) Expr {
	sp := Span{start, advance(start, raw)}
	clean := strings.ReplaceAll(raw, "_", "")
	if strings.ContainsAny(clean, ".eE") {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || math.IsInf(f, 0) {
			l.errorf(sp, "syntax", "number %s is out of range", raw)
		}
		return &FloatLit{Sp: sp, Value: f, Raw: raw}
	}
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		l.errorf(sp, "syntax", "integer %s is too large", raw).Hint("integers are 64-bit: at most 9223372036854775807")
	}
	return &IntLit{Sp: sp, Value: n, Raw: raw}
}

func (l *lowerer) duration(p lexer.Position, raw string) *DurationLit {
	start := lpos(p)
	sp := Span{start, advance(start, raw)}
	d, err := ParseDuration(raw)
	if err != nil {
		l.errorf(sp, "syntax", "%v", err)
	}
	return &DurationLit{Sp: sp, Value: d, Raw: raw}
}

// ParseDuration parses a WF duration: one or more of a whole number and a
// unit, such as 90s, 15m, 2h, 7d, 1w or 1h30m. Units: ms, s, m, h, d (24h),
// w (7 days).
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("duration %s is too long", s)
		}
		rest = rest[i:]
		var unit time.Duration
		switch {
		case strings.HasPrefix(rest, "ms"):
			unit, rest = time.Millisecond, rest[2:]
		case strings.HasPrefix(rest, "s"):
			unit, rest = time.Second, rest[1:]
		case strings.HasPrefix(rest, "m"):
			unit, rest = time.Minute, rest[1:]
		case strings.HasPrefix(rest, "h"):
			unit, rest = time.Hour, rest[1:]
		case strings.HasPrefix(rest, "d"):
			unit, rest = 24*time.Hour, rest[1:]
		case strings.HasPrefix(rest, "w"):
			unit, rest = 7*24*time.Hour, rest[1:]
		default:
			return 0, fmt.Errorf("invalid duration %q: units are ms, s, m, h, d and w", s)
		}
		if n > int64(math.MaxInt64/unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, fmt.Errorf("duration %s is too long", s)
		}
		total += time.Duration(n) * unit
	}
	return total, nil
}

func (l *lowerer) raw(r *rawG) Expr {
	start := lpos(r.Pos)
	sp := Span{start, advance(start, r.Text)}
	text := strings.TrimPrefix(r.Text, `"""`)
	if t, ok := strings.CutSuffix(text, `"""`); ok && len(r.Text) >= 6 {
		text = t
	} else {
		l.errorf(Span{start, advance(start, `"""`)}, "syntax", "raw string not terminated").Hint(`close it with """`)
	}
	return &StringLit{Sp: sp, Raw: true, Parts: []StringPart{{Sp: sp, Text: text}}}
}

func (l *lowerer) str(s *stringG) *StringLit {
	start := lpos(s.Pos)
	out := &StringLit{Sp: Span{start, lastEnd(s.Tokens)}}
	if s.End != `"` {
		out.Sp.End = lpos(s.Tokens[len(s.Tokens)-1].Pos)
		l.errorf(Span{start, advance(start, `"`)}, "syntax", "string not terminated").
			Hint(`close the string with " on the same line; for text over several lines use """…"""`)
	}
	var text strings.Builder
	textStart := Pos{}
	flush := func(end Pos) {
		if text.Len() > 0 {
			out.Parts = append(out.Parts, StringPart{Sp: Span{textStart, end}, Text: text.String()})
			text.Reset()
		}
	}
	for _, p := range s.Parts {
		pp := lpos(p.Pos)
		switch {
		case p.Interp != nil:
			flush(pp)
			x := l.expr(p.Interp)
			out.Parts = append(out.Parts, StringPart{Sp: Span{pp, advance(x.Span().End, "}")}, Expr: x})
		case p.Bad != "":
			l.errorf(Span{pp, advance(pp, p.Bad)}, "syntax", "invalid escape %s", p.Bad).
				Hint(`valid escapes: \n \r \t \" \\ \$ \uXXXX \u{X…}`)
		default:
			if text.Len() == 0 {
				textStart = pp
			}
			text.WriteString(unescape(p.Text))
		}
	}
	flush(out.Sp.End)
	return out
}

// unescape returns the text a string token stands for.
func unescape(tok string) string {
	if len(tok) < 2 || tok[0] != '\\' {
		return tok
	}
	switch tok[1] {
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'u':
		hex := strings.Trim(tok[2:], "{}")
		n, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || !utf8.ValidRune(rune(n)) {
			return "\uFFFD"
		}
		return string(rune(n))
	}
	return tok[1:]
}
