package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

func TestInitializeAdvertisesFeatures(t *testing.T) {
	h := newHarness(t)
	c := h.init.Capabilities
	assert.Equal(t, protocol.PositionEncodingKind("utf-16"), c.PositionEncoding)
	assert.NotNil(t, c.CompletionProvider)
	assert.NotNil(t, c.SignatureHelpProvider)
	for name, v := range map[string]any{"hover": c.HoverProvider, "definition": c.DefinitionProvider,
		"references": c.ReferencesProvider, "symbols": c.DocumentSymbolProvider, "formatting": c.DocumentFormattingProvider,
		"rename": c.RenameProvider, "code actions": c.CodeActionProvider, "sync": c.TextDocumentSync,
		"range formatting": c.DocumentRangeFormattingProvider, "workspace symbols": c.WorkspaceSymbolProvider,
		"folding": c.FoldingRangeProvider, "inlay hints": c.InlayHintProvider, "call hierarchy": c.CallHierarchyProvider,
		"code lens": c.CodeLensProvider, "semantic tokens": c.SemanticTokensProvider} {
		assert.NotNil(t, v, name)
	}
}

func TestDiagnosticsOnOpenAndChange(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on event \"inquiry.complete\"\n\n  let age = years_since(birthdat)\n  log \"${age}\"\n}\n"
	diags := h.open("a.wf", src)
	require.Len(t, diags, 2)
	ev, undef := diags[0], diags[1]
	assert.Equal(t, protocol.String("event"), ev.Code)
	assert.Equal(t, protocol.DiagnosticSeverityWarning, ev.Severity)
	assert.Contains(t, string(ev.Message.(protocol.String)), `did you mean "inquiry.completed"?`)
	assert.Equal(t, protocol.String("undefined"), undef.Code)
	assert.Equal(t, protocol.DiagnosticSeverityError, undef.Severity)
	assert.Equal(t, protocol.Range{Start: at(src, "birthdat", 0), End: after(src, "birthdat")}, undef.Range)

	fixed := "workflow w {\n  on event \"inquiry.completed\"\n\n  let age = 1\n  log \"${age}\"\n}\n"
	assert.Empty(t, h.change("a.wf", 2, fixed))
}

func TestDiagnosticsRelatedInformation(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on manual()\n\n  let x = 1\n  let x = 2\n  log \"${x}\"\n}\n"
	diags := h.open("a.wf", src)
	require.Len(t, diags, 1)
	d := diags[0]
	assert.Equal(t, protocol.String("duplicate"), d.Code)
	require.Len(t, d.RelatedInformation, 1)
	assert.Equal(t, docURI("a.wf"), d.RelatedInformation[0].Location.URI)
	assert.Equal(t, at(src, "x = 1", 0), d.RelatedInformation[0].Location.Range.Start)
	assert.Equal(t, "first bound here", d.RelatedInformation[0].Message)
}
