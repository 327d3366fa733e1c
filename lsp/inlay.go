package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// InlayHint implements protocol.Server: after the name of each let in the
// range whose value's type the checker knows, that type (`let age: int =
// years_since(…)` shows as `let age` then `: int`).
func (s *server) InlayHint(ctx context.Context, params *protocol.InlayHintParams) ([]protocol.InlayHint, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.InlayHint{}
	if an.tooLarge {
		return out, nil
	}
	lo, hi := an.lines.offset(params.Range.Start), an.lines.offset(params.Range.End)
	for _, d := range an.file.Decls {
		if sp := d.Span(); sp.End.Offset < lo || sp.Start.Offset > hi {
			continue
		}
		lang.Inspect(d, func(n lang.Node) bool {
			l, ok := n.(*lang.LetStmt)
			if !ok || l.Name == nil {
				return true
			}
			off := l.Name.Sp.End.Offset
			sym := an.prog.Info.Defs[l.Name]
			if off < lo || off > hi || sym == nil || sym.Type == lang.TAny || sym.Type == lang.TNone {
				return true
			}
			out = append(out, protocol.InlayHint{
				Position: an.lines.position(off),
				Label:    protocol.String(": " + sym.Type.String()),
				Kind:     protocol.InlayHintKindType,
			})
			return true
		})
	}
	return out, nil
}
