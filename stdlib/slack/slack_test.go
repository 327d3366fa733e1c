package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/stdlib/httpx"
)

// captured is one request the fake Slack saw.
type captured struct {
	method, path, auth, contentType string
	body                            map[string]any
}

// fakeSlack answers each request with the next reply and records what it saw.
type fakeSlack struct {
	mu      sync.Mutex
	seen    []captured
	replies []reply
}

type reply struct {
	status     int
	retryAfter string
	body       string
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	f.mu.Lock()
	n := len(f.seen)
	f.seen = append(f.seen, captured{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
	rep := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	if strings.HasPrefix(rep.body, "{") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/html")
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func newFake(t *testing.T, replies ...reply) (*fakeSlack, string) {
	t.Helper()
	f := &fakeSlack{replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// newClient returns a loopback-allowed client whose waits are recorded, not slept.
func newClient(waits *[]time.Duration) *httpx.Client {
	return httpx.New(httpx.Config{
		AllowLoopback: true,
		Now:           func() time.Time { return time.Unix(1709686052, 0) },
		Rand:          func() float64 { return 0.5 },
		Sleep: func(ctx context.Context, d time.Duration) error {
			*waits = append(*waits, d)
			return ctx.Err()
		},
	})
}

func TestPostSendsWebhook(t *testing.T) {
	f, base := newFake(t, reply{200, "", "ok"})
	var waits []time.Duration
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*hi*"}}}
	got, err := Post(context.Background(), newClient(&waits), base+"/services/T0/B0/XYZ", "Inquiry inq_1 needs review", blocks)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ok": true}, got)
	require.Len(t, f.seen, 1)
	s := f.seen[0]
	assert.Equal(t, "POST", s.method)
	assert.Equal(t, "/services/T0/B0/XYZ", s.path)
	assert.Equal(t, "application/json", s.contentType)
	assert.Empty(t, s.auth)
	assert.Equal(t, map[string]any{"text": "Inquiry inq_1 needs review", "blocks": []any{
		map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*hi*"}},
	}}, s.body)
}

func TestPostWithoutBlocksOmitsThem(t *testing.T) {
	f, base := newFake(t, reply{200, "", "ok"})
	var waits []time.Duration
	_, err := Post(context.Background(), newClient(&waits), base+"/hook", "plain", nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"text": "plain"}, f.seen[0].body)
}

func TestPostErrors(t *testing.T) {
	tests := []struct {
		name    string
		replies []reply
		calls   int
		want    string
	}{
		{"no service", []reply{{404, "", "no_service"}}, 1, "slack.post: 404 no_service"},
		{"invalid payload", []reply{{400, "", "invalid_payload\nmore detail"}}, 1, "slack.post: 400 invalid_payload"},
		{"server error not retried", []reply{{500, "", ""}}, 1, "slack.post: 500 internal server error"},
		{"rate limited out", []reply{{429, "1", "rate_limited"}}, 3, "slack.post: 429 rate_limited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := newFake(t, tt.replies...)
			var waits []time.Duration
			got, err := Post(context.Background(), newClient(&waits), base+"/hook", "x", nil)
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, got)
			assert.Len(t, f.seen, tt.calls)
		})
	}
}

func TestPostRetriesRateLimit(t *testing.T) {
	f, base := newFake(t, reply{429, "3", "rate_limited"}, reply{200, "", "ok"})
	var waits []time.Duration
	_, err := Post(context.Background(), newClient(&waits), base+"/hook", "x", nil)
	require.NoError(t, err)
	assert.Len(t, f.seen, 2)
	assert.Equal(t, []time.Duration{3 * time.Second}, waits)
}

func TestPostRejectsBadInput(t *testing.T) {
	var waits []time.Duration
	c := newClient(&waits)
	_, err := Post(context.Background(), c, "ftp://hooks.slack.com/services/SECRET", "x", nil)
	assert.EqualError(t, err, "slack.post: invalid webhook url")
	_, err = Post(context.Background(), c, "https://hooks.slack.com/services/SECRET", "", nil)
	assert.EqualError(t, err, "slack.post: text or blocks required")
}

func TestPostRefusesPrivateWebhookWithoutLeakingIt(t *testing.T) {
	c := httpx.New(httpx.Config{})
	_, err := Post(context.Background(), c, "http://10.0.0.1/services/SECRET", "x", nil)
	assert.EqualError(t, err, "slack.post: refusing to connect to 10.0.0.1 (private); allow this host with --allow-host 10.0.0.1:80, or every private address with --allow-private")
}

func TestMessagePostsWithBotToken(t *testing.T) {
	f, base := newFake(t, reply{200, "", `{"ok":true,"channel":"C123","ts":"1709686052.000100","message":{}}`})
	var waits []time.Duration
	got, err := Message(context.Background(), newClient(&waits), BotConfig{Token: "xoxb-1", BaseURL: base + "/api/"},
		"#kyc", "Inquiry inq_1 approved", []any{map[string]any{"type": "divider"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"ok": true, "channel": "C123", "ts": "1709686052.000100"}, got)
	require.Len(t, f.seen, 1)
	s := f.seen[0]
	assert.Equal(t, "POST", s.method)
	assert.Equal(t, "/api/chat.postMessage", s.path)
	assert.Equal(t, "Bearer xoxb-1", s.auth)
	assert.Equal(t, "application/json; charset=utf-8", s.contentType)
	assert.Equal(t, map[string]any{"channel": "#kyc", "text": "Inquiry inq_1 approved",
		"blocks": []any{map[string]any{"type": "divider"}}}, s.body)
}

func TestMessageErrors(t *testing.T) {
	tests := []struct {
		name    string
		replies []reply
		calls   int
		waits   []time.Duration
		want    string
	}{
		{"slack error", []reply{{200, "", `{"ok":false,"error":"channel_not_found"}`}}, 1, nil,
			"slack.message: channel_not_found"},
		{"error without code", []reply{{200, "", `{"ok":false}`}}, 1, nil, "slack.message: 200 unknown_error"},
		{"not json", []reply{{502, "", "bad gateway"}}, 1, nil, "slack.message: 502 bad gateway"},
		{"rate limited out", []reply{{429, "2", `{"ok":false,"error":"ratelimited"}`}}, 3,
			[]time.Duration{2 * time.Second, 2 * time.Second}, "slack.message: ratelimited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, base := newFake(t, tt.replies...)
			var waits []time.Duration
			got, err := Message(context.Background(), newClient(&waits), BotConfig{Token: "xoxb-1", BaseURL: base},
				"#kyc", "x", nil)
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, got)
			assert.Len(t, f.seen, tt.calls)
			assert.Equal(t, tt.waits, waits)
		})
	}
}

func TestMessageRetriesRateLimit(t *testing.T) {
	f, base := newFake(t, reply{429, "30", `{"ok":false,"error":"ratelimited"}`},
		reply{200, "", `{"ok":true,"channel":"C1","ts":"1.2"}`})
	var waits []time.Duration
	got, err := Message(context.Background(), newClient(&waits), BotConfig{Token: "xoxb-1", BaseURL: base}, "C1", "x", nil)
	require.NoError(t, err)
	assert.Equal(t, "1.2", got["ts"])
	assert.Len(t, f.seen, 2)
	assert.Equal(t, []time.Duration{30 * time.Second}, waits)
}

func TestMessageRejectsBadInput(t *testing.T) {
	var waits []time.Duration
	c := newClient(&waits)
	tests := []struct {
		name          string
		cfg           BotConfig
		channel, text string
		want          string
	}{
		{"no token", BotConfig{}, "#kyc", "x", "slack.message: bot token is empty"},
		{"no channel", BotConfig{Token: "t"}, " ", "x", "slack.message: channel is empty"},
		{"no text", BotConfig{Token: "t"}, "#kyc", "", "slack.message: text or blocks required"},
		{"token with newline", BotConfig{Token: "t\nX: y", BaseURL: "http://127.0.0.1:1"}, "#kyc", "x",
			`slack.message: invalid value for header "Authorization": control characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Message(context.Background(), c, tt.cfg, tt.channel, tt.text, nil)
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestAPIURL(t *testing.T) {
	assert.Equal(t, "https://slack.com/api/chat.postMessage", apiURL("", "chat.postMessage"))
	assert.Equal(t, "http://x/api/chat.postMessage", apiURL("http://x/api//", "chat.postMessage"))
}

func TestReasonIsShortened(t *testing.T) {
	long := strings.Repeat("é", 150)
	r := reason(&httpx.Response{Status: 400, Body: long})
	assert.True(t, strings.HasSuffix(r, "…"))
	assert.LessOrEqual(t, len(r), 200+len("…"))
	assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(r, "…")), "cut on a rune boundary")
}
