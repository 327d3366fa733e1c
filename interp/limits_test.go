package interp_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

// Building a list one element at a time (xs = xs + [n]) copies the list
// only when its backing array fills up: 20,480 appends allocate a few
// megabytes, where copying the list each time would allocate 3 GB.
func TestAppendingToAListIsAmortised(t *testing.T) {
	p := load(t, "append.wf", []byte(`
workflow append {
  on manual()

  let base = [1]
  for _ in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
    base = base + base
  }
  let xs = []
  let n = 0
  for _ in base {
    for _ in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20] {
      xs = xs + [n]
      n = n + 1
    }
  }
  output {len: len(xs), last: xs[-1]}
}
`))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, _ := run(p, "append", interp.NewMap(0))
	runtime.ReadMemStats(&after)
	require.Nil(t, res.Err)
	n, _ := res.Outputs.Get("len")
	last, _ := res.Outputs.Get("last")
	assert.Equal(t, int64(20480), n)
	assert.Equal(t, int64(20479), last)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated by 20,480 appends")
}

// Measure counts a shared part as often as it occurs, in time
// proportional to the distinct parts.
func TestMeasureSharedStructure(t *testing.T) {
	x := interp.Value(interp.NewList([]interp.Value{int64(1)}))
	for range 30 {
		x = interp.NewList([]interp.Value{x, x})
	}
	size, depth := interp.Measure(x)
	assert.Equal(t, 31, depth)
	assert.Greater(t, size, int64(1)<<32, "2^30 leaves, written out")
	m := interp.NewMap(2)
	m.Set("a", "xyz")
	s1, _ := interp.Measure(m)
	m.Set("b", x)
	s2, _ := interp.Measure(m)
	assert.Equal(t, int64(2+5+5), s1, `{"a":"xyz"}`)
	assert.Greater(t, s2, size, "a map's measure follows Set")
}

// Encoding stops at its limit instead of writing out a shared structure.
func TestMarshalJSONLimit(t *testing.T) {
	x := interp.Value("abcdefgh")
	for range 40 {
		x = interp.NewList([]interp.Value{x, x})
	}
	_, err := interp.MarshalJSONLimit(x, 1<<20)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too large to write as text (over 1 MiB)")
	many := make([]interp.Value, 200_000)
	for i := range many {
		many[i] = "abcdefgh"
	}
	_, err = interp.MarshalJSONLimit(interp.NewList(many), 1<<20)
	require.Error(t, err, "2.2 MB of text, stopped while writing")
	_, err = interp.MarshalJSON(x)
	require.Error(t, err, "MarshalJSON has a bound too")
	assert.Contains(t, interp.ToString(x), "too large")
}

// A comparison that is too large fails at the comparison, as a limit.
func TestCompareTooLargeIsLocated(t *testing.T) {
	p := load(t, "cmp.wf", []byte(`workflow cmp {
  on manual()

  let x = [1]
  for _ in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] {
    x = [x, x]
  }
  let y = [x[0], x[1]]
  let same = x == y
}
`))
	res, _ := run(p, "cmp", interp.NewMap(0))
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindLimit, res.Err.Kind)
	assert.Contains(t, res.Err.Error(), "cmp.wf:9:16: too large to compare: the values would be about 15.0 GiB as JSON (the limit is 32 MiB)")
}
