package repl

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newEngine opens an engine on a fresh store, with a fake clock at epoch.
func newEngine(t *testing.T, storePath string) (*runtime.Engine, interp.Clock) {
	t.Helper()
	if storePath == "" {
		storePath = filepath.Join(t.TempDir(), "wf.db")
	}
	clock := interp.NewFakeClock(epoch)
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: storePath, Clock: clock})
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	return eng, clock
}

// newTestREPL makes a non-interactive REPL writing results and errors to
// one buffer, as a person reading the terminal sees them.
func newTestREPL(t *testing.T, dryRun bool) (*REPL, *bytes.Buffer) {
	t.Helper()
	eng, clock := newEngine(t, "")
	var out bytes.Buffer
	r := New(Config{Engine: eng, Clock: clock, DryRun: dryRun, Out: &out, Err: &out, SessionID: "repl_test"})
	return r, &out
}

var runIDs = regexp.MustCompile(`run_[0-9a-f]{20}`)

// runScript feeds src to a fresh pipe-mode REPL's Run.
func runScript(t *testing.T, r *REPL, out *bytes.Buffer, src string) (string, int) {
	t.Helper()
	out.Reset()
	r.cfg.In = strings.NewReader(src)
	failed, err := r.Run(context.Background())
	require.NoError(t, err)
	return runIDs.ReplaceAllString(out.String(), "run_ID"), failed
}
