package runtime_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

func openCapped(t *testing.T, caps runtime.RecordLimits) *runtime.Engine {
	t.Helper()
	dir := t.TempDir()
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: filepath.Join(dir, ".wf", "wf.db"),
		Clock: interp.NewFakeClock(t0), RecordLimits: caps})
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	return eng
}

func loadInto(t *testing.T, eng *runtime.Engine, src string) *runtime.Loaded {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flow.wf")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	l, err := eng.Load([]string{path})
	require.NoError(t, err)
	require.False(t, l.Diags.HasErrors(), "%v", l.Diags.Err())
	return l
}

// A trigger cannot fan out into more runs than the cap, however its
// workflows multiply (regression: parallel for × workflow.call made 87,381
// runs).
func TestRunsPerTriggerAreCapped(t *testing.T) {
	ctx := context.Background()
	eng := openCapped(t, runtime.RecordLimits{MaxRunsPerTrigger: 20})
	l := loadInto(t, eng, `
workflow fan {
  on manual()

  parallel for i, _ in "01234567890123456789012345678901234567890123456789" limit 4 {
    run workflow.call("child", {i: i})
  }
}

workflow child {
  on workflow(i: int)

  log "child ${i}"
}
`)
	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "fan"})
	require.NoError(t, err)
	require.Equal(t, "failed", rec.Status)
	e := rec.ParsedError()
	assert.Equal(t, interp.KindLimit, e.Kind)
	assert.Contains(t, e.Message, "the most one trigger may")
	runs, err := eng.Store.ListRuns(ctx, store.RunFilter{Limit: 1000})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(runs), 20)
}

// A run's record is bounded: steps and log lines past their caps fail the
// run with a limit error and are not written.
func TestRunRecordIsCapped(t *testing.T) {
	ctx := context.Background()
	eng := openCapped(t, runtime.RecordLimits{MaxSteps: 5, MaxLogBytes: 10_000})
	l := loadInto(t, eng, `
workflow steps {
  on manual()

  for c in "0123456789" {
    run workflow.schedule("noop", at: now() + 1h)
  }
}

workflow noop {
  on workflow()

  log "noop"
}

workflow chatty {
  on manual()

  let line = "x"
  for _ in "0123456789" {
    line = line + line
  }
  for a in "0123456789" {
    for b in "0123456789" {
      log line
    }
  }
}
`)
	rec, err := eng.Run(ctx, l, runtime.RunOptions{Workflow: "steps"})
	require.NoError(t, err)
	require.Equal(t, "failed", rec.Status)
	assert.Equal(t, interp.KindLimit, rec.ParsedError().Kind)
	assert.Contains(t, rec.ParsedError().Message, "the run has recorded 5 steps")
	assert.Len(t, rec.Steps, 5)

	rec, err = eng.Run(ctx, l, runtime.RunOptions{Workflow: "chatty"})
	require.NoError(t, err)
	require.Equal(t, "failed", rec.Status)
	assert.Equal(t, interp.KindLimit, rec.ParsedError().Kind)
	assert.Contains(t, rec.ParsedError().Message, "over 10000 bytes")
	got, err := eng.Store.GetRun(ctx, rec.ID)
	require.NoError(t, err)
	total := 0
	for _, lg := range got.Logs {
		total += len(lg.Message)
	}
	assert.LessOrEqual(t, total, 10_000)
	assert.True(t, strings.HasPrefix(got.Logs[0].Message, "xxx"))
}
