package lsp

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// analysis is everything the server knows about one version of a document:
// its text, line index, parsed file, checked program and diagnostics. The
// program is checked together with the other .wf files of the document's
// folder (its package, as `wf check DIR` sees it), so their consts and fns
// resolve; the diagnostics are the document's own. It is immutable once
// built, so concurrent requests share it.
type analysis struct {
	uri     uri.URI
	path    string
	version int32
	text    string
	lines   *lineIndex
	file    *lang.File
	prog    *lang.Program
	diags   lang.Diagnostics
	// parser and u made the analysis; rename re-parses and re-checks the
	// renamed text with them.
	parser *incParser
	u      lang.Universe
	// tooLarge is set when the text exceeds lang.MaxFileSize: the file is
	// reported, not parsed, and features answer nothing.
	tooLarge bool
	// self is the document among files, the package's files sorted by
	// path; declFile says which file holds each declaration.
	self     *srcFile
	files    []*srcFile
	declFile map[lang.Decl]*srcFile
	// pkgErrors counts the errors in the whole package (every file's
	// syntax errors and the check's errors), for rename's check.
	pkgErrors int
	// epoch is the server's document epoch the analysis was built at; a
	// change to any document may change this one's program.
	epoch uint64
}

// srcFile is one file of a package: the document or a sibling.
type srcFile struct {
	uri   uri.URI
	path  string
	text  string
	lines *lineIndex
	file  *lang.File
	// syntaxErrors counts the file's parse errors; firstSyntax is the
	// first of them.
	syntaxErrors int
	firstSyntax  *lang.Diagnostic
}

// analyze parses and checks a document with its parsed siblings. p parses
// the document (reusing unchanged declarations); u is the library the
// program is checked against.
func analyze(p *incParser, u lang.Universe, st *docState, siblings []*srcFile) *analysis {
	an := &analysis{uri: st.uri, path: st.path, version: st.version, text: st.text, lines: newLineIndex(st.text), parser: p, u: u}
	an.tooLarge = len(st.text) > lang.MaxFileSize
	file, diags := p.parse(st.path, st.text)
	an.file = file
	an.self = &srcFile{uri: st.uri, path: st.path, text: st.text, lines: an.lines, file: file}
	an.self.setSyntaxErrors(diags)
	if an.tooLarge {
		siblings = nil
	}
	an.files = append([]*srcFile{an.self}, siblings...)
	sort.Slice(an.files, func(i, j int) bool { return an.files[i].path < an.files[j].path })
	an.declFile = map[lang.Decl]*srcFile{}
	files := make([]*lang.File, len(an.files))
	for i, f := range an.files {
		files[i] = f.file
		for _, d := range f.file.Decls {
			an.declFile[d] = f
		}
	}
	prog, cdiags := lang.Check(files, u)
	an.prog = prog
	an.pkgErrors = errorCount(cdiags)
	for _, f := range an.files {
		an.pkgErrors += f.syntaxErrors
	}
	if an.tooLarge {
		an.diags = diags
		return an
	}
	all := append(lang.Diagnostics{}, diags...)
	for _, d := range cdiags {
		if d.File == st.path {
			all = append(all, d)
		}
	}
	all.Normalize()
	an.diags = all
	an.explainUndefined()
	return an
}

// setSyntaxErrors records a file's parse errors.
func (f *srcFile) setSyntaxErrors(diags lang.Diagnostics) {
	f.syntaxErrors = errorCount(diags)
	for _, d := range diags {
		if d.Severity == lang.Error {
			f.firstSyntax = d
			return
		}
	}
}

// declHeader finds what a line of a file declares, also in a declaration
// that does not parse.
var declHeader = regexp.MustCompile(`(?m)^[ \t]*(?:js[ \t]+)?(?:fn|const|workflow)[ \t]+([A-Za-z_][A-Za-z0-9_]*)`)

// explainUndefined adds to each "undefined name" of the document what a
// sibling with syntax errors has to do with it: the name is declared in a
// declaration of that file that does not parse, or at least that file's
// declarations may be missing. Both point at the sibling's first error.
func (an *analysis) explainUndefined() {
	var broken []*srcFile
	for _, f := range an.files {
		if f != an.self && f.firstSyntax != nil {
			broken = append(broken, f)
		}
	}
	if len(broken) == 0 {
		return
	}
	for i, d := range an.diags {
		name, ok := strings.CutPrefix(d.Message, "undefined name ")
		if d.Code != "undefined" || !ok {
			continue
		}
		nd := *d
		nd.Hints = append([]string(nil), d.Hints...)
		f := broken[0]
		for _, b := range broken {
			for _, m := range declHeader.FindAllStringSubmatch(b.text, -1) {
				if m[1] == name {
					f = b
					nd.Hints = append(nd.Hints, fmt.Sprintf("%s is declared in %s, which does not parse: fix its syntax error first", name, filepath.Base(b.path)))
				}
			}
		}
		if len(nd.Hints) == len(d.Hints) {
			nd.Hints = append(nd.Hints, fmt.Sprintf("%s does not parse, so the names it declares are missing here", filepath.Base(f.path)))
		}
		nd.Related = append(append([]lang.Related(nil), d.Related...), lang.Related{File: f.path, Span: f.firstSyntax.Span, Message: "syntax error: " + f.firstSyntax.Message})
		an.diags[i] = &nd
	}
}

// fileOf returns the file that binds sym: a sibling for a const, fn or js
// fn declared there, else the document.
func (an *analysis) fileOf(sym *lang.Symbol) *srcFile {
	if d, ok := sym.Node.(lang.Decl); ok {
		if f := an.declFile[d]; f != nil {
			return f
		}
	}
	return an.self
}

// fileOfDecl returns the file holding a declaration.
func (an *analysis) fileOfDecl(d lang.Decl) *srcFile {
	if f := an.declFile[d]; f != nil {
		return f
	}
	return an.self
}

// declAt returns the top-level declaration whose span holds the byte offset.
func (an *analysis) declAt(off int) lang.Decl {
	for _, d := range an.file.Decls {
		if d.Span().Contains(off) {
			return d
		}
	}
	return nil
}
