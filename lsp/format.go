package lsp

import (
	"context"
	"unicode/utf8"

	udiff "github.com/aymanbagabas/go-udiff"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// Formatting implements protocol.Server with lang.FormatSource. The answer
// is one edit covering only the part of the text that changes, so the
// editor keeps the cursor and folds elsewhere. A file with syntax errors is
// not formatted: the request fails with the first error.
func (s *server) Formatting(ctx context.Context, params *protocol.DocumentFormattingParams) ([]protocol.TextEdit, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out, err := an.formatted()
	if err != nil {
		return nil, err
	}
	edits := []protocol.TextEdit{}
	if e, ok := an.minimalEdit(out); ok {
		edits = append(edits, e)
	}
	return edits, nil
}

// formatted returns the document in wf fmt's layout, or the request's
// error when it has syntax errors.
func (an *analysis) formatted() (string, error) {
	out, diags := lang.FormatSource(an.path, []byte(an.text))
	if diags.HasErrors() || out == nil {
		msg := "format: the file cannot be formatted"
		for _, d := range diags {
			if d.Severity == lang.Error {
				msg = "format: fix the syntax errors first: " + d.Error()
				break
			}
		}
		return "", jsonrpc2.NewError(jsonrpc2.Code(protocol.LSPErrorCodesRequestFailed), msg)
	}
	return string(out), nil
}

// RangeFormatting implements protocol.Server: the changes wf fmt makes to
// the lines of the range, and no others. The whole file is formatted and
// compared line by line with the text; each changed run of lines that
// touches the range becomes an edit. The formatter keeps every token in
// order, so any subset of those runs leaves the program the same.
func (s *server) RangeFormatting(ctx context.Context, params *protocol.DocumentRangeFormattingParams) ([]protocol.TextEdit, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out, err := an.formatted()
	if err != nil {
		return nil, err
	}
	first, last := int(params.Range.Start.Line), int(params.Range.End.Line)
	if last > first && params.Range.End.Character == 0 {
		last-- // a selection of whole lines ends at the start of the next
	}
	edits := []protocol.TextEdit{}
	for _, e := range udiff.Lines(an.text, out) {
		// A line edit replaces whole lines: from the start of e.Start's
		// line to the start of the line after its last.
		lo, hi := an.lines.position(e.Start).Line, an.lines.position(max(e.Start, e.End-1)).Line
		if int(lo) > last || int(hi) < first {
			continue
		}
		edits = append(edits, protocol.TextEdit{Range: an.lines.offsetRange(e.Start, e.End), NewText: e.New})
	}
	return edits, nil
}

// minimalEdit returns one edit turning the document's text into want,
// replacing only what lies between their common prefix and suffix.
func (an *analysis) minimalEdit(want string) (protocol.TextEdit, bool) {
	have := an.text
	if have == want {
		return protocol.TextEdit{}, false
	}
	p := 0
	for p < len(have) && p < len(want) && have[p] == want[p] {
		p++
	}
	for p > 0 && (!utf8.RuneStart(safeAt(have, p)) || !utf8.RuneStart(safeAt(want, p)) || have[p-1] == '\r') {
		p-- // do not cut a character or a \r\n apart
	}
	q := 0
	for q < len(have)-p && q < len(want)-p && have[len(have)-1-q] == want[len(want)-1-q] {
		q++
	}
	for q > 0 && (!utf8.RuneStart(have[len(have)-q]) || have[len(have)-q] == '\n') {
		q--
	}
	return protocol.TextEdit{
		Range:   an.lines.offsetRange(p, len(have)-q),
		NewText: want[p : len(want)-q],
	}, true
}

func safeAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// CodeAction implements protocol.Server: the quick fixes the diagnostics
// on the lines of the range carry (did-you-mean replacements, adding run
// before an action, renaming an unused name), each as an edit. The server
// reads its own diagnostics, so fixes come whether or not the client sends
// the diagnostics it shows, and with the cursor anywhere on the line.
func (s *server) CodeAction(ctx context.Context, params *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.CommandOrCodeAction{}
	if !wantsKind(params.Context.Only, protocol.CodeActionKindQuickFix) {
		return out, nil
	}
	start, end := params.Range.Start, params.Range.End
	if end.Line < start.Line || (end.Line == start.Line && end.Character < start.Character) {
		start, end = end, start
	}
	lo := an.lines.offset(protocol.Position{Line: start.Line})
	hi := an.lines.lineEnd(min(int(end.Line), len(an.lines.starts)-1))
	kind := protocol.CodeActionKindQuickFix
	for _, d := range an.diags {
		if len(d.Fixes) == 0 || d.Span.End.Offset < lo || d.Span.Start.Offset > hi {
			continue
		}
		preferred := len(d.Fixes) == 1
		for _, fx := range d.Fixes {
			out = append(out, &protocol.CodeAction{
				Title:       fx.Title,
				Kind:        &kind,
				Diagnostics: []protocol.Diagnostic{an.lspDiagnostic(d)},
				IsPreferred: &preferred,
				Edit: &protocol.WorkspaceEdit{Changes: map[uri.URI][]protocol.TextEdit{
					an.uri: {{Range: an.lines.rng(fx.Span), NewText: fx.NewText}},
				}},
			})
		}
	}
	return out, nil
}

// wantsKind reports whether a code action request's "only" filter lets
// kind through (an empty filter lets everything through).
func wantsKind(only []protocol.CodeActionKind, kind protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == kind || (len(kind) > len(k) && kind[:len(k)] == k && kind[len(k)] == '.') {
			return true
		}
	}
	return false
}
