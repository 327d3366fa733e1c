// Command table runs the bench module's benchmarks and writes their tables
// into bench/README.md, between the lines <!-- table:start --> and
// <!-- table:end -->. Run it from the bench directory:
//
//	go run ./cmd/table               # 8 interleaved rounds of 0.25s per benchmark (Lists in 3)
//	go run ./cmd/table -rounds 12    # more rounds
//	go run ./cmd/table -in out.txt   # only render saved output
//
// It builds the test binary once and runs every benchmark once per round,
// round after round, so WF and every baseline are measured alternately
// under the same load; odd rounds run the engines of each rule in reverse
// order. Each cell is the median over the rounds and the spread is the
// range of the rounds; a ratio is taken within each round (both sides
// measured moments apart) and its median and range reported. The raw
// output, with a comment line before each round, goes to results.txt (for
// benchstat).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

// defaultBench selects the benchmarks of the table.
const defaultBench = "^Benchmark(Rules|ParseCheck|RecordedRun|Lists)$"

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	rounds := fs.Int("rounds", 8, "rounds: every benchmark runs once per round")
	listRounds := fs.Int("list-rounds", 3, "rounds that also run the Lists benchmark (it takes minutes)")
	benchtime := fs.String("benchtime", "0.25s", "go test -benchtime of each run")
	bench := fs.String("bench", defaultBench, "go test -bench pattern")
	in := fs.String("in", "", "render this saved output instead of running")
	readme := fs.String("readme", "README.md", "file to write the tables into")
	raw := fs.String("out", "results.txt", "file to save the raw benchmark output in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var out []byte
	var err error
	if *in != "" {
		out, err = os.ReadFile(*in)
	} else {
		out, err = runRounds(*rounds, *listRounds, *benchtime, *bench, log)
		if err == nil {
			err = os.WriteFile(*raw, out, 0o644)
		}
	}
	if err != nil {
		return err
	}
	rs := parseBench(out)
	if rs == nil {
		return fmt.Errorf("no benchmark results")
	}
	return replaceTable(*readme, render(rs, describeMachine(out)))
}

// runRounds builds the test binary and runs the benchmarks rounds times,
// the Lists benchmark only in the first listRounds.
func runRounds(rounds, listRounds int, benchtime, bench string, log io.Writer) ([]byte, error) {
	dir, err := os.MkdirTemp("", "wfbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go test -c: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s%d; %s; %s\n", runMark, rounds, benchtime, dateNow())
	for i := range rounds {
		reverse := i%2 == 1
		fmt.Fprintf(&buf, "%s%d; reverse=%t; load %s\n", roundMark, i, reverse, loadAvg())
		pattern := bench
		if i >= listRounds {
			pattern = strings.Replace(pattern, "|Lists", "", 1)
		}
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchmem",
			"-test.count", "1", "-test.benchtime", benchtime)
		rev := "0"
		if reverse {
			rev = "1"
		}
		cmd.Env = append(os.Environ(), "WFBENCH_REVERSE="+rev)
		cmd.Stdout = io.MultiWriter(&buf, log)
		cmd.Stderr = log
		fmt.Fprintf(log, "round %d of %d: %s\n", i+1, rounds, strings.Join(cmd.Args, " "))
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("round %d: %w", i+1, err)
		}
	}
	fmt.Fprintf(&buf, "%s%s\n", endMark, loadAvg())
	return buf.Bytes(), nil
}

// The comment lines the tool adds to the raw output (benchstat ignores
// them): the run's rounds, benchtime and date; each round's number, order
// and load average; the load average at the end.
const (
	runMark   = "# wf-bench run: "
	roundMark = "# wf-bench round "
	endMark   = "# wf-bench end: load "
)

const (
	startTable = "<!-- table:start -->"
	endTable   = "<!-- table:end -->"
)

// replaceTable puts table between the marks in the file at path.
func replaceTable(path, table string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, startTable), strings.Index(s, endTable)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, startTable, endTable)
	}
	s = s[:i+len(startTable)] + "\n" + table + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
