package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzFormat checks, for any input that parses without errors, that
// formatting succeeds, keeps the tree and the comments, and is idempotent.
// It is seeded with the formatter goldens (testdata/format); a crasher the
// fuzzer finds lands in testdata/fuzz/FuzzFormat, which go test then runs
// too.
//
// Minimizing each new interesting input can take a minute with the
// instrumented parser, so run it with a small minimize budget:
//
//	go test ./lang -run x -fuzz FuzzFormat -fuzztime 5m -fuzzminimizetime 10x
func FuzzFormat(f *testing.F) {
	for _, pattern := range []string{"testdata/format/*.input", "testdata/format/*.golden"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			src, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 16<<10 {
			return
		}
		if _, diags := Parse("fuzz.wf", src); diags.HasErrors() {
			return
		}
		formatChecked(t, "fuzz.wf", src)
	})
}
