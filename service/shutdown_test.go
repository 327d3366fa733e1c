package service_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const slowFlow = `
workflow slow_call {
  on api(url: string)

  let r = run http.post(url, json: {})
  output {status: r.status}
}
`

// shutdownWith stops the service with a deadline and closes the engine.
func (h *harness) shutdownWith(d time.Duration) {
	h.cleanup()
	h.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	h.svc.Shutdown(ctx)
	require.NoError(h.t, h.eng.Close())
}

// On SIGTERM a step in flight gets the deadline to finish: the run
// completes and nothing is left behind.
func TestShutdownLetsStepsFinish(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	sink := newSink(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	})
	h := newHarness(t, map[string]string{"flow.wf": slowFlow})
	code, resp := h.api(http.MethodPost, "/v1/workflows/slow_call/runs", map[string]any{"url": sink})
	require.Equal(t, http.StatusAccepted, code)
	<-arrived
	go func() {
		time.Sleep(50 * time.Millisecond) // the shutdown has begun and is waiting for the step
		close(release)
	}()
	h.shutdownWith(10 * time.Second)
	h.start()
	rec := h.run(resp["id"].(string))
	assert.Equal(t, "completed", rec["status"])
	assert.Equal(t, map[string]any{"status": float64(200)}, rec["outputs"])
}

// A step still in flight when the deadline passes is cancelled; the run
// stays the old instance's, shows as interrupted, and the next start
// continues it (performing the step again: HTTP without an idempotency key
// is at least once).
func TestShutdownDeadlineLeavesRunsToContinue(t *testing.T) {
	var calls atomic.Int32
	done := make(chan struct{})
	sink := newSink(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	t.Cleanup(func() { close(done) }) // before the sink closes
	h := newHarness(t, map[string]string{"flow.wf": slowFlow})
	code, resp := h.api(http.MethodPost, "/v1/workflows/slow_call/runs", map[string]any{"url": sink})
	require.Equal(t, http.StatusAccepted, code)
	id := resp["id"].(string)
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	h.shutdownWith(100 * time.Millisecond)

	// Between the two processes the run is interrupted, never lost.
	h.start()
	h.drain()
	rec := h.run(id)
	require.Equal(t, "completed", rec["status"], "%v", rec["error"])
	assert.EqualValues(t, 2, calls.Load())
	assert.Contains(t, h.logs.String(), "continuing runs left by a previous process")
}
