package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// refusingStore refuses heartbeats while refuse is set.
type refusingStore struct {
	store.Store
	refuse bool
}

func (s *refusingStore) Heartbeat(ctx context.Context, id string) error {
	if s.refuse {
		return errors.New("connection refused")
	}
	return s.Store.Heartbeat(ctx, id)
}

// A heartbeat the store refuses is logged and counted, not dropped; once
// the instance has gone StaleAfter without one (other instances may take
// its runs) that is logged as an error, once; a heartbeat that succeeds
// again clears the failures and says so.
func TestHeartbeatFailuresAreLoggedAndCounted(t *testing.T) {
	var logs bytes.Buffer
	clock := interp.NewFakeClock(t0)
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: filepath.Join(t.TempDir(), "wf.db"), Clock: clock,
		Heartbeat: time.Hour, StaleAfter: 15 * time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	st := &refusingStore{Store: eng.Store}
	eng.SwapStore(st)
	t.Cleanup(func() { st.refuse = false; eng.Close() })

	live := eng.Liveness()
	assert.Equal(t, t0, live.LastBeat, "registering counts as a heartbeat")
	assert.False(t, live.Stale(clock.Now()))

	st.refuse = true
	clock.Advance(5 * time.Second)
	eng.HeartbeatOnce()
	live = eng.Liveness()
	assert.Equal(t, 1, live.Failing)
	assert.EqualValues(t, 1, live.Failures)
	assert.EqualError(t, live.Err, "connection refused")
	assert.False(t, live.Stale(clock.Now()))
	assert.Contains(t, logs.String(), `level=WARN msg="heartbeat: the store refused it"`)
	assert.Contains(t, logs.String(), `err="connection refused" failing=1`)
	assert.NotContains(t, logs.String(), "level=ERROR")

	for range 3 {
		clock.Advance(5 * time.Second)
		eng.HeartbeatOnce()
	}
	live = eng.Liveness()
	assert.Equal(t, 4, live.Failing)
	assert.True(t, live.Stale(clock.Now()), "20s without a heartbeat, StaleAfter 15s")
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("level=ERROR")), "the staleness is logged once:\n%s", logs.String())
	assert.Contains(t, logs.String(), "other instances may take over this instance's runs")

	st.refuse = false
	clock.Advance(5 * time.Second)
	eng.HeartbeatOnce()
	live = eng.Liveness()
	assert.Equal(t, clock.Now(), live.LastBeat)
	assert.Zero(t, live.Failing)
	assert.NoError(t, live.Err)
	assert.EqualValues(t, 4, live.Failures, "the total stays")
	assert.False(t, live.Stale(clock.Now()))
	assert.Contains(t, logs.String(), `level=INFO msg="heartbeat: the store takes them again"`)
}
