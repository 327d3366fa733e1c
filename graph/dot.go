package graph

import (
	"bytes"
	"fmt"
	"strings"
)

// look is how a node is drawn.
type look struct {
	shape, style, fill, color, font, fontcolor string
}

var looks = [...]look{
	KindTrigger: {shape: "box", style: "rounded,filled", fill: "#e3f2fd", color: "#1e88e5"},
	KindStep:    {shape: "box", style: "rounded,filled", fill: "#ffffff", color: "#37474f"},
	KindWait:    {shape: "box", style: "rounded,filled,dashed", fill: "#fff8e1", color: "#f9a825"},
	KindCode:    {shape: "box", style: "filled", fill: "#f5f5f5", color: "#bdbdbd", font: "Courier", fontcolor: "#37474f"},
	KindWhen:    {shape: "diamond", style: "filled", fill: "#fffde7", color: "#f9a825"},
	KindFork:    {shape: "box", style: "filled", fill: "#455a64", color: "#455a64", fontcolor: "#ffffff"},
	KindJoin:    {shape: "box", style: "filled", fill: "#455a64", color: "#455a64"},
	KindLoop:    {shape: "hexagon", style: "filled", fill: "#ede7f6", color: "#5e35b1"},
	KindOutput:  {shape: "box", style: "filled", fill: "#e8f5e9", color: "#43a047"},
	KindEmit:    {shape: "cds", style: "filled", fill: "#e0f7fa", color: "#00838f"},
	KindLog:     {shape: "note", style: "filled", fill: "#fafafa", color: "#9e9e9e"},
	KindStop:    {shape: "octagon", style: "filled", fill: "#eceff1", color: "#546e7a"},
	KindFail:    {shape: "octagon", style: "filled", fill: "#ffebee", color: "#c62828"},
	KindEnd:     {shape: "doublecircle", style: "filled", fill: "#eceff1", color: "#546e7a"},
}

// statusColors are the fill and border of a step by status.
var statusColors = map[string][2]string{
	"completed": {"#c8e6c9", "#2e7d32"},
	"failed":    {"#ffcdd2", "#c62828"},
	"continued": {"#ffe0b2", "#ef6c00"},
	"cancelled": {"#e0e0e0", "#616161"},
	"running":   {"#bbdefb", "#1565c0"},
	"dry-run":   {"#e1bee7", "#8e24aa"},
	"mocked":    {"#d7ccc8", "#6d4c41"},
	"replayed":  {"#b2ebf2", "#00838f"},
}

func colorsOf(status string) (fill, border string) {
	if c, ok := statusColors[status]; ok {
		return c[0], c[1]
	}
	return "#eeeeee", "#757575"
}

const (
	takenColor = "#1565c0"
	dimColor   = "#cfd8dc"
	dimText    = "#9e9e9e"
	dimFill    = "#fafafa"
)

// DOT writes graphs in Graphviz's language. One graph is drawn alone; more
// are drawn side by side, each in a box named after its workflow.
func DOT(gs []*Graph) []byte {
	var b bytes.Buffer
	name := "workflows"
	if len(gs) == 1 {
		name = gs[0].Workflow
	}
	fmt.Fprintf(&b, "digraph %s {\n", quote(name))
	b.WriteString("  graph [rankdir=TB, compound=true, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.35, labelloc=t, newrank=true];\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.16,0.05\", height=0.3];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#78909c\", fontcolor=\"#455a64\", arrowsize=0.7];\n")
	if len(gs) == 1 {
		fmt.Fprintf(&b, "  label=%s;\n", quote(title(gs[0], "\n")))
		writeGraph(&b, gs[0], "  ")
	} else {
		for _, g := range gs {
			fmt.Fprintf(&b, "  subgraph %s {\n", quote("cluster_wf_"+g.Workflow))
			fmt.Fprintf(&b, "    label=%s; style=\"rounded\"; color=\"#b0bec5\";\n", quote(title(g, "\n")))
			writeGraph(&b, g, "    ")
			b.WriteString("  }\n")
		}
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// title is the caption of a graph: its workflow and the run laid over it,
// on a line of its own when sep is "\n".
func title(g *Graph, sep string) string {
	t := "workflow " + g.Workflow
	if g.Run != nil {
		t += sep + g.Run.ID + " · " + g.Run.Status
	}
	return t
}

func writeGraph(b *bytes.Buffer, g *Graph, indent string) {
	byCluster, sub := g.tree()
	var cluster func(c *Cluster, indent string)
	cluster = func(c *Cluster, indent string) {
		for _, n := range byCluster[c] {
			writeNode(b, g, n, indent)
		}
		for _, s := range sub[c] {
			fmt.Fprintf(b, "%ssubgraph %s {\n", indent, quote(s.ID))
			style := "dashed,rounded"
			if s.Kind == "catch" {
				style = "dotted,rounded"
			}
			fmt.Fprintf(b, "%s  label=%s; style=%s; color=\"#90a4ae\"; fontcolor=\"#546e7a\"; fontsize=10;\n",
				indent, quote(s.Label), quote(style))
			cluster(s, indent+"  ")
			fmt.Fprintf(b, "%s}\n", indent)
		}
	}
	cluster(nil, indent)
	for _, e := range g.Edges {
		writeEdge(b, g, e, indent)
	}
}

func writeNode(b *bytes.Buffer, g *Graph, n *Node, indent string) {
	lk := looks[n.Kind]
	fill, color, fontcolor, style, pen := lk.fill, lk.color, lk.fontcolor, lk.style, ""
	label := n.Label
	class := className(n.Kind.String())
	if g.Run != nil {
		switch {
		case n.Statuses != nil:
			fill, color = colorsOf(n.Status())
			pen = "2"
			if n.Kind == KindFork || n.Kind == KindJoin {
				fontcolor = "#000000"
			}
			label = append(append([]string(nil), label...), n.StatusSummary())
			class += " " + className(n.Status())
		case n.Reached:
			color, pen = takenColor, "2"
			class += " wf_reached"
		default:
			fill, color, fontcolor = dimFill, dimColor, dimText
			if n.Kind == KindFork || n.Kind == KindJoin {
				fill, fontcolor = dimColor, "#ffffff"
			}
			style = strings.ReplaceAll(style, ",dashed", "")
		}
	}
	attrs := []string{"id=" + quote(n.ID), "class=" + quote(class), "shape=" + lk.shape, "style=" + quote(style),
		"fillcolor=" + quote(fill), "color=" + quote(color)}
	if pen != "" {
		attrs = append(attrs, "penwidth="+pen)
	}
	if fontcolor != "" {
		attrs = append(attrs, "fontcolor="+quote(fontcolor))
	}
	if lk.font != "" {
		attrs = append(attrs, "fontname="+quote(lk.font), "fontsize=9")
	}
	switch n.Kind {
	case KindJoin:
		attrs = append(attrs, `label=" "`, "height=0.06", "width=0.8", "fixedsize=true")
	case KindEnd:
		attrs = append(attrs, `label="end"`, "fontsize=8", "width=0.3", "height=0.3", "margin=0")
	case KindCode:
		attrs = append(attrs, "label="+dotLines(label, `\l`))
	case KindWhen:
		attrs = append(attrs, "label="+dotLines(label, `\n`), "margin=0.02")
	default:
		attrs = append(attrs, "label="+dotLines(label, `\n`))
	}
	fmt.Fprintf(b, "%s%s [%s];\n", indent, quote(n.ID), strings.Join(attrs, ", "))
}

func writeEdge(b *bytes.Buffer, g *Graph, e *Edge, indent string) {
	var attrs []string
	if e.Label != "" {
		attrs = append(attrs, "label="+quote(" "+e.Label+" "))
	}
	color := ""
	switch e.Style {
	case EdgeNoMatch, EdgeBack:
		attrs = append(attrs, `style="dashed"`)
	case EdgeError:
		attrs = append(attrs, `style="dashed"`)
		color = "#c62828"
	}
	if e.FromCluster != nil {
		attrs = append(attrs, "ltail="+quote(e.FromCluster.ID))
	}
	if g.Run != nil {
		if e.Taken {
			color = takenColor
			attrs = append(attrs, "penwidth=2.5")
		} else {
			color = dimColor
			attrs = append(attrs, "fontcolor="+quote(dimText))
		}
	}
	if color != "" {
		attrs = append(attrs, "color="+quote(color))
		if e.Style == EdgeError && !(g.Run != nil && !e.Taken) {
			attrs = append(attrs, "fontcolor="+quote(color))
		}
	}
	fmt.Fprintf(b, "%s%s -> %s", indent, quote(e.From.ID), quote(e.To.ID))
	if len(attrs) > 0 {
		fmt.Fprintf(b, " [%s]", strings.Join(attrs, ", "))
	}
	b.WriteString(";\n")
}

// dotLines joins label lines with a DOT line break (\n centred, \l left).
func dotLines(lines []string, br string) string {
	esc := make([]string, len(lines))
	for i, l := range lines {
		esc[i] = escapeDOT(l)
	}
	s := strings.Join(esc, br)
	if br == `\l` {
		s += br
	}
	return `"` + s + `"`
}

func quote(s string) string { return `"` + escapeDOT(s) + `"` }

func escapeDOT(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
