package bench

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// threadCPU returns the CPU time the calling thread has used, in ns.
func threadCPU() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return ts.Nano()
}

// measure runs f in b.Loop on one locked thread and reports, besides the
// wall time, the thread's CPU time per op as cpu-ns/op: on a loaded machine
// the wall time counts the time the thread waited for a core, the CPU time
// does not.
func measure(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	n, start := 0, threadCPU()
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(threadCPU()-start)/float64(n), "cpu-ns/op")
	}
}

// freshBatch is how many new inputs measureFresh makes at a time.
const freshBatch = 1024

// measureFresh is measure for a program whose input is new on every
// evaluation: the timer (and the CPU clock) stop while p.Refill makes the
// next batch of inputs, so only the evaluations are counted.
func measureFresh(b *testing.B, p Program) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	var cpu int64
	for done := 0; done < b.N; {
		n := min(freshBatch, b.N-done)
		b.StopTimer()
		p.Refill(n)
		b.StartTimer()
		start := threadCPU()
		for range n {
			_, _ = p.Eval()
		}
		cpu += threadCPU() - start
		done += n
	}
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}
