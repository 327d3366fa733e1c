package lang

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Severity says how serious a diagnostic is.
type Severity int

// The severities, most serious first.
const (
	Error Severity = iota
	Warning
	Notice
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText writes the severity's name (for --format json).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Related is another position that helps explain a diagnostic, such as the
// first definition of a duplicated name.
type Related struct {
	File    string `json:"file"`
	Span    Span   `json:"span"`
	Message string `json:"message"`
}

// Fix is a suggested edit: replace the text in Span with NewText. The
// language server offers fixes as quick fixes.
type Fix struct {
	Title   string `json:"title"`
	Span    Span   `json:"span"`
	NewText string `json:"new_text"`
}

// Diagnostic is one message about a source file, from any stage: the lexer,
// the parser, the checker or the interpreter. Message is lowercase, one
// clause, no final period; Hints explain; Related points elsewhere.
type Diagnostic struct {
	Severity Severity  `json:"severity"`
	Code     string    `json:"code"`
	File     string    `json:"file"`
	Span     Span      `json:"span"`
	Message  string    `json:"message"`
	Hints    []string  `json:"hints,omitempty"`
	Related  []Related `json:"related,omitempty"`
	Fixes    []Fix     `json:"fixes,omitempty"`
}

// Error formats the diagnostic's first line: file:line:col: message [code].
func (d *Diagnostic) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s]", d.File, d.Span.Start.Line, d.Span.Start.Col, d.Message, d.Code)
}

// MaxDiagnostics caps how many diagnostics one file reports.
const MaxDiagnostics = 100

// Diagnostics is a list of diagnostics, kept sorted by position.
type Diagnostics []*Diagnostic

// Add appends a diagnostic.
func (ds *Diagnostics) Add(d *Diagnostic) { *ds = append(*ds, d) }

// Errorf adds an error with the given code at span.
func (ds *Diagnostics) Errorf(file string, span Span, code, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Error, Code: code, File: file, Span: span, Message: fmt.Sprintf(format, args...)}
	ds.Add(d)
	return d
}

// Warnf adds a warning with the given code at span.
func (ds *Diagnostics) Warnf(file string, span Span, code, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Warning, Code: code, File: file, Span: span, Message: fmt.Sprintf(format, args...)}
	ds.Add(d)
	return d
}

// Hint adds an explanation line to d and returns d.
func (d *Diagnostic) Hint(format string, args ...any) *Diagnostic {
	d.Hints = append(d.Hints, fmt.Sprintf(format, args...))
	return d
}

// Note adds a related position to d and returns d.
func (d *Diagnostic) Note(file string, span Span, format string, args ...any) *Diagnostic {
	d.Related = append(d.Related, Related{File: file, Span: span, Message: fmt.Sprintf(format, args...)})
	return d
}

// Normalize sorts the list by file and position, drops exact repeats (same
// position, code and message) and caps the number per file, adding a final
// note when some were dropped.
func (ds *Diagnostics) Normalize() {
	list := *ds
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Span.Start.Offset != b.Span.Start.Offset {
			return a.Span.Start.Offset < b.Span.Start.Offset
		}
		return a.Severity < b.Severity
	})
	out := list[:0]
	perFile := map[string]int{}
	dropped := map[string]int{}
	var last *Diagnostic
	for _, d := range list {
		if last != nil && last.File == d.File && last.Span.Start == d.Span.Start && last.Code == d.Code && last.Message == d.Message {
			continue
		}
		last = d
		if perFile[d.File] >= MaxDiagnostics {
			dropped[d.File]++
			continue
		}
		perFile[d.File]++
		out = append(out, d)
	}
	for file, n := range dropped {
		out = append(out, &Diagnostic{Severity: Error, Code: "too-many", File: file,
			Span: out[len(out)-1].Span, Message: fmt.Sprintf("too many diagnostics: %d more not shown", n)})
	}
	*ds = out
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errs, warns int) {
	for _, d := range ds {
		switch d.Severity {
		case Error:
			errs++
		case Warning:
			warns++
		}
	}
	return errs, warns
}

// Err returns nil when the list holds no errors, and otherwise an error whose
// text is every error's first line.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return ErrorList(ds)
}

// ErrorList is a Diagnostics used as an error.
type ErrorList Diagnostics

// Error joins the first lines of the errors in the list.
func (l ErrorList) Error() string {
	var b strings.Builder
	for _, d := range l {
		if d.Severity != Error {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.Error())
	}
	return b.String()
}

// WriteJSON writes diagnostics as a JSON array, for tools (--format json).
func WriteJSON(w io.Writer, ds Diagnostics) error {
	if ds == nil {
		ds = Diagnostics{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ds)
}
