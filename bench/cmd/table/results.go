package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// result is every run of one benchmark: per round, its metrics by unit
// (ns/op, cpu-ns/op, B/op, allocs/op, MB/s and any the benchmark reports).
type result struct {
	name   string // without "Benchmark" and the -GOMAXPROCS suffix
	rounds map[int]map[string]float64
}

// values returns the benchmark's unit metric in every round that has it,
// in round order.
func (r *result) values(unit string) []float64 {
	if r == nil {
		return nil
	}
	keys := make([]int, 0, len(r.rounds))
	for k := range r.rounds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []float64
	for _, k := range keys {
		if v, ok := r.rounds[k][unit]; ok {
			out = append(out, v)
		}
	}
	return out
}

// median returns the median of xs, or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

// results holds the benchmarks in the order they first ran.
type results struct {
	order []string
	by    map[string]*result
}

func (rs *results) get(name string) *result { return rs.by[name] }

// med is the median over the rounds of a benchmark's unit metric.
func (rs *results) med(name, unit string) float64 { return median(rs.get(name).values(unit)) }

// ratios returns a/b for every round in which both benchmarks report unit.
func (rs *results) ratios(a, b, unit string) []float64 {
	ra, rb := rs.get(a), rs.get(b)
	if ra == nil || rb == nil {
		return nil
	}
	var out []float64
	for k, ma := range ra.rounds {
		if x, y := ma[unit], rb.rounds[k][unit]; x > 0 && y > 0 {
			out = append(out, x/y)
		}
	}
	slices.Sort(out)
	return out
}

// parseBench reads go test -bench output. A "# wf-bench round N" line
// starts round N; without such lines each repeated result is a round of
// its own (go test -count).
func parseBench(out []byte) *results {
	rs := &results{by: map[string]*result{}}
	round := -1
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, roundMark); ok {
			n, _, _ := strings.Cut(rest, ";")
			if v, err := strconv.Atoi(n); err == nil {
				round = v
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := trimProcs(strings.TrimPrefix(f[0], "Benchmark"))
		r := rs.by[name]
		if r == nil {
			r = &result{name: name, rounds: map[int]map[string]float64{}}
			rs.by[name] = r
			rs.order = append(rs.order, name)
		}
		k := round
		if k < 0 {
			k = len(r.rounds)
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				m[f[i+1]] = v
			}
		}
		r.rounds[k] = m
	}
	if len(rs.order) == 0 {
		return nil
	}
	return rs
}

// trimProcs drops the -N GOMAXPROCS suffix go test adds to a name.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 || i < strings.LastIndexByte(name, '/') {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// machine describes where and how the benchmarks ran.
type machine struct {
	cpu, goVersion, date string
	cores                int
	rounds               int
	benchtime            string
	loads                []string // load average before each round, then at the end
}

// describeMachine reads the machine from this host and the run from the
// comment lines of the output.
func describeMachine(out []byte) machine {
	m := machine{goVersion: runtime.Version(), cores: runtime.NumCPU(), date: dateNow()}
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, runMark):
			f := strings.Split(strings.TrimPrefix(line, runMark), "; ")
			if len(f) == 3 {
				m.rounds, _ = strconv.Atoi(f[0])
				m.benchtime, m.date = f[1], f[2]
			}
		case strings.HasPrefix(line, roundMark):
			if _, load, ok := strings.Cut(line, "; load "); ok {
				m.loads = append(m.loads, load)
			}
		case strings.HasPrefix(line, endMark):
			m.loads = append(m.loads, strings.TrimPrefix(line, endMark))
		case strings.HasPrefix(line, "cpu: "):
			m.cpu = strings.TrimPrefix(line, "cpu: ")
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil && m.cpu == "" {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func dateNow() string { return time.Now().UTC().Format("2006-01-02") }

// loadAvg returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
