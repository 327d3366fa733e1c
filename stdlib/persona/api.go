package persona

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wf-lang/wf/interp"
)

const (
	// DefaultBaseURL is the Persona REST API.
	DefaultBaseURL = "https://api.withpersona.com/api/v1"
	// APIVersion is the Persona-Version every request pins: 2023-01-05, the
	// version of Persona's published OpenAPI spec whose paths and request
	// bodies this package follows.
	APIVersion = "2023-01-05"
	// maxRetryAfter caps how long a Retry-After header can make us wait.
	maxRetryAfter = 10 * time.Minute
	// backoffBase and backoffCap shape the retry backoff, as Persona
	// advises.
	backoffBase = 5 * time.Second
	backoffCap  = time.Minute
)

// API is the api backend: the Persona REST API through resty, with
// `Authorization: Bearer`, a pinned Persona-Version (APIVersion),
// `Key-Inflection: snake` (responses come back in snake_case and request
// bodies are sent in snake_case), an Idempotency-Key from the context on
// every mutating request, retries with backoff on 429, 5xx and transport
// errors honouring Retry-After, and a client-side rate limit. Responses are
// normalized with Normalize.
type API struct {
	rc             *resty.Client
	now            func() time.Time
	sleep          func(context.Context, time.Duration) error
	limiter        *limiter
	maxAttempts    int
	attemptTimeout time.Duration
	pollAttempts   int
	pollInterval   time.Duration
	cfg            Config
}

// NewAPI returns an api backend configured by cfg (see Config for the
// defaults); cfg.APIKey is required.
func NewAPI(cfg Config) (*API, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("persona: the api backend needs an api key (PERSONA_API_KEY)")
	}
	a := &API{
		now: cfg.Now, sleep: cfg.Sleep,
		maxAttempts: positive(cfg.MaxAttempts, 4), attemptTimeout: positive(cfg.AttemptTimeout, 30*time.Second),
		pollAttempts: positive(cfg.PollAttempts, 10), pollInterval: positive(cfg.PollInterval, 2*time.Second),
		cfg: cfg,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.sleep == nil {
		a.sleep = interp.RealClock{}.Sleep
	}
	a.limiter = newLimiter(positive(cfg.RateLimit, 300), time.Minute, a.now)
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	a.rc = resty.NewWithClient(hc).
		SetBaseURL(strings.TrimRight(cmp.Or(cfg.BaseURL, DefaultBaseURL), "/")).
		SetResponseBodyLimit(MaxBodySize).
		SetLogger(discardLogger{}).
		SetHeaders(map[string]string{
			"Authorization":   "Bearer " + cfg.APIKey,
			"Persona-Version": APIVersion,
			"Key-Inflection":  "snake",
			"User-Agent":      "wf/" + cmp.Or(cfg.Version, "dev"),
			"Accept":          "application/json",
		})
	return a, nil
}

// positive is v, or def when v is zero or negative.
func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// discardLogger silences resty: errors are returned, not logged.
type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}

// APIError is an error response from Persona.
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Messages are Persona's errors as "title: details".
	Messages []string
	// Attempts is how many times the request was tried.
	Attempts int
}

// Error renders e as "persona api 422: Unprocessable Entity: details".
func (e *APIError) Error() string {
	msg := fmt.Sprintf("persona api %d: %s", e.Status, strings.Join(e.Messages, "; "))
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return msg
}

// Retryable reports whether the request may succeed later (429 or 5xx).
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// call is one REST request of an action.
type call struct {
	op     string // WF action name, the error prefix
	method string
	path   string
	query  url.Values
	body   any    // nil: no body
	keyTag string // appended to the idempotency key for a second mutation
}

// do sends c and returns its response's data resource, normalized.
func (a *API) do(ctx context.Context, c call) (map[string]any, error) {
	doc, err := a.send(ctx, c)
	if err != nil {
		return nil, err
	}
	data, ok := doc["data"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: persona api: response data must be an object, got %s", c.op, typeName(doc["data"]))
	}
	included, _ := doc["included"].([]any)
	return Normalize(data, included), nil
}

// send performs c with retries and returns the decoded response document.
func (a *API) send(ctx context.Context, c call) (map[string]any, error) {
	body, key, err := a.prepare(ctx, c)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := a.limiter.wait(ctx, a.sleep); err != nil {
			return nil, fmt.Errorf("%s: %w", c.op, err)
		}
		began := a.now()
		doc, retry, err := a.attempt(ctx, c, body, key)
		interp.ReportAttempt(ctx, wrapOp(c.op, err), began, a.now())
		if err == nil || !retry.ok || attempt >= a.maxAttempts {
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				apiErr.Attempts = attempt
			}
			return doc, wrapOp(c.op, err)
		}
		if err := a.sleep(ctx, retry.delay(attempt)); err != nil {
			return nil, fmt.Errorf("%s: %w", c.op, err)
		}
	}
}

// retryPlan says whether a failed attempt may be retried, and after how
// long when the server said so (Retry-After).
type retryPlan struct {
	ok    bool
	after time.Duration
	told  bool
}

// delay is the wait before the next attempt: Retry-After when given, else
// exponential backoff for the attempt that failed (1-based): 5s, 10s, 20s,
// 40s, then 60s.
func (p retryPlan) delay(attempt int) time.Duration {
	if p.told {
		return p.after
	}
	d := backoffBase
	for i := 1; i < attempt && d < backoffCap; i++ {
		d *= 2
	}
	return min(d, backoffCap)
}

// prepare encodes c's body and picks its idempotency key.
func (a *API) prepare(ctx context.Context, c call) ([]byte, string, error) {
	var body []byte
	if c.body != nil {
		var err error
		if body, err = json.Marshal(c.body); err != nil {
			return nil, "", fmt.Errorf("%s: encode request: %w", c.op, err)
		}
	}
	if c.method == http.MethodGet {
		return body, "", nil
	}
	key := IdempotencyKey(ctx)
	if key == "" {
		return nil, "", fmt.Errorf("%s: no idempotency key in the context (see persona.WithIdempotencyKey)", c.op)
	}
	return body, key + c.keyTag, nil
}

// attempt makes one request and says whether a failure may be retried.
func (a *API) attempt(ctx context.Context, c call, body []byte, key string) (map[string]any, retryPlan, error) {
	actx, cancel := context.WithTimeout(ctx, a.attemptTimeout)
	defer cancel()
	req := a.rc.R().SetContext(actx).SetQueryParamsFromValues(c.query)
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	if key != "" {
		req.SetHeader("Idempotency-Key", key)
	}
	resp, err := req.Execute(c.method, c.path)
	if err != nil {
		final := ctx.Err() != nil || errors.Is(err, resty.ErrResponseBodyTooLarge)
		return nil, retryPlan{ok: !final}, fmt.Errorf("persona api: %w", err)
	}
	return a.response(resp)
}

// response interprets one HTTP response.
func (a *API) response(resp *resty.Response) (map[string]any, retryPlan, error) {
	status := resp.StatusCode()
	if status >= 200 && status < 300 {
		doc, err := decodeDocument(resp.Body())
		return doc, retryPlan{}, err
	}
	apiErr := &APIError{Status: status, Messages: errorMessages(status, resp.Body())}
	if !apiErr.Retryable() {
		return nil, retryPlan{}, apiErr
	}
	after, told := retryAfter(resp.Header().Get("Retry-After"), a.now())
	return nil, retryPlan{ok: true, after: after, told: told}, apiErr
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(h); err == nil && secs >= 0 {
		return min(time.Duration(secs)*time.Second, maxRetryAfter), true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}

// decodeDocument decodes a success body; an empty body is an empty document.
func decodeDocument(body []byte) (map[string]any, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]any{}, nil
	}
	v, err := decodeJSONBytes(body)
	if err != nil {
		return nil, fmt.Errorf("persona api: response: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("persona api: response must be an object, got %s", typeName(v))
	}
	return doc, nil
}

// errorMessages reads Persona's {"errors": [{"title", "details"}]} body, or
// falls back to the status text.
func errorMessages(status int, body []byte) []string {
	var doc struct {
		Errors []struct {
			Title   string `json:"title"`
			Details string `json:"details"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	var msgs []string
	if json.Unmarshal(body, &doc) == nil {
		for _, e := range doc.Errors {
			title := cmp.Or(e.Title, http.StatusText(status))
			if details := cmp.Or(e.Details, e.Detail); details != "" {
				title += ": " + details
			}
			msgs = append(msgs, truncate(title, 500))
		}
	}
	if len(msgs) == 0 {
		msgs = []string{cmp.Or(http.StatusText(status), "error")}
	}
	return msgs
}

// wrapOp prefixes err with the action name.
func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// idPath is base + "/" + the escaped id, or an error when id is empty or
// is "." or "..", which escaping leaves as they are and which would move
// the request to another path of the API.
func idPath(op, kind, base, id string, rest ...string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("%s: %s id is empty", op, kind)
	}
	if id == "." || id == ".." {
		return "", fmt.Errorf("%s: %q is not a valid %s id", op, id, kind)
	}
	return base + "/" + url.PathEscape(id) + strings.Join(rest, ""), nil
}
