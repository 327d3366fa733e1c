package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// apiError is the body of every error the API answers:
// {"error": {"code": …, "message": …, "details": …}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}

func writeError(w http.ResponseWriter, status int, code, msg string, details any) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg, Details: details}})
}

// endpoint is one route of the HTTP API.
type endpoint struct {
	method, path string
	h            http.HandlerFunc
	// only: no 405 answer for the path's other methods; uncounted: not in
	// wf_http_requests_total (the scrapes).
	only, uncounted bool
}

// endpoints lists the HTTP API's routes (docs/serving.md lists the same:
// a test compares them).
func (s *Service) endpoints() []endpoint {
	return []endpoint{
		{method: "POST", path: "/webhooks/persona", h: s.webhook},
		{method: "POST", path: "/webhooks/persona/{endpoint}", h: s.webhook},
		{method: "POST", path: "/v1/workflows/{name}/runs", h: s.authed(s.triggerAPI)},
		{method: "GET", path: "/v1/workflows", h: s.authed(s.listWorkflows)},
		{method: "GET", path: "/v1/runs", h: s.authed(s.listRuns)},
		{method: "GET", path: "/v1/runs/{id}", h: s.authed(s.getRun), only: true},
		{method: "POST", path: "/v1/runs/{id}/cancel", h: s.authed(s.cancelRun)},
		{method: "POST", path: "/v1/runs/{id}/resume", h: s.authed(s.resumeRun)},
		{method: "POST", path: "/v1/runs/{id}/rerun", h: s.authed(s.rerunRun)},
		{method: "GET", path: "/v1/events/{id}", h: s.authed(s.getEvent)},
		{method: "GET", path: "/healthz", h: s.healthz},
		{method: "GET", path: "/readyz", h: s.readyz},
		{method: "GET", path: "/metrics", h: promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP,
			only: true, uncounted: true},
	}
}

// routes builds the HTTP API.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	for _, e := range s.endpoints() {
		h := e.h
		if !e.uncounted {
			h = s.counted(e.path, h)
		}
		mux.HandleFunc(e.method+" "+e.path, h)
		if e.only {
			continue
		}
		method := e.method
		mux.HandleFunc(e.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use "+method, nil)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if s.ui != nil && !apiPath(r.URL.Path) {
			s.ui.ServeHTTP(w, r)
			return
		}
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
	return mux
}

// counted counts requests by route and status.
func (s *Service) counted(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(sw, r)
		s.metrics.requests.WithLabelValues(route, http.StatusText(sw.status)).Inc()
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// authed requires a valid bearer token. An error checking it (the store
// cannot answer) is a refusal, never a pass.
func (s *Service) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, err := s.tokens.check(r.Context(), r.Header.Get("Authorization"), time.Now())
		if err != nil {
			s.log.Info("API request refused", "path", r.URL.Path, "reason", err.Error())
			w.Header().Set("WWW-Authenticate", `Bearer realm="wf"`)
			msg := "a valid bearer token is required (create one with: wf serve tokens create NAME)"
			writeError(w, http.StatusUnauthorized, "unauthorized", msg, nil)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok.Name))
		h(w, r)
	}
}

type tokenKey struct{}

// readBody reads a request body up to the limit; the error answers the
// client (413 or 400) when it is not nil.
func (s *Service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "too_large", "the body is larger than the limit", map[string]int64{"limit": mbe.Limit})
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "bad_body", "the body could not be read: "+err.Error(), nil)
		return nil, false
	}
	return body, true
}

func (s *Service) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the store answers, takes this instance's
// heartbeats (see runtime.Liveness) and a version is loaded.
func (s *Service) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if !s.ready.Load() {
		writeError(w, http.StatusServiceUnavailable, "not_ready", "the service is starting or stopping", nil)
		return
	}
	if err := s.eng.Store.Ping(ctx); err != nil {
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", "the store does not answer: "+err.Error(), nil)
		return
	}
	if live := s.eng.Liveness(); live.Stale(s.eng.Clock().Now()) {
		msg := "the store has taken no heartbeat from this instance since " + live.LastBeat.Format(time.RFC3339) +
			": other instances may take over its runs"
		if live.Err != nil {
			msg += " (last error: " + live.Err.Error() + ")"
		}
		writeError(w, http.StatusServiceUnavailable, "heartbeat_failing", msg, nil)
		return
	}
	l := s.Program()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "version": l.Program.Version,
		"workflows": len(l.Program.Workflows())})
}
