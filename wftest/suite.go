// Package wftest runs WF's tests and backtests: `wf test` and
// `wf backtest`. It sits beside the service, above the runtime (cmd ←
// wftest ← runtime ← stdlib ← interp ← lang).
//
// A test (lang.TestDecl, in a *_test.wf file) runs one workflow of the
// files beside it in memory: no store, no network, no wall clock. Its
// steps are answered by its mocks (or, with backend local, by an in-memory
// local Persona backend), its waits end on a fake clock, and what the run
// did is compared with its expectations. Runs count the routes they take,
// for decision coverage.
//
// A backtest replays the recorded triggers of past runs through a new
// version of their workflow, every step answered from what the old run
// recorded, and compares the decisions.
package wftest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	wfrt "github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/js"
)

// Package is the tests of one folder with the workflow files beside them.
type Package struct {
	Dir       string
	Workflows []string // the folder's .wf files that are not tests
	Tests     []string // the test files to run
}

// Packages finds the tests that paths name: a folder's test files (found
// recursively, grouped by folder), or test files named one by one. Each
// package holds the workflow files of its folder.
func Packages(paths []string) ([]*Package, error) {
	byDir := map[string]*Package{}
	add := func(test string) error {
		dir := filepath.Dir(test)
		p := byDir[dir]
		if p == nil {
			p = &Package{Dir: dir}
			entries, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			for _, en := range entries {
				if en.Type().IsRegular() && strings.HasSuffix(en.Name(), ".wf") && !lang.IsTestFile(en.Name()) {
					p.Workflows = append(p.Workflows, filepath.Join(dir, en.Name()))
				}
			}
			byDir[dir] = p
		}
		for _, t := range p.Tests {
			if t == test {
				return nil
			}
		}
		p.Tests = append(p.Tests, test)
		return nil
	}
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
		if !info.IsDir() {
			if !lang.IsTestFile(path) {
				return nil, fmt.Errorf("%s is not a test file: wf test runs files named *%s, or the folders that hold them", path, lang.TestSuffix)
			}
			if err := add(path); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != path && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && lang.IsTestFile(d.Name()) {
				return add(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]*Package, 0, len(byDir))
	for _, p := range byDir {
		sort.Strings(p.Tests)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Suite is a loaded package: its files checked and compiled together, and
// its tests.
type Suite struct {
	Package *Package
	Loaded  *wfrt.Loaded
	// Tests are the package's test declarations, in file order.
	Tests []*Test
	// Coverage counts the routes the suite's runs took.
	Coverage *interp.Coverage
	js       *js.Engine
}

// Test is one test declaration.
type Test struct {
	Decl *lang.TestDecl
	File string
	Name string
}

// DefaultJSTimeout is the time limit of a js fn call in a test. A run's
// limit (100ms) is a wall-clock guard that a loaded machine can trip; a
// test keeps a guard against a script that never ends, without failing
// because the machine was busy.
const DefaultJSTimeout = 5 * time.Second

// Load reads, checks and compiles a package. Problems in the scripts are in
// Loaded.Diags (the suite has no program then); an error is returned only
// when a file cannot be read.
func Load(p *Package, engine *js.Engine) (*Suite, error) {
	if engine == nil {
		engine = js.NewEngine()
		engine.Timeout = DefaultJSTimeout
	}
	files := append(append([]string(nil), p.Workflows...), p.Tests...)
	loaded, err := wfrt.LoadFiles(files, stdlib.Default(), interp.Options{JS: mockableJS{engine}})
	if err != nil {
		return nil, err
	}
	s := &Suite{Package: p, Loaded: loaded, js: engine}
	for _, f := range loaded.Files {
		if !lang.IsTestFile(f.Path) || !containsPath(p.Tests, f.Path) {
			continue
		}
		for _, d := range f.Decls {
			if td, ok := d.(*lang.TestDecl); ok {
				s.Tests = append(s.Tests, &Test{Decl: td, File: f.Path, Name: td.Title()})
			}
		}
	}
	if loaded.Program != nil {
		s.Coverage = loaded.Program.NewCoverage()
	}
	return s, nil
}

func containsPath(paths []string, p string) bool {
	for _, x := range paths {
		if x == p {
			return true
		}
	}
	return false
}

// Options say which tests run and how.
type Options struct {
	// Run, when set, selects the tests whose name (or name/row) it matches.
	Run *regexp.Regexp
	// Parallel is how many tests run at once (GOMAXPROCS when 0).
	Parallel int
}

// Run runs the suites' tests (each table row a test of its own), at most
// Parallel at once, and returns their results in file and line order.
// Suites that do not compile run nothing.
func Run(ctx context.Context, suites []*Suite, opts Options) []*Result {
	type job struct {
		suite *Suite
		test  *Test
	}
	var jobs []job
	for _, s := range suites {
		if s.Loaded.Program == nil {
			continue
		}
		for _, t := range s.Tests {
			jobs = append(jobs, job{s, t})
		}
	}
	n := opts.Parallel
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var (
		mu  sync.Mutex
		out []*Result
		wg  sync.WaitGroup
		sem = make(chan struct{}, n)
	)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rs := j.suite.runTest(ctx, j.test, opts.Run)
			mu.Lock()
			out = append(out, rs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Row < b.Row
	})
	return out
}
