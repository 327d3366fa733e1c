package graph

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wf-lang/wf/lang"
)

const (
	// maxText is the longest line of source text a label shows.
	maxText = 44
	// maxCodeLines is how many statements a code node lists.
	maxCodeLines = 4
)

// stepExprs returns the steps (run, wait, wait event) in a statement's own
// expressions — not in the blocks it contains — in the order the
// interpreter numbers them: a run before its arguments, a wait after its
// duration, an assignment's value before its target.
func stepExprs(s lang.Stmt) []lang.Expr {
	var out []lang.Expr
	for _, x := range ownExprs(s) {
		collectSteps(x, &out)
	}
	return out
}

func ownExprs(s lang.Stmt) []lang.Node {
	var out []lang.Node
	add := func(e lang.Expr) {
		if e != nil {
			out = append(out, e)
		}
	}
	switch s := s.(type) {
	case *lang.LetStmt:
		add(s.Value)
	case *lang.AssignStmt:
		add(s.Value)
		add(s.Target)
	case *lang.ExprStmt:
		add(s.X)
	case *lang.WhenStmt:
		for _, br := range s.Branches {
			add(br.Cond)
		}
	case *lang.ForStmt:
		add(s.Iter)
		add(s.Limit)
	case *lang.OutputStmt:
		if s.Value != nil {
			out = append(out, s.Value)
		}
	case *lang.FailStmt:
		add(s.Reason)
	case *lang.LogStmt:
		add(s.Message)
	case *lang.EmitStmt:
		add(s.Name)
		if s.Payload != nil {
			out = append(out, s.Payload)
		}
	case *lang.ReturnStmt:
		add(s.Value)
	}
	return out
}

func collectSteps(n lang.Node, out *[]lang.Expr) {
	lang.Inspect(n, func(x lang.Node) bool {
		switch x := x.(type) {
		case *lang.RunExpr, *lang.WaitEventExpr:
			*out = append(*out, x.(lang.Expr))
		case *lang.WaitExpr:
			if x.Duration != nil {
				collectSteps(x.Duration, out)
			}
			*out = append(*out, x)
			return false
		}
		return true
	})
}

// stepNode draws one step of statement s.
func (b *builder) stepNode(s lang.Stmt, e lang.Expr) *Node {
	var kind Kind
	var label []string
	switch e := e.(type) {
	case *lang.RunExpr:
		kind = KindStep
		label = []string{b.action(e)}
		if e.With != nil {
			label = append(label, "with "+b.text(e.With))
		}
	case *lang.WaitExpr:
		kind = KindWait
		label = []string{"wait " + b.text(e.Duration)}
	case *lang.WaitEventExpr:
		kind = KindWait
		label = []string{"wait event " + b.text(e.Name)}
		if e.Where != nil {
			label = append(label, "where "+b.text(e.Where))
		}
		if e.Timeout != nil {
			label = append(label, "timeout "+b.text(e.Timeout))
		}
	}
	switch s := s.(type) {
	case *lang.LetStmt:
		if s.Value == e {
			label = append(label, "→ "+s.Name.Name)
		}
	case *lang.AssignStmt:
		if s.Value == e {
			label = append(label, "→ "+b.text(s.Target))
		}
	}
	return b.node(kind, e.Span(), label...)
}

// action names the action of a run step as its record names it.
func (b *builder) action(r *lang.RunExpr) string {
	if r.Call == nil {
		return "run"
	}
	if c := b.info.Calls[r.Call]; c != nil && c.Func != nil {
		return c.Func.Name
	}
	return b.text(r.Call.Fn)
}

func (b *builder) triggerLabel(t lang.Trigger) []string {
	switch t := t.(type) {
	case *lang.EventTrigger:
		out := []string{"on event " + b.text(t.Pattern)}
		if t.Where != nil {
			out = append(out, "where "+b.text(t.Where))
		}
		return out
	case *lang.ParamTrigger:
		names := make([]string, len(t.Params))
		for i, p := range t.Params {
			names[i] = p.Name.Name
		}
		return wrap("on "+t.Kind+"(", names, ")")
	case *lang.ScheduleTrigger:
		s := "on schedule " + b.text(t.Cron)
		if t.TZ != nil {
			s += " tz " + b.text(t.TZ)
		}
		return []string{s}
	case *lang.EveryTrigger:
		return []string{"on every " + b.text(t.Every)}
	}
	return []string{"on …"}
}

func outputLabel(s *lang.OutputStmt) []string {
	var keys []string
	if s.Value != nil {
		for _, e := range s.Value.Entries {
			keys = append(keys, e.Key)
		}
	}
	return wrap("output {", keys, "}")
}

// wrap lists names after head, breaking lines at maxText.
func wrap(head string, names []string, tail string) []string {
	var lines []string
	line := head
	for i, n := range names {
		sep := ", "
		if i == len(names)-1 {
			sep = tail
		}
		if utf8.RuneCountInString(line)+len(n)+len(sep) > maxText && line != head {
			lines = append(lines, strings.TrimRight(line, " "))
			line = "  "
		}
		line += n + sep
	}
	if len(names) == 0 {
		line += tail
	}
	return append(lines, line)
}

// text returns a node's source text on one line, shortened to maxText.
func (b *builder) text(n lang.Node) string {
	sp := n.Span()
	if sp.Start.Offset < 0 || sp.End.Offset > len(b.src) || sp.Start.Offset > sp.End.Offset {
		return "…"
	}
	return shorten(oneLine(string(b.src[sp.Start.Offset:sp.End.Offset])), maxText)
}

// oneLine collapses runs of white space (and line breaks) into one space
// and drops the space a line break leaves inside brackets.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	for _, p := range [][2]string{
		{"( ", "("}, {"[ ", "["}, {"{ ", "{"}, {",)", ")"}, {", )", ")"}, {",]", "]"}, {", ]", "]"}, {",}", "}"}, {", }", "}"},
		{" )", ")"}, {" ]", "]"}, {" }", "}"},
	} {
		out = strings.ReplaceAll(out, p[0], p[1])
	}
	return out
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}
