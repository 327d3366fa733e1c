// Package lang is the front end of WF: it turns .wf source into a checked
// program. It owns the lexer, the participle grammar (grammar.go) and the
// parser held to it, the AST, source positions, diagnostics, the formatter
// and the checker. It knows nothing of evaluation or I/O (interp builds on
// it), of Persona (events and their objects come through an EventCatalog
// the library provides) or of terminals (internal/termdiag prints
// diagnostics for people).
package lang

import "fmt"

// Pos is a position in a source file. Offset is the 0-based byte offset;
// Line and Col are 1-based, with Col counted in characters (runes). The
// language server converts columns to UTF-16 at its edge.
type Pos struct {
	Offset int `json:"offset"`
	Line   int `json:"line"`
	Col    int `json:"column"`
}

// IsValid reports whether p refers to a place in a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p comes before q in the file.
func (p Pos) Before(q Pos) bool { return p.Offset < q.Offset }

// String formats p as line:col.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Span is the half-open range [Start, End) of a node or token.
type Span struct {
	Start Pos `json:"start"`
	End   Pos `json:"end"`
}

// Contains reports whether the byte offset lies inside s (end inclusive, so a
// cursor just after a name still counts as on it).
func (s Span) Contains(offset int) bool {
	return s.Start.Offset <= offset && offset <= s.End.Offset
}

// advance returns the position after text that starts at p.
func advance(p Pos, text string) Pos {
	for _, r := range text {
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	p.Offset += len(text)
	return p
}
