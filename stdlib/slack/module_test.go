package slack_test

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
	"github.com/wf-lang/wf/stdlib/slack"
)

// env is a run environment with a loopback-allowed client, a bot and the
// webhook URL as a secret.
type env struct {
	client  *httpx.Client
	bot     slack.BotConfig
	webhook string
}

func (e *env) HTTP() *httpx.Client       { return e.client }
func (e *env) SlackBot() slack.BotConfig { return e.bot }
func (e *env) Secret(name string) (string, bool) {
	return e.webhook, name == "SLACK_REVIEW_WEBHOOK"
}

func library() *builtin.Library { return builtin.NewLibrary(core.Module(), slack.Module()) }

// fakeSlack serves an incoming webhook at /services/T/B/X and the Web API
// at /api, answering with status and body, and records what it got.
type fakeSlack struct {
	*httptest.Server
	mu     sync.Mutex
	paths  []string
	bodies []map[string]any
	auth   []string
	status int
	answer string
}

func newFakeSlack(t *testing.T, status int, answer string) *fakeSlack {
	f := &fakeSlack{status: status, answer: answer}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		f.mu.Lock()
		f.paths, f.bodies, f.auth = append(f.paths, r.URL.Path), append(f.bodies, m), append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		if f.answer != "" && f.answer[0] == '{' {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.answer)
	}))
	t.Cleanup(f.Close)
	return f
}

func newEnv(f *fakeSlack) *env {
	return &env{
		client: httpx.New(httpx.Config{AllowLoopback: true, Now: func() time.Time { return wftest.Epoch },
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}),
		bot:     slack.BotConfig{Token: "xoxb-test-token", BaseURL: f.URL + "/api"},
		webhook: f.URL + "/services/T000/B000/XXXXSECRET",
	}
}

func run(t *testing.T, e *env, body string) (*interp.RunResult, *interp.MemHost) {
	t.Helper()
	p := wftest.Load(t, library(), "workflow w {\n  on event \"inquiry.completed\"\n\n  "+body+"\n}")
	return wftest.Run(p, "w", wftest.Trigger(map[string]any{"id": "inq_1"}), e)
}

func TestPostThroughWebhook(t *testing.T) {
	f := newFakeSlack(t, 200, "ok")
	res, _ := run(t, newEnv(f), `let r = run slack.post(secret("SLACK_REVIEW_WEBHOOK"), "Inquiry ${trigger.id} marked for review: under 18",
    blocks: [{type: "section", text: {type: "mrkdwn", text: "*under 18*"}}])
  output {ok: r.ok}`)
	assert.Equal(t, true, wftest.Output(t, res, "ok"))
	require.Len(t, f.bodies, 1)
	assert.Equal(t, "/services/T000/B000/XXXXSECRET", f.paths[0])
	assert.Equal(t, "Inquiry inq_1 marked for review: under 18", f.bodies[0]["text"])
	assert.Equal(t, []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*under 18*"}}},
		f.bodies[0]["blocks"])
}

func TestPostRefusedKeepsTheURLSecret(t *testing.T) {
	f := newFakeSlack(t, 404, "no_service")
	res, host := run(t, newEnv(f), `run slack.post(secret("SLACK_REVIEW_WEBHOOK"), "hi")`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "slack.post: 404 no_service")
	assert.NotContains(t, res.Err.Msg, "XXXXSECRET")
	assert.NotContains(t, host.Steps[0].Err, "XXXXSECRET")
}

func TestMessageAsBot(t *testing.T) {
	f := newFakeSlack(t, 200, `{"ok": true, "channel": "C123", "ts": "1700000000.000100"}`)
	res, _ := run(t, newEnv(f), `let r = run slack.message("#kyc-alerts", "Case needs a reviewer")
  output {r: r}`)
	assert.Equal(t, map[string]any{"ok": true, "channel": "C123", "ts": "1700000000.000100"},
		interp.ToGo(wftest.Output(t, res, "r")))
	require.Len(t, f.bodies, 1)
	assert.Equal(t, "/api/chat.postMessage", f.paths[0])
	assert.Equal(t, "Bearer xoxb-test-token", f.auth[0])
	assert.Equal(t, "#kyc-alerts", f.bodies[0]["channel"])
	assert.Equal(t, "Case needs a reviewer", f.bodies[0]["text"])
}

func TestMessageErrors(t *testing.T) {
	f := newFakeSlack(t, 200, `{"ok": false, "error": "channel_not_found"}`)
	res, _ := run(t, newEnv(f), `run slack.message("#nope", "x")`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "slack.message: channel_not_found")

	e := newEnv(f)
	e.bot.Token = ""
	res, _ = run(t, e, `run slack.message("#kyc", "x")`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "slack.message: bot token is empty")

	res, _ = run(t, newEnv(f), `run slack.post("not a url", "x")`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "slack.post: invalid webhook url")

	res, _ = run(t, &env{}, `run slack.message("#kyc", "x")`)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "slack.message: no HTTP client is configured for this run")
}

func TestCheckRules(t *testing.T) {
	cases := map[string]string{
		`slack.post("https://hooks.slack.com/x", "hi")`:  "slack.post is an action: call it with run",
		`run slack.post("https://hooks.slack.com/x")`:    "slack.post: missing argument text",
		`run slack.message("#c", "t", blocks: "b")`:      "slack.message: blocks must be",
		`run slack.message("#c", "t", channel_id: "C1")`: "slack.message has no parameter channel_id",
	}
	for body, want := range cases {
		diags := wftest.Check(library(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
		if assert.True(t, diags.HasErrors(), body) {
			assert.Contains(t, diags.Err().Error(), want)
		}
	}
}
