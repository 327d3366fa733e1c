package lsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// Options configures the server.
type Options struct {
	// Universe is the library table documents are checked against; nil
	// means the standard library (stdlib.Default).
	Universe lang.Universe
	// Logger receives the server's own log (not sent to the editor); nil
	// discards it.
	Logger *slog.Logger
	// ListNames returns the names of the Lists in the store that serves a
	// folder of .wf files, for completion inside list("…"); nil offers only
	// the names the files and their fixtures mention.
	ListNames func(dir string) []string
}

// Serve runs the language server on one connection: LSP messages (with
// Content-Length framing) read from in, answers and notifications written
// to out, as `wf lsp` does on stdio. It returns when the client sends exit,
// when in ends, or when ctx is done; the error says why when that was not
// an orderly shutdown followed by exit.
func Serve(ctx context.Context, in io.Reader, out io.Writer, opts Options) error {
	return newServer(opts).serve(ctx, in, out)
}

// serve runs s on one connection until exit, end of input or ctx.
func (s *server) serve(ctx context.Context, in io.Reader, out io.Writer) error {
	stream := newStream(in, out, s.log)
	conn := jsonrpc2.NewConn(stream, jsonrpc2.WithCodec(lspCodec{}))
	s.client = protocol.ClientDispatcher(conn)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.diagnosticsLoop(ctx) })
	conn.Go(ctx, s.handle)
	select {
	case <-conn.Done():
	case <-s.exited:
		_ = conn.Close()
	case <-ctx.Done():
		_ = conn.Close()
	}
	cancel()
	wg.Wait()
	return s.result(conn.Err())
}

// server holds the state of one connection.
type server struct {
	protocol.UnimplementedServer

	u         lang.Universe
	log       *slog.Logger
	listNames func(dir string) []string
	client    protocol.Client
	dispatch  jsonrpc2.Handler

	mu          sync.Mutex
	roots       []string // the workspace folders, from initialize
	docs        map[uri.URI]*docEntry
	dirty       map[uri.URI]bool
	initialized bool
	shutdown    bool
	// epoch counts document changes; an analysis built at an older epoch
	// may be stale (its siblings may have changed).
	epoch      uint64
	sibParsers siblingParsers
	exitOnce   sync.Once
	// publishMu orders diagnostics notifications, so a closed document's
	// empty list is never followed by a late one.
	publishMu sync.Mutex

	// inflight holds the cancel function of each request being served,
	// for $/cancelRequest.
	inflight map[jsonrpc2.ID]context.CancelFunc

	wake   chan struct{} // a document changed: publish diagnostics
	exited chan struct{} // the client sent exit
}

func newServer(opts Options) *server {
	s := &server{
		u:          opts.Universe,
		log:        opts.Logger,
		listNames:  opts.ListNames,
		docs:       map[uri.URI]*docEntry{},
		dirty:      map[uri.URI]bool{},
		inflight:   map[jsonrpc2.ID]context.CancelFunc{},
		sibParsers: siblingParsers{byPath: map[string]*incParser{}, disk: map[string]diskText{}},
		wake:       make(chan struct{}, 1),
		exited:     make(chan struct{}),
	}
	if s.u == nil {
		s.u = stdlib.Default()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dispatch = protocol.ServerHandler(s, jsonrpc2.MethodNotFoundHandler)
	return s
}

// result turns how the connection ended into Serve's error.
func (s *server) result(connErr error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.exited:
		if !s.shutdown {
			return errors.New("lsp: exit before shutdown")
		}
		return nil
	default:
	}
	if connErr != nil && !errors.Is(connErr, io.EOF) && !errors.Is(connErr, io.ErrClosedPipe) {
		return fmt.Errorf("lsp: connection: %w", connErr)
	}
	return nil
}

// reqCtxKey holds, in the context a method runs with, the jsonrpc2
// request context (which begin hands to jsonrpc2.Async).
type reqCtxKey struct{}

// handle serves one incoming message. A panic becomes an internal-error
// response (the connection stays up); a failed notification is logged,
// since it has no response and jsonrpc2 would otherwise drop the
// connection. Before initialize and after shutdown, requests are refused
// as the specification says.
//
// Methods run with a context of the server's own, derived from the
// connection's and cancelled by $/cancelRequest: jsonrpc2 recycles its
// request contexts when a handler returns, and a context derived from one
// would be read after that.
func (s *server) handle(reqCtx context.Context, req *jsonrpc2.Request) (result any, err error) {
	method := strings.Clone(req.Method())
	call := req.IsCall()
	if method == protocol.MethodCancelRequest {
		s.cancelRequest(req.Params())
		return nil, nil
	}
	ctx, cancel := context.WithCancel(jsonrpc2.DetachContext(reqCtx))
	defer cancel()
	ctx = context.WithValue(ctx, reqCtxKey{}, reqCtx)
	if call {
		id := req.ID()
		s.mu.Lock()
		s.inflight[id] = cancel
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, id)
			s.mu.Unlock()
		}()
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("lsp: panic while handling a message", "method", method, "panic", r, "stack", string(debug.Stack()))
			result, err = nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "%s: internal error: %v", method, r)
		}
		if !call && err != nil {
			s.log.Warn("lsp: notification failed", "method", method, "err", err)
			result, err = nil, nil
		}
	}()
	if err := s.admit(method); err != nil {
		return nil, err
	}
	result, err = s.dispatch(ctx, req)
	if errors.Is(err, jsonrpc2.ErrParse) {
		// The message was JSON (the stream checked), so the params were
		// not what the method takes.
		err = jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: invalid params: %v", method, err)
	}
	return result, err
}

// cancelRequest cancels the context of the request a $/cancelRequest
// names; the request then answers with an error or a partial result.
func (s *server) cancelRequest(raw jsonrpc2.RawMessage) {
	var p protocol.CancelParams
	if err := protocol.Unmarshal(raw, &p); err != nil {
		s.log.Warn("lsp: malformed $/cancelRequest", "err", err)
		return
	}
	var id jsonrpc2.ID
	switch v := p.ID.(type) {
	case protocol.Integer:
		id = jsonrpc2.NewNumberID(int64(v))
	case protocol.String:
		id = jsonrpc2.NewStringID(string(v))
	default:
		return
	}
	s.mu.Lock()
	cancel := s.inflight[id]
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// admit refuses messages the server's state does not allow.
func (s *server) admit(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case method == protocol.MethodInitialize:
		if s.initialized {
			return jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize: the server is already initialized")
		}
	case method == protocol.MethodExit:
	case !s.initialized:
		return jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "%s: the server is not initialized", method)
	case s.shutdown:
		return jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "%s: the server is shutting down", method)
	}
	return nil
}

// Initialize implements protocol.Server: it states what the server can do.
func (s *server) Initialize(ctx context.Context, params *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	s.mu.Lock()
	s.initialized = true
	s.roots = workspaceRoots(params)
	s.mu.Unlock()
	yes := true
	full := protocol.TextDocumentSyncKindIncremental
	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			PositionEncoding: "utf-16",
			TextDocumentSync: &protocol.TextDocumentSyncOptions{OpenClose: &yes, Change: &full},
			CompletionProvider: &protocol.CompletionOptions{
				// Members after a dot, event names after `on event "` and
				// inside them; the rest completes as the user types a name.
				TriggerCharacters: []string{".", "\"", "/"},
			},
			HoverProvider: protocol.Boolean(true),
			SignatureHelpProvider: &protocol.SignatureHelpOptions{
				TriggerCharacters:   []string{"(", ","},
				RetriggerCharacters: []string{":"},
			},
			DefinitionProvider:              protocol.Boolean(true),
			ReferencesProvider:              protocol.Boolean(true),
			DocumentHighlightProvider:       protocol.Boolean(true),
			DocumentSymbolProvider:          protocol.Boolean(true),
			DocumentFormattingProvider:      protocol.Boolean(true),
			DocumentRangeFormattingProvider: protocol.Boolean(true),
			RenameProvider:                  &protocol.RenameOptions{PrepareProvider: &yes},
			CodeActionProvider: &protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix},
			},
			WorkspaceSymbolProvider: protocol.Boolean(true),
			FoldingRangeProvider:    protocol.Boolean(true),
			InlayHintProvider:       protocol.Boolean(true),
			CallHierarchyProvider:   protocol.Boolean(true),
			CodeLensProvider:        &protocol.CodeLensOptions{},
			SemanticTokensProvider: &protocol.SemanticTokensOptions{
				Legend: protocol.SemanticTokensLegend{TokenTypes: semTypes, TokenModifiers: semModifiers},
				Full:   protocol.Boolean(true),
				Range:  protocol.Boolean(true),
			},
		},
		ServerInfo: protocol.ServerInfo{Name: "wf lsp"},
	}, nil
}

// Initialized implements protocol.Server.
func (s *server) Initialized(context.Context, *protocol.InitializedParams) error { return nil }

// Shutdown implements protocol.Server: later requests are refused.
func (s *server) Shutdown(context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil
}

// Exit implements protocol.Server: Serve closes the connection and returns.
func (s *server) Exit(context.Context) error {
	s.exitOnce.Do(func() { close(s.exited) })
	return nil
}

// SetTrace implements protocol.Server; the server keeps its log to itself.
func (s *server) SetTrace(context.Context, *protocol.SetTraceParams) error { return nil }

// begin starts a request on a document: it takes the document's newest
// analysis and then releases the connection's read loop, so the rest of
// the request runs concurrently with later messages but sees the text as
// it was when the request arrived.
func (s *server) begin(ctx context.Context, u uri.URI) (*analysis, error) {
	e, st, err := s.current(u)
	if err != nil {
		return nil, err
	}
	if reqCtx, ok := ctx.Value(reqCtxKey{}).(context.Context); ok {
		jsonrpc2.Async(reqCtx)
	}
	return s.analysisFor(e, st), nil
}

// errUnknownDocument answers a request about a document that was never
// opened (or was closed).
func errUnknownDocument(u uri.URI) error {
	return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown document %s: open it first (textDocument/didOpen)", u)
}
