package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testNow is the fixed clock of every test.
var testNow = time.Unix(1709686052, 0)

// fakeSleep records the waits it is asked for and returns at once, or blocks
// until the context is done when block is set.
type fakeSleep struct {
	mu    sync.Mutex
	waits []time.Duration
	block bool
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		return context.Cause(ctx)
	}
	return ctx.Err()
}

func (f *fakeSleep) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// newTestClient returns a loopback-allowed client with a fixed clock, jitter
// 0.5 and a recording sleep; mods adjust the configuration.
func newTestClient(mods ...func(*Config)) (*Client, *fakeSleep) {
	fs := &fakeSleep{}
	cfg := Config{
		AllowLoopback: true,
		Sleep:         fs.sleep,
		Now:           func() time.Time { return testNow },
		Rand:          func() float64 { return 0.5 },
	}
	for _, m := range mods {
		m(&cfg)
	}
	return New(cfg), fs
}

// countingServer serves h on loopback and counts the requests it sees.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// statusSequence answers with the given statuses in turn, then the last one again.
func statusSequence(statuses ...int) http.HandlerFunc {
	var i atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		n := int(i.Add(1)) - 1
		w.WriteHeader(statuses[min(n, len(statuses)-1)])
	}
}

func strPtr(s string) *string { return &s }
