package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/queue"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
	"github.com/wf-lang/wf/service"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// t0 is the fake clock's start: a Wednesday.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

const secret = "wbhsec_test_secret"

// harness is a real service on a loopback port, over a temporary store, on
// a fake clock.
type harness struct {
	t      *testing.T
	dir    string // the served folder
	store  string // the store: a file, or a PostgreSQL schema (see storeFor)
	local  string // the folder of secrets.env
	clock  *interp.FakeClock
	eng    *runtime.Engine
	svc    *service.Service
	srv    *httptest.Server
	token  string
	logs   *bytes.Buffer
	config service.Config
	// cleanup marks the current start as stopped.
	cleanup func()
}

// storeFor is the store of a test: a SQLite file under root, or, with
// WF_TEST_SERVICE_STORE=postgres, a new PostgreSQL schema served with the River
// queue (the whole suite runs on either: .ci/run runs it on both).
func storeFor(t *testing.T, root string) string {
	t.Helper()
	if os.Getenv("WF_TEST_SERVICE_STORE") == "postgres" {
		return pgtest.URL(t)
	}
	return filepath.Join(root, ".wf", "wf.db")
}

// files maps names to the .wf sources to serve.
func newHarness(t *testing.T, files map[string]string) *harness {
	return startHarness(t, files, &bytes.Buffer{}, "")
}

// newQuietHarness keeps no log (for tests that start many runs and measure
// memory).
func newQuietHarness(t *testing.T, files map[string]string) *harness {
	return startHarness(t, files, nil, "")
}

// startHarness starts a harness over store ("": see storeFor).
func startHarness(t *testing.T, files map[string]string, logs *bytes.Buffer, store string) *harness {
	t.Helper()
	root := t.TempDir()
	if store == "" {
		store = storeFor(t, root)
	}
	h := &harness{t: t, dir: filepath.Join(root, "flows"), store: store, local: filepath.Join(root, ".wf"),
		clock: interp.NewFakeClock(t0), logs: logs}
	require.NoError(t, os.MkdirAll(h.dir, 0o755))
	for name, src := range files {
		h.write(name, src)
	}
	h.config = service.Config{Webhooks: map[string][]string{"": {secret}}, Reload: -1, Workers: 4}
	h.start()
	return h
}

func (h *harness) write(name, src string) {
	h.t.Helper()
	require.NoError(h.t, os.WriteFile(filepath.Join(h.dir, name), []byte(src), 0o644))
}

// start opens the engine and the service (again, after stop: a restart).
func (h *harness) start() {
	t := h.t
	t.Helper()
	secrets := filepath.Join(h.local, "secrets.env")
	require.NoError(t, os.MkdirAll(filepath.Dir(secrets), 0o755))
	s, err := runtime.LoadSecrets(secrets, false)
	require.NoError(t, err)
	// Heartbeats run on a real ticker but are stamped with the fake clock:
	// an hour apart, none comes during a test, and LastBeat stays at start.
	h.eng, err = runtime.Open(context.Background(), runtime.Config{Store: h.store, Clock: h.clock, Kind: "serve",
		Heartbeat: time.Hour, Secrets: s, HTTP: httpx.Config{AllowLoopback: true, Sleep: func(context.Context, time.Duration) error { return nil }}})
	require.NoError(t, err)
	cfg := h.config
	cfg.Queue, err = queue.ForStore(h.eng.Store, queue.RiverOptions{ID: h.eng.Instance(), Workers: cfg.Workers, Now: h.clock.Now})
	require.NoError(t, err)
	cfg.Dir = h.dir
	cfg.Logger = slog.New(slog.DiscardHandler)
	if h.logs != nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
		if h.logs != nil {
			cfg.Logger = slog.New(slog.NewTextHandler(h.logs, nil))
		}
	}
	h.svc, err = service.New(h.eng, cfg)
	require.NoError(t, err)
	require.NoError(t, h.svc.Start(context.Background()))
	h.srv = httptest.NewServer(h.svc.Handler())
	if h.token == "" {
		_, h.token, err = service.NewToken(context.Background(), h.eng.Store, "test")
		require.NoError(t, err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			h.stop()
		}
	})
	h.cleanup = func() { stopped = true }
}

// stop shuts the service down and closes the engine (a clean stop).
func (h *harness) stop() {
	h.cleanup()
	h.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.svc.Shutdown(ctx)
	require.NoError(h.t, h.eng.Close())
}

func (h *harness) restart() {
	h.stop()
	h.start()
}

// drain waits until the workers have nothing left. The bound is generous: on PostgreSQL
// with River, on a loaded CI machine, 2,000 runs (TestParkedRunsHoldNoGoroutinesOrMemory)
// took longer than 20 s.
func (h *harness) drain() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.NoError(h.t, h.svc.Drain(ctx))
}

// tick runs a scheduler pass at the fake clock's time and drains.
func (h *harness) tick() {
	h.t.Helper()
	require.NoError(h.t, h.svc.Tick(context.Background()))
	h.drain()
}

// advance moves the fake clock on and runs the scheduler.
func (h *harness) advance(d time.Duration) {
	h.clock.Advance(d)
	h.tick()
}

// sign returns a Persona-Signature for body at the fake clock's time.
func (h *harness) sign(body []byte, secrets ...string) string {
	if len(secrets) == 0 {
		secrets = []string{secret}
	}
	var sets []string
	for _, s := range secrets {
		sets = append(sets, httpx.Sign(s, h.clock.Now(), body))
	}
	return strings.Join(sets, " ")
}

// webhook posts body with the given signature header.
func (h *harness) webhook(body []byte, signature string) (int, map[string]any) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/webhooks/persona", bytes.NewReader(body))
	require.NoError(h.t, err)
	if signature != "" {
		req.Header.Set("Persona-Signature", signature)
	}
	return h.do(req)
}

// send posts a correctly signed webhook and drains.
func (h *harness) send(body []byte) map[string]any {
	h.t.Helper()
	code, resp := h.webhook(body, h.sign(body))
	require.Equal(h.t, http.StatusOK, code, "%v", resp)
	h.drain()
	return resp
}

// api calls the API with the harness's token.
func (h *harness) api(method, path string, body any, headers ...string) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(h.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	require.NoError(h.t, err)
	req.Header.Set("Authorization", "Bearer "+h.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) (int, map[string]any) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	var out map[string]any
	if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(h.t, json.Unmarshal(data, &out), "%s", data)
	}
	return resp.StatusCode, out
}

// run reads a run through the API.
func (h *harness) run(id string) map[string]any {
	h.t.Helper()
	code, rec := h.api(http.MethodGet, "/v1/runs/"+id, nil)
	require.Equal(h.t, http.StatusOK, code, "%v", rec)
	return rec
}

// runs lists runs through the API with a query.
func (h *harness) runs(query string) []map[string]any {
	h.t.Helper()
	code, resp := h.api(http.MethodGet, "/v1/runs?"+query, nil)
	require.Equal(h.t, http.StatusOK, code, "%v", resp)
	var out []map[string]any
	for _, r := range resp["runs"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// steps returns a run record's steps by name (the last of each name).
func steps(rec map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, s := range rec["steps"].([]any) {
		st := s.(map[string]any)
		out[st["name"].(string)] = st
	}
	return out
}

// event builds a Persona webhook body for an inquiry event.
func event(id, name, inquiry string, attrs map[string]any) []byte {
	a := map[string]any{"status": "completed"}
	for k, v := range attrs {
		a[k] = v
	}
	body := map[string]any{"data": map[string]any{"type": "event", "id": id, "attributes": map[string]any{
		"name": name, "created-at": t0.Format(time.RFC3339),
		"payload": map[string]any{"data": map[string]any{"type": "inquiry", "id": inquiry, "attributes": a}},
	}}}
	b, _ := json.Marshal(body)
	return b
}

// newSink starts a loopback HTTP server and returns its URL.
func newSink(t *testing.T, f http.HandlerFunc) string {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}
