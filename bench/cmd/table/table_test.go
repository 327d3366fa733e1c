package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
cpu: Test CPU
BenchmarkRules/R1-list/wf-2         	  100	      100.0 ns/op	  90.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-list/expr-2       	  100	      300.0 ns/op	 200.0 cpu-ns/op	      32 B/op	       2 allocs/op
BenchmarkRules/R1-list/native-map-2 	  100	       60.0 ns/op	  50.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-list/native-struct-2 	  100	   20.0 ns/op	  20.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-list/wf-2         	  100	      120.0 ns/op	 110.0 cpu-ns/op	       8 B/op	       1 allocs/op
BenchmarkRules/R1-list/wf-2         	  100	      110.0 ns/op	  95.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/wf-2              	  100	      500.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/expr-2            	  100	      400.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/native-map-2      	  100	      200.0 ns/op	       0 B/op	       0 allocs/op
BenchmarkParseCheck/wf-2            	  10	  1000000 ns/op	   1.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkParseCheck/go-parser-2     	  10	   100000 ns/op	  10.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/wf-2           	  10	  3000000 ns/op	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/raw-sqlite-2   	  10	  2000000 ns/op	 10 B/op	 1 allocs/op
PASS
`

func TestParseBench(t *testing.T) {
	rs := parseBench([]byte(sample))
	require.NotNil(t, rs)
	wf := rs.get("Rules/R1-list/wf")
	require.NotNil(t, wf)
	assert.Equal(t, []float64{100, 120, 110}, wf.ns)
	assert.Equal(t, 110.0, median(wf.ns))
	assert.Equal(t, 0.0, median(wf.allocs))
	assert.Equal(t, []string{"R1-list", "R3"}, rules(rs))
	assert.Equal(t, []string{"wf", "expr", "native-map", "native-struct"}, engines(rs, "R1-list"))
	assert.Nil(t, parseBench([]byte("PASS\n")))
}

func TestTrimProcs(t *testing.T) {
	for in, want := range map[string]string{"Rules/R1-list/wf-2": "Rules/R1-list/wf", "Rules/R1-list/wf": "Rules/R1-list/wf",
		"Rules/R1-list/native-map": "Rules/R1-list/native-map", "X-12": "X"} {
		assert.Equal(t, want, trimProcs(in), in)
	}
}

func TestRenderTargets(t *testing.T) {
	out := render(parseBench([]byte(sample)), machine{cpu: "Test CPU", cores: 2, count: 3, benchtime: "1s"})
	assert.Contains(t, out, "| R1-list | **wf** | 110 | 95.0 | 0 | 0 | 1.90× | 4.75× |", "CPU time when reported")
	assert.Contains(t, out, "| R3 | **wf** | 500 | – | 0 | 0 | 2.50× | – |", "else wall time")
	assert.Contains(t, out, "| R1-list: WF faster than expr, cel-go, goja, starlark | wf 95.0 ns, fastest peer expr 200 ns | yes |")
	assert.Contains(t, out, "| R1-list: WF within 2× of native Go (map) | 1.90× | yes |")
	assert.Contains(t, out, "| R1-list: no allocation per evaluation | 0 allocs/op | yes |")
	assert.Contains(t, out, "| R3: WF faster than expr, cel-go, goja, starlark | wf 500 ns, fastest peer expr 400 ns | **no** |")
	assert.Contains(t, out, "| R3: WF within 2× of native Go (map) | 2.50× | **no** |")
	assert.Contains(t, out, "| parse plus check within 8× of go/parser per byte | 10.0× | **no** |")
	assert.Contains(t, out, "| recorded run at ≥ 0.5 of the raw insert rate | 0.667 | yes |")
}

func TestReplaceTable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(p, []byte("# x\n"+startMark+"\nold\n"+endMark+"\ntail\n"), 0o644))
	require.NoError(t, replaceTable(p, "new\n"))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "# x\n"+startMark+"\nnew\n"+endMark+"\ntail\n", string(b))
	require.NoError(t, os.WriteFile(p, []byte("no marks"), 0o644))
	assert.Error(t, replaceTable(p, "new\n"))
}

func TestSavedRun(t *testing.T) {
	out := []byte(sample + loadMark + "1.00 2.00 3.00; 0.50 1.00 2.00; 5; 1s\n")
	before, after, count, benchtime, ok := savedRun(out)
	require.True(t, ok)
	assert.Equal(t, []any{"1.00 2.00 3.00", "0.50 1.00 2.00", 5, "1s"}, []any{before, after, count, benchtime})
	_, _, _, _, ok = savedRun([]byte(sample))
	assert.False(t, ok)
	require.NotNil(t, parseBench(out), "the line does not disturb parsing")
}
