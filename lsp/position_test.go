package lsp

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

func TestPositionConversion(t *testing.T) {
	// Lines end in \r\n, \r and \n; é is 2 bytes and 1 UTF-16 unit, 😀 is 4
	// bytes and 2 units.
	text := "aé😀b\r\nxy\rz\n"
	li := newLineIndex(text)
	tests := []struct {
		off  int
		pos  protocol.Position
		back int // the offset pos converts back to
	}{
		{0, protocol.Position{Line: 0, Character: 0}, 0},
		{1, protocol.Position{Line: 0, Character: 1}, 1},   // before é
		{3, protocol.Position{Line: 0, Character: 2}, 3},   // before 😀
		{5, protocol.Position{Line: 0, Character: 2}, 3},   // inside 😀: its start
		{7, protocol.Position{Line: 0, Character: 4}, 7},   // before b
		{8, protocol.Position{Line: 0, Character: 5}, 8},   // line end, before \r\n
		{9, protocol.Position{Line: 0, Character: 5}, 8},   // between \r and \n
		{10, protocol.Position{Line: 1, Character: 0}, 10}, // x
		{12, protocol.Position{Line: 1, Character: 2}, 12}, // before a lone \r
		{13, protocol.Position{Line: 2, Character: 0}, 13}, // z
		{15, protocol.Position{Line: 3, Character: 0}, 15}, // end of text
		{99, protocol.Position{Line: 3, Character: 0}, 15}, // past the end
		{-1, protocol.Position{Line: 0, Character: 0}, 0},  // before the start
	}
	for _, tt := range tests {
		p := li.position(tt.off)
		assert.Equal(t, tt.pos, p, "offset %d", tt.off)
		assert.Equal(t, tt.back, li.offset(p), "back from %v", p)
	}
	// Positions the editor may send that fall between characters or past
	// the end of a line or the text.
	assert.Equal(t, 3, li.offset(protocol.Position{Line: 0, Character: 3}), "inside the surrogate pair")
	assert.Equal(t, 8, li.offset(protocol.Position{Line: 0, Character: 40}), "past the line's end")
	assert.Equal(t, len(text), li.offset(protocol.Position{Line: 9, Character: 1}), "past the last line")
}

func TestFrontEndPositionsConvert(t *testing.T) {
	text := "# é😀\nlet 😀 = 1\n"
	li := newLineIndex(text)
	// lang counts columns in characters; the conversion goes by byte offset.
	p := lang.Pos{Offset: len("# é😀\nlet "), Line: 2, Col: 5}
	assert.Equal(t, protocol.Position{Line: 1, Character: 4}, li.pos(p))
	end := lang.Pos{Offset: p.Offset + len("😀"), Line: 2, Col: 6}
	assert.Equal(t, protocol.Range{Start: li.pos(p), End: protocol.Position{Line: 1, Character: 6}}, li.rng(lang.Span{Start: p, End: end}))
	assert.Equal(t, protocol.Position{}, li.pos(lang.Pos{}), "an unknown position is the start")
}

func TestIncrementalChanges(t *testing.T) {
	h := newHarness(t)
	src := "workflow w {\n  on manual()\n\n  let x = \"é😀\" # 😀\n  log x\n}\n"
	require.Empty(t, h.open("i.wf", src))
	u := docURI("i.wf")
	// Replace the x in `log x` with an undefined name, then insert a line,
	// with ranges in UTF-16 after non-ASCII text.
	changes := []protocol.TextDocumentContentChangeEvent{
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: at(src, "x\n}", 0), End: at(src, "x\n}", 1)}, Text: "y"},
		&protocol.TextDocumentContentChangePartial{Range: protocol.Range{Start: after(src, "# 😀"), End: after(src, "# 😀")}, Text: "\n  log \"😀\" + z"},
	}
	require.NoError(t, h.srv.DidChange(h.ctx, &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: 2},
		ContentChanges: changes,
	}))
	diags := h.waitDiags(u, 2)
	want := "workflow w {\n  on manual()\n\n  let x = \"é😀\" # 😀\n  log \"😀\" + z\n  log y\n}\n"
	require.Len(t, diags, 3, "%v", diags) // z and y undefined, x unused
	assert.Equal(t, at(want, "x = ", 0), diags[0].Range.Start)
	assert.Equal(t, at(want, "z\n", 0), diags[1].Range.Start)
	assert.Equal(t, at(want, "y\n", 0), diags[2].Range.Start)
}

func TestCancelRequest(t *testing.T) {
	s := newServer(Options{Universe: testUniverse()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.inflight[jsonrpc2.NewNumberID(7)] = cancel
	raw, err := protocol.Marshal(&protocol.CancelParams{ID: protocol.Integer(7)})
	require.NoError(t, err)
	s.cancelRequest(raw)
	assert.Error(t, ctx.Err(), "the request's context is cancelled")
}
