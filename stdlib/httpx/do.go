package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wf-lang/wf/interp"
)

// errStepTimeout is the cause of the context when Request.Timeout expires.
var errStepTimeout = errors.New("step timeout")

// callError carries an exact message while keeping the cause for errors.Is and errors.As.
type callError struct {
	msg   string
	cause error
}

func (e *callError) Error() string { return e.msg }
func (e *callError) Unwrap() error { return e.cause }

// Do sends req, retrying as configured, and returns the response. A non-2xx
// status is not an error unless it was retried and the retries ran out; see
// the package documentation for when a Response comes back with an error.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	p, err := c.prepare(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, errStepTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		began := c.cfg.Now()
		resp, err := c.attempt(ctx, p)
		if resp != nil {
			resp.Attempts = attempt
		}
		wait, retry, stop := c.nextWait(p, attempt, resp, err)
		c.report(ctx, p, resp, err, retry, began)
		if !retry {
			return resp, c.finalError(ctx, p, attempt, resp, err, stop)
		}
		if serr := c.cfg.Sleep(ctx, wait); serr != nil {
			return resp, c.finalError(ctx, p, attempt, resp, serr, nil)
		}
	}
}

// report tells the step's record about one attempt: a transport error, or a
// status that is retried, is a failed attempt; any other answer a completed
// one (a non-2xx status that is not retried is a result, not an error).
func (c *Client) report(ctx context.Context, p *call, resp *Response, err error, retried bool, began time.Time) {
	if err == nil && retried {
		err = fmt.Errorf("%s: status %d", p.name, resp.Status)
	} else if err != nil {
		err = &callError{msg: p.name + ": " + transportMessage(err), cause: err}
	}
	interp.ReportAttempt(ctx, err, began, c.cfg.Now())
}

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, p *call) (*Response, error) {
	r := c.resty.R().SetContext(ctx).SetDoNotParseResponse(true).SetHeader("User-Agent", userAgent)
	if p.hasBody {
		r.SetHeader("Content-Type", p.contentType).SetBody(p.body)
	}
	for k, v := range p.headers {
		r.SetHeader(k, v)
	}
	if p.secret != "" {
		r.SetHeader(signatureHeader, Sign(p.secret, c.cfg.Now(), p.body))
	}
	res, err := r.Execute(p.method, p.url)
	var raw *http.Response
	if res != nil {
		raw = res.RawResponse
	}
	if err != nil {
		if raw != nil && raw.Body != nil {
			raw.Body.Close()
		}
		return nil, err
	}
	defer raw.Body.Close()
	return readResponse(raw, c.cfg.MaxResponseBytes)
}

// nextWait decides whether to try again after attempt and how long to wait
// first. stop, when not nil, is why a retryable status ends the call early.
func (c *Client) nextWait(p *call, attempt int, resp *Response, err error) (time.Duration, bool, error) {
	if attempt > p.retries {
		return 0, false, nil
	}
	if err != nil {
		return c.backoff(p.backoff, attempt), !isPermanent(err) && !isContextErr(err), nil
	}
	if !retryable(p, resp.Status) {
		return 0, false, nil
	}
	wait, ok := retryAfter(resp.Headers["Retry-After"], c.cfg.Now())
	if !ok {
		return c.backoff(p.backoff, attempt), true, nil
	}
	if wait > p.timeout {
		return 0, false, fmt.Errorf("server asked to retry after %s, beyond the %s timeout", wait, p.timeout)
	}
	return wait, true, nil
}

func retryable(p *call, status int) bool {
	for _, s := range p.retryOn {
		if s == status {
			return true
		}
	}
	return false
}

// backoff returns the wait before retry n (1-based): base·2^(n-1), capped at
// MaxBackoff, scaled into its upper half by the jitter, so waits never shrink.
func (c *Client) backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, MaxBackoff)
	return d/2 + time.Duration(c.cfg.Rand()*float64(d/2))
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 1<<31)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// finalError turns the outcome of the last attempt into Do's error.
func (c *Client) finalError(ctx context.Context, p *call, attempts int, resp *Response, err, stop error) error {
	switch {
	case stop != nil:
		return &callError{msg: p.name + ": " + stop.Error()}
	case err != nil && ctx.Err() != nil:
		return c.contextError(ctx, p)
	case err != nil:
		return &callError{msg: p.name + ": " + transportMessage(err) + attemptsNote(attempts), cause: err}
	case attempts > 1 && retryable(p, resp.Status):
		return &callError{msg: fmt.Sprintf("%s: status %d after %d attempts", p.name, resp.Status, attempts)}
	}
	return nil
}

func (c *Client) contextError(ctx context.Context, p *call) error {
	if cause := context.Cause(ctx); cause == errStepTimeout {
		return &callError{msg: fmt.Sprintf("%s: timed out after %s", p.name, p.timeout), cause: ctx.Err()}
	}
	return &callError{msg: p.name + ": " + ctx.Err().Error(), cause: context.Cause(ctx)}
}

func attemptsNote(n int) string {
	if n < 2 {
		return ""
	}
	return fmt.Sprintf(" (%d attempts)", n)
}

// transportMessage drops net/http's `Get "url":` prefix, which may carry secrets.
func transportMessage(err error) string {
	var refused *RefusedError
	if errors.As(err, &refused) {
		return refused.Error()
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func isCertError(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	return errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &host)
}
