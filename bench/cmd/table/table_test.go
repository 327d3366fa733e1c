package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is two interleaved rounds.
const sample = runMark + `2; 0.25s; 2026-12-02
goos: linux
cpu: Test CPU
` + roundMark + `0; reverse=false; load 1.00 1.00 1.00
BenchmarkRules/R1-value/wf-2         	  100	      100.0 ns/op	  90.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/expr-2       	  100	      300.0 ns/op	 200.0 cpu-ns/op	      32 B/op	       2 allocs/op
BenchmarkRules/R1-value/native-map-2 	  100	       60.0 ns/op	  60.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/native-set-2 	  100	       50.0 ns/op	  50.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/native-struct-2 	  100	   20.0 ns/op	  20.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/wf-2              	  100	      500.0 ns/op	  500.0 cpu-ns/op	       8 B/op	       1 allocs/op
BenchmarkRules/R3/expr-2            	  100	      400.0 ns/op	  400.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/native-map-2      	  100	      200.0 ns/op	  200.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkParseCheck/wf-2            	  10	  1000000 ns/op	   1.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkParseCheck/go-parser-2     	  10	   100000 ns/op	  10.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/wf-2           	  10	  3000000 ns/op	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/raw-sqlite-2   	  10	  2000000 ns/op	 10 B/op	 1 allocs/op
` + roundMark + `1; reverse=true; load 2.00 1.50 1.00
BenchmarkRules/R1-value/native-struct-2 	  100	   20.0 ns/op	  20.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/native-set-2 	  100	       50.0 ns/op	  60.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/native-map-2 	  100	       60.0 ns/op	  70.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R1-value/expr-2       	  100	      300.0 ns/op	 200.0 cpu-ns/op	      32 B/op	       2 allocs/op
BenchmarkRules/R1-value/wf-2         	  100	      120.0 ns/op	 150.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/native-map-2      	  100	      200.0 ns/op	  200.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/expr-2            	  100	      400.0 ns/op	  400.0 cpu-ns/op	       0 B/op	       0 allocs/op
BenchmarkRules/R3/wf-2              	  100	      500.0 ns/op	  500.0 cpu-ns/op	       8 B/op	       1 allocs/op
BenchmarkParseCheck/wf-2            	  10	  1000000 ns/op	   1.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkParseCheck/go-parser-2     	  10	   100000 ns/op	  10.00 MB/s	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/wf-2           	  10	  3000000 ns/op	 10 B/op	 1 allocs/op
BenchmarkRecordedRun/raw-sqlite-2   	  10	  2000000 ns/op	 10 B/op	 1 allocs/op
PASS
` + endMark + `0.50 1.00 1.00
`

func TestParseBenchRounds(t *testing.T) {
	rs := parseBench([]byte(sample))
	require.NotNil(t, rs)
	wf := rs.get("Rules/R1-value/wf")
	require.NotNil(t, wf)
	assert.Equal(t, []float64{100, 120}, wf.values("ns/op"))
	assert.Equal(t, 120.0, rs.med("Rules/R1-value/wf", cpu))
	assert.Equal(t, []float64{1.8, 2.5}, rs.ratios("Rules/R1-value/wf", "Rules/R1-value/native-set", cpu),
		"each round's wf over the same round's baseline")
	assert.Equal(t, []string{"R1-value", "R3"}, rules(rs))
	assert.Equal(t, []string{"wf", "expr", "native-map", "native-set", "native-struct"}, engines(rs, "R1-value"))
	assert.Equal(t, "Rules/R1-value/native-set", fairNative(rs, "R1-value"), "the faster native")
	assert.Equal(t, "Rules/R3/native-map", fairNative(rs, "R3"))
	assert.Nil(t, parseBench([]byte("PASS\n")))
}

func TestParseBenchCount(t *testing.T) {
	out := "BenchmarkX-2 1 10 ns/op\nBenchmarkX-2 1 30 ns/op\nBenchmarkX-2 1 20 ns/op\n"
	rs := parseBench([]byte(out))
	assert.Equal(t, []float64{10, 30, 20}, rs.get("X").values("ns/op"), "go test -count output: one round per line")
}

func TestTrimProcs(t *testing.T) {
	for in, want := range map[string]string{"Rules/R1-list/wf-2": "Rules/R1-list/wf", "Rules/R1-list/wf": "Rules/R1-list/wf",
		"Rules/R1-list/native-map": "Rules/R1-list/native-map", "X-12": "X"} {
		assert.Equal(t, want, trimProcs(in), in)
	}
}

func TestRender(t *testing.T) {
	rs := parseBench([]byte(sample))
	m := describeMachine([]byte(sample))
	assert.Equal(t, machine{cpu: "Test CPU", goVersion: m.goVersion, cores: m.cores, date: "2026-12-02", rounds: 2,
		benchtime: "0.25s", loads: []string{"1.00 1.00 1.00", "2.00 1.50 1.00", "0.50 1.00 1.00"}}, m)
	out := render(rs, m)
	assert.Contains(t, out, "Run of 2026-12-02: Test CPU")
	assert.Contains(t, out, "| R1-value | **wf** | 120 | ±25% | 110 | 0 | 0 | 2.15× (1.80–2.50) | 6.00× |")
	assert.Contains(t, out, "| R1-value | native-set (fair baseline) | 55.0 | ±9% |")
	assert.Contains(t, out, "| R1-value: WF faster than every peer | wf 120 ns, fastest peer expr 200 ns | yes |")
	assert.Contains(t, out, "| R1-value: WF within 2× of the fair native baseline | 2.15× (1.80–2.50) of native-set | **no** |")
	assert.Contains(t, out, "| R1-value: no allocation per evaluation | 0 allocs/op | yes |")
	assert.Contains(t, out, "| R3: WF faster than every peer | wf 500 ns, fastest peer expr 400 ns | **no** |")
	assert.Contains(t, out, "| R3: WF within 2× of the fair native baseline | 2.50× (2.50–2.50) of native-map | **no** |")
	assert.Contains(t, out, "| R3: no allocation per evaluation | 1 allocs/op | **no** |")
	assert.Contains(t, out, "| parse plus check within 4× of go/parser per byte | 10.00× (10.00–10.00) | **no** |")
	assert.Contains(t, out, "| recorded run at ≥ 0.5 of the raw floor's rate | 0.667 (0.667–0.667) | yes |")
}

func TestReplaceTable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "README.md")
	require.NoError(t, os.WriteFile(p, []byte("# x\n"+startTable+"\nold\n"+endTable+"\ntail\n"), 0o644))
	require.NoError(t, replaceTable(p, "new\n"))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "# x\n"+startTable+"\nnew\n"+endTable+"\ntail\n", string(b))
	require.NoError(t, os.WriteFile(p, []byte("no marks"), 0o644))
	assert.Error(t, replaceTable(p, "new\n"))
}
