package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// triggerAPI is POST /v1/workflows/{name}/runs: it starts a run of a
// workflow with an `on api(…)` trigger. The body is Persona's shape
// ({"data": {"attributes": {"fields": {…}}}}) or a plain JSON object of
// inputs, checked against the trigger's parameters (400 with every
// problem). An Idempotency-Key header makes a retried call answer with the
// run the first call started. ?wait=10s answers with the outputs when the
// run ends in time; otherwise 202 with the run's URL.
func (s *Service) triggerAPI(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	l := s.Program()
	prog := l.Program
	if !prog.HasWorkflow(name) {
		writeError(w, http.StatusNotFound, "no_such_workflow", "there is no workflow "+name, map[string]any{"workflows": prog.Workflows()})
		return
	}
	if !prog.TriggerKinds(name)["api"] {
		writeError(w, http.StatusConflict, "not_an_api_trigger", name+" has no on api(…) trigger, so it cannot be started through the API", nil)
		return
	}
	wait, ok := s.waitParam(w, r)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	inputs, err := runtime.APIInputs(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_body", err.Error(), nil)
		return
	}
	if _, err := prog.BindInputs(name, inputs); err != nil {
		var ie *interp.InputError
		if errors.As(err, &ie) {
			writeError(w, http.StatusBadRequest, "bad_inputs", "the inputs do not match the workflow's parameters", ie.Problems)
			return
		}
		writeError(w, http.StatusBadRequest, "bad_inputs", err.Error(), nil)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		writeError(w, http.StatusBadRequest, "bad_idempotency_key", "the Idempotency-Key is longer than 255 characters", nil)
		return
	}
	run, created, err := s.startAPIRun(r.Context(), l, name, inputs, key)
	if err != nil {
		if errors.Is(err, errKeyReused) {
			writeError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", err.Error(), nil)
			return
		}
		s.log.Error("API run could not be started", "workflow", name, "error", err)
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", "the run could not be recorded; retry later", nil)
		return
	}
	if created {
		s.metrics.started.WithLabelValues(name).Inc()
		s.log.Info("API run started", "run", run.ID, "workflow", name, "token", r.Context().Value(tokenKey{}))
	}
	s.answerRun(w, r, run.ID, wait, created)
}

var errKeyReused = errors.New("this Idempotency-Key was used with other inputs")

// startAPIRun records a queued run (or finds the one an earlier call with
// the same Idempotency-Key started) and hands it to the workers.
func (s *Service) startAPIRun(ctx context.Context, l *runtime.Loaded, name string, inputs *interp.Map, key string) (*store.Run, bool, error) {
	row, err := s.eng.NewQueuedRun(ctx, l, runtime.RunOptions{Workflow: name, Inputs: inputs})
	if err != nil {
		return nil, false, err
	}
	row.APIKey = key
	err = s.eng.Store.CreateRun(ctx, row)
	if errors.Is(err, store.ErrExists) && key != "" {
		prev, err := s.eng.Store.RunByAPIKey(ctx, name, key)
		if err != nil {
			return nil, false, err
		}
		if !runtime.JSONEqual(prev.Inputs, row.Inputs) {
			return nil, false, errKeyReused
		}
		return prev, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	s.queue.Enqueue(row.ID)
	return row, true, nil
}

// waitParam reads ?wait=D, answering 400 bad_wait (and false) when it is
// not a duration: checked before the request acts, so a bad wait changes
// nothing.
func (s *Service) waitParam(w http.ResponseWriter, r *http.Request) (time.Duration, bool) {
	wait, err := s.parseWait(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_wait", err.Error(), nil)
		return 0, false
	}
	return wait, true
}

// parseWait reads ?wait=D (capped at MaxWait).
func (s *Service) parseWait(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("wait=%q is not a duration such as 10s", v)
	}
	return min(d, s.cfg.MaxWait), nil
}

// answerRun answers with the run: with a wait, its record when it has ended
// within it; otherwise 202 with where to look.
func (s *Service) answerRun(w http.ResponseWriter, r *http.Request, id string, wait time.Duration, created bool) {
	if wait > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		s.waiters.wait(ctx, s.eng.Store, id)
		cancel()
	}
	run, err := s.eng.Store.GetRun(r.Context(), id)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store_error", err.Error(), nil)
		return
	}
	rec := runtime.RecordOf(run)
	w.Header().Set("Location", "/v1/runs/"+run.ID)
	switch {
	case wait > 0 && store.Ended(run.Status):
		writeJSON(w, http.StatusOK, rec)
	case created:
		writeJSON(w, http.StatusAccepted, map[string]any{"id": run.ID, "status": run.Status, "url": "/v1/runs/" + run.ID})
	default:
		writeJSON(w, http.StatusAccepted, map[string]any{"id": run.ID, "status": run.Status, "url": "/v1/runs/" + run.ID, "duplicate": true})
	}
}

// waiters lets API calls wait for runs to end.
type waiters struct {
	mu sync.Mutex
	m  map[string][]chan struct{}
}

func (ws *waiters) wait(ctx context.Context, st store.Store, id string) {
	ch := make(chan struct{})
	ws.mu.Lock()
	if ws.m == nil {
		ws.m = map[string][]chan struct{}{}
	}
	ws.m[id] = append(ws.m[id], ch)
	ws.mu.Unlock()
	defer ws.drop(id, ch)
	// It may have ended before we started listening.
	if run, err := st.GetRun(ctx, id); err == nil && store.Ended(run.Status) {
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

func (ws *waiters) drop(id string, ch chan struct{}) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	list := ws.m[id]
	for i, c := range list {
		if c == ch {
			ws.m[id] = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(ws.m[id]) == 0 {
		delete(ws.m, id)
	}
}

// notify wakes the callers waiting for a run that ended.
func (ws *waiters) notify(rec *runtime.Record) {
	if !store.Ended(rec.Status) {
		return
	}
	ws.mu.Lock()
	list := ws.m[rec.ID]
	delete(ws.m, rec.ID)
	ws.mu.Unlock()
	for _, ch := range list {
		close(ch)
	}
}

// workflowInfo describes a workflow for GET /v1/workflows.
type workflowInfo struct {
	Name     string      `json:"name"`
	Version  string      `json:"version"`
	Triggers []string    `json:"triggers"`
	Params   []paramInfo `json:"params,omitempty"`
	Events   []string    `json:"events,omitempty"`
	Schedule []string    `json:"schedules,omitempty"`
}

type paramInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Required bool   `json:"required"`
}

func (s *Service) listWorkflows(w http.ResponseWriter, _ *http.Request) {
	prog := s.Program().Program
	var out []workflowInfo
	for _, n := range prog.Workflows() {
		wi := workflowInfo{Name: n, Version: prog.Version, Triggers: []string{}}
		for k := range prog.TriggerKinds(n) {
			wi.Triggers = append(wi.Triggers, k)
		}
		sort.Strings(wi.Triggers)
		for _, p := range prog.Params(n) {
			wi.Params = append(wi.Params, paramInfo{Name: p.Name, Type: p.Type.String(), Required: p.Required})
		}
		wi.Events = prog.EventPatterns(n)
		for _, sc := range prog.Schedules() {
			if sc.Workflow == n {
				wi.Schedule = append(wi.Schedule, sc.ID())
			}
		}
		out = append(out, wi)
	}
	writeJSON(w, http.StatusOK, map[string]any{"version": prog.Version, "workflows": out})
}

// listRuns is GET /v1/runs?workflow=&status=&trigger_id=&since=&until=&limit=&cursor=.
func (s *Service) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.RunFilter{Workflow: q.Get("workflow"), Status: q.Get("status"), TriggerID: q.Get("trigger_id")}
	var problems []string
	for _, p := range []struct {
		key string
		dst *time.Time
	}{{"since", &f.Since}, {"until", &f.Before}} {
		if v := q.Get(p.key); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s=%q is not an RFC 3339 time", p.key, v))
			}
			*p.dst = t
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxRunLimit {
			problems = append(problems, fmt.Sprintf("limit=%q must be a number from 1 to %d", v, store.MaxRunLimit))
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		c, err := decodeCursor(v)
		if err != nil {
			problems = append(problems, "cursor is not one this API gave")
		}
		f.After = c
	}
	if f.Status != "" && !knownStatus[f.Status] {
		problems = append(problems, fmt.Sprintf("status=%q is not one of queued, running, parked, completed, failed, cancelled, interrupted", f.Status))
	}
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "bad_query", "the query is not valid", problems)
		return
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	runs, err := s.eng.Store.ListRuns(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store_error", err.Error(), nil)
		return
	}
	out := make([]*runtime.Record, len(runs))
	for i := range runs {
		out[i] = runtime.RecordOf(&runs[i])
	}
	resp := map[string]any{"runs": out}
	if len(runs) == f.Limit {
		last := runs[len(runs)-1]
		resp["next_cursor"] = encodeCursor(store.Cursor{StartedAt: last.StartedAt, ID: last.ID})
	}
	writeJSON(w, http.StatusOK, resp)
}

var knownStatus = map[string]bool{"queued": true, "running": true, "parked": true, "completed": true,
	"failed": true, "cancelled": true, "interrupted": true}

func encodeCursor(c store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.StartedAt.UnixNano(), 10) + ":" + c.ID))
}

func decodeCursor(s string) (*store.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	ns, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || id == "" {
		return nil, errors.New("bad cursor")
	}
	return &store.Cursor{StartedAt: time.Unix(0, n).UTC(), ID: id}, nil
}

// getRun is GET /v1/runs/{id}: the run with every step (arguments, result,
// attempts, timing) and its log lines in order.
func (s *Service) getRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.eng.Store.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeError(w, "run", err)
		return
	}
	rec := runtime.RecordOf(run)
	if run.Status == store.StatusParked {
		if rec.Waits, err = s.eng.Waits(r.Context(), run.ID); err != nil {
			s.storeError(w, "run", err)
			return
		}
	}
	writeJSON(w, http.StatusOK, rec)
}

func (s *Service) storeError(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such "+what, nil)
		return
	}
	if strings.Contains(err.Error(), "ambiguous") {
		writeError(w, http.StatusBadRequest, "ambiguous_id", err.Error(), nil)
		return
	}
	writeError(w, http.StatusInternalServerError, "store_error", err.Error(), nil)
}

// cancelRun is POST /v1/runs/{id}/cancel.
func (s *Service) cancelRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.eng.Store.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeError(w, "run", err)
		return
	}
	if store.Ended(run.Status) {
		writeError(w, http.StatusConflict, "run_ended", "run "+run.ID+" has already "+run.Status, nil)
		return
	}
	if err := s.eng.CancelRun(r.Context(), run.ID); err != nil {
		writeError(w, http.StatusConflict, "not_cancellable", err.Error(), nil)
		return
	}
	s.answerRun(w, r, run.ID, 5*time.Second, false)
}

// resumeRun is POST /v1/runs/{id}/resume: a failed, cancelled or
// interrupted run continues from where it stopped, on its own version.
func (s *Service) resumeRun(w http.ResponseWriter, r *http.Request) {
	wait, ok := s.waitParam(w, r)
	if !ok {
		return
	}
	run, err := s.eng.Store.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeError(w, "run", err)
		return
	}
	if err := s.eng.Store.Requeue(r.Context(), run.ID, s.eng.QueueOwner()); err != nil {
		writeError(w, http.StatusConflict, "not_resumable", err.Error(), map[string]string{"status": run.Status})
		return
	}
	s.log.Info("run resumed", "run", run.ID)
	s.queue.Enqueue(run.ID)
	s.answerRun(w, r, run.ID, wait, true)
}

// rerunRun is POST /v1/runs/{id}/rerun: the same trigger on the newest
// version, as a new run linked to the old one.
func (s *Service) rerunRun(w http.ResponseWriter, r *http.Request) {
	wait, ok := s.waitParam(w, r)
	if !ok {
		return
	}
	run, err := s.eng.Store.GetRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeError(w, "run", err)
		return
	}
	row, err := s.eng.Rerun(r.Context(), s.Program(), run)
	if err != nil {
		writeError(w, http.StatusConflict, "not_rerunnable", err.Error(), nil)
		return
	}
	s.log.Info("run rerun", "run", row.ID, "rerun_of", run.ID)
	s.metrics.started.WithLabelValues(row.Workflow).Inc()
	s.queue.Enqueue(row.ID)
	s.answerRun(w, r, row.ID, wait, true)
}

// getEvent is GET /v1/events/{id}: the event and what it did to each
// workflow listening for it (the run it started, or why it did not).
func (s *Service) getEvent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ev, err := s.eng.Store.GetEvent(r.Context(), id)
	if err != nil {
		s.storeError(w, "event", err)
		return
	}
	ds, err := s.eng.Store.Deliveries(r.Context(), id)
	if err != nil {
		s.storeError(w, "event", err)
		return
	}
	type delivery struct {
		Workflow string          `json:"workflow"`
		Status   string          `json:"status"`
		RunID    string          `json:"run_id,omitempty"`
		Error    json.RawMessage `json:"error,omitempty"`
	}
	out := make([]delivery, len(ds))
	for i, d := range ds {
		out[i] = delivery{Workflow: d.Workflow, Status: d.Status, RunID: d.RunID, Error: d.Error}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": ev.ID, "name": ev.Name, "received_at": ev.ReceivedAt,
		"status": ev.Status, "body": ev.Body, "deliveries": out})
}
