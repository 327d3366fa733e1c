package httpx

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    any
	}{
		{"object any type", "text/plain", `{"a": 1}`, map[string]any{"a": int64(1)}},
		{"array any type", "", ` [1, 2.5] `, []any{int64(1), 2.5}},
		{"scalar with json type", "application/json", `42`, int64(42)},
		{"string with json type", "application/json", `"ok"`, "ok"},
		{"vendor json type", "application/vnd.api+json", `true`, true},
		{"scalar without json type", "text/plain", `42`, nil},
		{"slack ok", "text/html", `ok`, nil},
		{"invalid with json type", "application/json", `{"a":`, nil},
		{"trailing data", "application/json", `{"a":1} {"b":2}`, nil},
		{"empty", "application/json", ``, nil},
		{"huge integer is float", "application/json", `12345678901234567890`, 12345678901234567890.0},
		{"out of range float", "application/json", `[1e400]`, nil},
		{"negative and exponent", "application/json", `[-7, 2E2]`, []any{int64(-7), 200.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseJSON([]byte(tt.body), tt.contentType))
		})
	}
}

func TestFormatBytes(t *testing.T) {
	assert.Equal(t, "10 MiB", formatBytes(DefaultMaxResponseBytes))
	assert.Equal(t, "1 KiB", formatBytes(1024))
	assert.Equal(t, "1000 bytes", formatBytes(1000))
	assert.Equal(t, "1536 KiB", formatBytes(1536*1024))
}

func TestResponseSizeCap(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		chunked bool
		wantErr bool
	}{
		{"at the limit", 1024, false, false},
		{"over with length", 1025, false, true},
		{"over chunked", 4096, true, true},
		{"at the limit chunked", 1024, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.chunked {
					w.WriteHeader(200)
					w.(http.Flusher).Flush()
				}
				w.Write([]byte(strings.Repeat("x", tt.size)))
			})
			c, fs := newTestClient(func(cfg *Config) { cfg.MaxResponseBytes = 1024 })
			resp, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 2})
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, resp.Body, tt.size)
				return
			}
			assert.EqualError(t, err, "http.get: response larger than 1 KiB")
			assert.Nil(t, resp)
			assert.Empty(t, fs.recorded(), "an oversized response is not retried")
		})
	}
}

func TestHeadOfLargeResourceIsNotTooLarge(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
	})
	c, _ := newTestClient(func(cfg *Config) { cfg.MaxResponseBytes = 1024 })
	resp, err := c.Do(context.Background(), Request{Method: "HEAD", URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, "5000", resp.Headers["Content-Length"])
}
