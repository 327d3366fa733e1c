package service_test

import (
	"bytes"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runGoroutines counts the goroutines executing runs: those with the
// interpreter or the engine's drive loop on their stack.
func runGoroutines() int {
	buf := make([]byte, 64<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("wf-lang/wf/interp.")) || bytes.Contains(g, []byte("wf-lang/wf/runtime.(*Engine).drive")) {
			n++
		}
	}
	return n
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Parked runs hold no goroutine and no memory: the service's goroutines
// are the same with 0 or N runs parked, and its live heap does not grow
// with N. WF_PARKED_RUNS sets N (CI: 2,000; the figure in docs/serving.md
// comes from WF_PARKED_RUNS=100000 go test ./service -run Parked -v).
func TestParkedRunsHoldNoGoroutinesOrMemory(t *testing.T) {
	n := 2000
	if v := os.Getenv("WF_PARKED_RUNS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	h := newQuietHarness(t, map[string]string{"flow.wf": `
workflow hold {
  on api(i: int)

  wait 3d
  output {i: i}
}
`})
	start := func(from, to int) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{}
				for i := range next {
					req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/workflows/hold/runs",
						bytes.NewReader([]byte(`{"i": `+strconv.Itoa(i)+`}`)))
					req.Header.Set("Authorization", "Bearer "+h.token)
					resp, err := client.Do(req)
					if err == nil {
						resp.Body.Close()
					}
					if err != nil || resp.StatusCode != http.StatusAccepted {
						t.Errorf("run %d not started: %v %v", i, err, resp)
					}
				}
			}()
		}
		for i := from; i < to; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
		h.drain()
	}
	began := time.Now()
	start(0, n/10)
	http.DefaultClient.CloseIdleConnections()
	goroutines, heap := runGoroutines(), heapInUse()
	start(n/10, n)
	http.DefaultClient.CloseIdleConnections()
	parkedIn := time.Since(began)
	goroutinesN, heapN := runGoroutines(), heapInUse()
	counts, err := h.eng.Store.CountByStatus(t.Context())
	require.NoError(t, err)
	require.EqualValues(t, n, counts["parked"], "%v", counts)

	t.Logf("%d runs parked in %s; goroutines executing runs: %d → %d (%d in the process); live heap %.1f MB → %.1f MB",
		n, parkedIn.Round(time.Millisecond), goroutines, goroutinesN, runtime.NumGoroutine(), float64(heap)/1e6, float64(heapN)/1e6)
	assert.Zero(t, goroutines, "parked runs hold no goroutines")
	assert.Zero(t, goroutinesN, "parked runs hold no goroutines")
	assert.Less(t, float64(heapN), float64(heap)+8e6, "the live heap does not grow with the parked runs")

	// They are still there, and wake on time (a scheduler pass wakes up to
	// 10,000 at once).
	h.clock.Advance(3 * 24 * time.Hour)
	for range n/10_000 + 2 {
		h.tick()
	}
	counts, err = h.eng.Store.CountByStatus(t.Context())
	require.NoError(t, err)
	assert.EqualValues(t, n, counts["completed"], "%v", counts)
}
