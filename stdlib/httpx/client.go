package httpx

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/wf-lang/wf/interp"
)

// Defaults applied by New to zero Config fields and by Do to zero Request fields.
const (
	DefaultMaxResponseBytes = 10 << 20
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRetries       = 10
	DefaultBackoff          = 500 * time.Millisecond
	// MaxBackoff caps the computed wait between attempts (not Retry-After).
	MaxBackoff = 30 * time.Second
)

const (
	maxRedirects    = 10
	maxHeaderBytes  = 64 << 10
	userAgent       = "wf-http/1"
	signatureHeader = "Persona-Signature"
)

// Config sets up a Client. The zero value is safe: only public addresses,
// the defaults above, the wall clock and real sleeps.
type Config struct {
	// AllowLoopback permits 127.0.0.0/8 and ::1 (wf's --allow-loopback).
	AllowLoopback bool
	// AllowPrivate permits private and CGNAT ranges, not link-local
	// (--allow-private).
	AllowPrivate bool
	// AllowHosts lists hosts exempt from the address check (--allow-host):
	// a host name or address as the URL gives it (HOST, any port), or with
	// its port (HOST:PORT, [::1]:8080). Redirects are checked afresh.
	AllowHosts []string
	// MaxResponseBytes caps a response body (default 10 MiB).
	MaxResponseBytes int64
	// DefaultTimeout bounds a call whose Request.Timeout is zero (default 30s).
	DefaultTimeout time.Duration
	// MaxRetries caps Request.Retries (default 10).
	MaxRetries int
	// Sleep waits between attempts; it must return early with an error when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for signatures and Retry-After dates.
	Now func() time.Time
	// Rand returns a number in [0, 1) used for backoff jitter.
	Rand func() float64
	// Transport replaces the guarded transport; the address checks then do not
	// apply (tests only).
	Transport http.RoundTripper
}

// Client sends requests; it is safe for concurrent use.
type Client struct {
	cfg   Config
	resty *resty.Client
}

// New returns a Client for cfg, filling in defaults.
func New(cfg Config) *Client {
	cfg = withDefaults(cfg)
	hc := &http.Client{Transport: cfg.Transport, CheckRedirect: checkRedirect}
	if hc.Transport == nil {
		hc.Transport = newTransport(newGuard(cfg))
	}
	rc := resty.NewWithClient(hc).SetLogger(quietLogger{}).SetDisableWarn(true)
	return &Client{cfg: cfg, resty: rc}
}

func withDefaults(cfg Config) Config {
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = DefaultTimeout
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.Sleep == nil {
		cfg.Sleep = interp.RealClock{}.Sleep
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	return cfg
}

func newTransport(g *guard) *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            g.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
}

// redirectError marks a refusal by the redirect policy; it is not retried.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// checkRedirect follows at most maxRedirects redirects to http or https and
// drops all but harmless headers when the host or port changes.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return &redirectError{msg: "stopped after 10 redirects"}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &redirectError{msg: "refusing redirect to scheme " + req.URL.Scheme}
	}
	if req.URL.Host != via[0].URL.Host {
		for k := range req.Header {
			if k != "User-Agent" && k != "Accept" && k != "Content-Type" {
				req.Header.Del(k)
			}
		}
	}
	return nil
}

// quietLogger drops resty's log lines; errors reach the caller through Do.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// isPermanent reports errors that another attempt cannot fix.
func isPermanent(err error) bool {
	var refused *RefusedError
	var redirect *redirectError
	var tooLarge *tooLargeError
	return errors.As(err, &refused) || errors.As(err, &redirect) || errors.As(err, &tooLarge) || isCertError(err)
}
