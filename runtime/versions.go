package runtime

import (
	"context"
	"fmt"
	"strings"

	"github.com/wf-lang/wf/runtime/store"
)

// Versions. A program is identified by the hash of its files (interp.Version); each run is
// pinned to the version it started on, and the store keeps every version's files, so a run
// resumed or continued later executes on its own version's source, whatever is on disk now.

// SaveVersion stores the program's files under its version hash (once per engine).
func (e *Engine) SaveVersion(ctx context.Context, l *Loaded) error {
	prog := l.Program
	if prog == nil {
		return fmt.Errorf("the program has errors")
	}
	if _, saved := e.versions.Load(prog.Version); saved {
		return nil
	}
	paths, source, files := l.Bundle()
	if err := e.Store.SaveVersion(ctx, store.Version{Hash: prog.Version, Path: paths, Source: source, Files: files}); err != nil {
		return err
	}
	e.versions.Store(prog.Version, l)
	return nil
}

// Version returns the compiled program of a stored version: from the engine's cache, or
// loaded from the store and compiled.
func (e *Engine) Version(ctx context.Context, hash string) (*Loaded, error) {
	if l, ok := e.versions.Load(hash); ok {
		return l.(*Loaded), nil
	}
	v, err := e.Store.GetVersion(ctx, hash)
	if err != nil {
		return nil, err
	}
	paths := strings.Split(v.Path, ",")
	files := v.Files
	if len(files) == 0 {
		files, err = splitBundle(paths, v.Source)
		if err != nil {
			return nil, fmt.Errorf("version %.12s: %w", hash, err)
		}
	}
	l := LoadSources(paths, files, e.Lib, e.interpOptions())
	if l.Program == nil {
		return nil, fmt.Errorf("version %.12s no longer compiles: %v", hash, l.Diags.Err())
	}
	if l.Program.Version != hash {
		return nil, fmt.Errorf("version %.12s: its stored files hash to %.12s", hash, l.Program.Version)
	}
	e.versions.Store(hash, l)
	return l, nil
}

// splitBundle reads a version saved before files were kept: one file, or several each
// introduced by a "# file: path" line.
func splitBundle(paths []string, source string) (map[string]string, error) {
	if len(paths) == 1 {
		return map[string]string{paths[0]: source}, nil
	}
	files := map[string]string{}
	rest := source
	for i, p := range paths {
		head := "# file: " + p + "\n"
		if !strings.HasPrefix(rest, head) {
			return nil, fmt.Errorf("the stored source does not hold %s", p)
		}
		rest = rest[len(head):]
		end := len(rest)
		if i+1 < len(paths) {
			end = strings.Index(rest, "# file: "+paths[i+1]+"\n")
			if end < 0 {
				return nil, fmt.Errorf("the stored source does not hold %s", paths[i+1])
			}
		}
		files[p], rest = rest[:end], rest[end:]
	}
	return files, nil
}
