package lsp

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// maxSiblings caps how many other .wf files of a folder are checked with a
// document.
const maxSiblings = 200

// siblingParsers keeps one parser per sibling path, so unchanged siblings
// are not parsed again for every keystroke in the document, and the text
// last read from disk, so an unchanged file is not read again.
type siblingParsers struct {
	byPath map[string]*incParser
	disk   map[string]diskText
}

// diskText is a file's text as read, with the size and time it had then.
type diskText struct {
	size    int64
	modTime int64
	text    string
}

// analysisFor returns the analysis of st, building it unless the cached
// one is for the same text and no document changed since.
func (s *server) analysisFor(e *docEntry, st *docState) *analysis {
	epoch := s.currentEpoch()
	e.mu.Lock()
	defer e.mu.Unlock()
	if an := e.an; an != nil && an.version == st.version && an.text == st.text && an.epoch == epoch {
		return an
	}
	an := analyze(e.parser, s.u, st, s.siblings(st))
	an.epoch = epoch
	e.an = an
	return an
}

func (s *server) currentEpoch() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

// siblings parses the other .wf files of the document's folder: the open
// ones from the editor's text, the others from disk (files over
// lang.MaxFileSize are left out). A document that is not a file has none.
func (s *server) siblings(st *docState) []*srcFile {
	if !st.uri.IsFile() {
		return nil
	}
	dir := filepath.Dir(st.path)
	entries, _ := os.ReadDir(dir)
	paths := map[string]bool{}
	for _, en := range entries {
		if !en.IsDir() && strings.HasSuffix(en.Name(), ".wf") {
			paths[filepath.Join(dir, en.Name())] = true
		}
	}
	open := s.openIn(dir)
	for p := range open {
		paths[p] = true
	}
	delete(paths, st.path)
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	if len(sorted) > maxSiblings {
		sorted = sorted[:maxSiblings]
	}
	var out []*srcFile
	for _, p := range sorted {
		if f := s.sibling(p, open[p]); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// openIn returns the open documents of a folder, by path.
func (s *server) openIn(dir string) map[string]*docState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]*docState{}
	for u, e := range s.docs {
		if u.IsFile() && filepath.Dir(e.state.path) == dir {
			out[e.state.path] = e.state
		}
	}
	return out
}

// sibling parses one sibling file, from its open document or from disk.
func (s *server) sibling(path string, open *docState) *srcFile {
	f := &srcFile{uri: uri.File(path), path: path}
	if open != nil {
		f.uri, f.text = open.uri, open.text
	} else {
		text, ok := s.readSibling(path)
		if !ok {
			return nil
		}
		f.text = text
	}
	if len(f.text) > lang.MaxFileSize {
		return nil
	}
	s.mu.Lock()
	p := s.sibParsers.byPath[path]
	if p == nil {
		p = newIncParser()
		s.sibParsers.byPath[path] = p
	}
	s.mu.Unlock()
	var diags lang.Diagnostics
	f.file, diags = p.parse(path, f.text)
	f.setSyntaxErrors(diags)
	f.lines = newLineIndex(f.text)
	return f
}

// readSibling reads a sibling from disk, or from the copy read last when
// its size and modification time are unchanged.
func (s *server) readSibling(path string) (string, bool) {
	info, err := os.Stat(path)
	if err != nil || info.Size() > lang.MaxFileSize {
		return "", false
	}
	s.mu.Lock()
	prev, ok := s.sibParsers.disk[path]
	s.mu.Unlock()
	if ok && prev.size == info.Size() && prev.modTime == info.ModTime().UnixNano() {
		return prev.text, true
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	s.sibParsers.disk[path] = diskText{size: info.Size(), modTime: info.ModTime().UnixNano(), text: string(b)}
	s.mu.Unlock()
	return string(b), true
}

// touched records that a document changed: every cached analysis may be
// stale, and the other open documents of its folder get new diagnostics.
func (s *server) touched(u uri.URI, path string) {
	s.mu.Lock()
	s.epoch++
	var others []uri.URI
	dir := filepath.Dir(path)
	for v, e := range s.docs {
		if v != u && v.IsFile() && filepath.Dir(e.state.path) == dir {
			others = append(others, v)
		}
	}
	s.mu.Unlock()
	s.markDirty(u)
	for _, v := range others {
		s.markDirty(v)
	}
}
