package wftest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	wfrt "github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
)

const decideFlow = `
workflow decide {
  on manual(case_id: string)

  let e = wait event "case.resolved" where e.trigger.id == case_id timeout 1d
  when e == null {
    run http.post(HOOK, json: {late: case_id})
  } else {
    run http.post(HOOK, json: {status: e.trigger.status, at: "${now()}"})
  }
}
`

// A replay answers event waits with the events the recorded run got (at
// their time), and reports a run whose inputs the new version refuses, or
// that takes another route.
func TestBacktestReplaysWaitsAndInputs(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok": true}`)) }))
	defer hook.Close()
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(`const HOOK = "`+hook.URL+`"`+"\n"+src), 0o644))
		return p
	}
	ctx := context.Background()
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	// The engine's clock is the runs' clock: the recorded wait lasts until
	// the event's time, three hours.
	eng, err := wfrt.Open(ctx, wfrt.Config{Store: filepath.Join(dir, "wf.db"), JS: js.NewEngine(),
		HTTP: httpx.Config{AllowLoopback: true}, Clock: interp.NewFakeClock(start)})
	require.NoError(t, err)
	defer eng.Close()
	old, err := eng.Load([]string{write("old/decide.wf", decideFlow)})
	require.NoError(t, err)
	require.NotNil(t, old.Program, "%v", old.Diags.Err())
	resolved := &wfrt.Event{Name: "case.resolved", ID: "evt_1", CreatedAt: start.Add(3 * time.Hour),
		Object: interp.FromGo(map[string]any{"id": "cas_1", "status": "approved"}).(*interp.Map)}
	for _, id := range []string{"cas_1", "cas_2"} {
		rec, err := eng.Run(ctx, old, wfrt.RunOptions{Workflow: "decide", Start: start, SkipWaits: true,
			Inputs: interp.FromGo(map[string]any{"case_id": id}).(*interp.Map), WaitEvents: []*wfrt.Event{resolved}})
		require.NoError(t, err)
		require.Equal(t, "completed", rec.Status)
	}
	backtest := func(src string) (*BacktestResult, []*ChangedRun) {
		l, err := eng.Load([]string{write("new/decide.wf", src)})
		require.NoError(t, err)
		require.NotNil(t, l.Program, "%v", l.Diags.Err())
		var changed []*ChangedRun
		res, err := Backtest(ctx, eng.Store, l, BacktestOptions{Filter: store.RunFilter{Workflow: "decide"},
			Env: ReplayEnv(eng.Lists, js.NewEngine()), Changed: func(c *ChangedRun) { changed = append(changed, c) }})
		require.NoError(t, err)
		return res, changed
	}

	// The same script: the event (and its time, in now()) comes back as it was.
	res, changed := backtest(decideFlow)
	assert.Equal(t, 2, res.Replayed)
	assert.Empty(t, changed)

	// A shorter timeout: the event came after it, so the first run is now late.
	res, changed = backtest(strings.Replace(decideFlow, "timeout 1d", "timeout 2h", 1))
	require.Len(t, changed, 1)
	assert.True(t, strings.HasPrefix(changed[0].Diverged.New, `http.post(url: "`+hook.URL+`", json: {late: "cas_1"}`), changed[0].Diverged.New)
	assert.Contains(t, changed[0].Diverged.Old, `json: {status: "approved", at: "2026-05-01T12:00:00Z"}`)
	assert.Equal(t, map[[2]string]int{{"http.post", "http.post (other arguments)"}: 1}, res.Transitions)

	// Another parameter: no recorded run can start.
	res, changed = backtest(strings.ReplaceAll(decideFlow, "case_id", "id"))
	require.Len(t, changed, 2)
	assert.Equal(t, statusCannotStart, changed[0].New.Status)
	assert.Contains(t, changed[0].New.Error, "missing input id")
	assert.Equal(t, 2, res.Transitions[[2]string{"http.post", "cannot start: nothing"}])
}
