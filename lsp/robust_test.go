package lsp

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// rawClient speaks LSP framing by hand, to send what a typed client
// cannot: broken JSON, bad parameters, unknown methods.
type rawClient struct {
	t    *testing.T
	ctx  context.Context
	conn net.Conn
	done chan error
	// msgs gets every message the server sends, read as it comes: the
	// pipe has no buffer, so a server writing a notification while the
	// client writes a request would otherwise block them both.
	msgs chan jsonrpc2.Message
}

// newRawClient starts a server; wrap lets a test change it first.
func newRawClient(t *testing.T, wrap func(*server)) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	serverSide, clientSide := net.Pipe()
	s := newServer(Options{Universe: testUniverse()})
	if wrap != nil {
		wrap(s)
	}
	c := &rawClient{t: t, ctx: ctx, conn: clientSide, done: make(chan error, 1), msgs: make(chan jsonrpc2.Message, 1024)}
	go func() { c.done <- s.serve(ctx, serverSide, serverSide) }()
	go func() {
		defer close(c.msgs)
		stream := jsonrpc2.NewHeaderStream(clientSide)
		for {
			msg, _, err := stream.Read(ctx)
			if err != nil {
				return
			}
			c.msgs <- msg
		}
	}()
	t.Cleanup(func() { _ = clientSide.Close() })
	return c
}

func (c *rawClient) send(body string) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetWriteDeadline(time.Now().Add(hangGuard)))
	_, err := fmt.Fprintf(c.conn, "Content-Length: %d\r\n\r\n%s", len(body), body)
	require.NoError(c.t, err)
}

// response reads messages until the response with the given id (as JSON
// text, "null" for none) and returns it.
func (c *rawClient) response(id string) *jsonrpc2.Response {
	c.t.Helper()
	for {
		var msg jsonrpc2.Message
		select {
		case m, open := <-c.msgs:
			require.True(c.t, open, "the connection ended before response %s", id)
			msg = m
		case <-c.ctx.Done():
			require.FailNow(c.t, "no response "+id)
		}
		r, ok := msg.(*jsonrpc2.Response)
		if !ok {
			continue // a notification, such as publishDiagnostics
		}
		got := "null"
		if n, ok := r.ID().Number(); ok {
			got = fmt.Sprint(n)
		}
		if got == id {
			return r
		}
	}
}

func (c *rawClient) initialize() {
	c.send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)
	require.NoError(c.t, c.response("1").Err())
	c.send(`{"jsonrpc":"2.0","method":"initialized","params":{}}`)
}

func errCode(t *testing.T, r *jsonrpc2.Response) jsonrpc2.Code {
	t.Helper()
	var e *jsonrpc2.Error
	require.ErrorAs(t, r.Err(), &e)
	return e.Code
}

func TestMalformedMessages(t *testing.T) {
	c := newRawClient(t, nil)
	c.send(`{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}`)
	assert.Equal(t, jsonrpc2.ServerNotInitialized, errCode(t, c.response("1")), "before initialize")
	c.initialize()

	c.send(`{"jsonrpc":"2.0","id":2,"method":"textDocument/hov`)
	assert.Equal(t, jsonrpc2.ParseError, errCode(t, c.response("null")), "broken JSON")

	c.send(`{"jsonrpc":"2.0","id":3,"method":"wf/noSuchMethod","params":{}}`)
	assert.Equal(t, jsonrpc2.MethodNotFound, errCode(t, c.response("3")), "unknown method")

	c.send(`{"jsonrpc":"2.0","method":"wf/noSuchNotification","params":{}}`)
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":42}}`)
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///never.wf","version":2},"contentChanges":[]}}`)

	c.send(`{"jsonrpc":"2.0","id":4,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.wf"},"position":"here"}}`)
	assert.Equal(t, jsonrpc2.InvalidParams, errCode(t, c.response("4")), "bad parameters")

	c.send(`{"jsonrpc":"2.0","id":41,"method":"textDocument/documentColor","params":{"textDocument":{"uri":"file:///a.wf"}}}`)
	assert.Equal(t, jsonrpc2.MethodNotFound, errCode(t, c.response("41")), "a method the server does not offer")

	c.send(`{"jsonrpc":"2.0","id":5,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///never.wf"},"position":{"line":0,"character":0}}}`)
	assert.Equal(t, jsonrpc2.InvalidParams, errCode(t, c.response("5")), "unknown document")

	// After all that, the server still works.
	c.send(`{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.wf","languageId":"wf","version":1,"text":"workflow w {\n  on manual()\n  log lower(\"A\")\n}\n"}}}`)
	c.send(`{"jsonrpc":"2.0","id":6,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.wf"},"position":{"line":2,"character":7}}}`)
	r := c.response("6")
	require.NoError(t, r.Err())
	assert.Contains(t, string(r.Result()), "lower(s: string)")

	c.send(`{"jsonrpc":"2.0","id":7,"method":"shutdown"}`)
	require.NoError(t, c.response("7").Err())
	c.send(`{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.wf"},"position":{"line":2,"character":7}}}`)
	assert.Equal(t, jsonrpc2.InvalidRequest, errCode(t, c.response("8")), "after shutdown")
	c.send(`{"jsonrpc":"2.0","method":"exit"}`)
	require.NoError(t, <-c.done)
}

func TestPanicBecomesAnErrorResponse(t *testing.T) {
	c := newRawClient(t, func(s *server) {
		next := s.dispatch
		s.dispatch = func(ctx context.Context, req *jsonrpc2.Request) (any, error) {
			if strings.HasPrefix(req.Method(), "textDocument/hover") {
				panic("boom")
			}
			return next(ctx, req)
		}
	})
	c.initialize()
	c.send(`{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.wf"},"position":{"line":0,"character":0}}}`)
	r := c.response("2")
	assert.Equal(t, jsonrpc2.InternalError, errCode(t, r))
	assert.Contains(t, r.Err().Error(), "boom")
	c.send(`{"jsonrpc":"2.0","id":3,"method":"shutdown"}`)
	require.NoError(t, c.response("3").Err(), "the connection survived the panic")
	c.send(`{"jsonrpc":"2.0","method":"exit"}`)
	require.NoError(t, <-c.done)
}

func TestExitWithoutShutdownIsAnError(t *testing.T) {
	c := newRawClient(t, nil)
	c.initialize()
	c.send(`{"jsonrpc":"2.0","method":"exit"}`)
	err := <-c.done
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exit before shutdown")
}

func TestEndOfInputEndsServe(t *testing.T) {
	c := newRawClient(t, nil)
	c.initialize()
	require.NoError(t, c.conn.Close())
	assert.NoError(t, <-c.done)
}

func TestTooLargeFileIsReportedNotParsed(t *testing.T) {
	h := newHarness(t)
	big := "workflow w {\n  on manual()\n" + strings.Repeat("  log \"x\"\n", lang.MaxFileSize/10+1) + "}\n"
	require.Greater(t, len(big), lang.MaxFileSize)
	diags := h.open("big.wf", big)
	require.Len(t, diags, 1)
	assert.Equal(t, protocol.String("limit"), diags[0].Code)
	assert.Contains(t, string(diags[0].Message.(protocol.String)), "file is too large")
	assert.Empty(t, h.complete("big.wf", protocol.Position{Line: 2, Character: 4}))
	res, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdp("big.wf", protocol.Position{Line: 2, Character: 4})})
	require.NoError(t, err)
	assert.Nil(t, res)
}

func TestCancelledContextEndsServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	serverSide, clientSide := net.Pipe()
	defer clientSide.Close()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, serverSide, serverSide, Options{Universe: testUniverse()}) }()
	cancel()
	guard, stop := context.WithTimeout(context.Background(), hangGuard)
	defer stop()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-guard.Done():
		t.Fatal("Serve did not return after its context was cancelled")
	}
}
