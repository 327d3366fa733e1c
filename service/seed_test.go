package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedHarness serves the three seed examples as a user would: the example
// files, the example fixtures, a Slack webhook secret pointing at a
// loopback sink.
func seedHarness(t *testing.T) (*harness, *[]string) {
	files := map[string]string{}
	for _, f := range []string{"decline_blocked_ip.wf", "review_minors.wf", "kyb_checks.wf"} {
		b, err := os.ReadFile(filepath.Join("..", "examples", f))
		require.NoError(t, err)
		files[f] = string(b)
	}
	var mu sync.Mutex
	var slack []string
	sink := newSink(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		slack = append(slack, string(b))
		mu.Unlock()
		w.Write([]byte("ok"))
	})
	h := newHarness(t, files)
	require.NoError(t, os.WriteFile(filepath.Join(h.local, "secrets.env"),
		[]byte("SLACK_REVIEW_WEBHOOK="+sink+"/hook\n"), 0o600))
	h.restart() // read the secrets
	_, _, err := h.eng.LoadFixtures(context.Background(), filepath.Join("..", "examples", "fixtures.json"))
	require.NoError(t, err)
	return h, &slack
}

func exampleEvent(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("..", "examples", "events", name))
	require.NoError(t, err)
	return b
}

// The three seed scenarios, through the service: a signed Persona webhook
// declines the inquiry from a blocked IP; a minor's inquiry is marked for
// review and Slack is told; an HTTP call to the KYB workflow runs the four
// checks in parallel and opens a case when one matches. Each is visible
// through GET /v1/runs/{id}.
func TestSeedScenariosThroughTheService(t *testing.T) {
	h, slack := seedHarness(t)

	// 1. Blocked IP.
	resp := h.send(exampleEvent(t, "inquiry_blocked_ip.json"))
	ids := resp["runs"].([]any)
	var declined map[string]any
	for _, id := range ids {
		rec := h.run(id.(string))
		require.Equal(t, "completed", rec["status"], "%v", rec["error"])
		if rec["workflow"] == "decline_blocked_ip" {
			declined = rec
		}
	}
	require.NotNil(t, declined)
	dec := steps(declined)["inquiry.decline"]
	require.NotNil(t, dec)
	assert.Equal(t, "completed", dec["status"])
	assert.Equal(t, map[string]any{"id": "inq_Block0003", "comment": "IP 198.51.100.23 is on blocked-ips"}, dec["args"])
	assert.Equal(t, "declined", dec["result"].(map[string]any)["status"])
	obj, err := h.eng.Store.GetObject(context.Background(), "inquiry", "inq_Block0003")
	require.NoError(t, err)
	assert.Equal(t, "declined", obj["status"])

	// 2. A minor (born 2010-09-30; the fake clock says 2026-11-25).
	resp = h.send(exampleEvent(t, "inquiry_minor.json"))
	var minor map[string]any
	for _, id := range resp["runs"].([]any) {
		if rec := h.run(id.(string)); rec["workflow"] == "review_minors" {
			minor = rec
		}
	}
	require.NotNil(t, minor)
	require.Equal(t, "completed", minor["status"], "%v", minor["error"])
	st := steps(minor)
	assert.Equal(t, "applicant is 16", st["inquiry.mark_for_review"]["args"].(map[string]any)["comment"])
	assert.Equal(t, "completed", st["slack.post"]["status"])
	require.Len(t, *slack, 1)
	assert.Contains(t, (*slack)[0], "Inquiry inq_Minor0002 marked for review: under 18")
	raw, _ := json.Marshal(minor)
	assert.NotContains(t, string(raw), "/hook", "the webhook URL is a secret: not in the record")
	obj, err = h.eng.Store.GetObject(context.Background(), "inquiry", "inq_Minor0002")
	require.NoError(t, err)
	assert.Equal(t, "needs_review", obj["status"])

	// ... and an adult's inquiry takes no step.
	resp = h.send(exampleEvent(t, "inquiry_adult.json"))
	for _, id := range resp["runs"].([]any) {
		rec := h.run(id.(string))
		assert.Equal(t, "completed", rec["status"])
		assert.Empty(t, rec["steps"], rec["workflow"])
	}

	// 3. KYB through the API: a sanctioned business opens a case.
	code, kyb := h.api(http.MethodPost, "/v1/workflows/kyb_checks/runs?wait=10s",
		map[string]any{"business_name": "Sanctioned Trading LLC", "address": "1 Main St", "ein": "12-3456789"})
	require.Equal(t, http.StatusOK, code, "%v", kyb)
	require.Equal(t, "completed", kyb["status"], "%v", kyb["error"])
	st = steps(h.run(kyb["id"].(string)))
	for _, name := range []string{"report.business_watchlist", "report.business_adverse_media", "report.business_lookup", "verification.tin_check"} {
		require.Contains(t, st, name)
		assert.Equal(t, "completed", st[name]["status"], name)
	}
	require.Contains(t, st, "case.create")
	assert.Equal(t, map[string]any{"watchlist": true, "adverse_media": false, "tin": "passed"}, kyb["outputs"])
	// The four checks are branches of one parallel block (their keys say so).
	for i, name := range []string{"report.business_watchlist", "report.business_adverse_media", "report.business_lookup", "verification.tin_check"} {
		assert.Contains(t, st[name]["key"], ":0.p"+string(rune('0'+i)), name)
	}

	// ... a clean business opens none.
	code, clean := h.api(http.MethodPost, "/v1/workflows/kyb_checks/runs?wait=10s",
		map[string]any{"business_name": "Honest Bakery", "address": "2 Side St", "ein": "98-7654321"})
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, steps(clean), "case.create")
}
