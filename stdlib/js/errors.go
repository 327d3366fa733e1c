package js

import (
	"errors"
	"strconv"
	"strings"
)

// Pos is a position in a .wf source file: 1-based line and column, where
// the column counts characters. For a js fn it is where the body starts (the
// first line after the opening """).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p holds a line number.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as file:line:col, leaving out the parts that are unknown.
func (p Pos) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(p.Line))
		if p.Col > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Col))
		}
	}
	return b.String()
}

// Sentinel causes carried by Error.Err, for errors.Is. Cancellation wraps the
// context's own error (context.Canceled or context.DeadlineExceeded) instead.
var (
	// ErrSyntax marks JavaScript that does not compile.
	ErrSyntax = errors.New("syntax error")
	// ErrThrown marks an uncaught JavaScript exception.
	ErrThrown = errors.New("uncaught exception")
	// ErrTimeout marks a call stopped by its time limit.
	ErrTimeout = errors.New("timed out")
	// ErrLimit marks a refused call: input, output, string or array over its
	// limit, or too many runaway calls still running.
	ErrLimit = errors.New("over a limit")
	// ErrValue marks a value that cannot cross the boundary: a function,
	// symbol, NaN, a cycle, or an unsupported Go type.
	ErrValue = errors.New("unsupported value")
	// ErrInternal marks a panic inside goja, recovered.
	ErrInternal = errors.New("internal error")
)

// Error is every error this package returns. Func is the js fn name, or
// "js.eval". JSLine and JSCol are 1-based in the JavaScript body (0 when
// unknown); WF is the same place in the .wf file, zero when unknown.
type Error struct {
	Func    string
	Message string
	JSLine  int
	JSCol   int
	WF      Pos
	Err     error
}

// Error renders "func: message (js line N)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Func)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.JSLine > 0 {
		b.WriteString(" (js line ")
		b.WriteString(strconv.Itoa(e.JSLine))
		b.WriteByte(')')
	}
	return b.String()
}

// Unwrap returns the cause: one of the Err sentinels or a context error.
func (e *Error) Unwrap() error { return e.Err }

// WFLine is the .wf line of the error, or 0 when unknown.
func (e *Error) WFLine() int { return e.WF.Line }

// newError builds an Error without a JavaScript position.
func newError(fn string, cause error, msg string) *Error {
	return &Error{Func: fn, Message: msg, Err: cause}
}

// place sets the JavaScript position of e, in body coordinates, and maps it
// to the .wf file through the body's start position.
func (e *Error) place(body Pos, line, col int) {
	if line <= 0 {
		return
	}
	e.JSLine, e.JSCol = line, col
	if !body.IsValid() {
		return
	}
	e.WF = Pos{File: body.File, Line: body.Line + line - 1, Col: col}
	if line == 1 && col > 0 && body.Col > 1 {
		e.WF.Col = body.Col + col - 1
	}
}
