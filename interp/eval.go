package interp

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wf-lang/wf/lang"
)

// frame holds the slots of one activation (see lang.Frame).
type frame struct {
	slots  []Value
	parent *frame
	ret    Value
}

func newFrame(n int, parent *frame) *frame {
	return &frame{slots: make([]Value, n), parent: parent}
}

// expr is a compiled expression.
type expr interface {
	eval(th *Thread, fr *frame) (Value, error)
}

// at is the place of a node in the source, for errors.
type at struct {
	file string
	sp   lang.Span
	text string // the expression's source text, for messages
}

func (a *at) fail(err error) error { return located(err, a.file, a.sp) }

func (a *at) errorf(kind, format string, args ...any) error {
	return located(errorf(kind, format, args...), a.file, a.sp)
}

type constExpr struct{ v Value }

func (e *constExpr) eval(*Thread, *frame) (Value, error) { return e.v, nil }

type localExpr struct{ slot int }

func (e *localExpr) eval(_ *Thread, fr *frame) (Value, error) { return fr.slots[e.slot], nil }

type upExpr struct{ hops, slot int }

func (e *upExpr) eval(_ *Thread, fr *frame) (Value, error) {
	for i := 0; i < e.hops; i++ {
		fr = fr.parent
	}
	return fr.slots[e.slot], nil
}

type constRef struct{ idx int }

func (e *constRef) eval(th *Thread, _ *frame) (Value, error) { return th.run.prog.consts[e.idx], nil }

type fnRef struct{ fn *function }

func (e *fnRef) eval(*Thread, *frame) (Value, error) { return &Closure{name: e.fn.name, fn: e.fn}, nil }

// selectorExpr is x.name. When x is a local of the frame, slot is its
// slot (and x is not evaluated), else -1. hint is where name was found
// last (see Map.getHinted); programs run concurrently share it.
type selectorExpr struct {
	at
	x        expr
	slot     int
	xText    string
	name     string
	optional bool
	hint     atomic.Int32
}

func (e *selectorExpr) eval(th *Thread, fr *frame) (Value, error) {
	var x Value
	if e.slot >= 0 {
		x = fr.slots[e.slot]
	} else {
		var err error
		if x, err = e.x.eval(th, fr); err != nil {
			return nil, err
		}
	}
	switch m := x.(type) {
	case *Map:
		if h := int(e.hint.Load()); h < len(m.keys) && m.keys[h] == e.name {
			return m.vals[h], nil // Map.getHinted's first step, without the call
		}
		v, _ := m.getHinted(e.name, &e.hint)
		return v, nil
	case nil:
		if e.optional {
			return nil, nil
		}
		return nil, e.errorf(KindNull, "cannot read field %s of null: %s is null", e.name, e.xText)
	}
	return nil, e.errorf(KindType, "cannot read field %s of %s (%s)", e.name, TypeName(x), e.xText)
}

type indexExpr struct {
	at
	x, index expr
	xText    string
}

func (e *indexExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	i, err := e.index.eval(th, fr)
	if err != nil {
		return nil, err
	}
	switch c := x.(type) {
	case *Map:
		k, ok := stringOf(i)
		if !ok {
			return nil, e.errorf(KindType, "a map key must be a string, got %s", TypeName(i))
		}
		v, _ := c.Get(k)
		return v, nil
	case *List:
		n, ok := i.(int64)
		if !ok {
			return nil, e.errorf(KindType, "a list index must be an int, got %s", TypeName(i))
		}
		if n < 0 {
			n += int64(len(c.Elems))
		}
		if n < 0 || n >= int64(len(c.Elems)) {
			return nil, nil
		}
		return c.Elems[n], nil
	case string:
		return e.indexString(c, i)
	case *Secret:
		v, err := e.indexString(c.text, i)
		if s, ok := v.(string); ok {
			return &Secret{text: s, names: c.names}, nil // a character of a secret is one too
		}
		return v, err
	case nil:
		return nil, e.errorf(KindNull, "cannot index null: %s is null", e.xText)
	}
	return nil, e.errorf(KindType, "cannot index %s", TypeName(x))
}

// indexString returns the character of s at index i (null when out of
// range).
func (e *indexExpr) indexString(s string, i Value) (Value, error) {
	n, ok := i.(int64)
	if !ok {
		return nil, e.errorf(KindType, "a string index must be an int, got %s", TypeName(i))
	}
	r := []rune(s)
	if n < 0 {
		n += int64(len(r))
	}
	if n < 0 || n >= int64(len(r)) {
		return nil, nil
	}
	return string(r[n]), nil
}

type notExpr struct {
	at
	x expr
}

func (e *notExpr) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	b, ok := v.(bool)
	if !ok {
		return nil, e.boolErr(v, "not")
	}
	return !b, nil
}

func (a *at) boolErr(v Value, what string) error {
	if v == nil {
		return a.errorf(KindNull, "%s needs a bool, got null: %s is null", what, a.text)
	}
	return a.errorf(KindType, "%s needs a bool, got %s", what, TypeName(v))
}

type negExpr struct {
	at
	x expr
}

func (e *negExpr) eval(th *Thread, fr *frame) (Value, error) {
	v, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	switch n := v.(type) {
	case int64:
		if n == math.MinInt64 {
			return nil, e.errorf(KindValue, "integer overflow")
		}
		return -n, nil
	case float64:
		return -n, nil
	case time.Duration:
		if n == math.MinInt64 {
			return nil, e.errorf(KindValue, "duration overflow")
		}
		return -n, nil
	case nil:
		return nil, e.errorf(KindNull, "cannot negate null: %s is null", e.text)
	}
	return nil, e.errorf(KindType, "cannot negate %s", TypeName(v))
}

// logicExpr is `and` / `or`, evaluated left to right with short circuit.
type logicExpr struct {
	at
	x, y         expr
	xText, yText string
	or           bool
}

func (e *logicExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	xb, ok := x.(bool)
	if !ok {
		return nil, e.operandErr(x, e.xText)
	}
	if xb == e.or {
		return xb, nil
	}
	y, err := e.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	yb, ok := y.(bool)
	if !ok {
		return nil, e.operandErr(y, e.yText)
	}
	return yb, nil
}

func (e *logicExpr) operandErr(v Value, text string) error {
	op := "and"
	if e.or {
		op = "or"
	}
	if v == nil {
		return e.errorf(KindNull, "%s needs bools, got null: %s is null", op, text)
	}
	return e.errorf(KindType, "%s needs bools, got %s from %s", op, TypeName(v), text)
}

type coalesceExpr struct{ x, y expr }

func (e *coalesceExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil || x != nil {
		return x, err
	}
	return e.y.eval(th, fr)
}

// eqExpr is == and !=. The optimization pass (optimize.go) replaces it
// with a faster node when an operand is a constant.
type eqExpr struct {
	at   *at // for the errors of comparing values too large
	x, y expr
	ne   bool
}

func (e *eqExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	y, err := e.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	if err := th.checkCompare(x, y); err != nil {
		return nil, e.at.fail(err)
	}
	return Equal(x, y) != e.ne, nil
}

// cmpExpr is < <= > >=. The optimization pass replaces it with a faster
// node when the right operand is a constant.
type cmpExpr struct {
	at
	op           lang.Op
	x, y         expr
	xText, yText string
}

func (e *cmpExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	y, err := e.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	return e.compare(x, y)
}

// compare applies the operator to the operands' values.
func (e *cmpExpr) compare(x, y Value) (Value, error) {
	if xi, ok := x.(int64); ok {
		if yi, ok := y.(int64); ok {
			return cmpResult(e.op, cmp3(xi, yi)), nil
		}
	}
	c, ok := Compare(x, y)
	if !ok {
		return nil, e.cmpErr(x, y)
	}
	return cmpResult(e.op, c), nil
}

func cmpResult(op lang.Op, c int) bool {
	switch op {
	case lang.OpLt:
		return c < 0
	case lang.OpLe:
		return c <= 0
	case lang.OpGt:
		return c > 0
	}
	return c >= 0
}

func (e *cmpExpr) cmpErr(x, y Value) error {
	switch {
	case x == nil:
		return e.errorf(KindNull, "cannot compare null with %s: %s is null", TypeName(y), e.xText)
	case y == nil:
		return e.errorf(KindNull, "cannot compare %s with null: %s is null", TypeName(x), e.yText)
	}
	return e.errorf(KindType, "cannot compare %s with %s", TypeName(x), TypeName(y))
}

type inExpr struct {
	at
	x, y  expr
	yText string
	not   bool
}

func (e *inExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	y, err := e.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	return e.lookIn(th, x, y)
}

// lookIn is x in y for the values of both sides.
func (e *inExpr) lookIn(th *Thread, x, y Value) (Value, error) {
	var (
		found bool
		err   error
	)
	switch c := y.(type) {
	case Handle:
		found, err = c.Contains(Reveal(x, nil))
		if err != nil {
			return nil, e.fail(err)
		}
	case *List:
		if found, err = th.Contains(c, x); err != nil {
			return nil, e.fail(err)
		}
	case *Map:
		k, ok := stringOf(x)
		if !ok {
			return nil, e.errorf(KindType, "a map key must be a string, got %s", TypeName(x))
		}
		_, found = c.Get(k)
	case string, *Secret:
		s, ok := stringOf(x)
		if !ok {
			return nil, e.errorf(KindType, "in a string, the left must be a string, got %s", TypeName(x))
		}
		in, _ := stringOf(c)
		found = strings.Contains(in, s)
	case nil:
		return nil, e.errorf(KindNull, "cannot look in null: %s is null", e.yText)
	default:
		return nil, e.errorf(KindType, "cannot look in %s", TypeName(y))
	}
	return found != e.not, nil
}

type matchesExpr struct {
	at
	x, y  expr
	re    *Regex // compiled once when the pattern is constant
	cache *regexCache
	xText string
}

func (e *matchesExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	s, ok := stringOf(x)
	if !ok {
		if x == nil {
			return nil, e.errorf(KindNull, "matches needs a string, got null: %s is null", e.xText)
		}
		return nil, e.errorf(KindType, "matches needs a string, got %s", TypeName(x))
	}
	re := e.re
	if re == nil {
		p, err := e.y.eval(th, fr)
		if err != nil {
			return nil, err
		}
		ps, ok := stringOf(p)
		if !ok {
			return nil, e.errorf(KindType, "matches needs a pattern string, got %s", TypeName(p))
		}
		if re, err = e.cache.get(ps); err != nil {
			return nil, e.fail(err)
		}
	}
	ok, err = th.MatchRegex(re, s)
	if err != nil {
		return nil, e.fail(err)
	}
	return ok, nil
}

type arithExpr struct {
	at
	op           lang.Op
	x, y         expr
	xText, yText string
}

func (e *arithExpr) eval(th *Thread, fr *frame) (Value, error) {
	x, err := e.x.eval(th, fr)
	if err != nil {
		return nil, err
	}
	y, err := e.y.eval(th, fr)
	if err != nil {
		return nil, err
	}
	return e.apply(th, x, y)
}

// apply applies the operator to the operands' values.
func (e *arithExpr) apply(th *Thread, x, y Value) (Value, error) {
	v, err := arith(th, e.op, x, y)
	if err != nil {
		if x == nil || y == nil {
			text := e.xText
			if y == nil && x != nil {
				text = e.yText
			}
			return nil, e.errorf(KindNull, "cannot %s %s and %s: %s is null", opVerb(e.op), TypeName(x), TypeName(y), text)
		}
		return nil, e.fail(err)
	}
	return v, nil
}

func opVerb(op lang.Op) string {
	switch op {
	case lang.OpAdd:
		return "add"
	case lang.OpSub:
		return "subtract"
	case lang.OpMul:
		return "multiply"
	case lang.OpDiv:
		return "divide"
	}
	return "take the remainder of"
}

var errArith = errors.New("arith")

// arith applies + - * / % to two values.
func arith(th *Thread, op lang.Op, x, y Value) (Value, error) {
	switch a := x.(type) {
	case int64:
		switch b := y.(type) {
		case int64:
			return intArith(op, a, b)
		case float64:
			return floatArith(op, float64(a), b)
		}
	case float64:
		switch b := y.(type) {
		case int64:
			return floatArith(op, a, float64(b))
		case float64:
			return floatArith(op, a, b)
		}
	case string:
		if b, ok := y.(string); ok && op == lang.OpAdd {
			if err := th.checkSize(len(a)+len(b), "string"); err != nil {
				return nil, err
			}
			if err := th.chargeCopy(len(a) + len(b)); err != nil {
				return nil, err
			}
			return a + b, nil
		}
		if _, ok := y.(*Secret); ok && op == lang.OpAdd {
			return concatSecret(th, x, y)
		}
	case *Secret:
		if _, ok := stringOf(y); ok && op == lang.OpAdd {
			return concatSecret(th, x, y)
		}
	case *List:
		if b, ok := y.(*List); ok && op == lang.OpAdd {
			if err := th.checkSize(len(a.Elems)+len(b.Elems), "list"); err != nil {
				return nil, err
			}
			out, copied := a.concat(b)
			return out, th.chargeCopy(copied * elemBytes)
		}
	case *Map:
		if b, ok := y.(*Map); ok && op == lang.OpAdd {
			if err := th.Charge(int64(a.Len()+b.Len()) / mapEntriesPerUnit); err != nil {
				return nil, err
			}
			out := NewMap(a.Len() + b.Len())
			for i, k := range a.keys {
				out.Set(k, a.vals[i])
			}
			for i, k := range b.keys {
				out.Set(k, b.vals[i])
			}
			return out, nil
		}
	case time.Time:
		switch b := y.(type) {
		case time.Duration:
			switch op {
			case lang.OpAdd:
				return timeAdd(a, b, false)
			case lang.OpSub:
				return timeAdd(a, b, true)
			}
		case time.Time:
			if op == lang.OpSub {
				return timeSub(a, b)
			}
		}
	case time.Duration:
		switch b := y.(type) {
		case time.Duration:
			switch op {
			case lang.OpAdd, lang.OpSub:
				s, err := intArith(op, int64(a), int64(b))
				if err != nil {
					return nil, errDuration()
				}
				return time.Duration(s.(int64)), nil
			}
		case time.Time:
			if op == lang.OpAdd {
				return timeAdd(b, a, false)
			}
		case int64:
			switch op {
			case lang.OpMul:
				p, err := intArith(op, int64(a), b)
				if err != nil {
					return nil, errDuration()
				}
				return time.Duration(p.(int64)), nil
			case lang.OpDiv:
				if b == 0 {
					return nil, errorf(KindValue, "division by zero")
				}
				if b == -1 && a == math.MinInt64 {
					return nil, errDuration()
				}
				return a / time.Duration(b), nil
			}
		case float64:
			switch op {
			case lang.OpMul:
				return durationOf(float64(a) * b)
			case lang.OpDiv:
				if b == 0 {
					return nil, errorf(KindValue, "division by zero")
				}
				return durationOf(float64(a) / b)
			}
		}
	}
	return nil, errorf(KindType, "cannot %s %s and %s", opVerb(op), TypeName(x), TypeName(y))
}

// errDuration is the error of duration arithmetic whose result does not fit
// (durations hold about ±292 years).
func errDuration() error {
	return errorf(KindValue, "duration overflow: the result is beyond ±292 years")
}

// durationOf converts a number of nanoseconds computed in floating point,
// refusing one that a duration cannot hold.
func durationOf(ns float64) (Value, error) {
	if math.IsNaN(ns) || ns >= math.MaxInt64 || ns < math.MinInt64 {
		return nil, errDuration()
	}
	return time.Duration(ns), nil
}

// Times are kept to the years RFC 3339 can write.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// timeAdd returns t + d (t - d with neg), refusing a time outside the
// years 1 to 9999.
func timeAdd(t time.Time, d time.Duration, neg bool) (Value, error) {
	if neg {
		if d == math.MinInt64 {
			return nil, errDuration()
		}
		d = -d
	}
	r := t.Add(d)
	if r.Before(minTime) || r.After(maxTime) {
		return nil, errorf(KindValue, "time out of range: the result is outside the years 1 to 9999")
	}
	return r, nil
}

// timeSub returns a - b, refusing a difference a duration cannot hold
// (time.Sub would give the largest duration instead).
func timeSub(a, b time.Time) (Value, error) {
	d := a.Sub(b)
	if !b.Add(d).Equal(a) {
		return nil, errDuration()
	}
	return d, nil
}

// concatSecret joins two strings (plain or secret) of which one at least
// is a secret.
func concatSecret(th *Thread, x, y Value) (Value, error) {
	a, _ := stringOf(x)
	b, _ := stringOf(y)
	if err := th.checkSize(len(a)+len(b), "string"); err != nil {
		return nil, err
	}
	if err := th.chargeCopy(len(a) + len(b)); err != nil {
		return nil, err
	}
	var j joiner
	j.b.Grow(len(a) + len(b))
	for _, v := range [2]Value{x, y} {
		if s, ok := v.(*Secret); ok {
			j.addSecret(s)
		} else {
			j.addPlain(v.(string))
		}
	}
	return j.value(), nil
}

func intArith(op lang.Op, a, b int64) (Value, error) {
	switch op {
	case lang.OpAdd:
		s := a + b
		if (s > a) != (b > 0) {
			return nil, errorf(KindValue, "integer overflow")
		}
		return s, nil
	case lang.OpSub:
		s := a - b
		if (s < a) != (b > 0) {
			return nil, errorf(KindValue, "integer overflow")
		}
		return s, nil
	case lang.OpMul:
		if a == 0 || b == 0 {
			return int64(0), nil
		}
		p := a * b
		if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
			return nil, errorf(KindValue, "integer overflow")
		}
		return p, nil
	case lang.OpDiv:
		if b == 0 {
			return nil, errorf(KindValue, "division by zero")
		}
		return float64(a) / float64(b), nil
	case lang.OpMod:
		if b == 0 {
			return nil, errorf(KindValue, "division by zero")
		}
		if a == math.MinInt64 && b == -1 {
			return int64(0), nil
		}
		return a % b, nil
	}
	return nil, errArith
}

func floatArith(op lang.Op, a, b float64) (Value, error) {
	var r float64
	switch op {
	case lang.OpAdd:
		r = a + b
	case lang.OpSub:
		r = a - b
	case lang.OpMul:
		r = a * b
	case lang.OpDiv:
		if b == 0 {
			return nil, errorf(KindValue, "division by zero")
		}
		r = a / b
	case lang.OpMod:
		if b == 0 {
			return nil, errorf(KindValue, "division by zero")
		}
		r = math.Mod(a, b)
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return nil, errorf(KindValue, "number out of range")
	}
	return r, nil
}

// interpExpr builds an interpolated string.
type interpExpr struct {
	at
	texts []string // texts[i] comes before parts[i]; one more text than parts
	parts []expr
}

func (e *interpExpr) eval(th *Thread, fr *frame) (Value, error) {
	var j *joiner
	b, err := e.appendTo(th, fr, nil, &j)
	if err != nil {
		return nil, err
	}
	if j != nil {
		return j.value(), nil
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil // b is new and never written again
}

// appendTo appends the string to dst. With secret not nil (the string is
// the value wanted, not only compared), a part holding a secret makes the
// string a secret: the rest is built in a joiner, *secret, which keeps the
// plain parts apart; dst is then not to be used. Otherwise a secret is
// written as its text, for a comparison.
func (e *interpExpr) appendTo(th *Thread, fr *frame, dst []byte, secret **joiner) ([]byte, error) {
	start := len(dst)
	var j *joiner
	for i, p := range e.parts {
		if j != nil {
			j.addPlain(e.texts[i])
		} else {
			dst = append(dst, e.texts[i]...)
		}
		v, err := p.eval(th, fr)
		if err != nil {
			return nil, err
		}
		if j == nil && secret != nil && th.run.secretsSeen.Load() && HoldsSecret(v) {
			j = &joiner{}
			j.addPlain(string(dst[start:]))
			*secret = j
		}
		if j != nil {
			err = j.add(th, v)
		} else {
			dst, err = appendText(th, dst, v)
		}
		if err != nil {
			return nil, e.fail(err)
		}
		if n := max(len(dst)-start, j.len()); n > th.run.limits.MaxString {
			return nil, e.fail(th.checkSize(n, "string"))
		}
	}
	if j != nil {
		j.addPlain(e.texts[len(e.parts)])
		return nil, nil
	}
	return append(dst, e.texts[len(e.parts)]...), nil
}

// appendText appends th.Text(v) to dst, without building the text of
// strings and ints; a secret's text, not its marker.
func appendText(th *Thread, dst []byte, v Value) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return append(dst, v...), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case *Secret:
		return append(dst, v.text...), nil
	}
	var text string
	var err error
	if th.run.secretsSeen.Load() && HoldsSecret(v) {
		text, err = th.revealedText(v) // a list or map holding a secret
	} else {
		text, err = th.Text(v)
	}
	return append(dst, text...), err
}

type listExpr struct{ elems []expr }

func (e *listExpr) eval(th *Thread, fr *frame) (Value, error) {
	out := make([]Value, len(e.elems))
	for i, x := range e.elems {
		v, err := x.eval(th, fr)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return NewList(out), nil
}

type mapExpr struct {
	keys []string
	vals []expr
}

func (e *mapExpr) eval(th *Thread, fr *frame) (Value, error) {
	m := NewMap(len(e.keys))
	for i, x := range e.vals {
		v, err := x.eval(th, fr)
		if err != nil {
			return nil, err
		}
		m.Set(e.keys[i], v)
	}
	return m, nil
}

type lambdaExpr struct{ fn *function }

func (e *lambdaExpr) eval(_ *Thread, fr *frame) (Value, error) {
	return &Closure{name: "lambda", fn: e.fn, parent: fr}, nil
}
