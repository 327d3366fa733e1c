package lang

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// builder makes AST nodes for both parsers: the hand-written one that runs
// and the participle reference the tests compare it with. It also reports
// the rules a grammar does not express (a chained comparison, a positional
// argument after a named one, an expression used as a statement…), so the
// two parsers build the same tree with the same diagnostics by calling it
// the same way.
type builder struct {
	file  string
	diags *Diagnostics
	// ifLine is the line of a stray `if`, so its condition, parsed as the
	// next statement, is not reported a second time.
	ifLine int
	arena
	lists
}

func (b *builder) errorf(sp Span, code, format string, args ...any) *Diagnostic {
	return b.diags.Errorf(b.file, sp, code, format, args...)
}

// ident makes a name written at pos.
func (b *builder) ident(pos Pos, name string) *Ident {
	id := b.newIdent()
	*id = Ident{Sp: Span{pos, advanceASCII(pos, name)}, Name: name}
	return id
}

// advanceASCII is advance for text that holds no line break: names,
// keywords and punctuation.
func advanceASCII(p Pos, text string) Pos {
	p.Offset += len(text)
	if isASCII(text) {
		p.Col += len(text)
	} else {
		p.Col += utf8.RuneCountInString(text)
	}
	return p
}

// ---- expressions ----

// binary makes x op y. Comparisons do not chain: `a < b < c` is reported.
func (b *builder) binary(x Expr, op Op, opPos Pos, y Expr) Expr {
	if op.IsComparison() {
		if xb, ok := x.(*BinaryExpr); ok && xb.Op.IsComparison() {
			b.errorf(Span{opPos, advanceASCII(opPos, op.String())}, "syntax", "comparisons cannot be chained").
				Hint("join them with and: `a < b and b < c`")
		}
	}
	e := b.newBinary()
	*e = BinaryExpr{Sp: Span{x.Span().Start, y.Span().End}, Op: op, OpPos: opPos, X: x, Y: y}
	return e
}

// unary makes `not x` or `-x`.
func (b *builder) unary(op Op, opPos Pos, x Expr) Expr {
	return &UnaryExpr{Sp: Span{opPos, x.Span().End}, Op: op, OpPos: opPos, X: x}
}

// selector makes x.name or x?.name.
func (b *builder) selector(x Expr, name *Ident, optional bool) Expr {
	e := b.newSelector()
	*e = SelectorExpr{Sp: Span{x.Span().Start, name.Sp.End}, X: x, Name: name, Optional: optional}
	return e
}

// index makes x[index], ending at end (after the bracket).
func (b *builder) index(x, idx Expr, end Pos) Expr {
	return &IndexExpr{Sp: Span{x.Span().Start, end}, X: x, Index: idx}
}

// call makes fn(args); rparen is the closing parenthesis. Positional
// arguments come first.
func (b *builder) call(fn Expr, lparen, rparen Pos, args []*Arg) *CallExpr {
	e := b.newCall()
	*e = CallExpr{Fn: fn, Lparen: lparen, Rparen: rparen, Args: args, Sp: Span{fn.Span().Start, advanceASCII(rparen, ")")}}
	named := false
	for _, a := range args {
		if a.Name != nil {
			named = true
		} else if named {
			b.errorf(a.Sp, "syntax", "positional argument after a named argument").
				Hint("put positional arguments first: f(a, b, name: c)")
		}
	}
	return e
}

// arg makes a call argument: value alone, or key: value when named is set.
func (b *builder) arg(value Expr, named Expr) *Arg {
	a := b.newArg()
	if named == nil {
		*a = Arg{Sp: value.Span(), Value: value}
		return a
	}
	id, ok := value.(*Ident)
	if !ok {
		b.errorf(value.Span(), "syntax", "a named argument needs a name before the colon").
			Hint("write name: value")
		id = &Ident{Sp: value.Span()}
	}
	*a = Arg{Sp: Span{value.Span().Start, named.Span().End}, Name: id, Value: named}
	return a
}

// lambda makes params -> body.
func (b *builder) lambda(start Pos, params []*Ident, arrow Pos, body Expr) *LambdaExpr {
	return &LambdaExpr{Sp: Span{start, body.Span().End}, Params: params, Arrow: arrow, Body: body}
}

// paren makes (x) from the expressions between the parentheses at start
// and end (after the closing one), or a lambda (a, b) -> body when arrow is
// valid.
func (b *builder) paren(start, end Pos, elems []Expr, arrow Pos, body Expr) Expr {
	if body != nil {
		params := make([]*Ident, 0, len(elems))
		for _, e := range elems {
			id, ok := e.(*Ident)
			if !ok {
				b.errorf(e.Span(), "syntax", "a lambda parameter must be a name")
				continue
			}
			params = append(params, id)
		}
		return b.lambda(start, params, arrow, body)
	}
	switch len(elems) {
	case 1:
		return &ParenExpr{Sp: Span{start, end}, X: elems[0]}
	case 0:
		b.errorf(Span{start, end}, "syntax", "expected expression, found )")
	default:
		b.errorf(Span{start, end}, "syntax", "parentheses hold one expression").
			Hint("for a list of values write [a, b]; for a lambda write (a, b) -> …")
	}
	return &BadExpr{Sp: Span{start, end}}
}

// run makes `run x [with {…}]`; x must be a call.
func (b *builder) run(start Pos, x Expr, with *MapLit) Expr {
	out := &RunExpr{With: with}
	end := x.Span().End
	if with != nil {
		end = with.Sp.End
	}
	out.Sp = Span{start, end}
	call, ok := x.(*CallExpr)
	if !ok {
		d := b.errorf(x.Span(), "syntax", "run needs an action call").
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

// waitEvent makes `wait event "name" [where c] [timeout d]`.
func (b *builder) waitEvent(start Pos, name *StringLit, where, timeout Expr) Expr {
	out := &WaitEventExpr{Name: name, Where: where, Timeout: timeout}
	b.static(name, "an event name")
	end := name.Sp.End
	if where != nil {
		end = where.Span().End
	}
	if timeout != nil {
		end = timeout.Span().End
	}
	out.Sp = Span{start, end}
	return out
}

// mapEntry makes key: value; key is a name or, when quoted, a string.
func (b *builder) mapEntry(name *Ident, quoted *StringLit, value Expr) *MapEntry {
	ent := &MapEntry{Value: value}
	if name != nil {
		ent.Key, ent.KeySp = name.Name, name.Sp
	} else {
		ent.KeySp, ent.Quoted = quoted.Sp, true
		if text, ok := quoted.Static(); ok {
			ent.Key = text
		} else {
			b.errorf(quoted.Sp, "syntax", "a map key cannot use ${…} interpolation")
		}
	}
	ent.Sp = Span{ent.KeySp.Start, value.Span().End}
	return ent
}

// static reports a string that must be fixed text but interpolates.
func (b *builder) static(s *StringLit, what string) {
	if _, ok := s.Static(); !ok {
		b.errorf(s.Sp, "syntax", "%s cannot use ${…} interpolation", what).
			Hint("write the text directly; it is fixed when the file is loaded")
	}
}

// ---- literals ----

// literal makes true, false or null.
func (b *builder) literal(start Pos, word string) Expr {
	sp := Span{start, advanceASCII(start, word)}
	switch word {
	case "true":
		return &BoolLit{Sp: sp, Value: true}
	case "false":
		return &BoolLit{Sp: sp}
	}
	return &NullLit{Sp: sp}
}

// number makes an int or float literal.
func (b *builder) number(start Pos, raw string) Expr {
	sp := Span{start, advanceASCII(start, raw)}
	clean := raw
	if strings.IndexByte(raw, '_') >= 0 {
		clean = strings.ReplaceAll(raw, "_", "")
	}
	if strings.ContainsAny(clean, ".eE") {
		f, err := strconv.ParseFloat(clean, 64)
		if err != nil || math.IsInf(f, 0) {
			b.errorf(sp, "syntax", "number %s is out of range", raw)
		}
		return &FloatLit{Sp: sp, Value: f, Raw: raw}
	}
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		b.errorf(sp, "syntax", "integer %s is too large", raw).Hint("integers are 64-bit: at most 9223372036854775807")
	}
	e := b.newInt()
	*e = IntLit{Sp: sp, Value: n, Raw: raw}
	return e
}

// duration makes a duration literal.
func (b *builder) duration(start Pos, raw string) *DurationLit {
	sp := Span{start, advanceASCII(start, raw)}
	d, err := ParseDuration(raw)
	if err != nil {
		b.errorf(sp, "syntax", "%v", err)
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

// raw makes a """…""" string from its token text.
func (b *builder) raw(start Pos, tok string) Expr {
	sp := Span{start, advance(start, tok)}
	text, ok := rawText(tok)
	if !ok {
		b.errorf(Span{start, advanceASCII(start, `"""`)}, "syntax", "raw string not terminated").Hint(`close it with """`)
	}
	return &StringLit{Sp: sp, Raw: true, Parts: []StringPart{{Sp: sp, Text: text}}}
}

// rawText returns the text between a raw string's quotes, and whether it
// is closed.
func rawText(tok string) (string, bool) {
	text := strings.TrimPrefix(tok, `"""`)
	if t, ok := strings.CutSuffix(text, `"""`); ok && len(tok) >= 6 {
		return t, true
	}
	return text, false
}

// strBuild assembles a "…" string from its tokens: text pieces are joined,
// ${…} parts kept apart.
type strBuild struct {
	b         *builder
	out       *StringLit
	text      string
	textStart Pos
	joined    bool // text was built by joining pieces
	mark      int  // where the string's parts begin on the builder's stack
}

// startString begins a string at its opening quote.
func (b *builder) startString(start Pos) strBuild {
	s := b.newString()
	s.Sp.Start = start
	return strBuild{b: b, out: s, mark: b.parts.mark()}
}

// piece adds text, an escape or a lone dollar.
func (s *strBuild) piece(pos Pos, tok string) {
	if s.text == "" && !s.joined {
		s.textStart = pos
		s.text = unescape(tok)
		s.joined = true
		return
	}
	s.text += unescape(tok)
}

// bad reports an invalid escape.
func (s *strBuild) bad(pos Pos, tok string) {
	if !utf8.ValidString(tok) {
		// A backslash before a byte that is not UTF-8: the file's
		// "invalid UTF-8 byte" error names it, once.
		return
	}
	s.b.errorf(Span{pos, advance(pos, tok)}, "syntax", "invalid escape %s", tok).
		Hint(`valid escapes: \n \r \t \" \\ \$ \uXXXX \u{X…}`)
}

func (s *strBuild) flush(end Pos) {
	if s.joined {
		if s.text != "" {
			s.b.parts.push(StringPart{Sp: Span{s.textStart, end}, Text: s.text})
		}
		s.text, s.joined = "", false
	}
}

// interp adds ${x}; pos is the ${ and x the expression.
func (s *strBuild) interp(pos Pos, x Expr) {
	s.flush(pos)
	s.b.parts.push(StringPart{Sp: Span{pos, advanceASCII(x.Span().End, "}")}, Expr: x})
}

// end finishes the string at its closing token: a quote, or the line break
// of a string left open (reported).
func (s *strBuild) end(pos Pos, tok string) *StringLit {
	out := s.out
	if tok == `"` {
		out.Sp.End = advanceASCII(pos, tok)
	} else {
		out.Sp.End = pos
		s.b.errorf(Span{out.Sp.Start, advanceASCII(out.Sp.Start, `"`)}, "syntax", "string not terminated").
			Hint(`close the string with " on the same line; for text over several lines use """…"""`)
	}
	s.flush(out.Sp.End)
	out.Parts = s.b.parts.take(s.mark)
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

// ---- statements ----

// simple makes an expression statement, or an assignment x = value when
// value is not nil (eq is the position of =).
func (b *builder) simple(x Expr, eq Pos, value Expr) Stmt {
	if value == nil {
		if isIf(x) {
			b.errorf(x.Span(), "syntax", "expected a statement, found name if").
				Hint("WF uses when for conditions: when cond { … } else { … }")
			b.ifLine = x.Span().Start.Line
			return &ExprStmt{X: &BadExpr{Sp: x.Span()}}
		}
		switch x.(type) {
		case *CallExpr, *RunExpr, *WaitExpr, *WaitEventExpr, *BadExpr:
		default:
			if x.Span().Start.Line == b.ifLine {
				return &ExprStmt{X: &BadExpr{Sp: x.Span()}} // the condition of a stray if
			}
			b.errorf(x.Span(), "syntax", "expression is not a statement").
				Hint("use its value: `let name = …`, or act on it with `run`")
		}
		return &ExprStmt{X: x}
	}
	switch x.(type) {
	case *Ident, *SelectorExpr, *IndexExpr, *BadExpr:
	default:
		b.errorf(x.Span(), "syntax", "cannot assign to this expression").
			Hint("the left of `=` must be a name, a field (`m.key`) or an index (`xs[0]`)")
		x = &BadExpr{Sp: x.Span()} // reported here, not again by the checker
	}
	return &AssignStmt{Sp: Span{x.Span().Start, value.Span().End}, Target: x, OpPos: eq, Value: value}
}

// isIf reports whether x is a stray `if` or `if(…)` from another language.
func isIf(x Expr) bool {
	if c, ok := x.(*CallExpr); ok {
		x = c.Fn
	}
	id, ok := x.(*Ident)
	return ok && id.Name == "if"
}

// let makes `let name = value`.
func (b *builder) let(start Pos, name *Ident, value Expr) *LetStmt {
	return &LetStmt{Sp: Span{start, value.Span().End}, Name: name, Value: value}
}

// forStmt makes `[parallel] for [key,] value in iter [limit n] body`;
// start is the position of parallel or for.
func (b *builder) forStmt(start Pos, parallel bool, first, second *Ident, iter, limit Expr, body *Block) *ForStmt {
	out := &ForStmt{Sp: Span{start, body.Sp.End}, Parallel: parallel, Value: first, Iter: iter, Limit: limit, Body: body}
	if second != nil {
		out.Key, out.Value = first, second
	}
	if limit != nil && !parallel {
		b.errorf(limit.Span(), "syntax", "limit is only allowed on parallel for").
			Hint("write `parallel for … limit N { … }` to run iterations at once, at most N at a time")
	}
	return out
}

// ---- declarations ----

// isBad reports whether s stands for a statement that did not parse.
func isBad(s Stmt) bool {
	es, ok := s.(*ExprStmt)
	if !ok {
		return false
	}
	_, bad := es.X.(*BadExpr)
	return bad
}

// trigger adds a trigger to a workflow whose statements so far are body,
// reporting one after a statement (a statement left broken by a syntax
// error does not count).
func (b *builder) trigger(w *WorkflowDecl, body []Stmt, t Trigger) {
	if slices.ContainsFunc(body, func(s Stmt) bool { return !isBad(s) }) {
		b.errorf(t.Span(), "syntax", "on clause after a statement").
			Hint("put every `on` clause at the top of the workflow, before its statements")
	}
	w.Triggers = append(w.Triggers, t)
}

// eventTrigger makes `on event "pattern" [where c]`.
func (b *builder) eventTrigger(start Pos, pattern *StringLit, where Expr) *EventTrigger {
	t := &EventTrigger{Pattern: pattern, Where: where}
	end := pattern.Sp.End
	if where != nil {
		end = where.Span().End
	}
	t.Sp = Span{start, end}
	b.static(pattern, "an event name")
	return t
}

// scheduleTrigger makes `on schedule "cron" [tz "zone"]`.
func (b *builder) scheduleTrigger(start Pos, cron, tz *StringLit) *ScheduleTrigger {
	t := &ScheduleTrigger{Cron: cron, TZ: tz}
	end := cron.Sp.End
	b.static(cron, "a cron expression")
	if tz != nil {
		end = tz.Sp.End
		b.static(tz, "a time zone")
	}
	t.Sp = Span{start, end}
	return t
}

// param makes a parameter: name [: type[?]] [= default].
func (b *builder) param(name, typ *Ident, optional bool, def Expr) *Param {
	prm := &Param{Name: name, Default: def}
	end := name.Sp.End
	if typ != nil {
		prm.Type = &TypeRef{Sp: typ.Sp, Name: typ.Name, Optional: optional}
		if optional {
			prm.Type.Sp.End = advanceASCII(typ.Sp.End, "?")
		}
		end = prm.Type.Sp.End
	}
	if def != nil {
		end = def.Span().End
	}
	prm.Sp = Span{name.Sp.Start, end}
	return prm
}

// fieldDecl makes one `name: type` of a fields declaration.
func (b *builder) fieldDecl(name, typ *Ident) *FieldDecl {
	return &FieldDecl{Sp: Span{name.Sp.Start, typ.Sp.End}, Name: name, Type: &TypeRef{Sp: typ.Sp, Name: typ.Name}}
}

// jsFn makes `js fn name(params) """code"""`; code is the raw token.
func (b *builder) jsFn(start Pos, name *Ident, params []*Param, codePos Pos, code string) *JsFnDecl {
	d := &JsFnDecl{Name: name, Params: params}
	end := advance(codePos, code)
	d.Sp = Span{start, end}
	d.CodeSp = Span{codePos, end}
	d.CodePos = advanceASCII(codePos, `"""`)
	text, ok := rawText(code)
	if !ok || !strings.HasPrefix(code, `"""`) {
		b.errorf(Span{codePos, advanceASCII(codePos, `"""`)}, "syntax", `raw string not terminated`).
			Hint(`close the JavaScript body with """`)
	}
	d.Code = text
	return d
}
