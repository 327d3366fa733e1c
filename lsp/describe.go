package lsp

import (
	"strings"

	"github.com/wf-lang/wf/lang"
)

// describeSymbol says in a line what a name is bound to; a fn's parameters
// show their types and defaults as written.
func (an *analysis) describeSymbol(sym *lang.Symbol) string {
	typ := ""
	if sym.Type != lang.TAny && sym.Type != lang.TNone {
		typ = ": " + sym.Type.String()
	}
	switch sym.Kind {
	case lang.SymConst:
		return "const " + sym.Name + typ
	case lang.SymFn:
		if d, ok := sym.Node.(*lang.FnDecl); ok {
			return "fn " + sym.Name + "(" + strings.Join(an.paramLabels(an.fileOf(sym), d.Params), ", ") + ")"
		}
	case lang.SymJsFn:
		if d, ok := sym.Node.(*lang.JsFnDecl); ok {
			return "js fn " + sym.Name + "(" + strings.Join(an.paramLabels(an.fileOf(sym), d.Params), ", ") + ")"
		}
	case lang.SymBuiltin:
		if sym.Func != nil {
			return sym.Func.Signature()
		}
	case lang.SymModule:
		return "module " + sym.Name
	}
	if _, ok := sym.Node.(*lang.WorkflowDecl); ok {
		return localKind(sym) + sym.Name + typ
	}
	return localKind(sym) + " " + sym.Name + typ
}

// localKind names the construct that binds a local.
func localKind(sym *lang.Symbol) string {
	switch n := sym.Node.(type) {
	case *lang.LetStmt:
		return "let"
	case *lang.Param:
		if sym.Implicit {
			return "trigger parameter"
		}
		return "parameter"
	case *lang.ForStmt:
		return "loop variable"
	case *lang.TryStmt:
		return "catch variable"
	case *lang.LambdaExpr:
		return "lambda parameter"
	case *lang.WaitEventExpr:
		return "awaited event"
	case *lang.WorkflowDecl:
		return "# workflow " + n.Name.Name + "\n"
	}
	return "local"
}

// paramLabels writes each parameter as declared in f: `name`, `name: type`,
// `name: type?`, and ` = default` with the default's source text.
func (an *analysis) paramLabels(f *srcFile, ps []*lang.Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		label := p.Name.Name
		if p.Type != nil {
			label += ": " + p.Type.Name
			if p.Type.Optional {
				label += "?"
			}
		}
		if p.Default != nil {
			if src, ok := spanText(f.text, p.Default.Span()); ok {
				label += " = " + src
			}
		}
		out[i] = label
	}
	return out
}

// spanText returns the text of a span, when it lies within text.
func spanText(text string, sp lang.Span) (string, bool) {
	if sp.Start.Offset < 0 || sp.End.Offset > len(text) || sp.Start.Offset > sp.End.Offset {
		return "", false
	}
	return text[sp.Start.Offset:sp.End.Offset], true
}

// docComment returns the `#` comment lines right above a declaration
// (none blank between them and it), without their `#`, as a paragraph.
func docComment(f *srcFile, d lang.Decl) string {
	if f == nil || f.file == nil {
		return ""
	}
	line := d.Span().Start.Line
	var lines []string
	for i := len(f.file.Comments) - 1; i >= 0; i-- {
		c := f.file.Comments[i]
		if c.Sp.Start.Line >= line {
			continue
		}
		if c.Sp.Start.Line != line-1 || strings.TrimSpace(f.lineOf(c.Sp.Start.Offset)) != strings.TrimSpace(c.Text) {
			break // a gap, or a comment after code on its line
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(c.Text, "#")))
		line--
	}
	for i, j := 0, len(lines)-1; i < j; i, j = i+1, j-1 {
		lines[i], lines[j] = lines[j], lines[i]
	}
	return strings.Join(lines, "\n")
}
