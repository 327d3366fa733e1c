package lsp

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// Definition implements protocol.Server: the place a name is bound (a let,
// parameter, loop or catch variable, const, fn, js fn), the workflow a
// workflow.call string names, or, for trigger and event, the workflow's
// first on clause. Library names have no place in the file: the answer is
// empty.
func (s *server) Definition(ctx context.Context, params *protocol.DefinitionParams) (protocol.DefinitionResult, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	t := an.targetAt(an.lines.offset(params.Position))
	def, ok := an.definition(t)
	if !ok {
		return protocol.LocationSlice{}, nil
	}
	loc := def.location()
	return &loc, nil
}

// definition returns the place that binds what t refers to, in the
// document or in another file of its package.
func (an *analysis) definition(t *target) (occ, bool) {
	switch {
	case t == nil:
	case t.workflow != nil:
		return occ{an.fileOfDecl(t.workflow), t.workflow.Name.Sp}, true
	case t.sym == nil:
	case t.sym.Ident != nil:
		return occ{an.fileOf(t.sym), t.sym.Ident.Sp}, true
	case t.sym.Implicit:
		if w, ok := t.sym.Node.(*lang.WorkflowDecl); ok && len(w.Triggers) > 0 {
			return occ{an.fileOfDecl(w), w.Triggers[0].Span()}, true
		}
	}
	return occ{}, false
}

// References implements protocol.Server: every place in the document that
// names the same binding, library function or workflow.
func (s *server) References(ctx context.Context, params *protocol.ReferenceParams) ([]protocol.Location, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.Location{}
	t := an.targetAt(an.lines.offset(params.Position))
	if t == nil {
		return out, nil
	}
	for _, o := range an.occurrences(t, params.Context.IncludeDeclaration) {
		out = append(out, o.location())
	}
	return out, nil
}

// DocumentHighlight implements protocol.Server: the occurrences of the name
// under the cursor, the definition marked as a write.
func (s *server) DocumentHighlight(ctx context.Context, params *protocol.DocumentHighlightParams) ([]protocol.DocumentHighlight, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.DocumentHighlight{}
	t := an.targetAt(an.lines.offset(params.Position))
	if t == nil {
		return out, nil
	}
	def, hasDef := an.definition(t)
	for _, o := range an.occurrences(t, true) {
		if o.f != an.self {
			continue
		}
		kind := protocol.DocumentHighlightKindRead
		if hasDef && o == def {
			kind = protocol.DocumentHighlightKindWrite
		}
		out = append(out, protocol.DocumentHighlight{Range: an.lines.rng(o.sp), Kind: kind})
	}
	return out, nil
}

// PrepareRename implements protocol.Server: the range of a name that can be
// renamed, or an error saying why not.
func (s *server) PrepareRename(ctx context.Context, params *protocol.PrepareRenameParams) (protocol.PrepareRenameResult, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	t := an.targetAt(an.lines.offset(params.Position))
	if err := renamable(t); err != nil {
		return nil, err
	}
	return &protocol.PrepareRenamePlaceholder{Range: an.lines.rng(t.ident.Sp), Placeholder: t.ident.Name}, nil
}

// Rename implements protocol.Server: it renames a let, parameter, loop,
// catch or lambda variable in the document, or a const, fn or js fn in
// every file of the package, and refuses library names, the implicit trigger and event, workflows,
// invalid names, and a new name that would change what some name refers
// to.
func (s *server) Rename(ctx context.Context, params *protocol.RenameParams) (*protocol.WorkspaceEdit, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	t := an.targetAt(an.lines.offset(params.Position))
	if err := renamable(t); err != nil {
		return nil, err
	}
	if err := an.validName(params.NewName); err != nil {
		return nil, err
	}
	occs := an.occurrences(t, true)
	if err := an.checkRename(t, occs, params.NewName); err != nil {
		return nil, err
	}
	changes := map[uri.URI][]protocol.TextEdit{}
	for _, o := range occs {
		changes[o.f.uri] = append(changes[o.f.uri], protocol.TextEdit{Range: o.f.lines.rng(o.sp), NewText: params.NewName})
	}
	return &protocol.WorkspaceEdit{Changes: changes}, nil
}

// errRename is the error a refused rename answers with.
func errRename(format string, args ...any) error {
	return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "rename: "+format, args...)
}

// renamable says why the name at the cursor cannot be renamed, if so.
func renamable(t *target) error {
	switch {
	case t == nil || t.ident == nil:
		return errRename("there is no name here")
	case t.workflow != nil:
		return errRename("%s is a workflow: its name is how events, the API and runs find it, so rename it by hand", t.ident.Name)
	case t.fn != nil:
		return errRename("%s is a library function and cannot be renamed", t.fn.Name)
	case t.sym == nil:
		return errRename("%s is not bound to anything here", t.ident.Name)
	case t.sym.Kind == lang.SymBuiltin || t.sym.Kind == lang.SymModule:
		return errRename("%s is a library name and cannot be renamed", t.ident.Name)
	case t.sym.Ident == nil:
		return errRename("%s is bound by the workflow itself and cannot be renamed", t.ident.Name)
	}
	return nil
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validName checks a new name: a WF name, not a reserved word, not a
// library name.
func (an *analysis) validName(name string) error {
	switch {
	case !nameRE.MatchString(name):
		return errRename("%q is not a valid name: use letters, digits and _, not starting with a digit", name)
	case lang.IsKeyword(name):
		return errRename("%s is a reserved word", name)
	case an.u.IsModule(name) || an.u.Func(name) != nil:
		return errRename("%s is the name of a library function or module", name)
	case name == "trigger" || name == "event":
		return errRename("%s is bound by every workflow", name)
	}
	return nil
}

// checkRename renames in copies of the package's files, checks them
// again, and refuses when the result has new errors or when a renamed
// name, or another name already called newName, would refer to something
// else.
func (an *analysis) checkRename(t *target, occs []occ, newName string) error {
	def, _ := an.definition(t)
	files := make([]*lang.File, len(an.files))
	texts := make([]string, len(an.files))
	renamed := make([]map[int]bool, len(an.files)) // new offsets of renamed spans
	wantFile, wantDef := -1, -1
	after := 0
	for i, f := range an.files {
		var spans []lang.Span
		for _, o := range occs {
			if o.f == f {
				spans = append(spans, o.sp)
			}
		}
		text, moved := renameText(f.text, spans, newName)
		texts[i], renamed[i] = text, map[int]bool{}
		for _, sp := range spans {
			renamed[i][moved(sp.Start.Offset)] = true
		}
		if def.f == f {
			wantFile, wantDef = i, moved(def.sp.Start.Offset)
		}
		var pdiags lang.Diagnostics
		files[i], pdiags = an.parser.parseScratch(f.path, text)
		after += errorCount(pdiags)
	}
	prog, cdiags := lang.Check(files, an.u)
	if after += errorCount(cdiags); after > an.pkgErrors {
		return errRename("renaming %s to %s would add an error (now %d, then %d)", t.ident.Name, newName, an.pkgErrors, after)
	}
	// Which file each name of the renamed copies is in.
	fileOf := map[*lang.Ident]int{}
	for i, f := range files {
		lang.Inspect(f, func(n lang.Node) bool {
			if id, ok := n.(*lang.Ident); ok {
				fileOf[id] = i
			}
			return true
		})
	}
	for id, ref := range prog.Info.Refs {
		if id.Name != newName || ref.Sym == nil || ref.Sym.Ident == nil {
			continue
		}
		i, use := fileOf[id], id.Sp.Start.Offset
		bindsDef := fileOf[ref.Sym.Ident] == wantFile && ref.Sym.Ident.Sp.Start.Offset == wantDef
		if renamed[i][use] != bindsDef {
			return errRename("renaming %s to %s would change what %s at %s:%s refers to",
				t.ident.Name, newName, newName, filepath.Base(an.files[i].path), describeOffset(texts[i], use))
		}
	}
	return nil
}

// renameText replaces each span with name and returns the new text and a
// function moving an offset of the old text to the new one.
func renameText(text string, spans []lang.Span, name string) (string, func(int) int) {
	sorted := append([]lang.Span(nil), spans...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Offset < sorted[j].Start.Offset })
	var out []byte
	last := 0
	for _, sp := range sorted {
		out = append(out, text[last:sp.Start.Offset]...)
		out = append(out, name...)
		last = sp.End.Offset
	}
	out = append(out, text[last:]...)
	moved := func(off int) int {
		delta := 0
		for _, sp := range sorted {
			if sp.Start.Offset >= off {
				break
			}
			delta += len(name) - (sp.End.Offset - sp.Start.Offset)
		}
		return off + delta
	}
	return string(out), moved
}

func errorCount(ds lang.Diagnostics) int {
	n, _ := ds.Count()
	return n
}

// describe formats an offset of text as line:col (1-based, characters).
func describeOffset(text string, off int) string {
	p := newLineIndex(text).position(off)
	return fmt.Sprintf("%d:%d", p.Line+1, p.Character+1)
}
