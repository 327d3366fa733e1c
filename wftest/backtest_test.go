package wftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	wfrt "github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/js"
)

// recorded is one run the test made, with what it knows of it.
type madeRun struct {
	id        string
	birthdate time.Time
	at        time.Time
}

// ageAt is the age in whole years of someone born on b, at t: computed
// here on its own, not with WF's years_since.
func ageAt(b, t time.Time) int {
	age := t.Year() - b.Year()
	if t.Month() < b.Month() || t.Month() == b.Month() && t.Day() < b.Day() {
		age--
	}
	return age
}

// recordRuns runs review_minors (as the examples have it) n times on an
// engine over st, for applicants aged 10 to 29 at random times in 2026,
// with Slack answered by a loopback server; plus a few dry runs, which a
// backtest leaves out.
func recordRuns(t *testing.T, storeURL string, n int) (*wfrt.Engine, []madeRun) {
	t.Helper()
	var posts atomic.Int64
	slackSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(slackSrv.Close)
	dir := t.TempDir()
	secretsFile := filepath.Join(dir, "secrets.env")
	require.NoError(t, os.WriteFile(secretsFile, []byte("SLACK_REVIEW_WEBHOOK="+slackSrv.URL+"/review\n"), 0o600))
	secrets, err := wfrt.LoadSecrets(secretsFile, true)
	require.NoError(t, err)
	ctx := context.Background()
	eng, err := wfrt.Open(ctx, wfrt.Config{Store: storeURL, Secrets: secrets, JS: js.NewEngine(),
		Clock: interp.NewFakeClock(time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)),
		HTTP:  httpx.Config{AllowLoopback: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = eng.Close() })
	old, err := eng.Load([]string{"../examples/review_minors.wf"})
	require.NoError(t, err)
	require.NotNil(t, old.Program, "%v", old.Diags.Err())

	rng := rand.New(rand.NewPCG(17, 18))
	var made []madeRun
	for i := range n + 5 {
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(364 * 24 * time.Hour))))
		birth := at.AddDate(-10-rng.IntN(20), 0, -rng.IntN(365))
		body := fmt.Sprintf(`{"name": "inquiry.completed", "id": "evt_%d", "created_at": %q, "payload": {
			"type": "inquiry", "id": "inq_%d", "status": "completed", "fields": {"birthdate": %q}, "inquiry_template": {"id": "itmpl_kyc"}}}`,
			i, at.Format(time.RFC3339), i, birth.Format(time.DateOnly))
		ev, err := wfrt.DecodeEvent([]byte(body))
		require.NoError(t, err)
		rec, err := eng.Run(ctx, old, wfrt.RunOptions{Workflow: "review_minors", Event: ev, Start: at, DryRun: i >= n})
		require.NoError(t, err)
		require.Equal(t, "completed", rec.Status, "%s", rec.Error)
		if i < n {
			made = append(made, madeRun{id: rec.ID, birthdate: birth, at: at})
		}
	}
	require.Positive(t, posts.Load())
	return eng, made
}

// A stricter age rule (under 21 instead of under 18), backtested over a
// few thousand recorded runs of review_minors, lists exactly the runs whose
// decision changes: those of applicants aged 18, 19 or 20 on the day of the
// run, as counted here independently of WF.
func TestBacktestAStricterAgeRule(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			url := filepath.Join(t.TempDir(), "wf.db")
			n := 2500
			if name == "postgres" {
				url, n = pgtest.URL(t), 1200
			}
			eng, made := recordRuns(t, url, n)

			src, err := os.ReadFile("../examples/review_minors.wf")
			require.NoError(t, err)
			stricter := strings.Replace(string(src), "when age < 18 {", "when age < 21 {", 1)
			require.NotEqual(t, string(src), stricter)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "review_minors.wf"), []byte(stricter), 0o644))
			newer, err := eng.Load([]string{filepath.Join(dir, "review_minors.wf")})
			require.NoError(t, err)
			require.NotNil(t, newer.Program)

			want := map[string]int{}
			minors := 0
			for _, r := range made {
				age := ageAt(r.birthdate, r.at)
				if age >= 18 && age < 21 {
					want[r.id] = age
				}
				if age < 21 {
					minors++
				}
			}
			require.Greater(t, len(want), 100, "the sample must hold applicants of 18 to 20")

			got := map[string]int{}
			seen := 0
			res, err := Backtest(context.Background(), eng.Store, newer, BacktestOptions{
				Filter: store.RunFilter{Workflow: "review_minors"},
				Env:    ReplayEnv(eng.Lists, js.NewEngine()),
				Changed: func(c *ChangedRun) {
					var age int
					_, err := fmt.Sscanf(strings.TrimPrefix(c.New.Steps[0].Line, `inquiry.mark_for_review(id: "`+c.TriggerID+`", comment: "applicant is `), "%d", &age)
					require.NoError(t, err, c.New.Steps[0].Line)
					got[c.ID] = age
					assert.Equal(t, "nothing", c.Old.Label())
					assert.Equal(t, 0, c.Diverged.Index)
					assert.Equal(t, "(no step)", c.Diverged.Old)
				},
				Progress: func(s, _ int) { seen = s },
			})
			require.NoError(t, err)
			t.Logf("%d runs replayed, %d changed (%d applicants under 21)", res.Replayed, res.Changed, minors)
			assert.Equal(t, want, got, "the changed runs, each with the age the new rule sees")
			assert.Equal(t, n, res.Replayed)
			assert.Equal(t, len(want), res.Changed)
			assert.Equal(t, map[string]int{"dry runs": 5}, res.Skipped)
			assert.Equal(t, n+5, seen, "every run read, a page at a time")
			assert.Equal(t, map[[2]string]int{{"nothing", "inquiry.mark_for_review, slack.post"}: len(want)}, res.Transitions)
			for i, r := range res.Routes {
				switch r.Kind {
				case interp.RouteWhen:
					assert.Equal(t, minors, res.Runs[i])
					assert.Equal(t, len(want), res.RouteCh[i])
				case interp.RouteNoMatch:
					assert.Equal(t, n-minors, res.Runs[i])
					assert.Zero(t, res.RouteCh[i])
				}
			}

			// The same version changes nothing, and --limit reads the newest runs only.
			same, err := eng.Load([]string{"../examples/review_minors.wf"})
			require.NoError(t, err)
			res, err = Backtest(context.Background(), eng.Store, same, BacktestOptions{Limit: 300, Env: ReplayEnv(eng.Lists, js.NewEngine())})
			require.NoError(t, err)
			assert.Zero(t, res.Changed)
			assert.Equal(t, 300, res.Replayed)
		})
	}
}

// The heap a backtest holds does not grow with the runs it reads: measured
// over 10,000 recorded runs (slow to record, so only when
// WF_BACKTEST_MEM=1: go test ./wftest -run MemoryIsFlat -v).
func TestBacktestMemoryIsFlat(t *testing.T) {
	if os.Getenv("WF_BACKTEST_MEM") == "" {
		t.Skip("set WF_BACKTEST_MEM=1 to record 10,000 runs and measure")
	}
	eng, _ := recordRuns(t, filepath.Join(t.TempDir(), "wf.db"), 10000)
	src, err := os.ReadFile("../examples/review_minors.wf")
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.wf"), []byte(strings.Replace(string(src), "age < 18", "age < 21", 1)), 0o644))
	l, err := eng.Load([]string{filepath.Join(dir, "r.wf")})
	require.NoError(t, err)
	heap := map[int]float64{}
	_, err = Backtest(context.Background(), eng.Store, l, BacktestOptions{Filter: store.RunFilter{Workflow: "review_minors"},
		Env: ReplayEnv(eng.Lists, js.NewEngine()), Changed: func(*ChangedRun) {},
		Progress: func(seen, changed int) {
			if seen%1000 == 0 {
				var ms goruntime.MemStats
				goruntime.GC()
				goruntime.ReadMemStats(&ms)
				heap[seen] = float64(ms.HeapInuse) / 1e6
				t.Logf("%5d runs read (%d changed): heap in use %.1f MB", seen, changed, heap[seen])
			}
		}})
	require.NoError(t, err)
	assert.Less(t, heap[10000]-heap[2000], 2.0, "MB more after 10,000 runs than after 2,000")
}
