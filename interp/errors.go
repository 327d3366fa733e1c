package interp

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// Error kinds, as a catch block sees them in err.kind.
const (
	KindNull    = "null"    // null used where a value is needed
	KindType    = "type"    // a value of the wrong type
	KindValue   = "value"   // a bad value (division by zero, bad regex, index out of range…)
	KindStep    = "step"    // a run step failed
	KindFail    = "fail"    // the script said fail
	KindAssert  = "assert"  // an assert() did not hold
	KindLimit   = "limit"   // a limit was reached (not catchable)
	KindTimeout = "timeout" // a step or wait timed out
	KindCancel  = "cancel"  // the run was cancelled (not catchable)
	KindJS      = "js"      // a JavaScript function threw
	// KindInternal is a defect in WF itself (a Go panic). It is not
	// catchable: the run fails and its record keeps the stack.
	KindInternal = "internal"
	// KindNondeterminism is a replay whose script asks for another step
	// than the journal recorded (the source changed under the run). Not
	// catchable.
	KindNondeterminism = "nondeterminism"
	// KindInterrupted is a step found started but not finished after a
	// crash, whose options say a person must decide (on_interrupt: "fail").
	// Not catchable.
	KindInterrupted = "interrupted"
)

// StackFrame is one line of a backtrace: a function and the place in it.
type StackFrame struct {
	Name string
	File string
	Pos  lang.Pos
}

// Error is a runtime error: where it happened, which workflow and step, and
// the calls that led there.
type Error struct {
	Kind     string
	Msg      string
	File     string
	Pos      lang.Pos
	End      lang.Pos
	Workflow string
	Step     string // the step's action name, when a step failed
	StepKey  string
	// Stack lists the calls that led to the error, innermost first.
	Stack []StackFrame
	// Cause is the underlying error (from a library or a step), if any.
	Cause error
	// GoStack is the Go stack of an internal error (a panic), for the run's
	// record; it is never part of the message.
	GoStack string
}

// Error formats the error as file:line:col: message, followed by the
// backtrace as "called from" lines.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" || e.Pos.IsValid() {
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Pos.Line, e.Pos.Col)
	}
	b.WriteString(e.Msg)
	if e.Workflow != "" {
		fmt.Fprintf(&b, " (in workflow %s", e.Workflow)
		if e.Step != "" {
			fmt.Fprintf(&b, ", step %s", e.Step)
		}
		b.WriteString(")")
	}
	for _, f := range e.Stack {
		fmt.Fprintf(&b, "\n  called from %s at %s:%d:%d", f.Name, f.File, f.Pos.Line, f.Pos.Col)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Catchable reports whether try/catch may handle the error.
func (e *Error) Catchable() bool {
	switch e.Kind {
	case KindLimit, KindCancel, KindInternal, KindNondeterminism, KindInterrupted:
		return false
	}
	return true
}

// clone returns a shallow copy, so a shared error can be located without
// changing it for its other holders.
func (e *Error) clone() *Error {
	c := *e
	return &c
}

// Diagnostic turns the error into a diagnostic, for tools that print both
// kinds the same way.
func (e *Error) Diagnostic() *lang.Diagnostic {
	d := &lang.Diagnostic{Severity: lang.Error, Code: "runtime/" + e.Kind, File: e.File,
		Span: lang.Span{Start: e.Pos, End: e.End}, Message: e.Msg}
	if e.Workflow != "" {
		d.Hints = append(d.Hints, "in workflow "+e.Workflow)
	}
	for _, f := range e.Stack {
		d.Related = append(d.Related, lang.Related{File: f.File, Span: lang.Span{Start: f.Pos, End: f.Pos}, Message: "called from " + f.Name})
	}
	return d
}

// Value returns the map a catch block binds: {message, kind, step, line, column}.
func (e *Error) Value() *Map {
	m := NewMap(5)
	m.Set("message", e.Msg)
	m.Set("kind", e.Kind)
	if e.Step != "" {
		m.Set("step", e.Step)
	} else {
		m.Set("step", nil)
	}
	m.Set("line", int64(e.Pos.Line))
	m.Set("column", int64(e.Pos.Col))
	return m
}

// AsError extracts a runtime error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// internalError turns a recovered panic into an internal error that keeps
// the Go stack for the record.
func internalError(r any) *Error {
	return &Error{Kind: KindInternal, Msg: fmt.Sprintf("internal error: %v", r), GoStack: string(debug.Stack())}
}

// errorf makes a runtime error of the given kind; the position is filled in
// by the node that catches it on the way up (see located).
func errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Errorf makes a runtime error for library functions: the message should
// start with the function's qualified name.
func Errorf(kind, format string, args ...any) error { return errorf(kind, format, args...) }

// located gives err a position if it has none yet.
func located(err error, file string, sp lang.Span) error {
	var e *Error
	if errors.As(err, &e) {
		if !e.Pos.IsValid() {
			e.File, e.Pos, e.End = file, sp.Start, sp.End
		}
		return err
	}
	kind := KindValue
	if errors.Is(err, errCancelled) {
		kind = KindCancel
	}
	return &Error{Kind: kind, Msg: err.Error(), File: file, Pos: sp.Start, End: sp.End, Cause: err}
}

var errCancelled = errors.New("the run was cancelled")
