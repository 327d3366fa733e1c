package service

import (
	"context"
	"net/http"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// webhook receives a Persona webhook: it checks the Persona-Signature
// header, records the event once per id together with the runs it starts,
// and answers 200 before any of them runs (Persona gives up after 5 s and
// retries). A forged, stale or tampered request is refused with 401; the
// reason is logged, never sent back.
func (s *Service) webhook(w http.ResponseWriter, r *http.Request) {
	endpoint := r.PathValue("endpoint")
	secrets, ok := s.cfg.Webhooks[endpoint]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "no webhook endpoint is configured here", nil)
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		s.metrics.webhooks.WithLabelValues("too_large").Inc()
		return
	}
	if err := httpx.Verify(r.Header.Get("Persona-Signature"), body, secrets, s.eng.Clock().Now(), s.cfg.Tolerance); err != nil {
		s.metrics.webhooks.WithLabelValues("rejected").Inc()
		s.log.Warn("webhook refused", "endpoint", endpoint, "remote", r.RemoteAddr, "reason", err.Error())
		s.reject(r, endpoint, body, err.Error())
		writeError(w, http.StatusUnauthorized, "bad_signature", "the Persona-Signature header is missing or does not match", nil)
		return
	}
	ev, err := runtime.DecodeEvent(body)
	if err != nil {
		s.metrics.webhooks.WithLabelValues("bad_event").Inc()
		s.reject(r, endpoint, body, "not an event: "+err.Error())
		writeError(w, http.StatusBadRequest, "bad_event", err.Error(), nil)
		return
	}
	if ev.ID == "" {
		s.metrics.webhooks.WithLabelValues("bad_event").Inc()
		s.reject(r, endpoint, body, "the event has no id (data.id)")
		writeError(w, http.StatusBadRequest, "bad_event", "the event has no id (data.id), so duplicates could not be told apart", nil)
		return
	}
	acc, runs, err := s.accept(r.Context(), ev, "received")
	if err != nil {
		s.log.Error("webhook could not be recorded", "event", ev.ID, "error", err)
		writeError(w, http.StatusServiceUnavailable, "store_unavailable", "the event could not be recorded; retry later", nil)
		return
	}
	if acc.Duplicate {
		s.metrics.webhooks.WithLabelValues("duplicate").Inc()
		s.log.Info("duplicate webhook ignored", "event", ev.ID, "name", ev.Name)
		writeJSON(w, http.StatusOK, map[string]any{"event": ev.ID, "duplicate": true})
		return
	}
	s.metrics.webhooks.WithLabelValues("accepted").Inc()
	ids := make([]string, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	s.log.Info("webhook accepted", "event", ev.ID, "name", ev.Name, "runs", ids)
	writeJSON(w, http.StatusOK, map[string]any{"event": ev.ID, "runs": ids})
}

// accept routes an event to the current version's workflows and records
// it with its deliveries, the runs it starts and the trigger object (for
// the local Persona backend) in one transaction; then the runs, and parked
// runs the event wakes, go to the workers. A where filter that fails starts
// nothing; the error is in the event's deliveries and the log.
func (s *Service) accept(ctx context.Context, ev *runtime.Event, status string) (store.Accepted, []*store.Run, error) {
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.eng.Clock().Now()
	}
	in, err := s.eng.Intake(s.Program(), ev)
	if err != nil {
		return store.Accepted{}, nil, err
	}
	for _, rt := range in.Routes {
		if rt.FilterErr != nil {
			s.metrics.filterErrors.WithLabelValues(rt.Workflow).Inc()
			s.log.Warn("where filter failed; the workflow was not started", "event", ev.ID, "workflow", rt.Workflow,
				"error", rt.FilterErr.Error())
		}
	}
	body, err := interp.MarshalJSON(ev.Value())
	if err != nil {
		return store.Accepted{}, nil, err
	}
	acc, err := s.eng.Store.AcceptEvent(ctx, store.Event{ID: ev.ID, Name: ev.Name, Body: body, Status: status},
		in.Runs, in.Deliveries, in.Objects, s.eng.QueueOwner(), lang.EventMatches)
	if err != nil {
		return acc, nil, err
	}
	if acc.Duplicate {
		return acc, nil, nil
	}
	s.eng.Accepted(in, ev)
	ids := append([]string(nil), acc.Woken...)
	for _, r := range in.Runs {
		ids = append(ids, r.ID)
		s.metrics.started.WithLabelValues(r.Workflow).Inc()
	}
	s.queue.Enqueue(ids...)
	return acc, in.Runs, nil
}
