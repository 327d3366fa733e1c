package runtime_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
)

const filtered = `
workflow kyc {
  on event "inquiry.completed" where trigger.inquiry_template.id == "itmpl_kyc"

  run inquiry.decline(trigger.id, comment: "declined by kyc")
}

workflow everyone {
  on event "inquiry.completed"

  log "saw ${trigger.id}"
}

workflow other_template {
  on event "inquiry.completed" where trigger.inquiry_template?.id == "itmpl_other"

  log "other"
}
`

// An event whose where filter fails does not start that workflow: no run,
// no effect, and the event's record says why (regression: the failing
// filter used to start the workflow, which declined the inquiry).
func TestFailingWhereFilterStartsNothing(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, filtered)
	obj := interp.NewMap(2)
	obj.Set("id", "inq_1")
	obj.Set("type", "inquiry")
	ev := &runtime.Event{Name: "inquiry.completed", ID: "evt_nofilter", Object: obj}

	routes, recs, err := eng.RunEvent(ctx, l, ev, "", runtime.RunOptions{})
	require.NoError(t, err)
	require.Len(t, routes, 3)
	require.Len(t, recs, 1, "only the workflow without a filter runs")
	assert.Equal(t, "everyone", recs[0].Workflow)

	byName := map[string]runtime.Route{}
	for _, r := range routes {
		byName[r.Workflow] = r
	}
	require.NotNil(t, byName["kyc"].FilterErr)
	assert.False(t, byName["kyc"].Start)
	assert.Contains(t, byName["kyc"].FilterErr.Error(), ":3:38: cannot read field id of null")
	assert.Nil(t, byName["other_template"].FilterErr)
	assert.False(t, byName["other_template"].Start)

	runs, err := eng.Store.ListRuns(ctx, store.RunFilter{})
	require.NoError(t, err)
	require.Len(t, runs, 1)
	inq, err := eng.Store.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.NotEqual(t, "declined", inq["status"], "the inquiry was not declined")

	ds, err := eng.Store.Deliveries(ctx, "evt_nofilter")
	require.NoError(t, err)
	got := map[string]store.Delivery{}
	for _, d := range ds {
		got[d.Workflow] = d
	}
	assert.Equal(t, store.DeliveryStarted, got["everyone"].Status)
	assert.Equal(t, recs[0].ID, got["everyone"].RunID)
	assert.Equal(t, store.DeliveryNotMatched, got["other_template"].Status)
	require.Equal(t, store.DeliveryFilterFailed, got["kyc"].Status)
	assert.Empty(t, got["kyc"].RunID)
	var e runtime.ErrorRecord
	require.NoError(t, json.Unmarshal(got["kyc"].Error, &e))
	assert.Equal(t, "kyc", e.Workflow)
	assert.Contains(t, e.Pos, ":3:38")
	assert.Contains(t, e.Message, "trigger.inquiry_template is null")
	_, err = eng.Store.GetEvent(ctx, "evt_nofilter")
	require.NoError(t, err, "the event itself is recorded")
}

// An emitted event whose listener's filter fails does not start the
// listener; the delivery records the error.
func TestEmitWithFailingFilterStartsNothing(t *testing.T) {
	ctx := context.Background()
	eng := open(t)
	l := load(t, eng, `
workflow flagger {
  on manual()

  emit "risk.flagged" {score: "high"}
}

workflow on_flag {
  on event "risk.flagged" where trigger.score > 90

  log "flagged"
}
`)
	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "flagger"})
	require.NoError(t, err)
	require.Equal(t, interp.StatusCompleted, rec.Status)
	path := eng.Store.Location()
	require.NoError(t, eng.Close(), "Close waits for runs started in the background")
	st, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.RunFilter{Workflow: "on_flag"})
	require.NoError(t, err)
	assert.Empty(t, runs, "the listener did not start")
	evs, err := st.EventsWithStatus(ctx, "emitted")
	require.NoError(t, err)
	require.Len(t, evs, 1)
	ds, err := st.Deliveries(ctx, evs[0].ID)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, store.DeliveryFilterFailed, ds[0].Status)
	assert.Contains(t, string(ds[0].Error), "cannot compare string with int")
}
