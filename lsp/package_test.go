package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// The files of a folder are checked together, as `wf check DIR` checks
// them: a document sees the consts and fns of the others.

const helpersWF = `# Shared helpers.
const LIMIT = 18

fn is_minor(birthdate) {
  return years_since(date(birthdate)) < LIMIT
}
`

const usesWF = `workflow review {
  on event "inquiry.completed"

  when is_minor(trigger.fields.birthdate) {
    log "under ${LIMIT}"
  }
}
`

func pkgDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "helpers.wf"), []byte(helpersWF), 0o644))
	return dir
}

func (h *harness) openAt(u uri.URI, text string) []protocol.Diagnostic {
	h.t.Helper()
	require.NoError(h.t, h.srv.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
		URI: u, LanguageID: "wf", Version: 1, Text: text,
	}}))
	return h.waitDiags(u, 1)
}

func TestPackageNamesResolveAcrossFiles(t *testing.T) {
	h := newHarness(t)
	dir := pkgDir(t)
	uses := uri.File(filepath.Join(dir, "uses.wf"))
	helpers := uri.File(filepath.Join(dir, "helpers.wf"))
	assert.Empty(t, h.openAt(uses, usesWF), "is_minor and LIMIT come from helpers.wf on disk")

	p := tdpURI(uses, at(usesWF, "is_minor(", 0))
	def, err := call[protocol.DefinitionResult](h, protocol.MethodTextDocumentDefinition, &protocol.DefinitionParams{TextDocumentPositionParams: p})
	require.NoError(t, err)
	loc, ok := def.(*protocol.Location)
	require.True(t, ok, "%T", def)
	assert.Equal(t, helpers, loc.URI)
	assert.Equal(t, at(helpersWF, "is_minor(birthdate)", 0), loc.Range.Start)

	hover, err := h.srv.Hover(h.ctx, &protocol.HoverParams{TextDocumentPositionParams: tdpURI(uses, at(usesWF, "LIMIT}", 0))})
	require.NoError(t, err)
	assert.Contains(t, hover.Contents.(*protocol.MarkupContent).Value, "const LIMIT = 18")
	assert.Contains(t, hover.Contents.(*protocol.MarkupContent).Value, "of helpers.wf")

	refs, err := h.srv.References(h.ctx, &protocol.ReferenceParams{TextDocumentPositionParams: p, Context: protocol.ReferenceContext{IncludeDeclaration: true}})
	require.NoError(t, err)
	var where []string
	for _, r := range refs {
		where = append(where, filepath.Base(r.URI.FsPath()))
	}
	assert.ElementsMatch(t, []string{"helpers.wf", "uses.wf"}, where)

	edit, err := h.srv.Rename(h.ctx, &protocol.RenameParams{TextDocumentPositionParams: p, NewName: "is_child"})
	require.NoError(t, err)
	require.Len(t, edit.Changes, 2, "the fn and its use are in two files")
	assert.Equal(t, strings.Replace(helpersWF, "is_minor", "is_child", 1), applyEdits(t, helpersWF, edit.Changes[helpers]))
	assert.Equal(t, strings.Replace(usesWF, "is_minor", "is_child", 1), applyEdits(t, usesWF, edit.Changes[uses]))
}

func TestPackageEditsRecheckOtherDocuments(t *testing.T) {
	h := newHarness(t)
	dir := pkgDir(t)
	uses := uri.File(filepath.Join(dir, "uses.wf"))
	helpers := uri.File(filepath.Join(dir, "helpers.wf"))
	require.Empty(t, h.openAt(uses, usesWF))
	require.Empty(t, h.openAt(helpers, helpersWF))

	// Renaming the fn in the open helpers.wf (not saved) breaks uses.wf,
	// whose diagnostics are published again without any edit to it.
	require.NoError(t, h.srv.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: helpers}, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: strings.Replace(helpersWF, "is_minor", "is_young", 1)}},
	}))
	var diags []protocol.Diagnostic
	for len(diags) == 0 {
		diags = h.waitDiags(uses, 1)
	}
	require.Len(t, diags, 1)
	assert.Contains(t, string(diags[0].Message.(protocol.String)), "undefined name is_minor")
}

func TestPackageDuplicateAcrossFiles(t *testing.T) {
	h := newHarness(t)
	dir := pkgDir(t)
	dup := "fn is_minor(x) {\n  return x\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "z.wf"), []byte(usesWF), 0o644))
	diags := h.openAt(uri.File(filepath.Join(dir, "more.wf")), dup)
	require.Len(t, diags, 1)
	assert.Equal(t, protocol.String("duplicate"), diags[0].Code)
	require.Len(t, diags[0].RelatedInformation, 1)
	rel := diags[0].RelatedInformation[0].Location
	assert.Equal(t, uri.File(filepath.Join(dir, "helpers.wf")), rel.URI)
	assert.Equal(t, at(helpersWF, "is_minor(birthdate)", 0), rel.Range.Start)
}

func tdpURI(u uri.URI, p protocol.Position) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: p}
}

func TestPackageWatchedFileChange(t *testing.T) {
	h := newHarness(t)
	dir := pkgDir(t)
	uses := uri.File(filepath.Join(dir, "uses.wf"))
	require.Empty(t, h.openAt(uses, usesWF))

	// helpers.wf changes on disk, not in the editor: the editor's file
	// watcher says so, and uses.wf is checked again.
	helpers := filepath.Join(dir, "helpers.wf")
	require.NoError(t, os.WriteFile(helpers, []byte(strings.Replace(helpersWF, "LIMIT", "MAX", -1)), 0o644))
	require.NoError(t, h.srv.DidChangeWatchedFiles(h.ctx, &protocol.DidChangeWatchedFilesParams{
		Changes: []protocol.FileEvent{{URI: uri.File(helpers), Type: protocol.FileChangeTypeChanged}},
	}))
	diags := h.waitDiags(uses, 1)
	require.Len(t, diags, 1)
	assert.Contains(t, string(diags[0].Message.(protocol.String)), "undefined name LIMIT")
}
