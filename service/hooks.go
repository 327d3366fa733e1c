package service

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// What the web console (package service/console) needs from the service:
// the engine, the token check, a place at "/" and a signal when runs change.
// The console calls the API itself (Handler) for everything the API offers.

// Engine is the engine the service runs on.
func (s *Service) Engine() *runtime.Engine { return s.eng }

// CheckToken checks an API token's secret as the API's bearer check does
// (revoked tokens stop passing within tokenTTL); it returns the token's
// name. An error (including a store that cannot answer) is a refusal.
func (s *Service) CheckToken(ctx context.Context, secret string) (string, error) {
	tok, err := s.tokens.check(ctx, "Bearer "+secret, time.Now())
	if err != nil {
		return "", err
	}
	return tok.Name, nil
}

// Mount serves h at every path the API does not own (everything but /v1/,
// /webhooks/, /healthz, /readyz and /metrics). Call it before serving.
func (s *Service) Mount(h http.Handler) { s.ui = h }

// apiPath reports whether a path belongs to the API, so an unknown one is
// a JSON 404 even with a console mounted.
func apiPath(p string) bool {
	return strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/webhooks/") || p == "/v1"
}

// Changes returns a channel that receives (coalesced) after runs were
// queued or executed, and a function to stop receiving. Runs changed by
// another process are not signalled: poll for those.
func (s *Service) Changes() (<-chan struct{}, func()) { return s.changes.subscribe() }

// changes fans a "runs changed" signal out to subscribers without blocking.
type changes struct {
	mu   sync.Mutex
	subs map[chan struct{}]bool
}

func (c *changes) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	if c.subs == nil {
		c.subs = map[chan struct{}]bool{}
	}
	c.subs[ch] = true
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		delete(c.subs, ch)
		c.mu.Unlock()
	}
}

func (c *changes) signal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.subs {
		select {
		case ch <- struct{}{}:
		default: // one pending signal is enough
		}
	}
}

// rejectionsPerSecond caps how many refused webhooks are recorded in the
// store each second; beyond it they are only logged and counted, so a flood
// of forged requests costs no store writes.
const rejectionsPerSecond = 20

// rejections limits the recording of refused webhooks.
type rejections struct {
	mu     sync.Mutex
	window time.Time
	n      int
}

func (r *rejections) allow(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sec := now.Truncate(time.Second); !sec.Equal(r.window) {
		r.window, r.n = sec, 0
	}
	r.n++
	return r.n <= rejectionsPerSecond
}

// reject records a refused webhook request for the console's Events page.
// A failure to record is logged; it never changes the answer.
func (s *Service) reject(r *http.Request, endpoint string, body []byte, reason string) {
	if !s.rejected.allow(time.Now()) {
		return
	}
	rej := store.Rejection{Endpoint: endpoint, Remote: r.RemoteAddr, Reason: reason, BodySize: int64(len(body))}
	if ev, err := runtime.DecodeEvent(body); err == nil {
		rej.EventID, rej.EventName = ev.ID, ev.Name
	}
	if err := s.eng.Store.RecordRejection(r.Context(), rej); err != nil {
		s.log.Warn("refused webhook could not be recorded", "error", err)
	}
}
