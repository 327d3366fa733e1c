package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/stdlib/lists"
)

// BenchmarkLists measures an ip_address List of each size in ListSizes in
// an embedded store:
//
//   - import/N: `wf lists import` of N rows (with a header) into a new List
//     (rows/s; the List is deleted again outside the timer);
//   - reimport/N: importing the same file into the List that holds it;
//   - open/N: a new Service's first Handle of the List, what a process that
//     has not read it yet (a wf run) pays before its first lookup;
//   - lookup/N: Handle.Contains of a member or a stranger, in turn;
//   - lookup-native/N: the same keys in the same order looked up in a Go
//     map[string]struct{} of the members: the floor of a lookup that
//     reaches a table of N items at random on this machine;
//   - change/N: adding one item and taking the next Handle from the same
//     Service, what a long-running process pays to see a change (averaged
//     over up to changeBatch changes layered over one base).
func BenchmarkLists(b *testing.B) {
	ctx := context.Background()
	for _, n := range ListSizes {
		f, err := NewListFixture(ctx, b.TempDir(), n)
		require.NoError(b, err)
		b.Run("import/"+strconv.Itoa(n), func(b *testing.B) { benchImport(b, f, n) })
		b.Run("reimport/"+strconv.Itoa(n), func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				added, err := f.Import(ctx, f.Name)
				require.NoError(b, err)
				require.Zero(b, added)
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
		})
		b.Run("open/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				h, err := f.Open(ctx)
				require.NoError(b, err)
				require.Equal(b, n, h.List().Count)
			}
		})
		b.Run("lookup/"+strconv.Itoa(n), func(b *testing.B) {
			h, err := f.Open(ctx)
			require.NoError(b, err)
			i := 0
			measure(b, func() { // a member, then a stranger
				ok := i%2 == 1 || h.Contains(f.Members[i/2%len(f.Members)])
				if i%2 == 1 && h.Contains(f.Strangers[i/2%len(f.Strangers)]) {
					ok = false
				}
				if !ok {
					b.Fatal("wrong answer")
				}
				i++
			})
		})
		b.Run("lookup-native/"+strconv.Itoa(n), func(b *testing.B) { benchNativeLookup(b, f) })
		b.Run("change/"+strconv.Itoa(n), func(b *testing.B) { benchChange(b, f) })
		require.NoError(b, f.Close())
	}
}

func benchNativeLookup(b *testing.B, f *ListFixture) {
	set := make(map[string]struct{}, len(f.Members))
	for _, m := range f.Members {
		set[m] = struct{}{}
	}
	i := 0
	measure(b, func() { // a member, then a stranger, as lookup/N
		var ok bool
		if i%2 == 0 {
			_, ok = set[f.Members[i/2%len(f.Members)]]
		} else {
			_, hit := set[f.Strangers[i/2%len(f.Strangers)]]
			ok = !hit
		}
		if !ok {
			b.Fatal("wrong answer")
		}
		i++
	})
}

func benchImport(b *testing.B, f *ListFixture, n int) {
	ctx := context.Background()
	var took time.Duration
	b.ReportAllocs()
	for i := range b.N {
		name := "import-" + strconv.Itoa(i)
		start := time.Now()
		added, err := f.Import(ctx, name)
		took += time.Since(start)
		require.NoError(b, err)
		require.Equal(b, n, added)
		b.StopTimer()
		require.NoError(b, f.Engine.Lists.Delete(ctx, name))
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "rows/s")
}

// changeBatch is how many changes change/N layers over one base before it
// starts again from a new Service (outside the timer).
const changeBatch = 256

func benchChange(b *testing.B, f *ListFixture) {
	ctx := context.Background()
	var svc *lists.Service
	b.ReportAllocs()
	ip := ""
	for i := range b.N {
		if i%changeBatch == 0 {
			b.StopTimer()
			svc = lists.NewService(f.Engine.Lists.Store())
			_, err := svc.Handle(ctx, f.Name)
			require.NoError(b, err)
			b.StartTimer()
		}
		// Remove a member (an imported item: a tombstone in its chunk), then
		// add it back (a row, once the chunk says it is gone).
		var err error
		if i%2 == 0 {
			ip = f.Members[i/2*7919%len(f.Members)]
			_, err = svc.Remove(ctx, f.Name, ip)
		} else {
			_, err = svc.Add(ctx, f.Name, ip, nil)
		}
		require.NoError(b, err)
		h, err := svc.Handle(ctx, f.Name)
		require.NoError(b, err)
		if h.Contains(ip) != (i%2 == 1) {
			b.Fatal("the change is not seen")
		}
	}
	if b.N%2 == 1 {
		_, err := svc.Add(ctx, f.Name, ip, nil) // keep the List as it was
		require.NoError(b, err)
	}
}
