package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/service"
	"github.com/wf-lang/wf/service/console"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// The test server: `wf serve` as cmd/wf assembles it (engine, service,
// console mounted at /, an http.Server from the service) on a loopback
// port, with the workflows of testdata/e2e, a webhook secret and an API
// token.

const webhookSecret = "whsec_console_test"

type testServer struct {
	URL   string
	Token string
	Eng   *runtime.Engine
	Svc   *service.Service
	// Risk is the outside risk service risk.wf calls: it answers 503 while
	// RiskDown is set.
	RiskDown atomic.Bool
}

// startServer serves testdata/e2e until the test ends.
func startServer(t testing.TB) *testServer {
	return startServerWith(t, filepath.Join("testdata", "e2e"), "")
}

// startServerWith serves the .wf files of src (with "http://127.0.0.1:1"
// pointing at the risk service), with Lists and Persona objects from a
// fixtures file when one is given.
func startServerWith(t testing.TB, src, fixtures string) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.RiskDown.Store(true)
	risk := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ts.RiskDown.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"score": 42, "account": %q}`, r.URL.Query().Get("account"))
	})}
	riskLn, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = risk.Serve(riskLn) }()
	t.Cleanup(func() { _ = risk.Close() })

	dir := t.TempDir()
	files := filepath.Join(dir, "workflows")
	require.NoError(t, os.MkdirAll(files, 0o755))
	names, err := filepath.Glob(filepath.Join(src, "*.wf"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names {
		text, err := os.ReadFile(name)
		require.NoError(t, err)
		text = bytes.ReplaceAll(text, []byte("http://127.0.0.1:1"), []byte("http://"+riskLn.Addr().String()))
		require.NoError(t, os.WriteFile(filepath.Join(files, filepath.Base(name)), text, 0o644))
	}
	ctx := context.Background()
	eng, err := runtime.Open(ctx, runtime.Config{Store: filepath.Join(dir, "wf.db"), Kind: "serve",
		HTTP: httpx.Config{AllowLoopback: true}})
	require.NoError(t, err)
	if fixtures != "" {
		_, _, err = eng.LoadFixtures(ctx, fixtures)
		require.NoError(t, err)
	} else {
		_, err = eng.Lists.Create(ctx, "blocked-ips", mustKind("ip_address"))
		require.NoError(t, err)
		_, err = eng.Lists.Add(ctx, "blocked-ips", "198.51.100.0/24", nil)
		require.NoError(t, err)
	}
	svc, err := service.New(eng, service.Config{Dir: files, Webhooks: map[string][]string{"": {webhookSecret}},
		Reload: -1, Workers: 4})
	require.NoError(t, err)
	con, err := console.New(svc, console.Options{})
	require.NoError(t, err)
	svc.Mount(con)
	require.NoError(t, svc.Start(ctx))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := svc.NewServer()
	srv.RegisterOnShutdown(con.Close)
	go func() { _ = svc.Serve(srv, ln) }()
	_, secret, err := service.NewToken(ctx, eng.Store, "reviewer")
	require.NoError(t, err)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		svc.Shutdown(sctx)
		_ = eng.Close()
	})
	ts.URL, ts.Token, ts.Eng, ts.Svc = "http://"+ln.Addr().String(), secret, eng, svc
	return ts
}

// inquiryEvent is a signed-off Persona inquiry.completed webhook body.
func inquiryEvent(eventID, inquiryID, ip, firstName string) []byte {
	return []byte(fmt.Sprintf(`{"data": {"type": "event", "id": %q, "attributes": {
  "name": "inquiry.completed", "created-at": "2026-11-20T11:15:00.000Z",
  "payload": {"data": {"type": "inquiry", "id": %q, "attributes": {
    "status": "completed", "name-first": %q, "ip-address": %q, "fields": {}},
    "relationships": {"inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_kyc"}}}}}}}}`,
		eventID, inquiryID, firstName, ip))
}

// sendEvent posts a webhook signed with secret and waits until the runs it
// started have run.
func (ts *testServer) sendEvent(t testing.TB, body []byte, secret string) int {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+"/webhooks/persona", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Persona-Signature", httpx.Sign(secret, time.Now(), body))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	ts.drain(t)
	return res.StatusCode
}

func (ts *testServer) drain(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, ts.Svc.Drain(ctx))
}

// apiRun starts a run through the API and waits for it to end; it returns
// the run's id and status.
func (ts *testServer) apiRun(t testing.TB, workflow string, inputs map[string]any) (string, string) {
	t.Helper()
	body, err := json.Marshal(inputs)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", ts.URL+"/v1/workflows/"+workflow+"/runs?wait=20s", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ts.Token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var rec struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&rec))
	require.NotEmpty(t, rec.ID, "status %d", res.StatusCode)
	ts.drain(t)
	return rec.ID, rec.Status
}

// startRun starts a run through the API without waiting for its end, and
// waits until it has run as far as it can (ended or parked).
func (ts *testServer) startRun(t testing.TB, workflow string, inputs map[string]any) string {
	t.Helper()
	body, err := json.Marshal(inputs)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", ts.URL+"/v1/workflows/"+workflow+"/runs", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+ts.Token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var ans struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&ans))
	require.NotEmpty(t, ans.ID, "status %d", res.StatusCode)
	ts.drain(t)
	return ans.ID
}

// client is a logged-in HTTP client (cookies kept, redirects not
// followed) and the session's CSRF token.
func (ts *testServer) client(t testing.TB) (*http.Client, string) {
	t.Helper()
	return loginAt(t, ts.URL, ts.Token)
}

func loginAt(t testing.TB, base, token string) (*http.Client, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := getAt(t, c, base, "/login")
	form := url.Values{"csrf": {hiddenValue(t, page, "csrf")}, "token": {token}, "next": {"/runs"}}
	res := postAt(t, c, base, "/login", form)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	return c, hiddenValue(t, getAt(t, c, base, "/runs"), "csrf")
}

func (ts *testServer) get(t testing.TB, c *http.Client, path string) string {
	t.Helper()
	return getAt(t, c, ts.URL, path)
}

func getAt(t testing.TB, c *http.Client, base, path string) string {
	t.Helper()
	res, err := c.Get(base + path)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// post sends a form as a browser on the same origin would.
func (ts *testServer) post(t testing.TB, c *http.Client, path string, form url.Values) *http.Response {
	t.Helper()
	return postAt(t, c, ts.URL, path, form)
}

func postAt(t testing.TB, c *http.Client, base, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res
}

// pages is a second console of the same service with pages of two runs,
// logged in.
type pages struct {
	url string
	c   *http.Client
}

func startSmallPages(t testing.TB, ts *testServer) *pages {
	con, err := console.New(ts.Svc, console.Options{PageSize: 2})
	require.NoError(t, err)
	srv := httptest.NewServer(con)
	t.Cleanup(srv.Close)
	t.Cleanup(con.Close)
	c, _ := loginAt(t, srv.URL, ts.Token)
	return &pages{url: srv.URL, c: c}
}

func (p *pages) get(t testing.TB, path string) string { return getAt(t, p.c, p.url, path) }

// hrefOf is the link of the <a> with the attribute attr in a page.
func hrefOf(t testing.TB, page, attr string) string {
	t.Helper()
	i := strings.Index(page, attr)
	require.GreaterOrEqual(t, i, 0, "no %s in the page", attr)
	m := regexp.MustCompile(`href="([^"]*)"`).FindStringSubmatch(page[i:])
	require.NotNil(t, m)
	return html.UnescapeString(m[1])
}

var hiddenRE = regexp.MustCompile(`name="(\w+)" value="([^"]*)"`)

// hiddenValue finds a form field's value in a page.
func hiddenValue(t testing.TB, page, name string) string {
	t.Helper()
	for _, m := range hiddenRE.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	t.Fatalf("no field %s in the page:\n%s", name, page)
	return ""
}

func storeFilter(workflow, status string) store.RunFilter {
	return store.RunFilter{Workflow: workflow, Status: status}
}
