// Package slack implements the WF `slack` module, an effectful module called
// behind `run`:
//
//	slack.post(webhook_url, text, blocks: […])   incoming webhook
//	slack.message(channel, text, blocks: […])    chat.postMessage with a bot token
//
// It sits below the interpreter's run seam next to httpx and sends every
// request through an httpx.Client, so the address checks, size cap, timeout
// and retries apply. Values at the boundary are plain Go values (module.go
// declares the WF functions over Post and Message). Slack's
// rate limit (429) is retried twice, honouring Retry-After; other failures
// are not retried, since a message may already have been posted. Webhook
// URLs and tokens are secrets: no error repeats them.
package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/wf-lang/wf/stdlib/httpx"
)

// DefaultBaseURL is the Slack Web API root used when BotConfig.BaseURL is empty.
const DefaultBaseURL = "https://slack.com/api"

const (
	rateLimitRetries = 2
	maxReasonBytes   = 200
)

// BotConfig holds what slack.message needs to call the Web API.
type BotConfig struct {
	// Token is the bot token (xoxb-…), sent as a Bearer token.
	Token string
	// BaseURL is the Web API root; default DefaultBaseURL.
	BaseURL string
}

// Post sends text and optional blocks to a Slack incoming webhook and
// returns {ok: true}. Slack answers "ok" with 200, or an error text such as
// "no_service" with a 4xx status, reported as `slack.post: 404 no_service`.
func Post(ctx context.Context, c *httpx.Client, webhookURL, text string, blocks []any) (map[string]any, error) {
	const name = "slack.post"
	if err := checkWebhookURL(webhookURL); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	body, err := payload(name, text, blocks)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(ctx, request(name, webhookURL, nil, body))
	if resp != nil && (resp.Status < 200 || resp.Status > 299) {
		return nil, fmt.Errorf("%s: %d %s", name, resp.Status, reason(resp))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"ok": true}, nil
}

// Message posts text and optional blocks to channel (a name like "#kyc" or
// an id) with chat.postMessage and returns {ok, channel, ts}. A 200 answer
// with {"ok": false, "error": "channel_not_found"} is reported as
// `slack.message: channel_not_found`.
func Message(ctx context.Context, c *httpx.Client, cfg BotConfig, channel, text string, blocks []any) (map[string]any, error) {
	const name = "slack.message"
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New(name + ": bot token is empty")
	}
	if strings.TrimSpace(channel) == "" {
		return nil, errors.New(name + ": channel is empty")
	}
	body, err := payload(name, text, blocks)
	if err != nil {
		return nil, err
	}
	body["channel"] = channel
	headers := map[string]string{
		"Authorization": "Bearer " + cfg.Token,
		"Content-Type":  "application/json; charset=utf-8",
	}
	resp, err := c.Do(ctx, request(name, apiURL(cfg.BaseURL, "chat.postMessage"), headers, body))
	if resp == nil {
		return nil, err
	}
	return messageResult(name, resp)
}

// checkWebhookURL validates a webhook URL without echoing it.
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return errors.New("invalid webhook url")
	}
	return nil
}

// payload builds the JSON body {text, blocks}.
func payload(name, text string, blocks []any) (map[string]any, error) {
	if text == "" && len(blocks) == 0 {
		return nil, errors.New(name + ": text or blocks required")
	}
	p := map[string]any{"text": text}
	if blocks != nil {
		p["blocks"] = blocks
	}
	return p, nil
}

func request(name, target string, headers map[string]string, body map[string]any) httpx.Request {
	return httpx.Request{
		Name:    name,
		Method:  http.MethodPost,
		URL:     target,
		Headers: headers,
		JSON:    body,
		Retries: rateLimitRetries,
		RetryOn: []int{http.StatusTooManyRequests},
	}
}

func apiURL(base, method string) string {
	if base == "" {
		base = DefaultBaseURL
	}
	return strings.TrimRight(base, "/") + "/" + method
}

// messageResult reads a chat.postMessage answer.
func messageResult(name string, resp *httpx.Response) (map[string]any, error) {
	m, _ := resp.JSON.(map[string]any)
	if m == nil {
		return nil, fmt.Errorf("%s: %d %s", name, resp.Status, reason(resp))
	}
	if ok, _ := m["ok"].(bool); !ok {
		code, _ := m["error"].(string)
		if code == "" {
			code = fmt.Sprintf("%d unknown_error", resp.Status)
		}
		return nil, fmt.Errorf("%s: %s", name, code)
	}
	return map[string]any{"ok": true, "channel": m["channel"], "ts": m["ts"]}, nil
}

// reason is the first line of the body, shortened, or the status text.
func reason(resp *httpx.Response) string {
	line, _, _ := strings.Cut(strings.TrimSpace(resp.Body), "\n")
	line = strings.TrimSpace(line)
	if line == "" {
		return strings.ToLower(http.StatusText(resp.Status))
	}
	if len(line) > maxReasonBytes {
		cut := maxReasonBytes
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut] + "…"
	}
	return line
}
