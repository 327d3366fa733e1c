package lsp

import (
	"context"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// Semantic tokens: what each name is (a module, a workflow, a fn or library
// function, a method, a parameter, a let, a const, a field), from the
// checker's Info, on top of the scanner's keywords, strings, numbers and
// comments. Names in a declaration that does not parse get no token, so the
// editor's grammar colours them.

// The legend: token types and modifiers, in the order of their indexes.
var (
	semTypes = []string{"namespace", "class", "function", "method", "parameter", "variable",
		"property", "keyword", "string", "number", "comment", "type"}
	semModifiers = []string{"declaration", "readonly", "defaultLibrary"}
)

// Token type indexes into semTypes.
const (
	ttNamespace uint32 = iota
	ttClass
	ttFunction
	ttMethod
	ttParameter
	ttVariable
	ttProperty
	ttKeyword
	ttString
	ttNumber
	ttComment
	ttType
)

// Modifier bits, as semModifiers orders them.
const (
	smDeclaration uint32 = 1 << iota
	smReadonly
	smDefaultLibrary
)

// clauseWords are not reserved but are keywords where the scanner meets
// them outside any name the tree knows: in trigger and wait clauses and in
// declarations.
var clauseWords = map[string]bool{
	"workflow": true, "event": true, "where": true, "timeout": true, "limit": true, "tz": true,
	"every": true, "schedule": true, "api": true, "manual": true, "js": true,
}

// semTok is one token: a byte range, its type and modifiers.
type semTok struct {
	start, end int
	typ, mods  uint32
}

// SemanticTokensFull implements protocol.Server.
func (s *server) SemanticTokensFull(ctx context.Context, params *protocol.SemanticTokensParams) (*protocol.SemanticTokens, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	return &protocol.SemanticTokens{Data: an.encodeTokens(an.semanticTokens(), 0, len(an.text))}, nil
}

// SemanticTokensRange implements protocol.Server: the tokens that start in
// the range.
func (s *server) SemanticTokensRange(ctx context.Context, params *protocol.SemanticTokensRangeParams) (*protocol.SemanticTokens, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	lo, hi := an.lines.offset(params.Range.Start), an.lines.offset(params.Range.End)
	return &protocol.SemanticTokens{Data: an.encodeTokens(an.semanticTokens(), lo, hi)}, nil
}

// semanticTokens lists the document's tokens in order.
func (an *analysis) semanticTokens() []semTok {
	if an.tooLarge {
		return nil
	}
	names := an.nameTokens()
	var out []semTok
	var prev token
	for _, t := range scan(an.text, len(an.text)).toks {
		afterDot := prev.kind == tkPunct && (prev.val == "." || prev.val == "?.")
		if t.code() {
			prev = t
		}
		switch t.kind {
		case tkIdent:
			if nt, ok := names[t.start]; ok && nt.end == t.end {
				out = append(out, nt)
			} else if !afterDot && (t.isKeyword() || clauseWords[t.val]) {
				out = append(out, semTok{start: t.start, end: t.end, typ: ttKeyword})
			}
		case tkString, tkRaw, tkStrStart, tkStrText, tkStrEnd:
			if n := len(out); n > 0 && out[n-1].typ == ttString && out[n-1].end == t.start {
				out[n-1].end = t.end // the quote, text and quote of one string
				continue
			}
			out = append(out, semTok{start: t.start, end: t.end, typ: ttString})
		case tkNumber:
			out = append(out, semTok{start: t.start, end: t.end, typ: ttNumber})
		case tkComment:
			out = append(out, semTok{start: t.start, end: t.end, typ: ttComment})
		}
	}
	return out
}

// nameTokens classifies every name of the parsed declarations, by offset.
func (an *analysis) nameTokens() map[int]semTok {
	info := an.prog.Info
	out := map[int]semTok{}
	put := func(sp lang.Span, typ, mods uint32) {
		if _, done := out[sp.Start.Offset]; !done {
			out[sp.Start.Offset] = semTok{start: sp.Start.Offset, end: sp.End.Offset, typ: typ, mods: mods}
		}
	}
	for _, d := range an.file.Decls {
		if w, ok := d.(*lang.WorkflowDecl); ok && w.Name != nil {
			put(w.Name.Sp, ttClass, smDeclaration)
		}
		lang.Inspect(d, func(n lang.Node) bool {
			switch n := n.(type) {
			case *lang.CallExpr:
				if sel, ok := n.Fn.(*lang.SelectorExpr); ok && sel.Name != nil {
					if cal := info.Calls[n]; cal != nil && cal.Kind == lang.CallBuiltin {
						put(sel.Name.Sp, ttFunction, smDefaultLibrary)
					} else if cal != nil && cal.Kind == lang.CallMethod {
						put(sel.Name.Sp, ttMethod, smDefaultLibrary)
					}
				}
			case *lang.SelectorExpr:
				if n.Name != nil {
					put(n.Name.Sp, ttProperty, 0)
				}
			case *lang.Arg:
				if n.Name != nil {
					put(n.Name.Sp, ttParameter, 0)
				}
			case *lang.MapEntry:
				if !n.Quoted {
					put(n.KeySp, ttProperty, 0)
				}
			case *lang.TypeRef:
				put(lang.Span{Start: n.Sp.Start, End: lang.Pos{Offset: n.Sp.Start.Offset + len(n.Name)}}, ttType, 0)
			case *lang.Ident:
				if sym := info.Defs[n]; sym != nil {
					typ, mods := symbolToken(sym)
					put(n.Sp, typ, mods|smDeclaration)
				} else if ref, ok := info.Refs[n]; ok && ref.Sym != nil {
					typ, mods := symbolToken(ref.Sym)
					put(n.Sp, typ, mods)
				}
			}
			return true
		})
	}
	return out
}

// symbolToken gives the token type and modifiers of what a name is bound
// to.
func symbolToken(sym *lang.Symbol) (uint32, uint32) {
	switch sym.Kind {
	case lang.SymConst:
		return ttVariable, smReadonly
	case lang.SymFn, lang.SymJsFn:
		return ttFunction, 0
	case lang.SymBuiltin:
		return ttFunction, smDefaultLibrary
	case lang.SymModule:
		return ttNamespace, smDefaultLibrary
	}
	switch sym.Node.(type) {
	case *lang.Param, *lang.LambdaExpr:
		return ttParameter, 0
	case *lang.WorkflowDecl: // trigger and event
		return ttVariable, smReadonly | smDefaultLibrary
	}
	return ttVariable, 0
}

// encodeTokens writes the tokens that start in [lo, hi] in LSP's relative
// encoding (line delta, start delta, length, type, modifiers), in UTF-16
// units. A token over several lines (a """ string) is cut at each line end.
func (an *analysis) encodeTokens(toks []semTok, lo, hi int) []uint32 {
	sort.Slice(toks, func(i, j int) bool { return toks[i].start < toks[j].start })
	data := []uint32{}
	var prevLine, prevChar uint32
	emit := func(start, end int, t semTok) {
		p, q := an.lines.position(start), an.lines.position(end)
		if q.Line != p.Line || q.Character <= p.Character {
			return
		}
		char := p.Character
		if p.Line == prevLine {
			char -= prevChar
		}
		data = append(data, p.Line-prevLine, char, q.Character-p.Character, t.typ, t.mods)
		prevLine, prevChar = p.Line, p.Character
	}
	for _, t := range toks {
		if t.start < lo || t.start > hi {
			continue
		}
		for start := t.start; start < t.end; {
			line := an.lines.position(start).Line
			end := min(t.end, an.lines.lineEnd(int(line)))
			emit(start, end, t)
			if int(line)+1 >= len(an.lines.starts) {
				break
			}
			start = an.lines.starts[line+1]
		}
	}
	return data
}
