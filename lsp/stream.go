package lsp

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// lspCodec encodes LSP payloads with the protocol package's union-aware
// codec (the one protocol.NewServer installs, which is not exported).
type lspCodec struct{}

// Marshal implements jsonrpc2.Codec.
func (lspCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case jsonrpc2.RawMessage:
		if m == nil {
			return []byte("null"), nil
		}
		return m, nil
	case *jsonrpc2.RawMessage:
		if m == nil || *m == nil {
			return []byte("null"), nil
		}
		return *m, nil
	}
	return protocol.Marshal(v)
}

// Unmarshal implements jsonrpc2.Codec.
func (lspCodec) Unmarshal(data []byte, v any) error {
	if p, ok := v.(*jsonrpc2.RawMessage); ok {
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	}
	return protocol.Unmarshal(data, v)
}

// pipeConn joins the server's input and output into the connection
// jsonrpc2 wants. Input is copied through a pipe so that closing the
// connection unblocks a read at once, whatever in is.
type pipeConn struct {
	r *io.PipeReader
	w io.Writer
}

func newPipeConn(in io.Reader, out io.Writer) *pipeConn {
	pr, pw := io.Pipe()
	go func() {
		_, err := io.Copy(pw, in)
		pw.CloseWithError(err)
	}()
	return &pipeConn{r: pr, w: out}
}

func (c *pipeConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *pipeConn) Write(p []byte) (int, error) { return c.w.Write(p) }
func (c *pipeConn) Close() error                { return c.r.Close() }

// tolerantStream is the LSP header-framed stream, except that a frame whose
// body is not a JSON-RPC message is answered with a parse error (id null)
// and skipped, instead of ending the connection.
type tolerantStream struct {
	jsonrpc2.Stream
	log *slog.Logger
}

func newStream(in io.Reader, out io.Writer, log *slog.Logger) jsonrpc2.Stream {
	return &tolerantStream{Stream: jsonrpc2.NewHeaderStream(newPipeConn(in, out)), log: log}
}

// Read implements jsonrpc2.Stream.
func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		msg, n, err := s.Stream.Read(ctx)
		if err == nil || !(errors.Is(err, jsonrpc2.ErrParse) || errors.Is(err, jsonrpc2.ErrInvalidRequest)) {
			return msg, n, err
		}
		s.log.Warn("lsp: malformed message", "err", err)
		resp := jsonrpc2.NewResponse(jsonrpc2.ID{}, nil, jsonrpc2.Errorf(jsonrpc2.ParseError, "malformed message: %v", err))
		if _, werr := s.Stream.Write(ctx, resp); werr != nil {
			return nil, 0, werr
		}
	}
}
