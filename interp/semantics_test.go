package interp_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
)

var runOnly = flag.String("wf", "", "run only semantics workflows whose name contains this")

// testEnv counts the attempts of each step, so flaky actions can fail a
// set number of times and tests can see that replays perform nothing.
type testEnv struct {
	mu        sync.Mutex
	attempts  map[string]int
	performs  int
	active    int
	maxActive int
}

func (e *testEnv) Secret(name string) (string, bool) {
	if name == "TEST_TOKEN" {
		return "s3cr3t-token-value", true
	}
	return "", false
}

func envOf(th *interp.Thread) *testEnv { return th.Env().(*testEnv) }

// testModule is a set of actions for tests written in WF.
func testModule() *builtin.Module {
	return &builtin.Module{Name: "test", Builtins: []*interp.Builtin{
		builtin.Action("test.echo(x: any?) -> any", "Returns x.", "", func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
			e := envOf(th)
			e.mu.Lock()
			e.performs++
			e.mu.Unlock()
			return a.Value(0), nil
		}),
		builtin.Action("test.flaky(fails: int, value: any?) -> any", "Fails the first `fails` attempts of this step, then returns value.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				n, _ := a.Int(0)
				e := envOf(th)
				e.mu.Lock()
				e.attempts[th.StepKey()]++
				k := e.attempts[th.StepKey()]
				e.mu.Unlock()
				if int64(k) <= n {
					return nil, fmt.Errorf("attempt %d failed", k)
				}
				return a.Value(1), nil
			}),
		builtin.Action("test.sleep(d: duration) -> string", "Sleeps for d on the run's clock.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				d, _ := a.Duration(0)
				if err := th.Clock().Sleep(th.Context(), d); err != nil {
					return nil, err
				}
				return "slept", nil
			}),
		builtin.Action("test.panic() -> null", "Panics: a defect in a library.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				var m map[string]int
				m["boom"]++ //lint:ignore SA5000 a nil map write: a real runtime panic
				return nil, nil
			}),
		builtin.Action("test.block() -> null", "Blocks until the step is cancelled.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				<-th.Context().Done()
				return nil, th.Context().Err()
			}),
		builtin.Action("test.concurrent(x: any?) -> any", "Tracks how many of these run at once.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				e := envOf(th)
				e.mu.Lock()
				e.active++
				e.maxActive = max(e.maxActive, e.active)
				e.mu.Unlock()
				for range 50 {
					runtime.Gosched()
				}
				e.mu.Lock()
				e.active--
				e.mu.Unlock()
				return a.Value(0), nil
			}),
		builtin.Action("test.fail(message: string) -> null", "Always fails.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				m, _ := a.String(0)
				return nil, fmt.Errorf("%s", m)
			}),
		builtin.Pure("test.attempts() -> int", "Counts attempts of every flaky step so far.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				e := envOf(th)
				e.mu.Lock()
				defer e.mu.Unlock()
				n := 0
				for _, v := range e.attempts {
					n += v
				}
				return int64(n), nil
			}),
	}}
}

func testLibrary() *builtin.Library { return builtin.NewLibrary(core.Module(), testModule()) }

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// load parses, checks and compiles a source, failing the test on any error.
func load(t testing.TB, path string, src []byte) *interp.Program {
	t.Helper()
	f, diags := lang.Parse(path, src)
	prog, cdiags := lang.Check([]*lang.File{f}, testLibrary())
	diags = append(diags, cdiags...)
	require.False(t, diags.HasErrors(), "%s", diags.Err())
	p, cd := interp.Compile(prog, testLibrary(), interp.Options{})
	require.False(t, cd.HasErrors(), "%s", cd.Err())
	return p
}

// run runs one workflow with a fresh MemHost on a fake clock.
func run(p *interp.Program, name string, trigger interp.Value) (*interp.RunResult, *interp.MemHost) {
	clock := interp.NewFakeClock(epoch)
	host := &interp.MemHost{Clock: clock, Rand: func() float64 { return 0.5 }}
	res := p.Run(context.Background(), interp.RunRequest{
		Workflow: name, Trigger: trigger, Host: host, Clock: clock,
		Env: &testEnv{attempts: map[string]int{}}, RunID: "run_test", Seed: 7, Start: epoch,
	})
	return res, host
}

// wantComment returns the text of a "# want: …" comment on the line just
// above a workflow.
func wantComment(f *lang.File, w *lang.WorkflowDecl) string {
	for _, c := range f.Comments {
		if c.Sp.Start.Line == w.Sp.Start.Line-1 {
			if s, ok := strings.CutPrefix(c.Text, "# want:"); ok {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

// TestSemantics runs every workflow in testdata/semantics/*.wf. A workflow
// named test_* must complete (its asserts hold); one named fail_* must fail
// with an error containing the text of the "# want:" comment above it.
func TestSemantics(t *testing.T) {
	files, err := filepath.Glob("testdata/semantics/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		p := load(t, path, src)
		f, _ := lang.Parse(path, src)
		for _, d := range f.Decls {
			w, ok := d.(*lang.WorkflowDecl)
			if !ok || !strings.Contains(w.Name.Name, *runOnly) {
				continue
			}
			name := w.Name.Name
			t.Run(filepath.Base(path)+"/"+name, func(t *testing.T) {
				res, _ := run(p, name, interp.NewMap(0))
				switch {
				case strings.HasPrefix(name, "test_"):
					if res.Err != nil {
						t.Fatalf("%s failed: %v", name, res.Err)
					}
					assert.Equal(t, interp.StatusCompleted, res.Status)
				case strings.HasPrefix(name, "fail_"):
					want := wantComment(f, w)
					require.NotEmpty(t, want, "fail_ workflow %s needs a # want: comment above it", name)
					require.NotNil(t, res.Err, "%s should have failed", name)
					assert.Equal(t, interp.StatusFailed, res.Status)
					assert.Contains(t, res.Err.Error(), want)
				default:
					t.Fatalf("workflow %s: name must start with test_ or fail_", name)
				}
			})
		}
	}
}
