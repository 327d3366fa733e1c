// Package graph draws a workflow as a diagram. Build turns a workflow of a
// checked program (lang.Check) into nodes and edges: its triggers, each run
// step labelled with its action, waits, when routes with their conditions
// (and the implicit path taken when no route matches), parallel branches,
// loops, try/catch, and the statements that end a run. Apply lays a recorded
// run over it: every step coloured by its status and the path the run took
// highlighted. DOT, Mermaid and SVG (laid out by Graphviz) write it out.
//
// The package reads only the AST; it knows the interpreter's step keys
// (version:path~n[iter]) as data, so it needs neither the runtime nor a
// store.
package graph

import "github.com/wf-lang/wf/lang"

// Kind is what a node stands for.
type Kind int

// Node kinds.
const (
	KindTrigger Kind = iota // an `on` clause
	KindStep                // a `run` step
	KindWait                // `wait d` or `wait event "…"`
	KindCode                // consecutive statements without steps (let, assignments, calls)
	KindWhen                // the decision of a `when`
	KindFork                // the start of a `parallel` block or `parallel for`
	KindJoin                // where parallel branches meet again
	KindLoop                // the head of a sequential `for`
	KindOutput              // `output {…}`
	KindEmit                // `emit "name" {…}`
	KindLog                 // `log …`
	KindStop                // `stop`
	KindFail                // `fail …`
	KindEnd                 // the end of the workflow
)

var kindNames = [...]string{"trigger", "step", "wait", "code", "when", "fork", "join", "loop",
	"output", "emit", "log", "stop", "fail", "end"}

// String returns the kind's name, as the DOT and Mermaid output use it.
func (k Kind) String() string { return kindNames[k] }

// Graph is one workflow as nodes and edges.
type Graph struct {
	// Workflow is the workflow's name; File its source file.
	Workflow string
	File     string
	Nodes    []*Node
	Edges    []*Edge
	Clusters []*Cluster
	// Run is the overlay applied by Apply, or nil.
	Run *RunInfo
	// keys maps a step's "path~n" to its node.
	keys map[string]*Node
	// decl is the workflow drawn; own holds the nodes each statement drew
	// at its own level (its steps, its decision, its fork and join…).
	decl *lang.WorkflowDecl
	own  map[lang.Stmt][]*Node
	// tries holds the cluster of each try body.
	tries map[*lang.TryStmt]*Cluster
}

// Node is one box of the diagram.
type Node struct {
	// ID is unique within the graph and stable for the same source.
	ID    string
	Kind  Kind
	Label []string // lines of text
	// Key is a step's place in its workflow, "path~n" as in the step keys
	// the interpreter records ("0.w0.0~0"); empty for nodes that are not steps.
	Key string
	// Span covers the statements (or trigger) the node stands for.
	Span    lang.Span
	Cluster *Cluster

	// Reached is set by Apply when the run went through the node.
	Reached bool
	// Statuses counts the run's steps at this node by status (more than one
	// in a loop).
	Statuses map[string]int
}

// EdgeStyle distinguishes kinds of control flow.
type EdgeStyle int

// Edge styles.
const (
	EdgeNormal  EdgeStyle = iota
	EdgeNoMatch           // a when with no else: no route matched
	EdgeError             // from a try body to its catch
	EdgeBack              // from the end of a loop body back to its head
)

// Edge is an arrow from one node to another.
type Edge struct {
	From, To *Node
	Label    string
	Style    EdgeStyle
	// FromCluster, when set, makes the edge leave the cluster's border
	// rather than From (a try body's error edge).
	FromCluster *Cluster
	// Taken is set by Apply when the run followed the edge.
	Taken bool
	// route is the index of the when route the edge starts (or -1).
	route int
}

// Cluster is a box drawn around the nodes of a parallel block, a loop body,
// a try body or a catch block.
type Cluster struct {
	ID     string
	Label  string
	Kind   string // "parallel", "loop", "try", "catch"
	Parent *Cluster
}

// tree groups the graph's nodes, and its clusters, by the cluster that
// holds them (nil for the top level).
func (g *Graph) tree() (nodes map[*Cluster][]*Node, sub map[*Cluster][]*Cluster) {
	nodes, sub = map[*Cluster][]*Node{}, map[*Cluster][]*Cluster{}
	for _, n := range g.Nodes {
		nodes[n.Cluster] = append(nodes[n.Cluster], n)
	}
	for _, c := range g.Clusters {
		sub[c.Parent] = append(sub[c.Parent], c)
	}
	return nodes, sub
}
