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

// result is every run of one benchmark.
type result struct {
	name                           string // without "Benchmark" and the -GOMAXPROCS suffix
	ns, cpu, bytes, allocs, mbPerS []float64
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

// parseBench reads `go test -bench -benchmem` output.
func parseBench(out []byte) *results {
	rs := &results{by: map[string]*result{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := trimProcs(strings.TrimPrefix(f[0], "Benchmark"))
		r := rs.by[name]
		if r == nil {
			r = &result{name: name}
			rs.by[name] = r
			rs.order = append(rs.order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				r.ns = append(r.ns, v)
			case "cpu-ns/op":
				r.cpu = append(r.cpu, v)
			case "B/op":
				r.bytes = append(r.bytes, v)
			case "allocs/op":
				r.allocs = append(r.allocs, v)
			case "MB/s":
				r.mbPerS = append(r.mbPerS, v)
			}
		}
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
	loadBefore           string
	loadAfter            string
	count                int
	benchtime            string
}

func describeMachine(out []byte, before, after string, count int, benchtime string) machine {
	m := machine{goVersion: runtime.Version(), cores: runtime.NumCPU(), loadBefore: before, loadAfter: after,
		count: count, benchtime: benchtime, date: time.Now().UTC().Format("2006-01-02")}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if m.cpu == "" {
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "cpu: "); ok {
				m.cpu = v
			}
		}
	}
	return m
}

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
