package lsp

import (
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// analysis is everything the server knows about one version of a document:
// its text, line index, parsed file, checked program and diagnostics. It is
// immutable once built, so concurrent requests share it.
type analysis struct {
	uri     uri.URI
	path    string
	version int32
	text    string
	lines   *lineIndex
	file    *lang.File
	prog    *lang.Program
	diags   lang.Diagnostics
	// parser and u made the analysis; completion re-parses repaired
	// copies of the text with them.
	parser *incParser
	u      lang.Universe
	// tooLarge is set when the text exceeds lang.MaxFileSize: the file is
	// reported, not parsed, and features answer nothing.
	tooLarge bool
}

// analyze parses and checks text. p parses (reusing unchanged declarations);
// u is the library the program is checked against.
func analyze(p *incParser, u lang.Universe, u2 uri.URI, path string, version int32, text string) *analysis {
	an := &analysis{uri: u2, path: path, version: version, text: text, lines: newLineIndex(text), parser: p, u: u}
	an.tooLarge = len(text) > lang.MaxFileSize
	file, diags := p.parse(path, text)
	prog, cdiags := lang.CheckFile(file, u)
	an.file, an.prog = file, prog
	if an.tooLarge {
		an.diags = diags
		return an
	}
	all := append(lang.Diagnostics{}, diags...)
	all = append(all, cdiags...)
	all.Normalize()
	an.diags = all
	return an
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

// identAt returns the name written at the byte offset (a use or a
// definition), or nil.
func (an *analysis) identAt(off int) *lang.Ident {
	d := an.declAt(off)
	if d == nil {
		return nil
	}
	var found *lang.Ident
	lang.Inspect(d, func(n lang.Node) bool {
		if found != nil || n == nil || !n.Span().Contains(off) {
			return false
		}
		if id, ok := n.(*lang.Ident); ok {
			found = id
			return false
		}
		return true
	})
	return found
}
