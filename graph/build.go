package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// Build draws one workflow of a checked program. It returns an error when
// the program has no workflow of that name.
func Build(prog *lang.Program, workflow string) (*Graph, error) {
	wf := prog.Workflow(workflow)
	if wf == nil {
		if len(prog.Workflows) == 0 {
			return nil, fmt.Errorf("no workflow %q: the program declares none", workflow)
		}
		return nil, fmt.Errorf("no workflow %q (the program has: %s)", workflow, strings.Join(prog.WorkflowNames(), ", "))
	}
	var file *lang.File
	for _, f := range prog.Files {
		for _, d := range f.Decls {
			if d == wf {
				file = f
			}
		}
	}
	if file == nil {
		return nil, fmt.Errorf("workflow %q is in none of the program's files", workflow)
	}
	b := &builder{
		g: &Graph{Workflow: workflow, File: file.Path, keys: map[string]*Node{}, decl: wf, own: map[lang.Stmt][]*Node{},
			tries: map[*lang.TryStmt]*Cluster{}},
		src:  file.Src,
		info: prog.Info,
	}
	b.workflow(wf)
	return b.g, nil
}

// BuildAll draws every workflow of a checked program, in source order.
func BuildAll(prog *lang.Program) ([]*Graph, error) {
	var out []*Graph
	for _, name := range prog.WorkflowNames() {
		g, err := Build(prog, name)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// exit is a loose end of the graph built so far: an edge still to be drawn
// from a node to whatever comes next.
type exit struct {
	from    *Node
	label   string
	style   EdgeStyle
	route   int
	cluster *Cluster
}

func plainExit(n *Node) []exit { return []exit{{from: n, route: -1}} }

type builder struct {
	g       *Graph
	src     []byte
	info    *lang.Info
	cluster *Cluster
	stops   []*Node
}

func (b *builder) node(kind Kind, sp lang.Span, label ...string) *Node {
	n := &Node{ID: fmt.Sprintf("%s.n%d", b.g.Workflow, len(b.g.Nodes)), Kind: kind, Label: label, Span: sp, Cluster: b.cluster}
	b.g.Nodes = append(b.g.Nodes, n)
	return n
}

// connect draws an edge from every loose end to n.
func (b *builder) connect(in []exit, n *Node) {
	for _, e := range in {
		b.g.Edges = append(b.g.Edges, &Edge{From: e.from, To: n, Label: e.label, Style: e.style, FromCluster: e.cluster, route: e.route})
	}
}

// enter starts a cluster inside the current one; the returned function
// ends it.
func (b *builder) enter(kind, label string) (*Cluster, func()) {
	c := &Cluster{ID: fmt.Sprintf("cluster_%s_%d", b.g.Workflow, len(b.g.Clusters)), Kind: kind, Label: label, Parent: b.cluster}
	b.g.Clusters = append(b.g.Clusters, c)
	saved := b.cluster
	b.cluster = c
	return c, func() { b.cluster = saved }
}

func (b *builder) workflow(wf *lang.WorkflowDecl) {
	var in []exit
	for _, t := range wf.Triggers {
		in = append(in, plainExit(b.node(KindTrigger, t.Span(), b.triggerLabel(t)...))...)
	}
	out := b.block(wf.Body, "", in)
	end := b.node(KindEnd, lang.Span{Start: wf.Rbrace, End: wf.Rbrace}, "end")
	b.connect(out, end)
	for _, s := range b.stops {
		b.connect(plainExit(s), end)
	}
}

// block draws statements one after the other; prefix is their step path
// without the index ("0.w1." for the statements of route 1 of statement 0).
// Runs of statements without steps share one code node.
func (b *builder) block(stmts []lang.Stmt, prefix string, in []exit) []exit {
	var code []lang.Stmt
	flush := func() {
		if len(code) > 0 {
			in = b.code(code, in)
			code = nil
		}
	}
	for i, s := range stmts {
		if b.plain(s) {
			code = append(code, s)
			continue
		}
		flush()
		in = b.stmt(s, prefix+strconv.Itoa(i), in)
	}
	flush()
	return in
}

// plain reports whether a statement is drawn as code: a let, an assignment
// or a call with no step in it.
func (b *builder) plain(s lang.Stmt) bool {
	switch s.(type) {
	case *lang.LetStmt, *lang.AssignStmt, *lang.ExprStmt, *lang.ReturnStmt:
		return len(stepExprs(s)) == 0
	}
	return false
}

func (b *builder) code(stmts []lang.Stmt, in []exit) []exit {
	sp := lang.Span{Start: stmts[0].Span().Start, End: stmts[len(stmts)-1].Span().End}
	var lines []string
	for i, s := range stmts {
		if i == maxCodeLines-1 && len(stmts) > maxCodeLines {
			lines = append(lines, fmt.Sprintf("… %d more", len(stmts)-i))
			break
		}
		lines = append(lines, b.text(s))
	}
	n := b.node(KindCode, sp, lines...)
	for _, s := range stmts {
		b.g.own[s] = []*Node{n}
	}
	b.connect(in, n)
	return plainExit(n)
}

// stmt draws one statement at step path path.
func (b *builder) stmt(s lang.Stmt, path string, in []exit) []exit {
	if b.plain(s) {
		return b.code([]lang.Stmt{s}, in)
	}
	// The steps inside the statement's own expressions come first, in the
	// order the interpreter numbers them.
	for i, e := range stepExprs(s) {
		n := b.stepNode(s, e)
		n.Key = path + "~" + strconv.Itoa(i)
		b.g.keys[n.Key] = n
		b.own(s, n)
		b.connect(in, n)
		in = plainExit(n)
	}
	switch s := s.(type) {
	case *lang.WhenStmt:
		return b.when(s, path, in)
	case *lang.ParallelStmt:
		return b.parallel(s, path, in)
	case *lang.ForStmt:
		return b.loop(s, path, in)
	case *lang.TryStmt:
		return b.try(s, path, in)
	case *lang.BlockStmt:
		return b.block(s.Block.Stmts, path+".b.", in)
	case *lang.OutputStmt:
		return b.simple(s, in, KindOutput, outputLabel(s)...)
	case *lang.EmitStmt:
		return b.simple(s, in, KindEmit, "emit "+b.text(s.Name))
	case *lang.LogStmt:
		return b.simple(s, in, KindLog, "log "+b.text(s.Message))
	case *lang.FailStmt:
		b.simple(s, in, KindFail, "fail "+b.text(s.Reason))
		return nil
	case *lang.StopStmt:
		b.stops = append(b.stops, b.simple(s, in, KindStop, "stop")[0].from)
		return nil
	}
	// A let, assignment or expression whose steps were drawn above.
	return in
}

func (b *builder) own(s lang.Stmt, n *Node) { b.g.own[s] = append(b.g.own[s], n) }

func (b *builder) simple(s lang.Stmt, in []exit, kind Kind, label ...string) []exit {
	n := b.node(kind, s.Span(), label...)
	b.own(s, n)
	b.connect(in, n)
	return plainExit(n)
}

func (b *builder) when(s *lang.WhenStmt, path string, in []exit) []exit {
	d := b.node(KindWhen, s.Span(), "when")
	b.own(s, d)
	b.connect(in, d)
	var out []exit
	for i, br := range s.Branches {
		label := b.text(br.Cond)
		if len(s.Branches) > 1 {
			// The first route whose condition holds runs: number them.
			label = strconv.Itoa(i+1) + ". " + label
		}
		e := exit{from: d, label: label, route: i}
		out = append(out, b.block(br.Body.Stmts, fmt.Sprintf("%s.w%d.", path, i), []exit{e})...)
	}
	if s.Else != nil {
		e := exit{from: d, label: "else", route: len(s.Branches)}
		out = append(out, b.block(s.Else.Stmts, path+".e.", []exit{e})...)
	} else {
		out = append(out, exit{from: d, label: "no route matched", style: EdgeNoMatch, route: len(s.Branches)})
	}
	return out
}

func (b *builder) parallel(s *lang.ParallelStmt, path string, in []exit) []exit {
	_, leave := b.enter("parallel", "")
	defer leave()
	fork := b.node(KindFork, s.Span(), "parallel")
	b.own(s, fork)
	b.connect(in, fork)
	var ends []exit
	for i, br := range s.Body.Stmts {
		bp := fmt.Sprintf("%s.p%d", path, i)
		if bs, ok := br.(*lang.BlockStmt); ok {
			ends = append(ends, b.block(bs.Block.Stmts, bp+".", plainExit(fork))...)
		} else {
			ends = append(ends, b.stmt(br, bp, plainExit(fork))...)
		}
	}
	join := b.node(KindJoin, s.Span())
	b.own(s, join)
	b.connect(ends, join)
	return plainExit(join)
}

func (b *builder) loop(s *lang.ForStmt, path string, in []exit) []exit {
	head := "for " + s.Value.Name + " in " + b.text(s.Iter)
	if s.Key != nil {
		head = "for " + s.Key.Name + ", " + s.Value.Name + " in " + b.text(s.Iter)
	}
	if s.Parallel {
		_, leave := b.enter("parallel", "")
		defer leave()
		label := []string{"parallel " + head}
		if s.Limit != nil {
			label = append(label, "limit "+b.text(s.Limit))
		}
		fork := b.node(KindFork, s.Span(), label...)
		b.own(s, fork)
		b.connect(in, fork)
		ends := b.block(s.Body.Stmts, path+".f.", plainExit(fork))
		join := b.node(KindJoin, s.Span())
		b.own(s, join)
		b.connect(ends, join)
		return plainExit(join)
	}
	h := b.node(KindLoop, s.Span(), head)
	b.own(s, h)
	b.connect(in, h)
	_, leave := b.enter("loop", "")
	ends := b.block(s.Body.Stmts, path+".f.", []exit{{from: h, label: "each", route: -1}})
	leave()
	for _, e := range ends {
		e.style, e.label = EdgeBack, ""
		b.connect([]exit{e}, h)
	}
	return []exit{{from: h, label: "done", route: -1}}
}

func (b *builder) try(s *lang.TryStmt, path string, in []exit) []exit {
	c, leave := b.enter("try", "try")
	b.g.tries[s] = c
	first := len(b.g.Nodes)
	out := b.block(s.Body.Stmts, path+".t.", in)
	leave()
	var caught []exit
	if len(b.g.Nodes) > first {
		caught = []exit{{from: b.g.Nodes[first], label: "error", style: EdgeError, route: -1, cluster: c}}
	}
	label := "catch"
	if s.Err != nil {
		label += " " + s.Err.Name
	}
	_, leave = b.enter("catch", label)
	out = append(out, b.block(s.Catch.Stmts, path+".c.", caught)...)
	leave()
	return out
}
