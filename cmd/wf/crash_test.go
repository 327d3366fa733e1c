package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// The kill -9 harness: wf serve runs as a separate process over a store on
// disk; signed webhooks arrive for a workflow with three effect steps (a
// Persona action, an HTTP call, a case); the process is killed with SIGKILL
// at random moments and started again, over and over. At the end every
// webhook that got a 200 has exactly one completed run, no Persona effect
// was applied twice, duplicated HTTP calls are within the documented
// at-least-once bound, and no run is left unfinished.
//
// CI runs a bounded version. The full one:
//
//	WF_CRASH_WEBHOOKS=10000 WF_CRASH_KILLS=10 go test ./cmd/wf -run CrashHarness -v -timeout 30m

const crashWorkers = 8

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, name)
	return n
}

func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill -9 harness starts and kills processes; skipped with -short")
	}
	webhooks := envInt(t, "WF_CRASH_WEBHOOKS", 240)
	kills := envInt(t, "WF_CRASH_KILLS", 3)
	for _, backend := range []string{"local", "api"} {
		t.Run(backend, func(t *testing.T) { crashHarness(t, backend, webhooks, kills) })
	}
}

// fakePersona is the Persona API as far as the workflow uses it, with
// Persona's idempotency: a repeated Idempotency-Key gets the first answer.
// It counts the distinct keys each inquiry's effects came with: more than
// one would mean an effect applied twice.
type fakePersona struct {
	mu      sync.Mutex
	answers map[string][]byte          // by key
	keys    map[string]map[string]bool // "tag inq_…" / "case inq_…" → keys
	srv     *httptest.Server
}

func newFakePersona(t *testing.T) *fakePersona {
	f := &fakePersona{answers: map[string][]byte{}, keys: map[string]map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePersona) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	var effect, answer string
	switch {
	case strings.HasPrefix(r.URL.Path, "/inquiries/") && strings.HasSuffix(r.URL.Path, "/add-tag"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/inquiries/"), "/add-tag")
		effect = "tag " + id
		answer = fmt.Sprintf(`{"data": {"type": "inquiry", "id": %q, "attributes": {"status": "completed", "tags": ["screened"]}}}`, id)
	case r.URL.Path == "/cases" && r.Method == http.MethodPost:
		var req struct {
			Meta struct {
				ObjectIDs []string `json:"object_ids"`
			} `json:"meta"`
		}
		_ = json.Unmarshal(body, &req)
		effect = "case " + strings.Join(req.Meta.ObjectIDs, ",")
		answer = fmt.Sprintf(`{"data": {"type": "case", "id": "case_%d", "attributes": {"status": "open"}}}`, len(f.answers))
	default:
		http.Error(w, `{"errors": [{"title": "not found"}]}`, http.StatusNotFound)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.answers[key]; ok && key != "" {
		w.Write(prev)
		return
	}
	f.answers[key] = []byte(answer)
	if f.keys[effect] == nil {
		f.keys[effect] = map[string]bool{}
	}
	f.keys[effect][key] = true
	w.Write([]byte(answer))
}

// twice counts the effects applied under more than one key.
func (f *fakePersona) twice() (effects, doubled int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ks := range f.keys {
		effects++
		if len(ks) > 1 {
			doubled++
		}
	}
	return effects, doubled
}

// sinkCounter counts HTTP calls per event id.
type sinkCounter struct {
	mu    sync.Mutex
	calls map[string]int
	srv   *httptest.Server
}

func newSinkCounter(t *testing.T) *sinkCounter {
	s := &sinkCounter{calls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Event string `json:"event"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.calls[body.Event]++
		s.mu.Unlock()
		w.Write([]byte(`{"ok": true}`))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// wfProcess is one `wf serve` process.
type wfProcess struct {
	cmd  *exec.Cmd
	addr string
	once sync.Once // ends it once: kill or interrupt
}

func crashHarness(t *testing.T, backend string, webhooks, kills int) {
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flows, 0o755))
	sink, persona := newSinkCounter(t), newFakePersona(t)
	require.NoError(t, os.WriteFile(filepath.Join(flows, "crash.wf"), []byte(fmt.Sprintf(`
workflow crash_test {
  on event "inquiry.completed"

  run inquiry.add_tag(trigger.id, "screened")
  run http.post(%q, json: {event: event.id})
  run case.create(template: "crash-test", objects: [trigger.id])
}
`, sink.srv.URL)), 0o644))
	storePath := filepath.Join(dir, ".wf", "wf.db")
	const secret = "wbhsec_crash"
	logs, err := os.Create(filepath.Join(dir, "serve.log"))
	require.NoError(t, err)
	defer logs.Close()

	wf := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append(args, "--store", storePath)...)
		cmd.Env = append(os.Environ(), "WF_TEST_AS_WF=1", "PERSONA_API_KEY=persona_test_key", "NO_COLOR=1")
		return cmd
	}
	out, err := wf("serve", "tokens", "create", "harness").Output()
	require.NoError(t, err)
	token := strings.TrimSpace(string(out))

	addrFile := filepath.Join(dir, "addr")
	start := func() *wfProcess {
		_ = os.Remove(addrFile)
		cmd := wf("serve", flows, "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--webhook-secret", secret,
			"--backend", backend, "--persona-url", persona.srv.URL, "--persona-rate", "1000000", "--allow-loopback", "--workers", strconv.Itoa(crashWorkers),
			"--log-format", "json", "--reload", "0", "--no-console")
		cmd.Stderr = logs
		require.NoError(t, cmd.Start())
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if b, err := os.ReadFile(addrFile); err == nil {
				return &wfProcess{cmd: cmd, addr: "http://" + strings.TrimSpace(string(b))}
			}
		}
		_ = cmd.Process.Kill()
		t.Fatalf("wf serve did not start; see %s", logs.Name())
		return nil
	}

	var (
		mu       sync.Mutex
		proc     = start()
		accepted atomic.Int64
		sent     atomic.Int64
	)
	current := func() string {
		mu.Lock()
		defer mu.Unlock()
		return proc.addr
	}
	defer func() {
		mu.Lock()
		_ = proc.cmd.Process.Kill()
		_ = proc.cmd.Wait()
		mu.Unlock()
	}()

	began := time.Now()
	// Senders: each webhook is sent until it gets a 200, as Persona retries.
	next := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := crashEvent(i)
				for attempt := 0; ; attempt++ {
					require.Less(t, attempt, 2000, "webhook %d was never accepted", i)
					req, _ := http.NewRequest(http.MethodPost, current()+"/webhooks/persona", bytes.NewReader(body))
					req.Header.Set("Persona-Signature", httpx.Sign(secret, time.Now(), body))
					sent.Add(1)
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							accepted.Add(1)
							break
						}
					}
					time.Sleep(20 * time.Millisecond) // the process is restarting
				}
			}
		}()
	}
	// The killer: SIGKILL at random points of the load, then a restart.
	rng := rand.New(rand.NewPCG(uint64(webhooks), uint64(kills)))
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for k := 1; k <= kills; k++ {
			at := int64(webhooks*k/(kills+1) + rng.IntN(max(1, webhooks/(4*(kills+1)))))
			for accepted.Load() < at {
				time.Sleep(time.Millisecond)
			}
			mu.Lock()
			_ = proc.cmd.Process.Kill() // SIGKILL: no shutdown, no goodbye
			_ = proc.cmd.Wait()
			mu.Unlock()
			p := start()
			mu.Lock()
			proc = p
			mu.Unlock()
		}
	}()
	for i := range webhooks {
		next <- i
	}
	close(next)
	wg.Wait()
	<-killed

	// Wait until nothing is left to do.
	t.Logf("%s: all %d webhooks accepted after %s", backend, webhooks, time.Since(began).Round(time.Millisecond))
	left := -1
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline) && left != 0; time.Sleep(50 * time.Millisecond) {
		left = unfinished(t, current(), token)
	}
	t.Logf("%s: every run ended after %s", backend, time.Since(began).Round(time.Millisecond))
	if left != 0 {
		b, _ := os.ReadFile(logs.Name())
		t.Fatalf("%d runs were still unfinished (-1: the API did not answer); the service's log:\n%s", left, tail(b, 4000))
	}
	mu.Lock()
	require.NoError(t, proc.cmd.Process.Signal(os.Interrupt))
	_ = proc.cmd.Wait()
	mu.Unlock()

	// The record: one completed run per webhook, nothing else.
	st, err := sqlite.Open(context.Background(), storePath)
	require.NoError(t, err)
	defer st.Close()
	perInquiry := map[string]int{}
	statuses := map[string]int{}
	var after *store.Cursor
	for {
		page, err := st.ListRuns(context.Background(), store.RunFilter{Limit: store.MaxRunLimit, After: after})
		require.NoError(t, err)
		for _, r := range page {
			perInquiry[r.TriggerID]++
			statuses[r.Status]++
		}
		if len(page) < store.MaxRunLimit {
			break
		}
		last := page[len(page)-1]
		after = &store.Cursor{StartedAt: last.StartedAt, ID: last.ID}
	}
	assert.Equal(t, map[string]int{"completed": webhooks}, statuses)
	assert.Len(t, perInquiry, webhooks)
	for inq, n := range perInquiry {
		if n != 1 {
			t.Errorf("inquiry %s has %d runs", inq, n)
		}
	}

	// Persona effects: applied once each.
	doubledPersona := 0
	switch backend {
	case "api":
		effects, doubled := persona.twice()
		assert.Equal(t, 2*webhooks, effects)
		doubledPersona = doubled
	case "local":
		cases, err := st.ListObjects(context.Background(), "case")
		require.NoError(t, err)
		byInquiry := map[string]int{}
		for _, c := range cases {
			for _, o := range c["objects"].([]any) {
				byInquiry[o.(map[string]any)["id"].(string)]++
			}
		}
		assert.Len(t, byInquiry, webhooks)
		for _, n := range byInquiry {
			if n > 1 {
				doubledPersona++
			}
		}
		for i := range webhooks {
			inq, err := st.GetObject(context.Background(), "inquiry", crashInquiry(i))
			require.NoError(t, err)
			assert.Contains(t, inq["tags"], "screened")
		}
	}
	assert.Zero(t, doubledPersona, "no Persona effect applied twice")

	// HTTP without an idempotency key: at least once, at most once more per
	// call in flight when a kill struck.
	sink.mu.Lock()
	calls, dup := 0, 0
	for _, n := range sink.calls {
		calls += n
		dup += n - 1
	}
	distinct := len(sink.calls)
	sink.mu.Unlock()
	assert.Equal(t, webhooks, distinct, "every run made its HTTP call")
	assert.LessOrEqual(t, dup, kills*crashWorkers, "duplicates within the at-least-once bound")
	t.Logf("%s backend: %d webhooks (%d sent with retries, %d accepted), %d kills, %d runs completed, "+
		"%d Persona effects applied twice, %d HTTP calls for %d runs (%d duplicates; bound %d)",
		backend, webhooks, sent.Load(), accepted.Load(), kills, statuses["completed"], doubledPersona, calls, distinct, dup, kills*crashWorkers)
}

// unfinished counts runs not yet ended, through the API.
func unfinished(t *testing.T, base, token string) int {
	n := 0
	for _, status := range []string{"queued", "running", "parked", "interrupted"} {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/runs?limit=1&status="+status, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return -1
		}
		var body struct {
			Runs []json.RawMessage `json:"runs"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return -1
		}
		n += len(body.Runs)
	}
	return n
}

func crashInquiry(i int) string { return fmt.Sprintf("inq_crash%05d", i) }

// crashEvent is webhook i: an inquiry.completed event for inquiry i.
func crashEvent(i int) []byte {
	return []byte(fmt.Sprintf(`{"data": {"type": "event", "id": "evt_crash%05d", "attributes": {
  "name": "inquiry.completed", "created-at": "2026-11-20T12:00:00.000Z",
  "payload": {"data": {"type": "inquiry", "id": %q, "attributes": {"status": "completed",
    "updated-at": "2026-11-20T12:00:00.000Z"}}}}}}`, i, crashInquiry(i)))
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// wf run killed mid-run and continued with --resume: the same run, from its
// journal, with the finished step not performed again and the step in
// flight performed again with the same idempotency key; wf runs shows the
// run interrupted in between.
func TestRunResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a process; skipped with -short")
	}
	dir := t.TempDir()
	var mu sync.Mutex
	keys := map[string][]string{}
	inFlight, finished := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // so the server notices the client going away
		mu.Lock()
		keys[r.URL.Path] = append(keys[r.URL.Path], r.Header.Get("Idempotency-Key"))
		n := len(keys[r.URL.Path])
		mu.Unlock()
		if r.URL.Path == "/second" && n == 1 {
			inFlight <- struct{}{}
			select { // the process dies while this step is in flight
			case <-r.Context().Done():
			case <-finished:
			}
			return
		}
		w.Write([]byte(`{"ok": true}`))
	}))
	defer srv.Close()
	defer close(finished)
	flow := filepath.Join(dir, "flow.wf")
	require.NoError(t, os.WriteFile(flow, []byte(`
workflow two_calls {
  on manual(base: string)

  run http.post("${base}/first", json: {}, idempotency_key: true)
  run http.post("${base}/second", json: {}, idempotency_key: true)
  log "both done"
}
`), 0o644))
	storePath := filepath.Join(dir, ".wf", "wf.db")
	wf := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append(args, "--store", storePath)...)
		cmd.Env = append(os.Environ(), "WF_TEST_AS_WF=1", "NO_COLOR=1")
		return cmd
	}
	run := wf("run", flow, "-i", "base="+srv.URL, "--allow-loopback")
	require.NoError(t, run.Start())
	<-inFlight
	require.NoError(t, run.Process.Kill())
	_ = run.Wait()

	out, err := wf("runs", "list", "--json").Output()
	require.NoError(t, err)
	var runs []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal(out, &runs), "%s", out)
	require.Len(t, runs, 1)
	assert.Equal(t, "interrupted", runs[0].Status)

	out, err = wf("run", "--resume", runs[0].ID, "--allow-loopback", "--json").CombinedOutput()
	require.NoError(t, err, "%s", out)
	var rec struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Steps  []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"steps"`
	}
	require.NoError(t, json.Unmarshal(out, &rec), "%s", out)
	assert.Equal(t, runs[0].ID, rec.ID, "the same run continued")
	assert.Equal(t, "completed", rec.Status)
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, keys["/first"], 1, "the finished step was not performed again")
	require.Len(t, keys["/second"], 2, "the step in flight was performed again")
	assert.Equal(t, keys["/second"][0], keys["/second"][1], "with the same idempotency key")
}
