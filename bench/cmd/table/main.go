// Command table runs the bench module's benchmarks and writes their table
// into bench/README.md, between the lines <!-- table:start --> and
// <!-- table:end -->. Run it from the bench directory:
//
//	go run ./cmd/table            # go test -run '^$' -bench . -benchmem -count 5
//	go run ./cmd/table -count 10  # more runs per benchmark
//	go run ./cmd/table -in out.txt # only render saved `go test -bench` output
//
// The raw benchmark output goes to results.txt (for benchstat). Each cell
// is the median of the runs.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "table:", err)
		os.Exit(1)
	}
}

func run(args []string, log io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	count := fs.Int("count", 5, "runs of each benchmark")
	benchtime := fs.String("benchtime", "1s", "go test -benchtime")
	in := fs.String("in", "", "render this saved benchmark output instead of running")
	readme := fs.String("readme", "README.md", "file to write the table into")
	raw := fs.String("out", "results.txt", "file to save the raw benchmark output in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	before := loadAvg()
	out, err := benchOutput(*in, *count, *benchtime, log)
	if err != nil {
		return err
	}
	after := loadAvg()
	if *in == "" {
		out = append(out, fmt.Sprintf("%s%s; %s; %d; %s\n", loadMark, before, after, *count, *benchtime)...)
		if err := os.WriteFile(*raw, out, 0o644); err != nil {
			return err
		}
	}
	results := parseBench(out)
	if results == nil {
		return fmt.Errorf("no benchmark results")
	}
	if b, a, c, t, ok := savedRun(out); ok {
		before, after, *count, *benchtime = b, a, c, t
	}
	m := describeMachine(out, before, after, *count, *benchtime)
	table := render(results, m)
	return replaceTable(*readme, table)
}

// benchOutput runs the benchmarks, or reads saved output.
func benchOutput(in string, count int, benchtime string, log io.Writer) ([]byte, error) {
	if in != "" {
		return os.ReadFile(in)
	}
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(count), "-benchtime", benchtime, ".")
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, log)
	cmd.Stderr = log
	fmt.Fprintln(log, "running:", strings.Join(cmd.Args, " "))
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	return buf.Bytes(), nil
}

// loadMark starts the line the tool adds to the saved output: the load
// before and after the run, -count and -benchtime, so that -in renders
// the run as it was. benchstat ignores it.
const loadMark = "# wf-bench run: "

// savedRun reads the line loadMark starts.
func savedRun(out []byte) (before, after string, count int, benchtime string, ok bool) {
	for _, line := range strings.Split(string(out), "\n") {
		rest, found := strings.CutPrefix(line, loadMark)
		if !found {
			continue
		}
		f := strings.Split(rest, "; ")
		if len(f) != 4 {
			return "", "", 0, "", false
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			return "", "", 0, "", false
		}
		return f[0], f[1], n, f[3], true
	}
	return "", "", 0, "", false
}

const (
	startMark = "<!-- table:start -->"
	endMark   = "<!-- table:end -->"
)

// replaceTable puts table between the marks in the file at path.
func replaceTable(path, table string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, startMark), strings.Index(s, endMark)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section", path, startMark, endMark)
	}
	s = s[:i+len(startMark)] + "\n" + table + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
