package graph

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// mermaidShapes are the opening and closing brackets of each kind's shape.
var mermaidShapes = [...][2]string{
	KindTrigger: {`(["`, `"])`},
	KindStep:    {`("`, `")`},
	KindWait:    {`[/"`, `"/]`},
	KindCode:    {`["`, `"]`},
	KindWhen:    {`{"`, `"}`},
	KindFork:    {`[["`, `"]]`},
	KindJoin:    {`(("`, `"))`},
	KindLoop:    {`{{"`, `"}}`},
	KindOutput:  {`["`, `"]`},
	KindEmit:    {`>"`, `"]`},
	KindLog:     {`["`, `"]`},
	KindStop:    {`(("`, `"))`},
	KindFail:    {`["`, `"]`},
	KindEnd:     {`((("`, `")))`},
}

// Mermaid writes graphs as a Mermaid flowchart, for a pull request
// description or any Markdown that renders Mermaid. More than one graph
// are drawn each in a subgraph named after its workflow.
func Mermaid(gs []*Graph) []byte {
	var b bytes.Buffer
	if len(gs) == 1 {
		fmt.Fprintf(&b, "---\ntitle: %s\n---\n", mermaidText(title(gs[0], " · ")))
	}
	b.WriteString("flowchart TD\n")
	classes := map[string][]string{}
	var taken, dim []string
	link := 0
	for _, g := range gs {
		indent := "  "
		if len(gs) > 1 {
			fmt.Fprintf(&b, "  subgraph %s [\"%s\"]\n", mermaidID("wf_"+g.Workflow), mermaidText(title(g, " · ")))
			indent = "    "
		}
		writeMermaidGraph(&b, g, indent, classes)
		for _, e := range g.Edges {
			switch {
			case g.Run == nil:
			case e.Taken:
				taken = append(taken, strconv.Itoa(link))
			default:
				dim = append(dim, strconv.Itoa(link))
			}
			link++
		}
		if len(gs) > 1 {
			b.WriteString("  end\n")
		}
	}
	for i, k := range kindNames {
		lk := looks[i]
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s", className(k), lk.fill, lk.color)
		if lk.fontcolor != "" {
			fmt.Fprintf(&b, ",color:%s", lk.fontcolor)
		}
		b.WriteString("\n")
	}
	var overlay []string
	for name := range classes {
		overlay = append(overlay, name)
	}
	sort.Strings(overlay)
	for _, name := range overlay {
		switch name {
		case "reached":
			fmt.Fprintf(&b, "  classDef wf_reached stroke:%s,stroke-width:2px\n", takenColor)
		case "dim":
			fmt.Fprintf(&b, "  classDef wf_dim fill:%s,stroke:%s,color:%s\n", dimFill, dimColor, dimText)
		default:
			if _, isKind := kindByName[name]; isKind {
				continue
			}
			fill, border := colorsOf(name)
			fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s,stroke-width:2px,color:#000000\n", className(name), fill, border)
		}
	}
	for _, k := range kindNames {
		if ids := classes[k]; len(ids) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(ids, ","), className(k))
		}
	}
	for _, name := range overlay {
		if _, isKind := kindByName[name]; !isKind {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(classes[name], ","), className(name))
		}
	}
	if len(taken) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:%s,stroke-width:3px\n", strings.Join(taken, ","), takenColor)
	}
	if len(dim) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:%s\n", strings.Join(dim, ","), dimColor)
	}
	return b.Bytes()
}

var kindByName = func() map[string]Kind {
	m := map[string]Kind{}
	for i, n := range kindNames {
		m[n] = Kind(i)
	}
	return m
}()

func writeMermaidGraph(b *bytes.Buffer, g *Graph, indent string, classes map[string][]string) {
	byCluster, sub := g.tree()
	var cluster func(c *Cluster, indent string)
	cluster = func(c *Cluster, indent string) {
		for _, n := range byCluster[c] {
			id := mermaidID(n.ID)
			label := n.Label
			switch n.Kind {
			case KindJoin:
				label = []string{" "}
			case KindEnd:
				label = []string{"end"}
			}
			if g.Run != nil && n.Statuses != nil {
				label = append(append([]string(nil), label...), n.StatusSummary())
			}
			sh := mermaidShapes[n.Kind]
			lines := make([]string, len(label))
			for i, l := range label {
				lines[i] = mermaidText(l)
			}
			fmt.Fprintf(b, "%s%s%s%s%s\n", indent, id, sh[0], strings.Join(lines, "<br/>"), sh[1])
			classes[n.Kind.String()] = append(classes[n.Kind.String()], id)
			if g.Run != nil {
				switch {
				case n.Statuses != nil:
					classes[n.Status()] = append(classes[n.Status()], id)
				case n.Reached:
					classes["reached"] = append(classes["reached"], id)
				default:
					classes["dim"] = append(classes["dim"], id)
				}
			}
		}
		for _, s := range sub[c] {
			label := s.Label
			if label == "" {
				label = " "
			}
			fmt.Fprintf(b, "%ssubgraph %s [\"%s\"]\n", indent, mermaidID(s.ID), mermaidText(label))
			cluster(s, indent+"  ")
			fmt.Fprintf(b, "%send\n", indent)
		}
	}
	cluster(nil, indent)
	for _, e := range g.Edges {
		from := mermaidID(e.From.ID)
		if e.FromCluster != nil {
			from = mermaidID(e.FromCluster.ID)
		}
		arrow := "-->"
		if e.Style != EdgeNormal {
			arrow = "-.->"
		}
		label := ""
		if e.Label != "" {
			label = `|"` + mermaidText(e.Label) + `"|`
		}
		fmt.Fprintf(b, "%s%s %s%s %s\n", indent, from, arrow, label, mermaidID(e.To.ID))
	}
}

// mermaidID turns a node or cluster id into one Mermaid accepts.
func mermaidID(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}

// className names the class of a kind or status in SVG and Mermaid:
// "wf_step", "wf_dry_run". The prefix keeps names such as "end", a Mermaid
// keyword, out of the way.
func className(name string) string { return mermaidID("wf_" + name) }

// mermaidText escapes text for a quoted Mermaid label with entity codes.
func mermaidText(s string) string {
	return strings.NewReplacer("#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;", "`", "#96;").Replace(s)
}
