package httpx_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
)

// env provides an HTTP client and one secret to runs.
type env struct{ client *httpx.Client }

func (e *env) HTTP() *httpx.Client { return e.client }

func (e *env) Secret(name string) (string, bool) {
	if name == "HOOK_SECRET" {
		return "whsec_test_secret", true
	}
	return "", false
}

func library() *builtin.Library { return builtin.NewLibrary(core.Module(), httpx.Module()) }

// newEnv returns a client allowed to reach loopback, on the test clock,
// whose waits return at once.
func newEnv(loopback bool) *env {
	return &env{client: httpx.New(httpx.Config{
		AllowLoopback: loopback,
		Sleep:         func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		Now:           func() time.Time { return wftest.Epoch },
		Rand:          func() float64 { return 0.5 },
	})}
}

// seen is what the server received.
type seen struct {
	method, path, query, body string
	header                    http.Header
}

// server answers with the statuses in order (the last one repeats) and
// records every request.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	requests []seen
	statuses []int
}

func newServer(t *testing.T, statuses ...int) *server {
	s := &server{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, seen{r.Method, r.URL.Path, r.URL.RawQuery, string(b), r.Header.Clone()})
		status := 200
		if len(s.statuses) > 0 {
			status = s.statuses[min(len(s.requests), len(s.statuses))-1]
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Trace", "t1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"zeta": 1, "alpha": {"ok": true}, "n": 2.5}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) got() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.requests...)
}

// run runs `body` in a workflow with the server's URL bound to `url`.
func run(t *testing.T, e *env, srv *server, body string) (*interp.RunResult, *interp.MemHost) {
	t.Helper()
	p := wftest.Load(t, library(), "workflow w {\n  on manual(url: string)\n\n  "+body+"\n}")
	return wftest.Run(p, "w", wftest.Trigger(map[string]any{"url": srv.URL}), e)
}

func TestGetReturnsStatusHeadersBodyAndOrderedJSON(t *testing.T) {
	srv := newServer(t)
	res, _ := run(t, newEnv(true), srv, `
  let r = run http.get("${url}/score", query: {id: "inq_1", n: 2}, headers: {"X-Api-Key": "k1"})
  output {status: r.status, trace: r.headers["X-Trace"], keys: r.json.keys(), ok: r.json.alpha.ok, n: r.json.n, body: r.body}`)
	assert.EqualValues(t, 200, wftest.Output(t, res, "status"))
	assert.Equal(t, "t1", wftest.Output(t, res, "trace"))
	assert.Equal(t, []any{"zeta", "alpha", "n"}, interp.ToGo(wftest.Output(t, res, "keys")), "json keeps the body's order")
	assert.Equal(t, true, wftest.Output(t, res, "ok"))
	assert.Equal(t, 2.5, wftest.Output(t, res, "n"))
	assert.Equal(t, `{"zeta": 1, "alpha": {"ok": true}, "n": 2.5}`, wftest.Output(t, res, "body"))
	reqs := srv.got()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].method)
	assert.Equal(t, "/score", reqs[0].path)
	assert.Equal(t, "id=inq_1&n=2", reqs[0].query)
	assert.Equal(t, "k1", reqs[0].header.Get("X-Api-Key"))
}

func TestBodiesAndSignature(t *testing.T) {
	cases := []struct {
		call, method, body, contentType string
	}{
		{`http.post(url, json: {z: 1, a: [true, null], "b<c": "x&y"}, sign: secret("HOOK_SECRET"))`, "POST",
			`{"z":1,"a":[true,null],"b<c":"x&y"}`, "application/json"},
		{`http.put(url, body: "plain text", sign: secret("HOOK_SECRET"))`, "PUT", "plain text", "text/plain; charset=utf-8"},
		{`http.patch(url, json: [1, 2], sign: secret("HOOK_SECRET"))`, "PATCH", "[1,2]", "application/json"},
		{`http.delete(url, sign: secret("HOOK_SECRET"))`, "DELETE", "", ""},
		{`http.request("OPTIONS", url, sign: secret("HOOK_SECRET"))`, "OPTIONS", "", ""},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			srv := newServer(t)
			res, _ := run(t, newEnv(true), srv, "let r = run "+c.call+"\n  output {status: r.status}")
			assert.EqualValues(t, 200, wftest.Output(t, res, "status"))
			reqs := srv.got()
			require.Len(t, reqs, 1)
			assert.Equal(t, c.method, reqs[0].method)
			assert.Equal(t, c.body, reqs[0].body, "the body keeps the workflow's map order")
			assert.Equal(t, c.contentType, reqs[0].header.Get("Content-Type"))
			assert.Equal(t, httpx.Sign("whsec_test_secret", wftest.Epoch, []byte(c.body)), reqs[0].header.Get("Persona-Signature"))
		})
	}
}

func TestNon2xxIsAResultNotAnError(t *testing.T) {
	srv := newServer(t, 404)
	res, host := run(t, newEnv(true), srv, `let r = run http.get(url)
  output {status: r.status}`)
	assert.EqualValues(t, 404, wftest.Output(t, res, "status"))
	assert.Equal(t, interp.StepCompleted, host.Steps[0].Status)
}

func TestRetries(t *testing.T) {
	srv := newServer(t, 503, 503, 200)
	res, _ := run(t, newEnv(true), srv, `let r = run http.post(url, json: {}, retries: 2, backoff: 1s)
  output {status: r.status}`)
	assert.EqualValues(t, 200, wftest.Output(t, res, "status"))
	assert.Len(t, srv.got(), 3)

	srv = newServer(t, 500, 200)
	res, _ = run(t, newEnv(true), srv, `let r = run http.get(url, retries: 1, retry_on: [500])
  output {status: r.status}`)
	assert.EqualValues(t, 200, wftest.Output(t, res, "status"), "retry_on chooses the statuses")

	srv = newServer(t, 503)
	res, _ = run(t, newEnv(true), srv, `run http.get(url, retries: 1)`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "http.get: status 503 after 2 attempts")
	assert.Equal(t, interp.KindStep, res.Err.Kind)
}

func TestBadArgumentsAreNotRetried(t *testing.T) {
	cases := []struct{ call, want string }{
		{`http.post(url, timeout: 0s)`, "http.post: timeout must be positive, got 0s"},
		{`http.get(url, retries: 11)`, "http.get: retries must be between 0 and 10, got 11"},
		{`http.get(url, retry_on: [200])`, "http.get: retry_on[0] must be a status from 400 to 599, got 200"},
		{`http.get(url, headers: {x: [1]})`, "http.get: headers.x must be text, got list"},
		{`http.post(url, json: {a: 1}, body: "b")`, "http.post: json and body are exclusive"},
		{`http.request("FETCH", url)`, `http.request: unsupported method "FETCH"`},
		{`http.get("ftp://example.com/x")`, `http.get: unsupported scheme "ftp"`},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			srv := newServer(t)
			res, host := run(t, newEnv(true), srv, "run "+c.call+" with {retries: 3}")
			require.NotNil(t, res.Err)
			assert.Contains(t, res.Err.Msg, c.want)
			assert.Equal(t, 1, host.Steps[0].Attempts)
			assert.Empty(t, srv.got(), "nothing was sent")
		})
	}
}

func TestRefusedAddressIsPermanent(t *testing.T) {
	srv := newServer(t)
	res, host := run(t, newEnv(false), srv, `run http.get(url) with {retries: 3}`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "http.get: ")
	assert.Contains(t, res.Err.Msg, "--allow-loopback")
	assert.Equal(t, 1, host.Steps[0].Attempts)
	assert.Empty(t, srv.got())
}

func TestCheckRules(t *testing.T) {
	cases := map[string]string{
		`http.get("https://example.com")`:                   "http.get is an action: call it with run",
		`run http.get("https://example.com", json: {a: 1})`: "http.get has no parameter json",
		`run http.delete("https://example.com", json: {})`:  "http.delete has no parameter json",
		`run http.get("https://example.com", body: "x")`:    "http.get has no parameter body",
		`run http.post("https://example.com", timeout: 5)`:  "http.post: timeout must be",
		`run http.request("https://example.com")`:           "http.request: missing argument url",
	}
	for body, want := range cases {
		diags := wftest.Check(library(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
		if assert.True(t, diags.HasErrors(), body) {
			assert.Contains(t, diags.Err().Error(), want)
		}
	}
}

func TestMissingClient(t *testing.T) {
	p := wftest.Load(t, library(), "workflow w {\n  on manual()\n\n  run http.get(\"https://example.com\")\n}")
	res, _ := wftest.Run(p, "w", nil, struct{}{})
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "http.get: no HTTP client is configured for this run")
}

// The result converts to the JSON a record stores.
func TestResultEncodes(t *testing.T) {
	srv := newServer(t, 201)
	res, _ := run(t, newEnv(true), srv, `let r = run http.get(url)
  output {r: r}`)
	b, err := interp.MarshalJSON(wftest.Output(t, res, "r"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.EqualValues(t, 201, m["status"])
	assert.Contains(t, m, "headers")
	assert.Contains(t, m, "body")
	assert.Contains(t, m, "json")
}
