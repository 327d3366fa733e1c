//go:build unix

package runtime_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// BenchmarkRecordedDecline is one recorded run of the decline_blocked_ip
// example through Engine.Run (the webhook's inquiry saved for the local
// backend, the run, its decline step journaled, the run's end), the
// per-run cost issue 17 measures:
//
//	go test ./runtime -run '^$' -bench RecordedDecline -benchmem
//
// cpu-ns/op is the process's CPU time per run (see processCPU).
func BenchmarkRecordedDecline(b *testing.B) {
	ctx := context.Background()
	eng, l, ev := openDecline(b, filepath.Join(b.TempDir(), ".wf", "wf.db"))
	defer eng.Close()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	for i := 0; b.Loop(); i++ {
		e := *ev
		n := strconv.Itoa(i)
		e.ID, e.Object = "evt_"+n, ev.Object.With("id", "inq_"+n)
		rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "decline_blocked_ip", Event: &e})
		if err != nil || rec.Status != interp.StatusCompleted {
			b.Fatal(err, rec.Status, string(rec.Error))
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkRecordedDeclineFloor is the floor of BenchmarkRecordedDecline:
// the rows one recorded run of decline_blocked_ip writes (copied from a real
// run), written again with statements prepared once on one connection, in
// the same three commits (the inquiry with the run; the declined inquiry with
// the record of its applied action; the step with the run's end), with no
// reads, no interpreter and no JSON.
//
//	go test ./runtime -run '^$' -bench 'RecordedDecline(Floor)?$' -benchmem
func BenchmarkRecordedDeclineFloor(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), ".wf", "wf.db")
	eng, l, ev := openDecline(b, path)
	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "decline_blocked_ip", Event: ev})
	if err != nil || rec.Status != interp.StatusCompleted {
		b.Fatal(err, rec.Status)
	}
	if err := eng.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var trig, event, version, inquiry, applied, key, args, result string
	var seed int64
	for _, q := range []struct {
		sql  string
		dest []any
	}{
		{`SELECT trigger, event, version, seed FROM runs WHERE id = ?`, []any{&trig, &event, &version, &seed}},
		{`SELECT data FROM objects WHERE kind = 'inquiry' AND ? <> ''`, []any{&inquiry}},
		{`SELECT data FROM objects WHERE kind = 'applied_action' AND id LIKE ? || ':%'`, []any{&applied}},
		{`SELECT key, args, result FROM steps WHERE run_id = ?`, []any{&key, &args, &result}},
	} {
		if err := db.QueryRowContext(ctx, q.sql, rec.ID).Scan(q.dest...); err != nil {
			b.Fatal(err)
		}
	}
	prepare := func(q string) *sql.Stmt {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	begin, commit := prepare(`BEGIN IMMEDIATE`), prepare(`COMMIT`)
	insertObject := prepare(`INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
	updateObject := prepare(`UPDATE objects SET data = ?, updated_at = ? WHERE kind = ? AND id = ?`)
	insertRun := prepare(`INSERT INTO runs(id, workflow, version, status, trigger, event, seed, clock_start, started_at,
		dry_run, owner, event_id, trigger_id) VALUES (?, 'decline_blocked_ip', ?, 'running', ?, ?, ?, ?, ?, 0, 'ins_floor', ?, ?)`)
	insertStep := prepare(`INSERT INTO steps(run_id, key, seq, name, args, result, status, attempts, started_at, finished_at)
		VALUES (?, ?, 1, 'inquiry.decline', ?, ?, 'completed', 1, ?, ?)`)
	finish := prepare(`UPDATE runs SET status = 'completed', outputs = 'null', finished_at = ?, owner = NULL WHERE id = ?`)
	type stmt struct {
		st   *sql.Stmt
		args []any
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU(b)
	for i := 0; b.Loop(); i++ {
		n := strconv.Itoa(i)
		run, inq, at := "run_floor_"+n, "inq_floor_"+n, int64(1_700_000_000_000_000_000+i)
		for _, s := range []stmt{
			{begin, nil}, {insertObject, []any{"inquiry", inq, inquiry, at, at}},
			{insertRun, []any{run, version, trig, event, seed, at, at, "evt_floor_" + n, inq}}, {commit, nil},
			{begin, nil}, {updateObject, []any{inquiry, at, "inquiry", inq}},
			{insertObject, []any{"applied_action", run + ":" + key, applied, at, at}}, {commit, nil},
			{begin, nil}, {insertStep, []any{run, key, args, result, at, at}}, {finish, []any{at, run}}, {commit, nil},
		} {
			if _, err := s.st.ExecContext(ctx, s.args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// openDecline opens an engine over a new store at path with the examples'
// fixtures, and returns it with the decline_blocked_ip example loaded and
// the blocked-IP inquiry event decoded.
func openDecline(b *testing.B, path string) (*runtime.Engine, *runtime.Loaded, *runtime.Event) {
	ctx := context.Background()
	eng, err := runtime.Open(ctx, runtime.Config{Store: path})
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := eng.LoadFixtures(ctx, filepath.Join("..", "examples", "fixtures.json")); err != nil {
		b.Fatal(err)
	}
	l, err := eng.Load([]string{filepath.Join("..", "examples", "decline_blocked_ip.wf")})
	if err != nil || l.Program == nil {
		b.Fatal(err, l.Diags.Err())
	}
	body, err := os.ReadFile(filepath.Join("..", "examples", "events", "inquiry_blocked_ip.json"))
	if err != nil {
		b.Fatal(err)
	}
	ev, err := runtime.DecodeEvent(body)
	if err != nil {
		b.Fatal(err)
	}
	return eng, l, ev
}

// processCPU is the CPU time (user and system) the process has used, in
// nanoseconds: a run's cost spans the caller's goroutine, the store's writer
// and the collector, so the whole process is measured, not one thread. It
// moves less with the machine's load than wall time does.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkDecodeEvent decodes a Persona webhook body (the example inquiry
// event), as the service does for every webhook it accepts:
//
//	go test ./runtime -run '^$' -bench DecodeEvent -benchmem
func BenchmarkDecodeEvent(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("..", "examples", "events", "inquiry_blocked_ip.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := runtime.DecodeEvent(body); err != nil {
			b.Fatal(err)
		}
	}
}
