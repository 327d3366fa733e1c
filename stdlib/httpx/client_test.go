package httpx

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seen is what the test server observed of one request.
type seen struct {
	method, path, rawQuery, contentType, body string
	header                                    http.Header
}

func recordingServer(t *testing.T, status int, respType, respBody string) (string, *seen) {
	t.Helper()
	got := &seen{}
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(b), r.Header.Clone()}
		if respType != "" {
			w.Header().Set("Content-Type", respType)
		}
		w.WriteHeader(status)
		io.WriteString(w, respBody)
	})
	return srv.URL, got
}

func TestDoSendsEveryMethod(t *testing.T) {
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "post"} {
		t.Run(method, func(t *testing.T) {
			url, got := recordingServer(t, 200, "text/plain", "hello")
			c, _ := newTestClient()
			resp, err := c.Do(context.Background(), Request{Method: method, URL: url + "/x"})
			require.NoError(t, err)
			assert.Equal(t, strings.ToUpper(method), got.method)
			assert.Equal(t, "/x", got.path)
			assert.Equal(t, 200, resp.Status)
			assert.Equal(t, 1, resp.Attempts)
			if strings.ToUpper(method) == "HEAD" {
				assert.Empty(t, resp.Body)
			} else {
				assert.Equal(t, "hello", resp.Body)
			}
		})
	}
}

func TestDoSendsHeadersAndQuery(t *testing.T) {
	url, got := recordingServer(t, 204, "", "")
	c, _ := newTestClient()
	_, err := c.Do(context.Background(), Request{
		Method:  "GET",
		URL:     url + "/score?keep=1",
		Headers: map[string]string{"X-Key": "k1", "Accept": "application/json", "User-Agent": "custom"},
		Query:   map[string]string{"name": "Jane Doe & co", "city": "Zürich", "q": "a=b"},
	})
	require.NoError(t, err)
	assert.Equal(t, "keep=1&city=Z%C3%BCrich&name=Jane+Doe+%26+co&q=a%3Db", got.rawQuery)
	assert.Equal(t, "k1", got.header.Get("X-Key"))
	assert.Equal(t, "application/json", got.header.Get("Accept"))
	assert.Equal(t, "custom", got.header.Get("User-Agent"))
	assert.Empty(t, got.header.Get(signatureHeader))
}

func TestDoSendsDefaultUserAgent(t *testing.T) {
	url, got := recordingServer(t, 200, "", "")
	c, _ := newTestClient()
	_, err := c.Do(context.Background(), Request{URL: url})
	require.NoError(t, err)
	assert.Equal(t, "GET", got.method)
	assert.Equal(t, userAgent, got.header.Get("User-Agent"))
}

func TestDoSendsJSONBody(t *testing.T) {
	url, got := recordingServer(t, 200, "", "")
	c, _ := newTestClient()
	body := map[string]any{"id": "inq_1", "n": int64(3), "html": "<b>&</b>", "tags": []any{"a", nil, true}}
	_, err := c.Do(context.Background(), Request{Method: "POST", URL: url, JSON: body})
	require.NoError(t, err)
	assert.Equal(t, "application/json", got.contentType)
	assert.Equal(t, `{"html":"<b>&</b>","id":"inq_1","n":3,"tags":["a",null,true]}`, got.body)
}

func TestDoSendsTextBody(t *testing.T) {
	url, got := recordingServer(t, 200, "", "")
	c, _ := newTestClient()
	_, err := c.Do(context.Background(), Request{Method: "PUT", URL: url, Body: strPtr("plain text")})
	require.NoError(t, err)
	assert.Equal(t, "text/plain; charset=utf-8", got.contentType)
	assert.Equal(t, "plain text", got.body)
}

func TestDoHeaderOverridesContentType(t *testing.T) {
	url, got := recordingServer(t, 200, "", "")
	c, _ := newTestClient()
	_, err := c.Do(context.Background(), Request{Method: "PATCH", URL: url, Body: strPtr("<x/>"),
		Headers: map[string]string{"Content-Type": "application/xml"}})
	require.NoError(t, err)
	assert.Equal(t, "application/xml", got.contentType)
	assert.Equal(t, "PATCH", got.method)
}

func TestDoParsesJSONResponse(t *testing.T) {
	url, _ := recordingServer(t, 422, "application/json; charset=utf-8",
		`{"score": 87, "ratio": 0.5, "big": 1e3, "flags": [1, "x", false], "nested": {"n": null}}`)
	c, _ := newTestClient()
	resp, err := c.Do(context.Background(), Request{URL: url})
	require.NoError(t, err, "a 4xx status is not an error")
	assert.Equal(t, 422, resp.Status)
	assert.Equal(t, map[string]any{
		"score": int64(87), "ratio": 0.5, "big": 1000.0,
		"flags":  []any{int64(1), "x", false},
		"nested": map[string]any{"n": nil},
	}, resp.JSON)
	assert.Equal(t, "application/json; charset=utf-8", resp.Headers["Content-Type"])
}

func TestDoJoinsRepeatedHeaders(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("x-trace", "a")
		w.Header().Add("X-Trace", "b")
	})
	c, _ := newTestClient()
	resp, err := c.Do(context.Background(), Request{URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, "a, b", resp.Headers["X-Trace"])
}

func TestResponseValue(t *testing.T) {
	r := &Response{Status: 201, Headers: map[string]string{"X-A": "1"}, Body: `{"a":1}`,
		JSON: map[string]any{"a": int64(1)}}
	v := r.Value()
	assert.Equal(t, map[string]any{
		"status": int64(201), "headers": map[string]any{"X-A": "1"},
		"body": `{"a":1}`, "json": map[string]any{"a": int64(1)},
	}, v)
	_, err := json.Marshal(v)
	assert.NoError(t, err)
}

func TestDoRejectsBadInput(t *testing.T) {
	c, _ := newTestClient()
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"negative timeout", Request{Method: "POST", URL: "http://x.test", Timeout: -time.Second},
			"http.post: timeout must be positive, got -1s"},
		{"bad url", Request{URL: "ht!tp://"}, `http.get: invalid url "ht!tp://"`},
		{"ftp", Request{URL: "ftp://x.test/f"}, `http.get: unsupported scheme "ftp" in url "ftp://x.test/f"; use http or https`},
		{"no host", Request{URL: "http:///path"}, `http.get: url "http:///path" has no host`},
		{"relative", Request{URL: "/path"}, `http.get: unsupported scheme "" in url "/path"; use http or https`},
		{"method", Request{Method: "BREW", URL: "http://x.test"},
			`http.request: unsupported method "BREW"; use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`},
		{"name kept", Request{Name: "http.request", Method: "POST", URL: "ftp://x"},
			`http.request: unsupported scheme "ftp" in url "ftp://x"; use http or https`},
		{"both bodies", Request{Method: "POST", URL: "http://x.test", JSON: 1, Body: strPtr("x")},
			"http.post: json and body are exclusive"},
		{"body on get", Request{URL: "http://x.test", JSON: map[string]any{}}, "http.get: GET requests take no body"},
		{"header name", Request{URL: "http://x.test", Headers: map[string]string{"X Key": "v"}},
			`http.get: invalid header name "X Key"`},
		{"header value", Request{URL: "http://x.test", Headers: map[string]string{"X-Key": "secret\r\nX-Evil: 1"}},
			`http.get: invalid value for header "X-Key": control characters`},
		{"retries low", Request{URL: "http://x.test", Retries: -1}, "http.get: retries must be between 0 and 10, got -1"},
		{"retries high", Request{URL: "http://x.test", Retries: 11}, "http.get: retries must be between 0 and 10, got 11"},
		{"backoff", Request{URL: "http://x.test", Backoff: -time.Second}, "http.get: backoff must not be negative, got -1s"},
		{"retry_on", Request{URL: "http://x.test", RetryOn: []int{503, 200}},
			"http.get: retry_on statuses must be between 400 and 599, got 200"},
		{"json", Request{Method: "POST", URL: "http://x.test", JSON: map[string]any{"f": func() {}}},
			"http.post: cannot encode json body: json: unsupported type: func()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Do(context.Background(), tt.req)
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

func TestCheckTimeout(t *testing.T) {
	assert.EqualError(t, CheckTimeout("http.post", 0), "http.post: timeout must be positive, got 0s")
	assert.NoError(t, CheckTimeout("http.post", time.Millisecond))
}

func TestMaxRetriesIsConfigurable(t *testing.T) {
	c, _ := newTestClient(func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err := c.Do(context.Background(), Request{URL: "http://x.test", Retries: 3})
	assert.EqualError(t, err, "http.get: retries must be between 0 and 2, got 3")
}
