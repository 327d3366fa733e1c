package js

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// maxThrownText caps how much of a thrown non-Error value a message quotes.
const maxThrownText = 200

// jsError turns what goja returned into an *Error placed at the innermost
// frame of p's own code.
func (rt *jsRuntime) jsError(p *Program, err error) *Error {
	var ie *goja.InterruptedError
	var so *goja.StackOverflowError
	var ex *goja.Exception
	var e *Error
	switch {
	case errors.As(err, &ie):
		e = stopError(p.name, ie.Value())
		p.locate(e, ie.Stack())
	case errors.As(err, &so):
		e = newError(p.name, ErrLimit, fmt.Sprintf("RangeError: call stack over the limit of %d frames", MaxCallDepth))
		p.locate(e, so.Stack())
	case errors.As(err, &ex):
		e = newError(p.name, ErrThrown, rt.describe(ex.Value()))
		p.locate(e, ex.Stack())
	default:
		e = newError(p.name, ErrInternal, "internal error: "+err.Error())
	}
	return e
}

// stopError reports an interrupted call from the reason it was stopped with.
func stopError(fn string, reason any) *Error {
	if r, ok := reason.(*stopReason); ok {
		return newError(fn, r.cause, r.msg)
	}
	return newError(fn, ErrInternal, fmt.Sprintf("interrupted: %v", reason))
}

// locate places e at the first stack frame running p's code.
func (p *Program) locate(e *Error, stack []goja.StackFrame) {
	for i := range stack {
		f := &stack[i]
		if f.SrcName() != p.name {
			continue
		}
		pos := f.Position()
		line := pos.Line - headerLines
		if line < 1 || line > p.lines {
			return
		}
		e.place(p.pos, line, pos.Column)
		return
	}
}

// describe renders a thrown value: "Name: message" for errors, the text of
// a thrown string, and JSON for anything else.
func (rt *jsRuntime) describe(v goja.Value) string {
	if goja.IsString(v) {
		return clip(v.String())
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return "uncaught " + clip(v.String())
	}
	var name, msg goja.Value
	if ex := rt.vm.Try(func() { name, msg = o.Get("name"), o.Get("message") }); ex == nil && goja.IsString(msg) {
		if !goja.IsString(name) || name.String() == "" {
			return clip(msg.String())
		}
		if msg.String() == "" {
			return clip(name.String())
		}
		return clip(name.String() + ": " + msg.String())
	}
	return "uncaught " + clip(rt.json(o))
}

// json renders o with JSON.stringify, or its class when that fails.
func (rt *jsRuntime) json(o *goja.Object) string {
	var s string
	ex := rt.vm.Try(func() {
		stringify, _ := goja.AssertFunction(rt.vm.Get("JSON").ToObject(rt.vm).Get("stringify"))
		if v, err := stringify(goja.Undefined(), o); err == nil && goja.IsString(v) {
			s = v.String()
		}
	})
	if ex != nil || s == "" {
		return "[object " + o.ClassName() + "]"
	}
	return s
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) <= maxThrownText {
		return s
	}
	cut := maxThrownText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// boundaryError reports a value that could not cross into or out of
// JavaScript; err carries ErrLimit or ErrValue and a description.
func boundaryError(fn string, err error, limit int) *Error {
	cause, msg := ErrValue, err.Error()
	if errors.Is(err, ErrLimit) {
		cause = ErrLimit
	}
	msg = strings.TrimPrefix(msg, cause.Error()+": ")
	switch msg {
	case "input", "result":
		msg = fmt.Sprintf("%s over the limit of %d bytes", msg, limit)
	}
	return newError(fn, cause, msg)
}
