package service_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const waitFlows = `
workflow approve_later {
  on event "inquiry.completed"

  run inquiry.mark_for_review(trigger.id, comment: "waiting for a reviewer")
  let approved = wait event "inquiry.approved" where approved.trigger.id == trigger.id timeout 7d
  when approved == null {
    run inquiry.decline(trigger.id, comment: "nobody approved it")
  } else {
    log "approved at ${approved.created_at}"
  }
  output {approved: approved != null}
}

workflow sleeper {
  on api(n: int)

  log "before"
  wait 3d
  log "after ${n}"
  output {n: n}
}
`

// An event wait parks the run (no goroutine holds it); a matching webhook
// later wakes it and it completes with the event; another inquiry's
// approval does not.
func TestEventWaitIsResumedByALaterWebhook(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": waitFlows})
	h.send(event("evt_c1", "inquiry.completed", "inq_w1", nil))
	runs := h.runs("workflow=approve_later")
	require.Len(t, runs, 1)
	id := runs[0]["id"].(string)
	rec := h.run(id)
	require.Equal(t, "parked", rec["status"])
	waits := rec["waits"].([]any)
	require.Len(t, waits, 1)
	assert.Equal(t, "inquiry.approved", waits[0].(map[string]any)["event"])

	// Another inquiry's approval wakes the run, which looks and parks again.
	h.clock.Advance(time.Hour)
	h.send(event("evt_a_other", "inquiry.approved", "inq_other", map[string]any{"status": "approved"}))
	assert.Equal(t, "parked", h.run(id)["status"])

	h.clock.Advance(time.Hour)
	h.send(event("evt_a1", "inquiry.approved", "inq_w1", map[string]any{"status": "approved"}))
	rec = h.run(id)
	require.Equal(t, "completed", rec["status"], "%v", rec["error"])
	assert.Equal(t, map[string]any{"approved": true}, rec["outputs"])
	st := steps(rec)
	assert.Equal(t, "completed", st["inquiry.mark_for_review"]["status"])
	assert.Equal(t, "evt_a1", st["wait event"]["result"].(map[string]any)["id"])
	assert.NotContains(t, st, "inquiry.decline")
	// The step before the wait was performed once, not on every wake-up.
	assert.EqualValues(t, 1, st["inquiry.mark_for_review"]["attempts"])
	logs := rec["logs"].([]any)
	require.Len(t, logs, 1)
}

// An event that arrives while the run is still executing, before it waits,
// is found when it waits.
func TestEventWaitFindsAnEventThatCameFirst(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": `
workflow late_waiter {
  on api(id: string)

  wait 1h
  let e = wait event "case.resolved" where e.trigger.id == id timeout 1d
  output {found: e != null}
}
`})
	code, resp := h.api(http.MethodPost, "/v1/workflows/late_waiter/runs", map[string]any{"id": "inq_early"})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	id := resp["id"].(string)
	require.Equal(t, "parked", h.run(id)["status"])
	h.clock.Advance(10 * time.Minute)
	h.send(event("evt_early", "case.resolved", "inq_early", nil))
	h.advance(time.Hour)
	rec := h.run(id)
	require.Equal(t, "completed", rec["status"])
	assert.Equal(t, map[string]any{"found": true}, rec["outputs"])
}

// An event wait whose timeout passes ends with null, on the timer.
func TestEventWaitTimesOut(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": waitFlows})
	h.send(event("evt_c2", "inquiry.completed", "inq_w2", nil))
	id := h.runs("workflow=approve_later")[0]["id"].(string)
	h.advance(6 * 24 * time.Hour)
	assert.Equal(t, "parked", h.run(id)["status"])
	h.advance(24 * time.Hour)
	rec := h.run(id)
	require.Equal(t, "completed", rec["status"], "%v", rec["error"])
	assert.Equal(t, map[string]any{"approved": false}, rec["outputs"])
	assert.Equal(t, "completed", steps(rec)["inquiry.decline"]["status"])
}

// A time wait parks the run; it survives a restart of the service and ends
// when its time comes.
func TestTimersSurviveARestart(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": waitFlows})
	code, resp := h.api(http.MethodPost, "/v1/workflows/sleeper/runs", map[string]any{"n": 7})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	id := resp["id"].(string)
	require.Equal(t, "parked", h.run(id)["status"])

	h.restart()
	h.advance(2 * 24 * time.Hour)
	assert.Equal(t, "parked", h.run(id)["status"])
	h.restart()
	h.advance(24 * time.Hour)
	rec := h.run(id)
	require.Equal(t, "completed", rec["status"], "%v", rec["error"])
	assert.Equal(t, map[string]any{"n": float64(7)}, rec["outputs"])
	var msgs []string
	for _, l := range rec["logs"].([]any) {
		msgs = append(msgs, l.(map[string]any)["message"].(string))
	}
	assert.Equal(t, []string{"before", "after 7"}, msgs, "each log line once, though the run was replayed")
}
