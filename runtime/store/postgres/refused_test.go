package postgres_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

// refusingProxy passes connections to the server, but answers the next `refuse` ones as a
// server at max_connections does: "sorry, too many clients already" (SQLSTATE 53300).
type refusingProxy struct {
	ln      net.Listener
	target  string
	refuse  atomic.Int64
	refused atomic.Int64
}

func newRefusingProxy(t *testing.T, target string) *refusingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &refusingProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.refuse.Add(-1) >= 0 {
				p.refused.Add(1)
				go refuseTooMany(c)
				continue
			}
			go p.pass(c)
		}
	}()
	return p
}

func (p *refusingProxy) pass(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
}

// refuseTooMany reads the startup message and answers it with the server's error.
func refuseTooMany(c net.Conn) {
	defer c.Close()
	var n [4]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return
	}
	if _, err := io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint32(n[:]))-4); err != nil {
		return
	}
	var body []byte
	for _, f := range []struct {
		code byte
		text string
	}{{'S', "FATAL"}, {'V', "FATAL"}, {'C', "53300"}, {'M', "sorry, too many clients already"}} {
		body = append(append(append(body, f.code), f.text...), 0)
	}
	body = append(body, 0)
	msg := binary.BigEndian.AppendUint32([]byte{'E'}, uint32(len(body)+4))
	_, _ = c.Write(append(msg, body...))
}

// A server at max_connections refuses the new connection an operation needs when the pool
// has none idle; the store waits for one (a few seconds) instead of failing the operation
// (a step's journaling, and so its run).
func TestRefusedConnectionsAreWaitedFor(t *testing.T) {
	ctx := context.Background()
	u, err := url.Parse(pgtest.URL(t))
	require.NoError(t, err)
	proxy := newRefusingProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String(), postgres.Options{MaxConns: 10, MinConns: 1})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	require.NoError(t, st.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w", Version: "v", Status: store.StatusQueued}))
	idle := st.Pool().AcquireAllIdle(ctx) // every operation now needs a new connection
	defer func() {
		for _, c := range idle {
			c.Release()
		}
	}()

	proxy.refuse.Store(3)
	require.NoError(t, st.SaveStep(ctx, "r", store.Step{Key: "k", Seq: 1, Name: "http.get", Status: store.StepStarted,
		StartedAt: time.Unix(1, 0)}), "a step's journaling waits for a connection")
	assert.EqualValues(t, 3, proxy.refused.Load())

	idle = append(idle, st.Pool().AcquireAllIdle(ctx)...)
	proxy.refuse.Store(2)
	_, err = st.FinishRun(ctx, "r", store.StatusCompleted, nil, nil, time.Unix(2, 0), "", nil)
	require.NoError(t, err, "so does a transaction")
	assert.EqualValues(t, 5, proxy.refused.Load())

	// Refused for longer than the store waits: the error is the server's.
	idle = append(idle, st.Pool().AcquireAllIdle(ctx)...)
	proxy.refuse.Store(100)
	err = st.AppendLog(ctx, "r", store.Log{Level: "info", Message: "m"}, nil)
	require.ErrorContains(t, err, "too many clients")
	proxy.refuse.Store(0)
}
