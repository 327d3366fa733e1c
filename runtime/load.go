package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Loaded is a set of .wf files, parsed, checked and (when clean) compiled.
type Loaded struct {
	Files   []*lang.File
	Checked *lang.Program
	Program *interp.Program // nil when Diags has errors
	Diags   lang.Diagnostics
	// Sources maps each file's path to its text, for rendering diagnostics.
	Sources map[string][]byte
}

// Source returns a file's text (for termdiag.Renderer).
func (l *Loaded) Source(path string) []byte { return l.Sources[path] }

// ExpandPaths turns files and folders into the .wf files they name, sorted.
// A folder is walked recursively (skipping hidden folders such as .wf) for
// workflow files: test files (*_test.wf) in it are left out, as wf run and
// wf serve leave them out; a test file named on its own is kept.
func ExpandPaths(paths []string) ([]string, error) { return expand(paths, false) }

// ExpandPathsWithTests is ExpandPaths keeping the test files of folders
// (wf check, wf fmt).
func ExpandPathsWithTests(paths []string) ([]string, error) { return expand(paths, true) }

func expand(paths []string, tests bool) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, unwrapPathErr(err))
		}
		if !info.IsDir() {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(path, ".wf") && !seen[path] && (tests || !lang.IsTestFile(path)) {
				seen[path] = true
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// LoadFiles reads, parses and checks files, and compiles them when there
// are no errors. I/O errors are returned; problems in the scripts are in
// Loaded.Diags.
func LoadFiles(paths []string, lib interp.Library, opts interp.Options) (*Loaded, error) {
	l := &Loaded{Sources: map[string][]byte{}}
	for _, p := range paths {
		src, err := readfile.Read(p, lang.MaxFileSize)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %w", p, pe.Err)
			}
			return nil, err
		}
		l.add(p, src)
	}
	l.finish(lib, opts)
	return l, nil
}

// LoadSource parses, checks and compiles one in-memory source.
func LoadSource(path string, src []byte, lib interp.Library, opts interp.Options) *Loaded {
	l := &Loaded{Sources: map[string][]byte{}}
	l.add(path, src)
	l.finish(lib, opts)
	return l
}

func (l *Loaded) add(path string, src []byte) {
	f, diags := lang.Parse(path, src)
	l.Files = append(l.Files, f)
	l.Sources[path] = src
	l.Diags = append(l.Diags, diags...)
}

func (l *Loaded) finish(lib interp.Library, opts interp.Options) {
	checked, diags := lang.Check(l.Files, lib)
	l.Checked = checked
	l.Diags = append(l.Diags, diags...)
	if !l.Diags.HasErrors() {
		prog, cd := interp.Compile(checked, lib, opts)
		l.Diags = append(l.Diags, cd...)
		if !cd.HasErrors() {
			l.Program = prog
		}
	}
	l.Diags.Normalize()
}

// Bundle returns the sources as one text for the version record: each file
// introduced by a "# file: path" line when there are several; and the files
// by path, which LoadVersion reads back.
func (l *Loaded) Bundle() (paths, source string, files map[string]string) {
	var ps []string
	var b strings.Builder
	files = make(map[string]string, len(l.Files))
	for _, f := range l.Files {
		ps = append(ps, f.Path)
		if len(l.Files) > 1 {
			fmt.Fprintf(&b, "# file: %s\n", f.Path)
		}
		b.Write(f.Src)
		files[f.Path] = string(f.Src)
	}
	return strings.Join(ps, ","), b.String(), files
}

// LoadSources parses, checks and compiles in-memory files, in the order of
// paths (which is part of the version hash).
func LoadSources(paths []string, files map[string]string, lib interp.Library, opts interp.Options) *Loaded {
	l := &Loaded{Sources: map[string][]byte{}}
	for _, p := range paths {
		l.add(p, []byte(files[p]))
	}
	l.finish(lib, opts)
	return l
}

// AddWorkflowFiles adds to paths, for each test file among them, the
// workflow files of its folder that are not there yet (a test runs the
// workflows beside it), after the given paths.
func AddWorkflowFiles(paths []string) ([]string, error) {
	seen := map[string]bool{}
	for _, p := range paths {
		seen[filepath.Clean(p)] = true
	}
	out := append([]string(nil), paths...)
	dirs := map[string]bool{}
	for _, p := range paths {
		dir := filepath.Dir(p)
		if !lang.IsTestFile(p) || dirs[dir] {
			continue
		}
		dirs[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, en := range entries {
			path := filepath.Join(dir, en.Name())
			if en.Type().IsRegular() && strings.HasSuffix(en.Name(), ".wf") && !lang.IsTestFile(en.Name()) && !seen[filepath.Clean(path)] {
				seen[filepath.Clean(path)] = true
				out = append(out, path)
			}
		}
	}
	return out, nil
}
