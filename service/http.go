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

// routes builds the HTTP API.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(method, path string, h http.HandlerFunc) {
		mux.HandleFunc(method+" "+path, s.counted(path, h))
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not allowed here; use "+method, nil)
		})
	}
	handle("POST", "/webhooks/persona", s.webhook)
	handle("POST", "/webhooks/persona/{endpoint}", s.webhook)
	handle("POST", "/v1/workflows/{name}/runs", s.authed(s.triggerAPI))
	handle("GET", "/v1/workflows", s.authed(s.listWorkflows))
	handle("GET", "/v1/runs", s.authed(s.listRuns))
	mux.HandleFunc("GET /v1/runs/{id}", s.counted("/v1/runs/{id}", s.authed(s.getRun)))
	handle("POST", "/v1/runs/{id}/cancel", s.authed(s.cancelRun))
	handle("POST", "/v1/runs/{id}/resume", s.authed(s.resumeRun))
	handle("POST", "/v1/runs/{id}/rerun", s.authed(s.rerunRun))
	handle("GET", "/v1/events/{id}", s.authed(s.getEvent))
	handle("GET", "/healthz", s.healthz)
	handle("GET", "/readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
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
