package httpx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Request describes one HTTP step. Zero fields take defaults.
type Request struct {
	// Name is the qualified WF function name that starts every error, e.g.
	// "http.request" or "slack.post"; default "http." + lower-case method.
	Name string
	// Method is GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (any case; default GET).
	Method string
	// URL is an absolute http or https URL.
	URL string
	// Headers are sent as given; a Content-Type here overrides the default.
	Headers map[string]string
	// Query parameters are appended to the URL's own, sorted by key.
	Query map[string]string
	// JSON, when not nil, is encoded as the body (application/json).
	JSON any
	// Body, when not nil, is sent as a text body (text/plain; charset=utf-8).
	// JSON and Body are exclusive.
	Body *string
	// Timeout bounds the whole call including retries and waits (default
	// Config.DefaultTimeout); negative is an error.
	Timeout time.Duration
	// Retries is the number of extra attempts, 0 to Config.MaxRetries.
	Retries int
	// Backoff is the base wait before the first retry (default 500ms).
	Backoff time.Duration
	// RetryOn lists the statuses (400–599) that are retried; nil means
	// 429, 502, 503 and 504, an empty non-nil slice means none.
	RetryOn []int
	// SignSecret, when set, adds a Persona-Signature header to every attempt.
	SignSecret string
}

// call is a validated Request.
type call struct {
	name        string
	method      string
	url         string
	headers     map[string]string
	body        []byte
	hasBody     bool
	contentType string
	timeout     time.Duration
	retries     int
	backoff     time.Duration
	retryOn     []int
	secret      string
}

const methodList = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"

func validMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return true
	}
	return false
}

// CheckTimeout returns the error Do gives for a timeout that is not positive.
// Do treats zero as "use the default"; an interpreter that sees an explicit
// `timeout: 0s` calls CheckTimeout to reject it the same way.
func CheckTimeout(name string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: timeout must be positive, got %s", name, d)
	}
	return nil
}

// prepare validates req against the client's configuration.
func (c *Client) prepare(req Request) (*call, error) {
	p := &call{method: strings.ToUpper(strings.TrimSpace(req.Method)), secret: req.SignSecret}
	if p.method == "" {
		p.method = "GET"
	}
	p.name = callName(req.Name, p.method)
	if !validMethod(p.method) {
		return nil, p.errorf("unsupported method %q; use one of %s", req.Method, methodList)
	}
	steps := []func(*Request) error{p.setURL, p.setHeaders, p.setBody, p.setTimeout(c.cfg.DefaultTimeout),
		p.setRetries(c.cfg.MaxRetries)}
	for _, step := range steps {
		if err := step(&req); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func callName(name, method string) string {
	switch {
	case name != "":
		return name
	case validMethod(method):
		return "http." + strings.ToLower(method)
	}
	return "http.request"
}

func (p *call) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{p.name}, args...)...)
}

func (p *call) setURL(req *Request) error {
	u, err := url.Parse(req.URL)
	if err != nil {
		return p.errorf("invalid url %q", req.URL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return p.errorf("unsupported scheme %q in url %q; use http or https", u.Scheme, req.URL)
	}
	if u.Hostname() == "" {
		return p.errorf("url %q has no host", req.URL)
	}
	if q := encodeQuery(req.Query); q != "" {
		if u.RawQuery != "" {
			q = u.RawQuery + "&" + q
		}
		u.RawQuery = q
	}
	p.url = u.String()
	return nil
}

// encodeQuery encodes params sorted by key.
func encodeQuery(params map[string]string) string {
	v := url.Values{}
	for k, val := range params {
		v.Set(k, val)
	}
	return v.Encode()
}

func (p *call) setHeaders(req *Request) error {
	p.headers = make(map[string]string, len(req.Headers))
	for k, v := range req.Headers {
		if !validHeaderName(k) {
			return p.errorf("invalid header name %q", k)
		}
		if strings.ContainsAny(v, "\r\n\x00") {
			return p.errorf("invalid value for header %q: control characters", k)
		}
		p.headers[k] = v
	}
	return nil
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r >= 0x7f || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return true
}

func (p *call) setBody(req *Request) error {
	if req.JSON == nil && req.Body == nil {
		return nil
	}
	if req.JSON != nil && req.Body != nil {
		return p.errorf("json and body are exclusive")
	}
	if p.method == "GET" || p.method == "HEAD" || p.method == "OPTIONS" {
		return p.errorf("%s requests take no body", p.method)
	}
	p.hasBody = true
	if req.Body != nil {
		p.body, p.contentType = []byte(*req.Body), "text/plain; charset=utf-8"
		return nil
	}
	b, err := encodeJSON(req.JSON)
	if err != nil {
		return p.errorf("cannot encode json body: %v", err)
	}
	p.body, p.contentType = b, "application/json"
	return nil
}

// encodeJSON encodes v without escaping HTML characters or a final newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func (p *call) setTimeout(def time.Duration) func(*Request) error {
	return func(req *Request) error {
		p.timeout = req.Timeout
		if p.timeout == 0 {
			p.timeout = def
		}
		return CheckTimeout(p.name, p.timeout)
	}
}

func (p *call) setRetries(maxRetries int) func(*Request) error {
	return func(req *Request) error {
		if req.Retries < 0 || req.Retries > maxRetries {
			return p.errorf("retries must be between 0 and %d, got %d", maxRetries, req.Retries)
		}
		if req.Backoff < 0 {
			return p.errorf("backoff must not be negative, got %s", req.Backoff)
		}
		p.retries, p.backoff, p.retryOn = req.Retries, req.Backoff, req.RetryOn
		if p.backoff == 0 {
			p.backoff = DefaultBackoff
		}
		if p.retryOn == nil {
			p.retryOn = []int{429, 502, 503, 504}
		}
		for _, s := range p.retryOn {
			if s < 400 || s > 599 {
				return p.errorf("retry_on statuses must be between 400 and 599, got %d", s)
			}
		}
		return nil
	}
}
