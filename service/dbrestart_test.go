package service_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

// cutProxy forwards TCP connections to a database and can cut them all, refusing new ones
// until restored: a database restart, seen from the service, without restarting the
// server other tests use.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
	return p
}

// cut closes every connection and refuses new ones.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// The database goes away and comes back: the service does not crash; /readyz fails while
// the database is unreachable; a webhook is refused with 503 then (Persona sends it again),
// never answered 200 without being recorded; once the database is back, the service
// answers again, and every accepted event's run completes. River's queue metrics count
// those runs on /metrics.
func TestDatabaseRestart(t *testing.T) {
	base := pgtest.URL(t)
	u, err := url.Parse(base)
	require.NoError(t, err)
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	h := startHarness(t, map[string]string{"kyc.wf": `
workflow kyc {
  on event "inquiry.completed"

  log "checked"
}
`}, nil, u.String())
	ready := func() int {
		code, _ := h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/readyz"))
		return code
	}
	accepted := map[string]bool{}
	send := func(i int) int {
		id := "evt_restart" + strconv.Itoa(i)
		body := event(id, "inquiry.completed", "inq_restart"+strconv.Itoa(i), nil)
		code, _ := h.webhook(body, h.sign(body))
		if code == http.StatusOK {
			accepted[id] = true
		}
		return code
	}
	for i := range 5 {
		require.Equal(t, http.StatusOK, send(i))
	}
	h.drain()
	require.Equal(t, http.StatusOK, ready())

	proxy.cut()
	require.Eventually(t, func() bool { return ready() == http.StatusServiceUnavailable }, 10*time.Second, 50*time.Millisecond,
		"readyz fails while the database is unreachable")
	for i := 5; i < 10; i++ {
		assert.Equal(t, http.StatusServiceUnavailable, send(i), "refused, to be sent again, while the database is down")
	}

	proxy.restore()
	require.Eventually(t, func() bool { return ready() == http.StatusOK }, 20*time.Second, 50*time.Millisecond,
		"readyz answers again once the database is back")
	for i := 5; i < 10; i++ {
		require.Eventually(t, func() bool { return send(i) == http.StatusOK }, 20*time.Second, 50*time.Millisecond)
	}
	h.drain()
	require.Len(t, accepted, 10)
	for id := range accepted {
		runs, err := h.eng.Store.ListRuns(t.Context(), store.RunFilter{Workflow: "kyc", Limit: 100})
		require.NoError(t, err)
		found := false
		for _, r := range runs {
			if r.EventID == id {
				found = true
				assert.Equal(t, store.StatusCompleted, r.Status, id)
			}
		}
		assert.True(t, found, "event %s has its run", id)
	}

	// River's queue metrics are on /metrics.
	res, err := http.Get(h.srv.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	metrics, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Contains(t, string(metrics), `wf_queue_jobs{kind="wf_run",state="completed"}`)
	assert.Contains(t, string(metrics), `wf_queue_jobs_worked_total{outcome="executed"} 10`)
	assert.Contains(t, string(metrics), `wf_queue_job_duration_seconds_count 10`)
}
