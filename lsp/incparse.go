package lsp

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wf-lang/wf/lang"
)

// incParser parses a document one declaration at a time and remembers each
// declaration's result by its text, so an edit re-parses only the
// declarations it touched: the others are reused, shifted to their new
// place. It cuts the file exactly where lang.Parse does (see splitDecls in
// lang), so its result equals lang.Parse's; a test checks that on many
// files and edits.
type incParser struct {
	mu    sync.Mutex
	cache map[chunkKey]*chunkResult
	// last is the newest text parse kept, and its result.
	last      string
	lastFile  *lang.File
	lastDiags lang.Diagnostics
}

type chunkKey struct {
	text string
	last bool // the chunk ends the file
	// col is the column the chunk starts at: the chunk is parsed after
	// col-1 spaces, so columns on its first line come out right.
	col int
}

// chunkResult is the parse of one chunk, placed at base (the position of
// the chunk's first byte).
type chunkResult struct {
	base     lang.Pos
	decls    []lang.Decl
	comments []*lang.Comment
	diags    lang.Diagnostics
}

func newIncParser() *incParser { return &incParser{cache: map[chunkKey]*chunkResult{}} }

// parse parses text as lang.Parse would. The chunks it used replace the
// cache, so the cache holds only the newest version's declarations.
func (p *incParser) parse(path, text string) (*lang.File, lang.Diagnostics) {
	p.mu.Lock()
	if p.lastFile != nil && p.last == text && p.lastFile.Path == path {
		f, d := p.lastFile, p.lastDiags
		p.mu.Unlock()
		return f, d
	}
	p.mu.Unlock()
	f, d := p.parseWith(path, text, true)
	p.mu.Lock()
	p.last, p.lastFile, p.lastDiags = text, f, d
	p.mu.Unlock()
	return f, d
}

// parseScratch parses text reusing cached chunks without changing the
// cache: for texts made up for a moment, such as a rename's result.
func (p *incParser) parseScratch(path, text string) (*lang.File, lang.Diagnostics) {
	return p.parseWith(path, text, false)
}

func (p *incParser) parseWith(path, text string, keep bool) (*lang.File, lang.Diagnostics) {
	if len(text) > lang.MaxFileSize {
		return lang.Parse(path, []byte(text))
	}
	f := &lang.File{Path: path, Src: []byte(text), EOF: endPos(text)}
	var diags lang.Diagnostics
	used := map[chunkKey]*chunkResult{}
	cuts := splitChunks(text)
	base := lang.Pos{Offset: 0, Line: 1, Col: 1}
	for i, start := range cuts {
		base = advancePos(text, base, start)
		end := len(text)
		if i+1 < len(cuts) {
			end = cuts[i+1]
		}
		key := chunkKey{text: text[start:end], last: end == len(text), col: base.Col}
		r := p.chunk(path, key, base)
		used[key] = r
		f.Decls = append(f.Decls, r.decls...)
		f.Comments = append(f.Comments, r.comments...)
		diags = append(diags, r.diags...)
	}
	if keep {
		p.mu.Lock()
		p.cache = used
		p.mu.Unlock()
	}
	diags.Normalize()
	return f, diags
}

// chunk returns the parse of one chunk placed at base: from the cache
// (shifted when it was placed elsewhere) or parsed now.
func (p *incParser) chunk(path string, key chunkKey, base lang.Pos) *chunkResult {
	p.mu.Lock()
	r := p.cache[key]
	p.mu.Unlock()
	if r == nil {
		r = parseChunk(path, key)
	}
	if r.base != base {
		r = r.shifted(base)
	}
	return r
}

// parseChunk parses a chunk on its own, at the start of a file (after
// spaces up to its column). Where lang.Parse, seeing the whole file, says a
// declaration ended at "the next declaration", the chunk alone says "end
// of file"; that is rewritten.
func parseChunk(path string, key chunkKey) *chunkResult {
	pad := key.col - 1
	src := strings.Repeat(" ", pad) + key.text
	f, diags := lang.Parse(path, []byte(src))
	if !key.last {
		for _, d := range diags {
			if d.Span.Start.Offset == len(src) && strings.HasSuffix(d.Message, "found end of file") {
				d.Message = strings.TrimSuffix(d.Message, "end of file") + "the next declaration"
			}
		}
	}
	return &chunkResult{base: lang.Pos{Offset: pad, Line: 1, Col: key.col}, decls: f.Decls, comments: f.Comments, diags: diags}
}

// shifted returns a copy of r placed at base. The hand-written shifter
// hands the node types it does not know to the reflective one and has no
// panic of its own: one would be a bug, and is not hidden by redoing the
// work (the server's handler reports it).
func (r *chunkResult) shifted(base lang.Pos) *chunkResult {
	s := newFastShift(base.Offset-r.base.Offset, base.Line-r.base.Line)
	return &chunkResult{
		base:     base,
		decls:    s.decls(r.decls),
		comments: s.comments(r.comments),
		diags:    s.diags(r.diags),
	}
}

// splitChunks returns the byte offsets where the file's chunks start: the
// places lang.Parse starts a declaration, except inside a string or an
// interpolation (a chunk lexed on its own must start in the lexer's top
// state), as lang.DeclCuts computes them.
func splitChunks(text string) []int { return lang.DeclCuts(text) }

// advancePos moves p, a position in text, forward to byte offset off.
func advancePos(text string, p lang.Pos, off int) lang.Pos {
	span := text[p.Offset:off]
	if n := strings.Count(span, "\n"); n > 0 {
		p.Line += n
		p.Col = 1 + utf8.RuneCountInString(span[strings.LastIndexByte(span, '\n')+1:])
	} else {
		p.Col += utf8.RuneCountInString(span)
	}
	p.Offset = off
	return p
}

// endPos is the position just past the end of text.
func endPos(text string) lang.Pos {
	return advancePos(text, lang.Pos{Offset: 0, Line: 1, Col: 1}, len(text))
}
