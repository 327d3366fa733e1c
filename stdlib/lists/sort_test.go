package lists

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sorter gives back what a stable sort by Value keeping each Value's
// first item gives, in memory and through runs spilled to a temporary file:
// Values short and long (past the 16 bytes its keys hold), sharing prefixes,
// with NUL bytes, with and without Data, repeated within a run and across.
func TestSorterMatchesAStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pool := []string{"", "a", "a\x00", "ab", "10.0.0.1", "10.0.0.10", "10.0.0.2", strings.Repeat("x", 16),
		strings.Repeat("x", 17), strings.Repeat("x", 16) + "\x00", strings.Repeat("x", 40) + "a", strings.Repeat("x", 40) + "b",
		strings.Repeat("é", 200)}
	var items []Item
	for i := range 3000 {
		v := pool[rng.IntN(len(pool))] + fmt.Sprint(rng.IntN(50))
		it := Item{Kind: KindString, Value: v}
		if rng.IntN(3) == 0 {
			it.Data = map[string]string{"n": fmt.Sprint(i), "k": "v"}
		}
		items = append(items, it)
	}
	want := slices.Clone(items)
	slices.SortStableFunc(want, func(a, b Item) int { return strings.Compare(a.Value, b.Value) })
	want = slices.CompactFunc(want, func(a, b Item) bool { return a.Value == b.Value })

	for _, runBytes := range []int{sortRunBytes, 1, 500, 4000} {
		s := newSorter(KindString)
		s.runBytes = runBytes
		for _, it := range items {
			require.NoError(t, s.add(it))
		}
		next, err := s.sorted()
		require.NoError(t, err)
		var got []Item
		for {
			it, ok, err := next()
			require.NoError(t, err)
			if !ok {
				break
			}
			got = append(got, it)
		}
		s.close()
		assert.Equal(t, want, got, "runs of %d bytes", runBytes)
		if runBytes < sortRunBytes {
			assert.Greater(t, len(s.runs), 1, "spilled")
		}
	}
}

// An empty import gives nothing back.
func TestSorterEmpty(t *testing.T) {
	s := newSorter(KindIPAddress)
	defer s.close()
	next, err := s.sorted()
	require.NoError(t, err)
	_, ok, err := next()
	require.NoError(t, err)
	assert.False(t, ok)
}
