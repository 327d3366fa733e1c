//go:build unix

package runtime_test

import (
	"context"
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
	dir := b.TempDir()
	eng, err := runtime.Open(ctx, runtime.Config{Store: filepath.Join(dir, ".wf", "wf.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
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
