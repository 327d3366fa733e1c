package lsp

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

// TestEveryFeatureAtEveryPosition asks for completion, hover, signature
// help, definition, references, highlights and rename preparation at every
// position of sample files, whole and cut short at many places (as while
// typing), and requires an answer without an error each time: no position
// may make a feature fail or panic.
func TestEveryFeatureAtEveryPosition(t *testing.T) {
	sample, err := os.ReadFile("testdata/sample.wf")
	require.NoError(t, err)
	texts := []string{string(sample), navSource, nvimSource}
	full := string(sample)
	for cut := 0; cut < len(full); cut += 97 {
		texts = append(texts, full[:cut])
	}
	s := newServer(Options{Universe: testUniverse()})
	ctx := context.Background()
	for i, text := range texts {
		u := docURI("every.wf")
		if i == 0 {
			require.NoError(t, s.DidOpen(ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: u, Version: 1, Text: text}}))
		} else {
			require.NoError(t, s.DidChange(ctx, &protocol.DidChangeTextDocumentParams{
				TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: int32(i + 1)},
				ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
			}))
		}
		step := 1
		if i >= 3 {
			step = 7 // the cut copies: fewer positions each
		}
		li := newLineIndex(text)
		for off := 0; off <= len(text); off += step {
			p := tdpURI(u, li.position(off))
			_, err := s.Completion(ctx, &protocol.CompletionParams{TextDocumentPositionParams: p})
			require.NoError(t, err, "completion at %d of text %d", off, i)
			_, err = s.Hover(ctx, &protocol.HoverParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			_, err = s.SignatureHelp(ctx, &protocol.SignatureHelpParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			_, err = s.Definition(ctx, &protocol.DefinitionParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			_, err = s.References(ctx, &protocol.ReferenceParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			_, err = s.DocumentHighlight(ctx, &protocol.DocumentHighlightParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			_, _ = s.PrepareRename(ctx, &protocol.PrepareRenameParams{TextDocumentPositionParams: p}) // may refuse
			items, err := s.PrepareCallHierarchy(ctx, &protocol.CallHierarchyPrepareParams{TextDocumentPositionParams: p})
			require.NoError(t, err)
			for _, it := range items {
				_, err = s.IncomingCalls(ctx, &protocol.CallHierarchyIncomingCallsParams{Item: it})
				require.NoError(t, err)
				_, err = s.OutgoingCalls(ctx, &protocol.CallHierarchyOutgoingCallsParams{Item: it})
				require.NoError(t, err)
			}
		}
		doc := protocol.TextDocumentIdentifier{URI: u}
		whole := protocol.Range{End: li.position(len(text))}
		_, err = s.SemanticTokensFull(ctx, &protocol.SemanticTokensParams{TextDocument: doc})
		require.NoError(t, err)
		_, err = s.FoldingRanges(ctx, &protocol.FoldingRangeParams{TextDocument: doc})
		require.NoError(t, err)
		_, err = s.InlayHint(ctx, &protocol.InlayHintParams{TextDocument: doc, Range: whole})
		require.NoError(t, err)
		_, err = s.CodeLens(ctx, &protocol.CodeLensParams{TextDocument: doc})
		require.NoError(t, err)
		_, _ = s.RangeFormatting(ctx, &protocol.DocumentRangeFormattingParams{TextDocument: doc, Range: whole}) // refused with syntax errors
		_, err = s.DocumentSymbol(ctx, &protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}})
		require.NoError(t, err)
		_, err = s.CodeAction(ctx, &protocol.CodeActionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u},
			Range: protocol.Range{End: li.position(len(text))}})
		require.NoError(t, err)
	}
}
