package lsp

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// testUniverse is the standard library plus a few module functions declared
// here, so the tests do not depend on which modules the stdlib has yet.
func testUniverse() lang.Universe {
	extra := []*lang.FuncDecl{
		builtin.MustParse("inquiry.decline(id: string, comment: string?) -> map",
			"Declines the inquiry, with an optional comment for reviewers.", `run inquiry.decline(trigger.id, comment: "bad IP")`, true),
		builtin.MustParse("inquiry.approve(id: string, comment: string?) -> map",
			"Approves the inquiry.", `run inquiry.approve(trigger.id)`, true),
		builtin.MustParse("inquiry.mark_for_review(id: string, comment: string?) -> map",
			"Marks the inquiry for manual review.", `run inquiry.mark_for_review(trigger.id)`, true),
		builtin.MustParse("slack.post(webhook_url: string, text: string, blocks: list?) -> map",
			"Posts a message to a Slack incoming webhook.", `run slack.post(secret("HOOK"), "hi")`, true),
		builtin.MustParse("report.run(type: string, **) -> map",
			"Runs a report of the given type.", `run report.run("watchlist", name: n)`, true),
	}
	lib := stdlib.Default()
	return lang.NewTable(append(append([]*lang.FuncDecl{}, lib.Funcs()...), extra...)...).WithEvents(lib.Events())
}

// testClient is the editor side: it records published diagnostics.
type testClient struct {
	protocol.UnimplementedClient
	diags chan *protocol.PublishDiagnosticsParams
}

func (c *testClient) PublishDiagnostics(_ context.Context, p *protocol.PublishDiagnosticsParams) error {
	c.diags <- p
	return nil
}

func (c *testClient) LogMessage(context.Context, *protocol.LogMessageParams) error { return nil }

// harness is an in-process editor connected to Serve over a pipe.
type harness struct {
	t      testing.TB
	ctx    context.Context
	srv    protocol.Server
	conn   jsonrpc2.Conn
	client *testClient
	done   chan error
	init   *protocol.InitializeResult
}

// hangGuard bounds each test's waits so a bug fails the test instead of
// hanging it; no test depends on its length.
const hangGuard = 30 * time.Second

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, Options{Universe: testUniverse()}, &protocol.InitializeParams{})
}

// newHarnessWith starts the server with opts and initializes it with init.
func newHarnessWith(t testing.TB, opts Options, init *protocol.InitializeParams) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	serverSide, clientSide := net.Pipe()
	h := &harness{t: t, ctx: ctx, done: make(chan error, 1), client: &testClient{diags: make(chan *protocol.PublishDiagnosticsParams, 256)}}
	go func() { h.done <- Serve(ctx, serverSide, serverSide, opts) }()
	_, h.conn, h.srv = protocol.NewClient(ctx, h.client, jsonrpc2.NewStream(clientSide))
	res, err := h.srv.Initialize(ctx, init)
	require.NoError(t, err)
	h.init = res
	require.NoError(t, h.srv.Initialized(ctx, &protocol.InitializedParams{}))
	t.Cleanup(func() { h.close() })
	return h
}

// close shuts the server down in order and checks Serve returned nil.
func (h *harness) close() {
	if h.done == nil {
		return
	}
	_ = h.srv.Shutdown(h.ctx)
	_ = h.srv.Exit(h.ctx)
	select {
	case err := <-h.done:
		require.NoError(h.t, err)
	case <-h.ctx.Done():
		h.t.Error("Serve did not return after exit")
	}
	h.done = nil
	_ = h.conn.Close()
}

// call sends a request and decodes its result from a copy the test owns.
// The protocol package decodes union results (completion lists, locations,
// code actions…) without copying strings out of the connection's read
// buffer, which the next message overwrites; its typed client methods
// would hand the tests corrupted strings.
func call[T any](h *harness, method string, params any) (T, error) {
	var raw jsonrpc2.RawMessage
	var out T
	if _, err := h.conn.Call(h.ctx, method, params, &raw); err != nil {
		return out, err
	}
	err := protocol.Unmarshal(append([]byte(nil), raw...), &out)
	return out, err
}

func docURI(name string) uri.URI { return uri.File("/wf-lsp-test/" + name) }

// open opens a document and returns its diagnostics.
func (h *harness) open(name, text string) []protocol.Diagnostic {
	h.t.Helper()
	u := docURI(name)
	require.NoError(h.t, h.srv.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "wf", Version: 1, Text: text,
	}}))
	return h.waitDiags(u, 1)
}

// change replaces a document's text and returns the new diagnostics.
func (h *harness) change(name string, version int32, text string) []protocol.Diagnostic {
	h.t.Helper()
	u := docURI(name)
	require.NoError(h.t, h.srv.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: version},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
	}))
	return h.waitDiags(u, version)
}

// waitDiags waits for the diagnostics of one version of a document.
func (h *harness) waitDiags(u uri.URI, version int32) []protocol.Diagnostic {
	h.t.Helper()
	for {
		select {
		case p := <-h.client.diags:
			if v, ok := p.Version.Get(); p.URI == u && ok && v == version {
				return p.Diagnostics
			}
		case <-h.ctx.Done():
			h.t.Fatalf("no diagnostics for %s version %d", u, version)
			return nil
		}
	}
}

// at returns the LSP position of the n-th (0-based) occurrence of marker in
// text, plus offset bytes; the character is counted in UTF-16 units.
func at(text, marker string, offset int) protocol.Position {
	i := strings.Index(text, marker)
	if i < 0 {
		panic("marker not found: " + marker)
	}
	return newLineIndex(text).position(i + offset)
}

// after returns the position just after the first occurrence of marker.
func after(text, marker string) protocol.Position { return at(text, marker, len(marker)) }

func tdp(name string, p protocol.Position) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI(name)}, Position: p}
}
