package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// The two benchmarks write the same rows for one three-step run: the run, three steps, two
// log lines and the run's finish, each its own commit (a step must be durable when it is
// journaled). BenchmarkRawInserts is the floor: plain db.Exec on one connection with the
// same pragmas and schema.

var (
	benchTrigger = json.RawMessage(`{"type":"event","name":"inquiry.completed"}`)
	benchInputs  = json.RawMessage(`{"inquiry_id":"inq_ABC123","country":"DE"}`)
	benchArgs    = json.RawMessage(`{"id":"inq_ABC123","include":["verifications"]}`)
	benchResult  = json.RawMessage(`{"status":"completed","fields":{"name_first":"Ada","birthdate":"1990-01-01"}}`)
	benchOutputs = json.RawMessage(`{"decision":"approved"}`)
)

func BenchmarkRecordRun(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "wf.db"))
	require.NoError(b, err)
	defer s.Close()
	at := time.Unix(1_700_000_000, 0).UTC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := "run_" + strconv.Itoa(i)
		r := store.Run{ID: id, Workflow: "kyc", Version: "h1", Trigger: benchTrigger, Inputs: benchInputs, Seed: 7, ClockStart: at, StartedAt: at}
		require.NoError(b, s.CreateRun(ctx, &r))
		for k := range 3 {
			require.NoError(b, s.SaveStep(ctx, id, store.Step{Key: "s" + strconv.Itoa(k), Seq: int64(k), Name: "persona.get",
				Args: benchArgs, Result: benchResult, Status: "done", Attempts: 1, StartedAt: at, FinishedAt: at}))
		}
		require.NoError(b, s.AppendLog(ctx, id, store.Log{At: at, Level: "info", Message: "checking inquiry", Pos: "kyc.wf:4:3"}, nil))
		require.NoError(b, s.AppendLog(ctx, id, store.Log{At: at, Level: "info", Message: "approved", Pos: "kyc.wf:9:3"}, nil))
		woken, err := s.FinishRun(ctx, id, "succeeded", benchOutputs, nil, at, "", nil)
		require.NoError(b, err)
		require.Empty(b, woken)
	}
}

func BenchmarkRawInserts(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "wf.db")
	s, err := Open(ctx, path) // creates the same schema
	require.NoError(b, err)
	require.NoError(b, s.Close())
	opts, err := Options{}.withDefaults()
	require.NoError(b, err)
	db, err := sql.Open("sqlite", dsn(path, opts, false))
	require.NoError(b, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	at := time.Unix(1_700_000_000, 0).UnixNano()
	exec := func(q string, args ...any) {
		_, err := db.ExecContext(ctx, q, args...)
		require.NoError(b, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := "run_" + strconv.Itoa(i)
		exec(`INSERT INTO runs(id, workflow, version, status, trigger, inputs, seed, clock_start, started_at, dry_run)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`, id, "kyc", "h1", "running", string(benchTrigger), string(benchInputs), 7, at, at)
		for k := range 3 {
			exec(`INSERT INTO steps(run_id, key, seq, name, args, result, status, attempts, started_at, finished_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, "s"+strconv.Itoa(k), k, "persona.get",
				string(benchArgs), string(benchResult), "done", 1, at, at)
		}
		exec(`INSERT INTO logs(run_id, seq, at, level, message, pos) VALUES (?, ?, ?, ?, ?, ?)`, id, 1, at, "info", "checking inquiry", "kyc.wf:4:3")
		exec(`INSERT INTO logs(run_id, seq, at, level, message, pos) VALUES (?, ?, ?, ?, ?, ?)`, id, 2, at, "info", "approved", "kyc.wf:9:3")
		exec(`UPDATE runs SET status = ?, outputs = ?, finished_at = ? WHERE id = ?`, "succeeded", string(benchOutputs), at, id)
	}
}

func BenchmarkAddListItems100k(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "wf.db"))
	require.NoError(b, err)
	defer s.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := "l" + strconv.Itoa(i)
		_, err := s.CreateList(ctx, name, "ip_address")
		require.NoError(b, err)
		items := make([]store.ListItem, 100_000)
		for k := range items {
			items[k].Value = "10.0." + strconv.Itoa(k>>8) + "." + strconv.Itoa(k&0xff)
		}
		added, err := s.AddListItems(ctx, name, items)
		require.NoError(b, err)
		require.Equal(b, len(items), added)
	}
}
