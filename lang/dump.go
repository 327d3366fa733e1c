package lang

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump prints the tree rooted at n as an indented outline with positions,
// one node per line. Parse goldens use it, and it helps when debugging.
func Dump(n Node) string {
	var b strings.Builder
	dump(&b, n, 0)
	return b.String()
}

func dump(b *strings.Builder, n Node, depth int) {
	sp := n.Span()
	fmt.Fprintf(b, "%s%s %d:%d-%d:%d%s\n", strings.Repeat("  ", depth), nodeName(n),
		sp.Start.Line, sp.Start.Col, sp.End.Line, sp.End.Col, nodeDetail(n))
	eachChild(n, func(c Node) { dump(b, c, depth+1) })
}

func nodeName(n Node) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", n), "*lang.")
}

func nodeDetail(n Node) string {
	switch n := n.(type) {
	case *File:
		return fmt.Sprintf(" comments=%d", len(n.Comments))
	case *Ident:
		return " " + n.Name
	case *TypeRef:
		return " " + n.Name
	case *ParamTrigger:
		return " " + n.Kind
	case *BoolLit:
		return " " + strconv.FormatBool(n.Value)
	case *IntLit:
		return " " + strconv.FormatInt(n.Value, 10)
	case *FloatLit:
		return " " + strconv.FormatFloat(n.Value, 'g', -1, 64)
	case *DurationLit:
		return " " + n.Value.String()
	case *StringLit:
		var parts []string
		for _, p := range n.Parts {
			if p.Expr == nil {
				parts = append(parts, strconv.Quote(p.Text))
			} else {
				parts = append(parts, "${…}")
			}
		}
		raw := ""
		if n.Raw {
			raw = " raw"
		}
		return raw + " " + strings.Join(parts, " ")
	case *MapEntry:
		return " " + strconv.Quote(n.Key)
	case *UnaryExpr:
		return " " + n.Op.String()
	case *BinaryExpr:
		return fmt.Sprintf(" %s @%d:%d", n.Op, n.OpPos.Line, n.OpPos.Col)
	case *SelectorExpr:
		if n.Optional {
			return " ?."
		}
	case *ForStmt:
		if n.Parallel {
			return " parallel"
		}
	case *JsFnDecl:
		return fmt.Sprintf(" code@%d:%d %q", n.CodePos.Line, n.CodePos.Col, n.Code)
	case *TestClause:
		out := " " + n.Kind.String()
		for _, f := range []struct {
			on   bool
			word string
		}{{n.Once, "once"}, {n.Fails, "fails"}, {n.AnyOrder, "in any order"}} {
			if f.on {
				out += " (" + f.word + ")"
			}
		}
		if n.Step != nil {
			out += " step=" + n.Step.Name
		}
		return out
	}
	return ""
}
