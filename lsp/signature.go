package lsp

import (
	"context"
	"strings"
	"unicode/utf16"

	"go.lsp.dev/protocol"
)

// SignatureHelp implements protocol.Server: inside the parentheses of a
// call of a library function, method, fn or js fn, the callee's signature
// with the parameter being typed marked (by position, or by name for a
// named argument). It works while the call is still being typed.
func (s *server) SignatureHelp(ctx context.Context, params *protocol.SignatureHelpParams) (*protocol.SignatureHelp, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if an.tooLarge {
		return nil, nil
	}
	c := cursorAt(an.text, an.lines.offset(params.Position))
	if c.inComment || c.inRaw {
		return nil, nil
	}
	open := -1
	for k := len(c.open) - 1; k >= 0; k-- {
		if t := c.toks[c.open[k]]; t.kind == tkPunct && t.val == "(" {
			open = c.open[k]
			break
		}
		if c.toks[c.open[k]].val == "{" && c.blockBrace(c.open[k]) { // in a block, not in a call's arguments
			return nil, nil
		}
	}
	if open < 0 {
		return nil, nil
	}
	ct := an.callTarget(c, an.scopeAt(c), open)
	if ct == nil {
		return nil, nil
	}
	return ct.help(c.argsAfter(open)), nil
}

// help builds the answer for a call whose arguments so far are args.
func (ct *callTarget) help(args callArgs) *protocol.SignatureHelp {
	info := protocol.SignatureInformation{
		Label:         ct.label,
		Documentation: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: ct.doc},
		Parameters:    []protocol.ParameterInformation{},
	}
	from := strings.IndexByte(ct.label, '(') + 1
	for _, p := range ct.params {
		i := strings.Index(ct.label[from:], p.label) + from
		start := utf16Count(ct.label[:i])
		info.Parameters = append(info.Parameters, protocol.ParameterInformation{
			Label: protocol.ParameterInformationLabelTuple{uint32(start), uint32(start + utf16Count(p.label))},
		})
		from = i + len(p.label)
	}
	active := ct.activeParam(args)
	zero := uint32(0)
	help := &protocol.SignatureHelp{Signatures: []protocol.SignatureInformation{info}, ActiveSignature: &zero}
	if active >= 0 {
		help.ActiveParameter = protocol.NewNullable(uint32(active))
		help.Signatures[0].ActiveParameter = protocol.NewNullable(uint32(active))
	}
	return help
}

// activeParam returns the index of the parameter the argument being typed
// fills, or -1 when it fills none.
func (ct *callTarget) activeParam(args callArgs) int {
	if args.currentKey != "" {
		for i, p := range ct.params {
			if p.name == args.currentKey {
				return i
			}
		}
		return -1
	}
	n := len(ct.params)
	switch {
	case args.positional < n:
		return args.positional
	case n > 0 && strings.HasPrefix(ct.params[n-1].label, "..."):
		return n - 1
	}
	return -1
}

func utf16Count(s string) int { return len(utf16.Encode([]rune(s))) }
