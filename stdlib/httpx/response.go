package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/wf-lang/wf/internal/readfile"
)

// Response is what an HTTP step returns to the workflow.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Headers maps canonical header names to their values joined with ", ".
	Headers map[string]string
	// Body is the response body as text.
	Body string
	// JSON is the parsed body or nil; number literals without fraction or
	// exponent that fit are int64, other numbers float64.
	JSON any
	// Attempts is the number of attempts made, 1 plus the retries used.
	Attempts int
}

// Value returns the response as the WF map {status, headers, body, json}
// in plain Go values.
func (r *Response) Value() map[string]any {
	headers := make(map[string]any, len(r.Headers))
	for k, v := range r.Headers {
		headers[k] = v
	}
	return map[string]any{"status": int64(r.Status), "headers": headers, "body": r.Body, "json": r.JSON}
}

// tooLargeError reports a body over the configured cap; it is not retried.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string { return "response larger than " + formatBytes(e.limit) }

// formatBytes writes n as MiB or KiB when it is a whole number of them.
func formatBytes(n int64) string { return readfile.Size(n) }

// readResponse reads at most limit bytes of raw's body and builds a Response.
func readResponse(raw *http.Response, limit int64) (*Response, error) {
	head := raw.Request != nil && raw.Request.Method == http.MethodHead
	if raw.ContentLength > limit && !head {
		return nil, &tooLargeError{limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(raw.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &tooLargeError{limit: limit}
	}
	resp := &Response{Status: raw.StatusCode, Headers: joinHeaders(raw.Header), Body: string(data)}
	resp.JSON = parseJSON(data, raw.Header.Get("Content-Type"))
	return resp, nil
}

func joinHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[http.CanonicalHeaderKey(k)] = strings.Join(vs, ", ")
	}
	return out
}

// parseJSON decodes data when the content type is JSON (any JSON value) or
// when the body is a JSON object or array; otherwise, or when it does not
// parse, it returns nil.
func parseJSON(data []byte, contentType string) any {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil
	}
	if !isJSONType(contentType) && trimmed[0] != '{' && trimmed[0] != '[' {
		return nil
	}
	v, err := decodeJSON(trimmed)
	if err != nil {
		return nil
	}
	return v
}

func isJSONType(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// decodeJSON decodes exactly one JSON value into plain Go values.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after json value")
	}
	return plain(v)
}

// plain replaces json.Number with int64 or float64 throughout v.
func plain(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		return number(v)
	case []any:
		for i, e := range v {
			p, err := plain(e)
			if err != nil {
				return nil, err
			}
			v[i] = p
		}
	case map[string]any:
		for k, e := range v {
			p, err := plain(e)
			if err != nil {
				return nil, err
			}
			v[k] = p
		}
	}
	return v, nil
}

// number converts n: a literal without fraction or exponent that fits is
// int64, anything else float64; out-of-range floats are an error.
func number(n json.Number) (any, error) {
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	return n.Float64()
}
