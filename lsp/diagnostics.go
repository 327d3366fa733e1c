package lsp

import (
	"context"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// markDirty queues a document for the diagnostics worker.
func (s *server) markDirty(u uri.URI) {
	s.mu.Lock()
	s.dirty[u] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default: // the worker is already due to look
	}
}

// diagnosticsLoop publishes diagnostics for changed documents until ctx is
// done. Changes that arrive while a document is analyzed are coalesced:
// the next round analyzes only the newest version.
func (s *server) diagnosticsLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		dirty := s.dirty
		s.dirty = map[uri.URI]bool{}
		s.mu.Unlock()
		for u := range dirty {
			if ctx.Err() != nil {
				return
			}
			s.publishFor(ctx, u)
		}
	}
}

// publishFor analyzes the newest version of a document and publishes its
// diagnostics, unless the document changed or closed in the meantime (a
// later round covers it then).
func (s *server) publishFor(ctx context.Context, u uri.URI) {
	e, st, err := s.current(u)
	if err != nil {
		return
	}
	an := s.analysisFor(e, st)
	params := &protocol.PublishDiagnosticsParams{
		URI:         u,
		Version:     protocol.NewOptional(st.version),
		Diagnostics: an.lspDiagnostics(),
	}
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	if e2, st2, err := s.current(u); err != nil || e2 != e || st2 != st {
		return
	}
	if err := s.client.PublishDiagnostics(ctx, params); err != nil {
		s.log.Warn("lsp: publishing diagnostics failed", "uri", u, "err", err)
	}
}

// lspDiagnostics converts the analysis's diagnostics: every error, warning
// and notice with its code, severity, hints (appended to the message) and
// related positions.
func (an *analysis) lspDiagnostics() []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(an.diags))
	for _, d := range an.diags {
		out = append(out, an.lspDiagnostic(d))
	}
	return out
}

func (an *analysis) lspDiagnostic(d *lang.Diagnostic) protocol.Diagnostic {
	msg := d.Message
	for _, h := range d.Hints {
		msg += "\nhint: " + h
	}
	pd := protocol.Diagnostic{
		Range:    an.lines.rng(d.Span),
		Severity: severity(d.Severity),
		Code:     protocol.String(d.Code),
		Source:   protocol.NewOptional("wf"),
		Message:  protocol.String(msg),
	}
	if d.Code == "unused" || d.Code == "unreachable" {
		pd.Tags = protocol.NewDiagnosticTags(protocol.DiagnosticTagUnnecessary)
	}
	for _, r := range d.Related {
		pd.RelatedInformation = append(pd.RelatedInformation, protocol.DiagnosticRelatedInformation{
			Location: an.location(r.File, r.Span),
			Message:  r.Message,
		})
	}
	return pd
}

func severity(s lang.Severity) protocol.DiagnosticSeverity {
	switch s {
	case lang.Error:
		return protocol.DiagnosticSeverityError
	case lang.Warning:
		return protocol.DiagnosticSeverityWarning
	}
	return protocol.DiagnosticSeverityInformation
}

// location converts a span in a file to an LSP location. Spans in the
// package's files convert exactly; for another file, whose text the server
// does not have, the character column stands in for the UTF-16 one.
func (an *analysis) location(file string, sp lang.Span) protocol.Location {
	if file == "" || file == an.path {
		return protocol.Location{URI: an.uri, Range: an.lines.rng(sp)}
	}
	for _, f := range an.files {
		if f.path == file {
			return occ{f, sp}.location()
		}
	}
	at := func(p lang.Pos) protocol.Position {
		return protocol.Position{Line: uint32(max(p.Line-1, 0)), Character: uint32(max(p.Col-1, 0))}
	}
	u := uri.File(file)
	if strings.Contains(file, "://") {
		u = uri.URI(file)
	}
	return protocol.Location{URI: u, Range: protocol.Range{Start: at(sp.Start), End: at(sp.End)}}
}
