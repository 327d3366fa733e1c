package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// watchEvery is how often --watch looks for changed files.
const watchEvery = 500 * time.Millisecond

// watch calls run, then again each time a .wf or .json file under paths
// changes (is added, removed, or written), until ctx ends.
func watch(ctx context.Context, g *Globals, paths []string, run func()) error {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	return watchLoop(ctx, g.stderr, func() uint64 { return snapshot(paths) }, run, t.C)
}

// watchLoop is watch with its clock and file system taken as arguments:
// snap fingerprints the files, tick says when to look again.
func watchLoop(ctx context.Context, w io.Writer, snap func() uint64, run func(), tick <-chan time.Time) error {
	last := snap()
	run()
	fmt.Fprintln(w, "wf test: watching for changes (Ctrl-C to stop)")
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			if s := snap(); s != last {
				last = s
				fmt.Fprintln(w, "\nwf test: files changed; running the tests again")
				run()
			}
		}
	}
}

// snapshot fingerprints the .wf and .json files under paths: their names,
// sizes and modification times.
func snapshot(paths []string) uint64 {
	h := fnv.New64a()
	for _, p := range paths {
		_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if d.IsDir() || !(strings.HasSuffix(path, ".wf") || strings.HasSuffix(path, ".json")) {
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(h, "%s\x00%d\x00%d\x00", path, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	return h.Sum64()
}
