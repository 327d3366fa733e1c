package httpx

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDoRetriesChosenStatuses(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		retryOn  []int
		retries  int
		status   int
		calls    int32
		err      string
	}{
		{"503 then ok", []int{503, 502, 200}, nil, 3, 200, 3, ""},
		{"429 then ok", []int{429, 200}, nil, 1, 200, 2, ""},
		{"500 not retried by default", []int{500, 200}, nil, 3, 500, 1, ""},
		{"404 not retried by default", []int{404, 200}, nil, 3, 404, 1, ""},
		{"custom 500", []int{500, 200}, []int{500}, 3, 200, 2, ""},
		{"custom list drops 503", []int{503, 200}, []int{500}, 3, 503, 1, ""},
		{"empty list retries nothing", []int{503, 200}, []int{}, 3, 503, 1, ""},
		{"no retries keeps status", []int{503}, nil, 0, 503, 1, ""},
		{"retried out", []int{503}, nil, 2, 503, 3, "http.get: status 503 after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := countingServer(t, statusSequence(tt.statuses...))
			c, fs := newTestClient()
			resp, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: tt.retries, RetryOn: tt.retryOn})
			if tt.err == "" {
				require.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.err)
			}
			require.NotNil(t, resp, "the last response comes back even with an error")
			assert.Equal(t, tt.status, resp.Status)
			assert.Equal(t, tt.calls, calls.Load())
			assert.Equal(t, int(tt.calls), resp.Attempts)
			assert.Len(t, fs.recorded(), int(tt.calls)-1)
		})
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	srv, _ := countingServer(t, statusSequence(503))
	c, fs := newTestClient()
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 4, Backoff: 100 * time.Millisecond})
	require.Error(t, err)
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{75 * ms, 150 * ms, 300 * ms, 600 * ms}, fs.recorded(),
		"base·2^n scaled into its upper half by jitter 0.5")
}

func TestBackoffNeverShrinks(t *testing.T) {
	for _, r := range []float64{0, 0.3, 0.999999} {
		c, _ := newTestClient(func(cfg *Config) { cfg.Rand = func() float64 { return r } })
		prevMax := time.Duration(0)
		for n := 1; n <= 12; n++ {
			d := c.backoff(time.Second, n)
			assert.GreaterOrEqual(t, d, prevMax, "retry %d, jitter %v", n, r)
			assert.LessOrEqual(t, d, MaxBackoff)
			prevMax = d
		}
	}
}

func TestBackoffDefaultBase(t *testing.T) {
	srv, _ := countingServer(t, statusSequence(502, 200))
	c, fs := newTestClient(func(cfg *Config) { cfg.Rand = func() float64 { return 0 } })
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 1})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{DefaultBackoff / 2}, fs.recorded())
}

func TestRetryAfterIsHonoured(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"zero", "0", 0},
		{"http date", testNow.Add(20 * time.Second).UTC().Format(http.TimeFormat), 20 * time.Second},
		{"past date", testNow.Add(-time.Hour).UTC().Format(http.TimeFormat), 0},
		{"garbage falls back to backoff", "soon", 750 * time.Millisecond},
		{"negative falls back to backoff", "-3", 750 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", tt.value)
					w.WriteHeader(http.StatusTooManyRequests)
				}
			})
			c, fs := newTestClient()
			resp, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 2, Backoff: time.Second})
			require.NoError(t, err)
			assert.Equal(t, 200, resp.Status)
			assert.Equal(t, []time.Duration{tt.want}, fs.recorded())
		})
	}
}

func TestRetryAfterBeyondTimeoutStops(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c, fs := newTestClient()
	resp, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 2, Timeout: 5 * time.Second})
	assert.EqualError(t, err, "http.get: server asked to retry after 1h0m0s, beyond the 5s timeout")
	require.NotNil(t, resp)
	assert.Equal(t, 503, resp.Status)
	assert.Equal(t, int32(1), calls.Load())
	assert.Empty(t, fs.recorded())
}

// hijackFirst closes the connection without answering for the first n requests.
func hijackFirst(n int32) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.Write([]byte("ok"))
	}
}

func TestDoRetriesTransportErrors(t *testing.T) {
	srv, calls := countingServer(t, hijackFirst(2))
	c, fs := newTestClient()
	resp, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Retries: 3, Backoff: time.Second})
	require.NoError(t, err)
	assert.Equal(t, "ok", resp.Body)
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond}, fs.recorded())
}

func TestDoTransportErrorRetriedOut(t *testing.T) {
	srv, calls := countingServer(t, hijackFirst(10))
	c, _ := newTestClient()
	resp, err := c.Do(context.Background(), Request{Method: "POST", URL: srv.URL, Retries: 1})
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.Equal(t, int32(2), calls.Load())
	assert.Regexp(t, `^http\.post: .*EOF \(2 attempts\)$`, err.Error())
	assert.NotContains(t, err.Error(), srv.URL, "the url may carry secrets")
}

func TestDoConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c, fs := newTestClient()
	_, err = c.Do(context.Background(), Request{URL: "http://" + addr + "/secret-path", Retries: 2})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "connection refused (3 attempts)")
	assert.Regexp(t, `^http\.get: dial tcp`, err.Error())
	assert.Len(t, fs.recorded(), 2)
}

// blockUntilDone answers only when the request's context ends.
func blockUntilDone(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestDoWholeCallDeadline(t *testing.T) {
	srv, _ := countingServer(t, blockUntilDone)
	c, _ := newTestClient()
	resp, err := c.Do(context.Background(), Request{URL: srv.URL, Timeout: 50 * time.Millisecond, Retries: 5})
	assert.EqualError(t, err, "http.get: timed out after 50ms")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Nil(t, resp)
}

func TestDoDeadlineCoversBackoff(t *testing.T) {
	srv, calls := countingServer(t, statusSequence(503))
	c, fs := newTestClient()
	fs.block = true
	resp, err := c.Do(context.Background(), Request{URL: srv.URL, Timeout: 50 * time.Millisecond, Retries: 5})
	assert.EqualError(t, err, "http.get: timed out after 50ms")
	require.NotNil(t, resp, "the response that was being retried comes back")
	assert.Equal(t, 503, resp.Status)
	assert.Equal(t, int32(1), calls.Load())
}

func TestDoCancelled(t *testing.T) {
	started := make(chan struct{})
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		blockUntilDone(w, r)
	})
	c, fs := newTestClient()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, err := c.Do(ctx, Request{URL: srv.URL, Retries: 3})
	assert.EqualError(t, err, "http.get: context canceled")
	assert.True(t, errors.Is(err, context.Canceled))
	assert.Empty(t, fs.recorded(), "a cancelled call is not retried")
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(srv.Close)
	c, fs := newTestClient()
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 3})
	require.Error(t, err)
	assert.Regexp(t, `^http\.get: tls: failed to verify certificate: x509: `, err.Error())
	assert.Empty(t, fs.recorded())
}
