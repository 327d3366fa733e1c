package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wf test --watch runs the tests again when a .wf or .json file changes,
// and only then: each tick looks at the files.
func TestWatchRunsAgainOnChange(t *testing.T) {
	dir := t.TempDir()
	wf := filepath.Join(dir, "a_test.wf")
	require.NoError(t, os.WriteFile(wf, []byte("# one"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	looked := make(chan struct{})
	runs := 0
	var out strings.Builder
	done := make(chan error)
	go func() {
		done <- watchLoop(ctx, &out, func() uint64 {
			defer func() { looked <- struct{}{} }()
			return snapshot([]string{dir})
		}, func() { runs++ }, tick)
	}()
	// step ticks once and waits until the loop has looked at the files
	// (and run the tests, when they changed).
	step := func() {
		tick <- time.Time{}
		<-looked
	}
	<-looked
	step()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("changed"), 0o644))
	step()
	require.NoError(t, os.WriteFile(wf, []byte("# two, longer"), 0o644))
	step()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "event.json"), []byte("{}"), 0o644))
	step()
	step()
	cancel()
	require.NoError(t, <-done)
	assert.Equal(t, 3, runs, "the first run, a changed .wf file, a new .json file")
	assert.Equal(t, 2, strings.Count(out.String(), "files changed; running the tests again"))
}
