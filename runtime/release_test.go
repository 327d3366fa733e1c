package runtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// flaky is a store that stops answering some calls while down: recording a run's end, and
// (when release is set) releasing a run.
type flaky struct {
	store.Store
	down    atomic.Bool
	release bool
}

var errDown = errors.New("the database does not answer")

func (f *flaky) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, at time.Time, wake string, steps []store.Step) ([]string, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.FinishRun(ctx, id, status, outputs, errJSON, at, wake, steps)
}

func (f *flaky) ReleaseRun(ctx context.Context, id, owner string) error {
	if f.release && f.down.Load() {
		return errDown
	}
	return f.Store.ReleaseRun(ctx, id, owner)
}

// queuedRun records a queued run of workflow w for the engine's instance.
func queuedRun(t *testing.T, eng *runtime.Engine) string {
	t.Helper()
	l := loadInto(t, eng, `
workflow w {
  on manual()

  log "hello"
}
`)
	row, err := eng.NewQueuedRun(context.Background(), l, runtime.RunOptions{Workflow: "w"})
	require.NoError(t, err)
	require.NoError(t, eng.Store.CreateRun(context.Background(), row))
	return row.ID
}

func statusOf(t *testing.T, st store.Store, id string) string {
	t.Helper()
	r, err := st.GetRun(context.Background(), id)
	require.NoError(t, err)
	return r.Status
}

// A run whose execution stopped on a store error is not left running for a live instance
// that will never go on with it (no other instance may take it, and nothing here retries
// it): it is released, interrupted, and recovered.
func TestRunStoppedByAStoreErrorIsReleased(t *testing.T) {
	ctx := context.Background()
	eng := openCapped(t, runtime.RecordLimits{})
	st := &flaky{Store: eng.Store}
	eng.SwapStore(st)
	id := queuedRun(t, eng)

	st.down.Store(true)
	_, err := eng.Execute(ctx, id)
	require.ErrorIs(t, err, errDown)
	st.down.Store(false)
	assert.Equal(t, store.StatusInterrupted, statusOf(t, st, id), "released: nobody holds it")

	recovered, err := st.RecoverRuns(ctx, eng.Instance())
	require.NoError(t, err)
	assert.Equal(t, []string{id}, recovered)
	rec, err := eng.Execute(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, store.StatusCompleted, rec.Status)
}

// When the store does not take the release either, the run is released once it answers
// again: before this instance executes it again, or by the heartbeat.
func TestAFailedReleaseIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	for _, by := range []string{"execute", "heartbeat"} {
		t.Run(by, func(t *testing.T) {
			eng, err := runtime.Open(ctx, runtime.Config{Store: filepath.Join(t.TempDir(), "wf.db"),
				Clock: interp.NewFakeClock(t0), Heartbeat: time.Millisecond})
			require.NoError(t, err)
			t.Cleanup(func() { eng.Close() })
			st := &flaky{Store: eng.Store, release: true}
			eng.SwapStore(st)
			id := queuedRun(t, eng)

			st.down.Store(true)
			_, err = eng.Execute(ctx, id)
			require.ErrorIs(t, err, errDown)
			assert.Equal(t, store.StatusRunning, statusOf(t, st, id), "still held: the release failed too")
			st.down.Store(false)
			if by == "execute" {
				_, err = eng.Execute(ctx, id)
				require.ErrorIs(t, err, store.ErrNotClaimed, "released, then left to the recovery")
				assert.Equal(t, store.StatusInterrupted, statusOf(t, st, id))
				return
			}
			require.Eventually(t, func() bool { return statusOf(t, st, id) == store.StatusInterrupted },
				10*time.Second, time.Millisecond)
		})
	}
}
