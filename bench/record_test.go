package bench

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorders returns a Recorder that has made one run and a RawRecorder
// copying that run's rows.
func recorders(tb testing.TB) (*Recorder, *RawRecorder) {
	ctx := context.Background()
	d, err := LoadData(EventPath)
	require.NoError(tb, err)
	dir := tb.TempDir()
	wf, err := NewRecorder(ctx, filepath.Join(dir, "wf.db"), d.Trigger)
	require.NoError(tb, err)
	tb.Cleanup(func() { wf.Close() })
	rec, err := wf.Run(ctx)
	require.NoError(tb, err)
	raw, err := NewRawRecorder(ctx, filepath.Join(dir, "raw.db"), wf.Engine.Store.Location(), rec.ID)
	require.NoError(tb, err)
	tb.Cleanup(func() { raw.Close() })
	return wf, raw
}

// rowCounts counts the rows of the tables a run writes.
func rowCounts(t *testing.T, path string) map[string]int {
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	out := map[string]int{}
	for _, tb := range []string{"runs", "steps", "logs", "objects"} {
		var n int
		require.NoError(t, db.QueryRow("SELECT count(*) FROM "+tb).Scan(&n))
		out[tb] = n
	}
	return out
}

// TestRawRecorderWritesTheRunsRows checks that the raw floor writes the
// same rows as the recorded runs it is compared with.
func TestRawRecorderWritesTheRunsRows(t *testing.T) {
	ctx := context.Background()
	wf, raw := recorders(t)
	rec, err := wf.Run(ctx)
	require.NoError(t, err)
	assert.Len(t, rec.Steps, 3)
	assert.Len(t, rec.Logs, 2)
	assert.JSONEq(t, `{"decision":"review"}`, string(rec.Outputs))
	for range 2 {
		require.NoError(t, raw.Run())
	}
	want := map[string]int{"runs": 2, "steps": 6, "logs": 4, "objects": 12}
	assert.Equal(t, want, rowCounts(t, wf.Engine.Store.Location()))
	require.NoError(t, raw.Close())
	assert.Equal(t, want, rowCounts(t, raw.Path))
}

// BenchmarkRecordedRun compares one whole recorded run of RecordWorkflow
// (runtime.Engine.Run in the embedded store) with raw inserts of the same
// rows: BenchmarkRecordedRun/wf and /raw-sqlite.
func BenchmarkRecordedRun(b *testing.B) {
	ctx := context.Background()
	wf, raw := recorders(b)
	b.Run("wf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := wf.Run(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-sqlite", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := raw.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
