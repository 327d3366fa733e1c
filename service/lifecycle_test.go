package service_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func logMessages(rec map[string]any) []string {
	var out []string
	for _, l := range rec["logs"].([]any) {
		out = append(out, l.(map[string]any)["message"].(string))
	}
	return out
}

// An edit that checks clean becomes the version new runs start on; a run
// parked on the old version continues on it; a broken edit is refused and
// the version before keeps serving.
func TestReloadKeepsRunsOnTheirVersion(t *testing.T) {
	v1 := `
workflow greet {
  on api(name: string)

  log "v1 before ${name}"
  wait 1h
  log "v1 after ${name}"
}
`
	h := newHarness(t, map[string]string{"greet.wf": v1})
	code, resp := h.api(http.MethodPost, "/v1/workflows/greet/runs", map[string]any{"name": "old"})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	oldRun := resp["id"].(string)
	oldVersion := h.run(oldRun)["version"]

	h.write("greet.wf", `
workflow greet {
  on api(name: string)

  log "v2 ${name}"
}
`)
	require.True(t, h.svc.Reload(t.Context()))
	code, rec := h.api(http.MethodPost, "/v1/workflows/greet/runs?wait=5s", map[string]any{"name": "new"})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"v2 new"}, logMessages(rec))
	assert.NotEqual(t, oldVersion, rec["version"])

	h.write("greet.wf", "workflow greet {\n  on api(name: string\n")
	assert.False(t, h.svc.Reload(t.Context()))
	assert.Contains(t, h.logs.String(), "the previous version keeps serving")
	code, rec = h.api(http.MethodPost, "/v1/workflows/greet/runs?wait=5s", map[string]any{"name": "still"})
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, []string{"v2 still"}, logMessages(rec))

	h.advance(time.Hour)
	old := h.run(oldRun)
	require.Equal(t, "completed", old["status"])
	assert.Equal(t, oldVersion, old["version"])
	assert.Equal(t, []string{"v1 before old", "v1 after old"}, logMessages(old), "the parked run finished on its own version")
}

const flaky = `
workflow charge {
  on api(url: string)

  run http.post(url, json: {amount: 5}, retries: 1, retry_on: [503])
  log "charged"
}

workflow slow {
  on api(n: int)

  wait 1d
  log "done ${n}"
}
`

// A failed run resumes from its failed step, on its version; a rerun is a
// new run of the newest version linked to the old; a parked run can be
// cancelled.
func TestCancelResumeRerun(t *testing.T) {
	status := http.StatusServiceUnavailable
	calls := 0
	sink := newSink(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(status)
	})
	h := newHarness(t, map[string]string{"flows.wf": flaky})
	code, rec := h.api(http.MethodPost, "/v1/workflows/charge/runs?wait=5s", map[string]any{"url": sink})
	require.Equal(t, http.StatusOK, code, "%v", rec)
	require.Equal(t, "failed", rec["status"])
	id := rec["id"].(string)

	code, _ = h.api(http.MethodPost, "/v1/runs/"+id+"/cancel", nil)
	assert.Equal(t, http.StatusConflict, code, "an ended run cannot be cancelled")

	// A bad wait is refused before anything is done: the run stays failed.
	for _, action := range []string{"resume", "rerun"} {
		code, rec = h.api(http.MethodPost, "/v1/runs/"+id+"/"+action+"?wait=soon", nil)
		require.Equal(t, http.StatusBadRequest, code, "%s: %v", action, rec)
		assert.Equal(t, "bad_wait", rec["error"].(map[string]any)["code"])
	}
	code, rec = h.api(http.MethodGet, "/v1/runs/"+id, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "failed", rec["status"], "not resumed")

	// The service recovers; resume performs the failed step again.
	status = http.StatusOK
	code, rec = h.api(http.MethodPost, "/v1/runs/"+id+"/resume?wait=5s", nil)
	require.Equal(t, http.StatusOK, code, "%v", rec)
	assert.Equal(t, "completed", rec["status"])
	assert.Equal(t, id, rec["id"], "resume continues the same run")
	assert.Equal(t, 3, calls, "two attempts that failed, one that worked")
	st := steps(rec)["http.post"]
	assert.EqualValues(t, 1, st["attempts"], "the resumed step's own attempts")
	code, _ = h.api(http.MethodPost, "/v1/runs/"+id+"/resume", nil)
	assert.Equal(t, http.StatusConflict, code, "a completed run cannot be resumed")

	code, rerun := h.api(http.MethodPost, "/v1/runs/"+id+"/rerun?wait=5s", nil)
	require.Equal(t, http.StatusOK, code, "%v", rerun)
	assert.NotEqual(t, id, rerun["id"])
	assert.Equal(t, id, rerun["rerun_of"])
	assert.Equal(t, "completed", rerun["status"])
	assert.Equal(t, 4, calls)

	code, resp := h.api(http.MethodPost, "/v1/workflows/slow/runs", map[string]any{"n": 1})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	slow := resp["id"].(string)
	require.Equal(t, "parked", h.run(slow)["status"])
	code, rec = h.api(http.MethodPost, "/v1/runs/"+slow+"/cancel", nil)
	require.Equal(t, http.StatusOK, code, "%v", rec)
	assert.Equal(t, "cancelled", rec["status"])
	h.advance(2 * 24 * time.Hour)
	assert.Equal(t, "cancelled", h.run(slow)["status"], "the timer of a cancelled run does not wake it")
	assert.Empty(t, logMessages(h.run(slow)))
}

// A workflow.call whose called run waits parks its caller too; when the
// called run ends, the caller continues with its outputs.
func TestCallOfAWaitingWorkflowParksTheCaller(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": `
workflow parent {
  on api(n: int)

  let out = run workflow.call("child", {n: n})
  log "child said ${out.doubled}"
  output {result: out.doubled}
}

workflow child {
  on workflow(n: int)

  wait 2h
  output {doubled: n * 2}
}
`})
	code, resp := h.api(http.MethodPost, "/v1/workflows/parent/runs", map[string]any{"n": 21})
	require.Equal(t, http.StatusAccepted, code)
	h.drain()
	parent := resp["id"].(string)
	rec := h.run(parent)
	require.Equal(t, "parked", rec["status"])
	children := h.runs("workflow=child")
	require.Len(t, children, 1)
	assert.Equal(t, "parked", children[0]["status"])
	assert.Equal(t, children[0]["id"], rec["waits"].([]any)[0].(map[string]any)["run"])

	h.advance(2 * time.Hour)
	rec = h.run(parent)
	require.Equal(t, "completed", rec["status"], "%v", rec["error"])
	assert.Equal(t, map[string]any{"result": float64(42)}, rec["outputs"])
	assert.Equal(t, []string{"child said 42"}, logMessages(rec))
	assert.Len(t, h.runs("workflow=child"), 1, "the child ran once")
}
