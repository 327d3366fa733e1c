package lsp

import (
	"context"
	"strings"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// docState is one version of an open document's text.
type docState struct {
	uri     uri.URI
	path    string
	version int32
	text    string
}

// docEntry is an open document: its newest text and the analysis of the
// version last asked for. The parser keeps the declarations of the last
// parsed version for the next one.
type docEntry struct {
	state  *docState
	parser *incParser

	mu        sync.Mutex // guards an; held while an analysis is built
	an        *analysis
	published int32 // the version whose diagnostics were sent last
}

// current returns the entry and newest state of an open document.
func (s *server) current(u uri.URI) (*docEntry, *docState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.docs[u]
	if e == nil {
		return nil, nil, errUnknownDocument(u)
	}
	return e, e.state, nil
}

// pathOf is the file name diagnostics carry: the file system path of a
// file: URI, or the URI itself.
func pathOf(u uri.URI) string {
	if u.IsFile() {
		if p := u.FsPath(); p != "" {
			return p
		}
	}
	return string(u)
}

// DidOpen implements protocol.Server: the document's text is kept and its
// diagnostics published.
func (s *server) DidOpen(ctx context.Context, params *protocol.DidOpenTextDocumentParams) error {
	td := params.TextDocument
	// The text is copied: decoded strings may share memory with the
	// connection's buffers.
	st := &docState{uri: td.URI, path: pathOf(td.URI), version: td.Version, text: strings.Clone(td.Text)}
	s.mu.Lock()
	s.docs[td.URI] = &docEntry{state: st, parser: newIncParser(), published: -1 << 31}
	s.mu.Unlock()
	s.touched(td.URI, st.path)
	return nil
}

// DidChange implements protocol.Server: the changes are applied in order
// (whole-text or range changes) and diagnostics published for the result.
func (s *server) DidChange(ctx context.Context, params *protocol.DidChangeTextDocumentParams) error {
	u := params.TextDocument.URI
	s.mu.Lock()
	e := s.docs[u]
	if e == nil {
		s.mu.Unlock()
		return errUnknownDocument(u)
	}
	text := applyChanges(e.state.text, params.ContentChanges)
	e.state = &docState{uri: u, path: e.state.path, version: params.TextDocument.Version, text: text}
	s.mu.Unlock()
	s.touched(u, e.state.path)
	return nil
}

// applyChanges applies LSP content changes to text, in order.
func applyChanges(text string, changes []protocol.TextDocumentContentChangeEvent) string {
	for _, c := range changes {
		switch c := c.(type) {
		case *protocol.TextDocumentContentChangeWholeDocument:
			text = strings.Clone(c.Text)
		case *protocol.TextDocumentContentChangePartial:
			li := newLineIndex(text)
			start, end := li.offset(c.Range.Start), li.offset(c.Range.End)
			if end < start {
				start, end = end, start
			}
			text = text[:start] + c.Text + text[end:] // a new string
		}
	}
	return text
}

// DidClose implements protocol.Server: the document is forgotten and its
// diagnostics cleared.
func (s *server) DidClose(ctx context.Context, params *protocol.DidCloseTextDocumentParams) error {
	u := params.TextDocument.URI
	s.mu.Lock()
	e, ok := s.docs[u]
	delete(s.docs, u)
	delete(s.dirty, u)
	s.mu.Unlock()
	if !ok {
		return errUnknownDocument(u)
	}
	s.touched(u, e.state.path)
	s.mu.Lock()
	delete(s.dirty, u) // touched queued the closed document too
	s.mu.Unlock()
	s.publishMu.Lock()
	defer s.publishMu.Unlock()
	return s.client.PublishDiagnostics(ctx, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: []protocol.Diagnostic{}})
}

// DidSave implements protocol.Server; the text is already known.
func (s *server) DidSave(context.Context, *protocol.DidSaveTextDocumentParams) error { return nil }

// DidChangeWatchedFiles implements protocol.Server: a .wf file changed on
// disk, so the open documents of its folder are checked again.
func (s *server) DidChangeWatchedFiles(ctx context.Context, params *protocol.DidChangeWatchedFilesParams) error {
	for _, ch := range params.Changes {
		if ch.URI.IsFile() {
			s.mu.Lock()
			delete(s.sibParsers.disk, pathOf(ch.URI))
			s.mu.Unlock()
			s.touched(ch.URI, pathOf(ch.URI))
		}
	}
	return nil
}
