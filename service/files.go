package service

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// fileSet is the folder of .wf files the service serves. Files are named by
// their path relative to the folder, so the version hash does not depend on
// where the service was started from.
type fileSet struct {
	dir   string
	stamp string // sizes and modification times when last loaded
}

// LoadError is a folder whose files have errors: the service keeps serving
// the version it has, or refuses to start.
type LoadError struct {
	Loaded *runtime.Loaded
	Dir    string // the folder, which the files' names are relative to
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("the workflows have errors:\n%s", e.Loaded.Diags.Err())
}

// Render writes the diagnostics, each file named as a person finds it
// (under the folder).
func (e *LoadError) Render(w io.Writer, color bool) {
	diags := make(lang.Diagnostics, len(e.Loaded.Diags))
	for i, d := range e.Loaded.Diags {
		c := *d
		c.File = filepath.Join(e.Dir, filepath.FromSlash(d.File))
		diags[i] = &c
	}
	source := func(file string) []byte {
		rel, err := filepath.Rel(e.Dir, file)
		if err != nil {
			return nil
		}
		return e.Loaded.Source(filepath.ToSlash(rel))
	}
	(&termdiag.Renderer{Source: source, Color: color}).RenderAll(w, diags)
}

// scan lists the folder's .wf files (relative paths, sorted) and a stamp of
// their sizes and times.
func (f *fileSet) scan() ([]string, string, error) {
	var rel []string
	var stamp strings.Builder
	err := filepath.WalkDir(f.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != f.dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".wf") || strings.HasSuffix(path, "_test.wf") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		r, err := filepath.Rel(f.dir, path)
		if err != nil {
			return err
		}
		rel = append(rel, filepath.ToSlash(r))
		fmt.Fprintf(&stamp, "%s %d %d\n", r, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	sort.Strings(rel)
	return rel, stamp.String(), err
}

// load reads, checks and compiles the folder.
func (f *fileSet) load(eng *runtime.Engine) (*runtime.Loaded, error) {
	paths, stamp, err := f.scan()
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s has no .wf files", f.dir)
	}
	files := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		files[p] = string(b)
	}
	l := eng.LoadSources(paths, files)
	f.stamp = stamp
	if l.Diags.HasErrors() {
		return nil, &LoadError{Loaded: l, Dir: f.dir}
	}
	return l, nil
}

// changed reports whether the files changed since the last load.
func (f *fileSet) changed() bool {
	_, stamp, err := f.scan()
	return err == nil && stamp != f.stamp
}

// watch reloads the files when they change: a version that checks clean
// becomes the one new runs start on; a broken edit is logged with its
// diagnostics and the old version keeps serving. Runs already started stay
// on their own version.
func (s *Service) watch(ctx context.Context) {
	t := time.NewTicker(s.cfg.Reload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Reload(ctx)
		}
	}
}

// Reload loads the files again if they changed, and reports whether a new
// version now serves.
func (s *Service) Reload(ctx context.Context) bool {
	if !s.files.changed() {
		return false
	}
	l, err := s.files.load(s.eng)
	if err != nil {
		attrs := []any{"error", err.Error()}
		if le, ok := err.(*LoadError); ok {
			var b strings.Builder
			le.Render(&b, false)
			attrs = []any{"diagnostics", b.String()}
		}
		s.log.Error("the workflows changed but have errors; the previous version keeps serving", attrs...)
		s.metrics.reloadFailures.Inc()
		return false
	}
	old := s.current.Load()
	if old != nil && old.Program.Version == l.Program.Version {
		return false
	}
	if err := s.eng.SaveVersion(ctx, l); err != nil {
		s.log.Error("saving the new version", "error", err)
		return false
	}
	s.current.Store(l)
	s.sched.poke()
	s.log.Info("serving a new version", "version", l.Program.Version[:12], "workflows", len(l.Program.Workflows()))
	return true
}
