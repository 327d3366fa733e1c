package httpx

import (
	"slices"
	"strings"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// This file declares the WF `http` module over a Client: http.get, post,
// put, patch, delete and request, each a recorded step.

// Provider is what a run's environment provides for the http module.
type Provider interface {
	// HTTP returns the client requests go through; nil when none is
	// configured.
	HTTP() *Client
}

// The named options every function takes (json only where a body fits).
const (
	optsHead = "headers: map?, query: map?"
	optsBody = "json: any?, body: string?"
	optsTail = "timeout: duration?, retries: int = 0, backoff: duration?, retry_on: list?, sign: string?, idempotency_key: bool = false"
)

const httpDoc = " The result is {status, headers, body, json}: json is the parsed body when it is JSON, " +
	"else null. A status outside 2xx is not an error, so the workflow decides; only a status retried " +
	"until retries ran out fails the step."

// Module returns the http module.
func Module() *builtin.Module {
	return &builtin.Module{
		Name: "http",
		Doc: "Outbound HTTP requests, each a recorded step. Options: headers and query (maps of text), " +
			"json (any value, sent as application/json) or body (text), timeout (the whole call, retries " +
			"included; default 30s), retries (extra attempts after a transport error or a status in " +
			"retry_on, default [429, 502, 503, 504]; at most 10), backoff (the first wait, doubling, default " +
			"500ms), sign: secret(\"…\"), which adds a Persona-Signature header (HMAC-SHA256 of " +
			"\"<t>.<body>\"), and idempotency_key: true, which adds an Idempotency-Key header holding the " +
			"step's idempotency_key(), the same every time the step is performed (after a crash too), for APIs " +
			"that deduplicate. Only public addresses are reached unless the configuration allows others.",
		Builtins: []*interp.Builtin{
			httpAction("http.get(url: string, "+optsHead+", "+optsTail+") -> map", "GET",
				"Sends a GET request."+httpDoc,
				`run http.get("https://api.example.com/score", query: {id: trigger.id}, retries: 2)`),
			httpAction("http.post(url: string, "+optsHead+", "+optsBody+", "+optsTail+") -> map", "POST",
				"Sends a POST request, with a JSON or text body."+httpDoc,
				`run http.post("https://hooks.example.com/kyc", json: {id: trigger.id, status: trigger.status}, sign: secret("HOOK_SECRET"))`),
			httpAction("http.put(url: string, "+optsHead+", "+optsBody+", "+optsTail+") -> map", "PUT",
				"Sends a PUT request, with a JSON or text body."+httpDoc,
				`run http.put("https://crm.example.com/users/${trigger.reference_id}", json: {kyc: "passed"})`),
			httpAction("http.patch(url: string, "+optsHead+", "+optsBody+", "+optsTail+") -> map", "PATCH",
				"Sends a PATCH request, with a JSON or text body."+httpDoc,
				`run http.patch("https://crm.example.com/users/${trigger.reference_id}", json: {risk: "high"})`),
			httpAction("http.delete(url: string, "+optsHead+", body: string?, "+optsTail+") -> map", "DELETE",
				"Sends a DELETE request."+httpDoc,
				`run http.delete("https://crm.example.com/sessions/${trigger.session_id}")`),
			httpAction("http.request(method: string, url: string, "+optsHead+", "+optsBody+", "+optsTail+") -> map", "",
				"Sends a request with any method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."+httpDoc,
				`run http.request("HEAD", "https://example.com/health", timeout: 5s)`),
		},
	}
}

// httpAction declares one function; method "" means the first argument is
// the method.
func httpAction(sig, method, doc, example string) *interp.Builtin {
	b := builtin.Action(sig, doc, example, nil)
	at := map[string]int{}
	for i, p := range b.Decl.Params {
		at[p.Name] = i
	}
	name := b.Decl.Name
	b.Fn = func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
		opt := func(k string) interp.Value {
			if i, ok := at[k]; ok {
				return a.Value(i)
			}
			return nil
		}
		req, err := buildRequest(name, method, opt)
		if err != nil {
			return nil, interp.Permanent(err)
		}
		if want, _ := opt("idempotency_key").(bool); want {
			setIdempotencyKey(&req, th.IdempotencyKey())
		}
		return do(th, req)
	}
	return b
}

// setIdempotencyKey adds the Idempotency-Key header, unless the script set
// one itself.
func setIdempotencyKey(req *Request, key string) {
	for k := range req.Headers {
		if strings.EqualFold(k, "Idempotency-Key") {
			return
		}
	}
	if req.Headers == nil {
		req.Headers = map[string]string{}
	}
	req.Headers["Idempotency-Key"] = key
}

// buildRequest reads the arguments (already type-checked) into a Request.
func buildRequest(name, method string, opt func(string) interp.Value) (Request, error) {
	req := Request{Name: name, Method: method}
	if req.Method == "" {
		req.Method, _ = opt("method").(string)
	}
	req.URL, _ = opt("url").(string)
	var err error
	if req.Headers, err = textMap(opt("headers"), "headers"); err != nil {
		return req, err
	}
	if req.Query, err = textMap(opt("query"), "query"); err != nil {
		return req, err
	}
	if j := opt("json"); j != nil {
		b, err := interp.MarshalJSON(j)
		if err != nil {
			return req, interp.Errorf(interp.KindValue, "cannot encode json: %v", err)
		}
		req.JSON = rawJSON(b)
	}
	if s, ok := opt("body").(string); ok {
		req.Body = &s
	}
	if d, ok := opt("timeout").(time.Duration); ok {
		if err := CheckTimeout(name, d); err != nil {
			return req, err
		}
		req.Timeout = d
	}
	if n, ok := opt("retries").(int64); ok {
		req.Retries = int(max(min(n, 1<<20), -1))
	}
	if d, ok := opt("backoff").(time.Duration); ok {
		req.Backoff = d
	}
	if req.RetryOn, err = statuses(opt("retry_on")); err != nil {
		return req, err
	}
	req.SignSecret, _ = opt("sign").(string)
	return req, nil
}

// rawJSON is an encoded JSON body: the encoder copies it as it is, so the
// map order the workflow wrote is kept.
type rawJSON []byte

// MarshalJSON implements json.Marshaler.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// do sends the request and turns the response into a WF map.
func do(th *interp.Thread, req Request) (interp.Value, error) {
	p, ok := th.Env().(Provider)
	var c *Client
	if ok {
		c = p.HTTP()
	}
	if c == nil {
		return nil, interp.Permanent(interp.Errorf(interp.KindValue, "no HTTP client is configured for this run"))
	}
	th.AddSecret(req.SignSecret)
	if _, err := c.prepare(req); err != nil {
		return nil, interp.Permanent(err)
	}
	resp, err := c.Do(th.Context(), req)
	if err != nil {
		if isPermanent(err) {
			return nil, interp.Permanent(err)
		}
		return nil, err
	}
	if err := th.CheckSize(len(resp.Body), "string"); err != nil {
		return nil, err
	}
	return responseValue(resp), nil
}

// responseValue is {status, headers, body, json}. The json keeps the
// body's key order.
func responseValue(r *Response) *interp.Map {
	headers := interp.NewMap(len(r.Headers))
	keys := make([]string, 0, len(r.Headers))
	for k := range r.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		headers.Set(k, r.Headers[k])
	}
	var js interp.Value
	if r.JSON != nil {
		v, err := interp.ParseJSON([]byte(strings.TrimSpace(r.Body)))
		if err != nil {
			v = interp.FromGo(r.JSON)
		}
		js = v
	}
	m := interp.NewMap(4)
	m.Set("status", int64(r.Status))
	m.Set("headers", headers)
	m.Set("body", r.Body)
	m.Set("json", js)
	return m
}

// textMap reads a map of headers or query parameters: values are text,
// numbers or bools; null entries are left out.
func textMap(v interp.Value, what string) (map[string]string, error) {
	m, ok := v.(*interp.Map)
	if !ok {
		return nil, nil
	}
	out := make(map[string]string, m.Len())
	for i := range m.Keys() {
		k, x := m.At(i)
		switch x.(type) {
		case nil:
		case string, int64, float64, bool:
			out[k] = interp.ToString(x)
		default:
			return nil, interp.Errorf(interp.KindType, "%s.%s must be text, got %s", what, k, interp.TypeName(x))
		}
	}
	return out, nil
}

// statuses reads retry_on, a list of ints; null means the default.
func statuses(v interp.Value) ([]int, error) {
	l, ok := v.(*interp.List)
	if !ok {
		return nil, nil
	}
	out := make([]int, 0, len(l.Elems))
	for i, x := range l.Elems {
		n, ok := x.(int64)
		if !ok || n < 400 || n > 599 {
			return nil, interp.Errorf(interp.KindValue, "retry_on[%d] must be a status from 400 to 599, got %s",
				i, interp.ToString(x))
		}
		out = append(out, int(n))
	}
	return out, nil
}
