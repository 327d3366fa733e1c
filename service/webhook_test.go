package service_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const declineFlow = `
workflow decline_kyc {
  on event "inquiry.completed" where trigger.status == "completed"

  run inquiry.decline(trigger.id, comment: "declined")
}
`

// Only a request signed with a configured secret, recently, over exactly
// this body is accepted; everything else is refused with 401 and a reason
// in the log, not in the body, and starts nothing.
func TestWebhookSignatures(t *testing.T) {
	h := newHarness(t, map[string]string{"flow.wf": declineFlow})
	body := event("evt_sig1", "inquiry.completed", "inq_1", nil)
	now := strconv.FormatInt(h.clock.Now().Unix(), 10)
	for _, tc := range []struct {
		name, header, logged string
	}{
		{"unsigned", "", "header is empty"},
		{"garbage", "nonsense", "malformed header"},
		{"wrong secret", h.sign(body, "wbhsec_other"), "no signature matches"},
		{"tampered body", h.sign(append(bytes.Clone(body), ' ')), "no signature matches"},
		{"stale", "t=" + strconv.FormatInt(h.clock.Now().Add(-time.Hour).Unix(), 10) + ",v1=" +
			strings.TrimPrefix(strings.SplitN(h.sign(body), "v1=", 2)[1], ""), "no signature matches"},
		{"no v1", "t=" + now, "no v1= signature"},
	} {
		code, resp := h.webhook(body, tc.header)
		assert.Equal(t, http.StatusUnauthorized, code, tc.name)
		assert.Equal(t, "bad_signature", resp["error"].(map[string]any)["code"], tc.name)
		assert.NotContains(t, resp["error"].(map[string]any)["message"], tc.logged, "%s: the reason is not sent back", tc.name)
		assert.Contains(t, h.logs.String(), tc.logged, tc.name)
	}
	// A correctly signed but old request is stale.
	h.clock.Advance(-10 * time.Minute)
	old := h.sign(body)
	h.clock.Advance(10 * time.Minute)
	code, _ := h.webhook(body, old)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, h.logs.String(), "timestamp outside the tolerance")
	h.drain()
	assert.Empty(t, h.runs(""), "no refused webhook started a run")

	// While a secret rotates, a header with a signature for each secret
	// passes, and so does the new secret alone once configured.
	code, resp := h.webhook(body, h.sign(body, "wbhsec_retired", secret))
	require.Equal(t, http.StatusOK, code, "%v", resp)
	h.drain()
	require.Len(t, h.runs(""), 1)
}

// Persona retries and may send an event twice: the second delivery is
// answered 200 and starts nothing.
func TestWebhookDuplicatesStartOneRun(t *testing.T) {
	h := newHarness(t, map[string]string{"flow.wf": declineFlow})
	body := event("evt_dup", "inquiry.completed", "inq_dup", nil)
	first := h.send(body)
	assert.Len(t, first["runs"], 1)
	for range 3 {
		again := h.send(body)
		assert.Equal(t, true, again["duplicate"])
	}
	runs := h.runs("")
	require.Len(t, runs, 1)
	assert.Equal(t, "completed", runs[0]["status"])
	code, ev := h.api(http.MethodGet, "/v1/events/evt_dup", nil)
	require.Equal(t, http.StatusOK, code)
	ds := ev["deliveries"].([]any)
	require.Len(t, ds, 1)
	assert.Equal(t, runs[0]["id"], ds[0].(map[string]any)["run_id"])
}

// Bodies that are too large or not events are refused with a reason.
func TestWebhookBadBodies(t *testing.T) {
	h := newHarness(t, map[string]string{"flow.wf": declineFlow})
	big := bytes.Repeat([]byte("x"), 6<<20)
	code, resp := h.webhook(big, h.sign(big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "%v", resp)
	for _, body := range []string{`not json`, `[]`, `{"data": {"type": "event", "attributes": {"name": "inquiry.completed", "payload": {}}}}`} {
		code, resp := h.webhook([]byte(body), h.sign([]byte(body)))
		assert.Equal(t, http.StatusBadRequest, code, "%s: %v", body, resp)
		assert.Equal(t, "bad_event", resp["error"].(map[string]any)["code"])
	}
	code, resp = h.do(mustRequest(t, http.MethodGet, h.srv.URL+"/webhooks/persona"))
	assert.Equal(t, http.StatusMethodNotAllowed, code)
	assert.Equal(t, "method_not_allowed", resp["error"].(map[string]any)["code"])
	code, _ = h.do(mustRequest(t, http.MethodPost, h.srv.URL+"/webhooks/persona/unknown"))
	assert.Equal(t, http.StatusNotFound, code)
}

// A where filter that fails starts nothing through the service either: the
// event records the error and the log says which workflow and where.
func TestWebhookFilterErrorStartsNothing(t *testing.T) {
	h := newHarness(t, map[string]string{"flow.wf": `
workflow kyc {
  on event "inquiry.completed" where trigger.inquiry_template.id == "itmpl_kyc"

  run inquiry.decline(trigger.id, comment: "kyc")
}
`})
	resp := h.send(event("evt_norel", "inquiry.completed", "inq_norel", nil))
	assert.Empty(t, resp["runs"])
	assert.Empty(t, h.runs(""))
	code, ev := h.api(http.MethodGet, "/v1/events/evt_norel", nil)
	require.Equal(t, http.StatusOK, code)
	d := ev["deliveries"].([]any)[0].(map[string]any)
	assert.Equal(t, "filter_failed", d["status"])
	assert.Contains(t, d["error"].(map[string]any)["message"], "trigger.inquiry_template is null")
	assert.Contains(t, h.logs.String(), "where filter failed")
	assert.Contains(t, h.logs.String(), "flow.wf:3:38")
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}
