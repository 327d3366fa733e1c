package interp

import (
	"unsafe"

	"github.com/wf-lang/wf/lang"
)

// This file is the part of the optimization pass (optimize.go) that builds
// strings that are only compared in a buffer the thread reuses: in
// lower("${first} ${last}") == "jane doe" the interpolation and the lower
// case are written into the buffer and compared with the constant, and no
// string is allocated.

// renderer is a string-valued expression that can append its value to a
// buffer instead of building a string.
type renderer interface {
	// render appends the expression's value to dst and returns ok when the
	// value is a string. Otherwise it returns the value itself (computed
	// once, for the caller to finish with) and dst as it was given.
	render(th *Thread, fr *frame, dst []byte) (out []byte, v Value, ok bool, err error)
}

// renderable returns x as a renderer when rendering it saves building a
// string: an interpolation, a + (string concatenation when both sides are
// strings), or a call of a library function with AppendString. For other
// expressions it returns nil.
func renderable(x expr) renderer {
	switch e := x.(type) {
	case *interpExpr:
		return e
	case *arithExpr:
		if e.op == lang.OpAdd {
			return &concatRender{e: e, x: renderOrEval(e.x), y: renderOrEval(e.y)}
		}
	case *callBuiltin:
		if arg := e.onlyArg(); arg != nil && e.b.AppendString != nil {
			return &callRender{call: e, arg: renderOrEval(arg)}
		}
	}
	return nil
}

// renderOrEval returns x as a renderer, evaluating it when it is not
// renderable.
func renderOrEval(x expr) renderer {
	if r := renderable(x); r != nil {
		return r
	}
	return valueRender{x}
}

// maxScratch is the largest buffer a thread keeps for the next use.
const maxScratch = 64 << 10

// eqRendered is x == "s" (!= with ne) for a renderable x.
type eqRendered struct {
	r  renderer
	s  string
	ne bool
}

func (e *eqRendered) eval(th *Thread, fr *frame) (Value, error) {
	buf := th.scratch
	th.scratch = nil // a comparison nested in the rendering gets a buffer of its own
	out, v, ok, err := e.r.render(th, fr, buf[:0])
	if cap(out) <= maxScratch {
		th.scratch = out[:0]
	}
	switch {
	case err != nil:
		return nil, err
	case ok:
		return (string(out) == e.s) != e.ne, nil
	}
	return Equal(v, e.s) != e.ne, nil
}

// render implements renderer.
func (e *interpExpr) render(th *Thread, fr *frame, dst []byte) ([]byte, Value, bool, error) {
	out, err := e.appendTo(th, fr, dst, nil)
	if err != nil {
		return nil, nil, false, err
	}
	return out, nil, true, nil
}

// valueRender renders any expression by evaluating it.
type valueRender struct{ x expr }

func (e valueRender) render(th *Thread, fr *frame, dst []byte) ([]byte, Value, bool, error) {
	v, err := e.x.eval(th, fr)
	if err != nil {
		return nil, nil, false, err
	}
	return appendIfString(dst, v)
}

// appendIfString appends v to dst when it is a string, else returns it.
func appendIfString(dst []byte, v Value) ([]byte, Value, bool, error) {
	if s, ok := v.(string); ok {
		return append(dst, s...), nil, true, nil
	}
	return dst, v, false, nil
}

// valueOf evaluates a renderer to a value.
func valueOf(th *Thread, fr *frame, r renderer) (Value, error) {
	out, v, ok, err := r.render(th, fr, nil)
	if err != nil || !ok {
		return v, err
	}
	return string(out), nil
}

// concatRender is x + y.
type concatRender struct {
	e    *arithExpr
	x, y renderer
}

func (c *concatRender) render(th *Thread, fr *frame, dst []byte) ([]byte, Value, bool, error) {
	n := len(dst)
	out, x, ok, err := c.x.render(th, fr, dst)
	if err != nil {
		return nil, nil, false, err
	}
	if !ok { // not a string: + does something else, or fails
		y, err := valueOf(th, fr, c.y)
		if err != nil {
			return nil, nil, false, err
		}
		return c.finish(th, dst[:n], x, y)
	}
	m := len(out)
	out, y, ok, err := c.y.render(th, fr, out)
	switch {
	case err != nil:
		return nil, nil, false, err
	case !ok:
		return c.finish(th, dst[:n], string(out[n:m]), y)
	case th.checkSize(len(out)-n, "string") != nil: // + gives the error
		return c.finish(th, dst[:n], string(out[n:m]), string(out[m:]))
	}
	return out, nil, true, nil
}

// finish applies + to values.
func (c *concatRender) finish(th *Thread, dst []byte, x, y Value) ([]byte, Value, bool, error) {
	v, err := c.e.apply(th, x, y)
	if err != nil {
		return nil, nil, false, err
	}
	return appendIfString(dst, v)
}

// callRender is f(x) for a library function with AppendString.
type callRender struct {
	call *callBuiltin
	arg  renderer
}

func (c *callRender) render(th *Thread, fr *frame, dst []byte) ([]byte, Value, bool, error) {
	n := len(dst)
	out, x, ok, err := c.arg.render(th, fr, dst)
	if err != nil {
		return nil, nil, false, err
	}
	if !ok { // not a string: the call reports it
		v, err := c.call.callWith(th, x)
		if err != nil {
			return nil, nil, false, err
		}
		return appendIfString(dst[:n], v)
	}
	// out[n:m] is the argument; f(argument) goes after it, then down to n.
	m := len(out)
	arg := ""
	if m > n {
		arg = unsafe.String(&out[n], m-n)
	}
	out = c.call.b.AppendString(out, arg)
	k := copy(out[n:], out[m:])
	return out[:n+k], nil, true, nil
}
