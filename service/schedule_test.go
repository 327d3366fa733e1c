package service_test

import (
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

const nightly = `
workflow nightly {
  on schedule "30 2 * * *" tz "America/New_York"

  output {at: trigger.scheduled_at, late: trigger.late, missed: trigger.missed}
}
`

// scheduledRuns returns the nightly runs' outputs, oldest first.
func scheduledRuns(h *harness) []map[string]any {
	var out []map[string]any
	for _, r := range h.runs("workflow=nightly&limit=1000") {
		require.Equal(h.t, "completed", r["status"])
		out = append(out, r["outputs"].(map[string]any))
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["at"].(string) < out[j]["at"].(string) })
	return out
}

// Across both DST transitions, walked in 20-minute steps on a fake clock, a
// daily 02:30 New York job fires exactly once a day: at 02:30, or on the
// day 02:30 does not exist, at 03:30 (after the jump).
func TestScheduleAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	for _, tc := range []struct {
		start time.Time
		walls []string
	}{
		{time.Date(2026, 3, 6, 12, 0, 0, 0, ny), []string{"03-07 02:30 EST", "03-08 03:30 EDT", "03-09 02:30 EDT", "03-10 02:30 EDT"}},
		{time.Date(2026, 10, 30, 12, 0, 0, 0, ny), []string{"10-31 02:30 EDT", "11-01 02:30 EST", "11-02 02:30 EST", "11-03 02:30 EST"}},
	} {
		h := newHarness(t, map[string]string{"nightly.wf": nightly})
		h.config.Late = time.Hour // the test moves in 20-minute steps
		h.clock = interp.NewFakeClock(tc.start)
		h.restart()
		for range 4 * 24 * 3 {
			h.advance(20 * time.Minute)
		}
		var walls []string
		for _, o := range scheduledRuns(h) {
			walls = append(walls, mustTime(t, o["at"]).In(ny).Format("01-02 15:04 MST"))
			assert.Equal(t, false, o["late"])
		}
		assert.Equal(t, tc.walls, walls)
	}
}

func mustTime(t *testing.T, v any) time.Time {
	at, err := time.Parse(time.RFC3339, v.(string))
	require.NoError(t, err)
	return at
}

// A tick missed while the service was down fires once, late, when it comes
// back; restarts never fire a tick twice.
func TestScheduleCatchUpAfterDowntime(t *testing.T) {
	h := newHarness(t, map[string]string{"nightly.wf": nightly})
	ny, _ := time.LoadLocation("America/New_York")
	h.config.Late = 2 * time.Hour // the test moves in large steps
	h.clock = interp.NewFakeClock(time.Date(2026, 11, 9, 20, 0, 0, 0, ny))
	h.restart()
	h.advance(8 * time.Hour) // past 02:30 on the 10th
	require.Len(t, scheduledRuns(h), 1)
	h.restart() // a restart at once fires nothing more
	h.tick()
	require.Len(t, scheduledRuns(h), 1)

	h.stop()
	h.clock.Advance(3 * 24 * time.Hour) // down across three more 02:30s
	h.start()
	h.tick()
	got := scheduledRuns(h)
	require.Len(t, got, 2, "the missed ticks fire once")
	assert.Equal(t, true, got[1]["late"])
	assert.EqualValues(t, 2, got[1]["missed"], "two ticks before the latest were skipped")
	assert.Equal(t, "2026-11-13 02:30", mustTime(t, got[1]["at"]).In(ny).Format("2006-01-02 15:04"))
	h.advance(24 * time.Hour)
	got = scheduledRuns(h)
	require.Len(t, got, 3)
	assert.Equal(t, false, got[2]["late"])
}

// on every ticks at the multiples of its interval; workflow.schedule starts
// its run at the time it asked for, even across a restart.
func TestEveryAndWorkflowSchedule(t *testing.T) {
	h := newHarness(t, map[string]string{"flows.wf": `
workflow poll {
  on every 15m

  log "poll"
}

workflow later {
  on api(who: string)

  run workflow.schedule("reminder", at: now() + 2h, input: {who: who})
}

workflow reminder {
  on workflow(who: string)

  output {told: who}
}
`})
	for range 4 {
		h.advance(15 * time.Minute)
	}
	polls := h.runs("workflow=poll")
	require.Len(t, polls, 4)
	for _, p := range polls {
		assert.Equal(t, false, p["trigger"].(map[string]any)["late"])
	}

	code, resp := h.api(http.MethodPost, "/v1/workflows/later/runs?wait=5s", map[string]any{"who": "ops"})
	require.Equal(t, http.StatusOK, code, "%v", resp)
	h.advance(time.Hour)
	assert.Empty(t, h.runs("workflow=reminder"))
	h.restart()
	h.advance(time.Hour + time.Minute)
	rem := h.runs("workflow=reminder")
	require.Len(t, rem, 1)
	assert.Equal(t, map[string]any{"told": "ops"}, rem[0]["outputs"])
	assert.Equal(t, resp["id"], rem[0]["parent_id"])
}
