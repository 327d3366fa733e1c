package service_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/service"
)

const apiFlows = `
workflow score {
  on api(name: string, amount: int, tags: list = [])

  output {greeting: "hello ${name}", double: amount * 2, tags: count(tags)}
}

workflow by_event {
  on event "inquiry.completed"

  log "event"
}
`

func TestAPITriggerAuth(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	for _, auth := range []string{"", "Bearer", "Bearer wft_short", "Basic abc",
		"Bearer wft_0000000000000000000000000000000000000000000000000000000000000000"} {
		req := mustRequest(t, http.MethodPost, h.srv.URL+"/v1/workflows/score/runs")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		code, resp := h.do(req)
		assert.Equal(t, http.StatusUnauthorized, code, auth)
		assert.Equal(t, "unauthorized", resp["error"].(map[string]any)["code"], auth)
	}
	// A revoked token stops working.
	tok, secret, err := service.NewToken(context.Background(), h.eng.Store, "temp")
	require.NoError(t, err)
	h.token = secret
	code, _ := h.api(http.MethodGet, "/v1/workflows", nil)
	require.Equal(t, http.StatusOK, code)
	require.NoError(t, h.eng.Store.RevokeToken(context.Background(), tok.ID))
	// The cache trusts a checked token for a few seconds of real time; a
	// new service instance asks the store at once.
	h.restart()
	h.token = secret
	code, _ = h.api(http.MethodGet, "/v1/workflows", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
}

func TestAPITriggerValidatesInputs(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	code, resp := h.api(http.MethodPost, "/v1/workflows/score/runs", map[string]any{"nmae": "x", "amount": "ten"})
	require.Equal(t, http.StatusBadRequest, code)
	e := resp["error"].(map[string]any)
	assert.Equal(t, "bad_inputs", e["code"])
	assert.ElementsMatch(t, []any{"missing input name (string)", "input amount must be int, got string",
		"unknown input nmae (did you mean name?)"}, e["details"])

	code, resp = h.api(http.MethodPost, "/v1/workflows/nope/runs", map[string]any{})
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "no_such_workflow", resp["error"].(map[string]any)["code"])
	code, resp = h.api(http.MethodPost, "/v1/workflows/by_event/runs", map[string]any{})
	assert.Equal(t, http.StatusConflict, code)
	assert.Equal(t, "not_an_api_trigger", resp["error"].(map[string]any)["code"])
	code, resp = h.api(http.MethodPost, "/v1/workflows/score/runs", "[1, 2]")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "bad_body", resp["error"].(map[string]any)["code"])
	code, _ = h.api(http.MethodPost, "/v1/workflows/score/runs?wait=soon", map[string]any{"name": "a", "amount": 1})
	assert.Equal(t, http.StatusBadRequest, code)
	h.drain()
	assert.Empty(t, h.runs(""), "nothing was started")
}

func TestAPITriggerWaitsAndIsIdempotent(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	// Persona's shape and plain JSON both work; ?wait answers with the outputs.
	code, rec := h.api(http.MethodPost, "/v1/workflows/score/runs?wait=10s",
		map[string]any{"data": map[string]any{"attributes": map[string]any{"fields": map[string]any{"name": "Ada", "amount": 21}}}})
	require.Equal(t, http.StatusOK, code, "%v", rec)
	assert.Equal(t, "completed", rec["status"])
	assert.Equal(t, map[string]any{"greeting": "hello Ada", "double": float64(42), "tags": float64(0)}, rec["outputs"])

	// Without ?wait: 202 and where to look.
	code, resp := h.api(http.MethodPost, "/v1/workflows/score/runs", map[string]any{"name": "Bo", "amount": 1})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	assert.Equal(t, "completed", h.run(resp["id"].(string))["status"])

	// The same Idempotency-Key answers with the first run.
	body := map[string]any{"name": "Cy", "amount": 2}
	code, first := h.api(http.MethodPost, "/v1/workflows/score/runs?wait=10s", body, "Idempotency-Key", "order-7")
	require.Equal(t, http.StatusOK, code)
	code, again := h.api(http.MethodPost, "/v1/workflows/score/runs?wait=10s", body, "Idempotency-Key", "order-7")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, first["id"], again["id"])
	code, resp = h.api(http.MethodPost, "/v1/workflows/score/runs", map[string]any{"name": "Cy", "amount": 3}, "Idempotency-Key", "order-7")
	assert.Equal(t, http.StatusUnprocessableEntity, code)
	assert.Equal(t, "idempotency_key_reused", resp["error"].(map[string]any)["code"])
	assert.Len(t, h.runs("workflow=score"), 3)
}

func TestRunListingFiltersAndPages(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	for i := range 5 {
		code, _ := h.api(http.MethodPost, "/v1/workflows/score/runs", map[string]any{"name": "n", "amount": i})
		require.Equal(t, http.StatusAccepted, code)
		h.clock.Advance(1e9)
	}
	h.send(event("evt_l1", "inquiry.completed", "inq_list", nil))
	h.drain()
	assert.Len(t, h.runs("workflow=score"), 5)
	byTrigger := h.runs("trigger_id=inq_list")
	require.Len(t, byTrigger, 1)
	assert.Equal(t, "by_event", byTrigger[0]["workflow"])
	assert.Len(t, h.runs("status=completed"), 6)
	assert.Empty(t, h.runs("status=failed"))

	// Pages of two, newest first, with no run twice.
	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < 10; page++ {
		code, resp := h.api(http.MethodGet, "/v1/runs?workflow=score&limit=2&cursor="+cursor, nil)
		require.Equal(t, http.StatusOK, code)
		for _, r := range resp["runs"].([]any) {
			id := r.(map[string]any)["id"].(string)
			assert.False(t, seen[id], "run %s listed twice", id)
			seen[id] = true
		}
		next, ok := resp["next_cursor"].(string)
		if !ok {
			break
		}
		cursor = next
	}
	assert.Len(t, seen, 5)
	code, resp := h.api(http.MethodGet, "/v1/runs?limit=0&status=weird&since=yesterday", nil)
	require.Equal(t, http.StatusBadRequest, code)
	assert.Len(t, resp["error"].(map[string]any)["details"], 3)
	code, _ = h.api(http.MethodGet, "/v1/runs/run_doesnotexist", nil)
	assert.Equal(t, http.StatusNotFound, code)
}

func TestWorkflowsHealthAndMetrics(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	code, resp := h.api(http.MethodGet, "/v1/workflows", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, resp["workflows"], 2)
	code, _ = h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/healthz"))
	assert.Equal(t, http.StatusOK, code)
	code, ready := h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/readyz"))
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ready", ready["status"])
	h.send(event("evt_m", "inquiry.completed", "inq_m", nil))
	res, err := http.Get(h.srv.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	text := string(b)
	for _, want := range []string{`wf_webhooks_total{result="accepted"} 1`, `wf_runs_started_total{workflow="by_event"} 1`,
		`wf_runs_finished_total{status="completed",workflow="by_event"} 1`, `wf_queue_depth`, `wf_runs{status="parked"}`} {
		assert.Contains(t, text, want)
	}
	code, _ = h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/v1/nothing"))
	assert.Equal(t, http.StatusNotFound, code)
}

// An instance the store has taken no heartbeat from for longer than it
// waits (other instances may take over its runs) is not ready, and says
// why; the metrics show how old its last heartbeat is.
func TestReadyzFailsWhenHeartbeatsStop(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": apiFlows})
	h.clock.Advance(16 * time.Second) // no heartbeat in the harness (an hour apart); the store waits 15s
	code, resp := h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/readyz"))
	assert.Equal(t, http.StatusServiceUnavailable, code)
	e := resp["error"].(map[string]any)
	assert.Equal(t, "heartbeat_failing", e["code"])
	assert.Contains(t, e["message"], "other instances may take over its runs")
	res, err := http.Get(h.srv.URL + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Contains(t, string(b), "wf_heartbeat_age_seconds 16\n")
	assert.Contains(t, string(b), "wf_heartbeat_failures_total 0\n")
}
