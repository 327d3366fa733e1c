package graph

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// RunInfo is what Apply needs to know of a recorded run.
type RunInfo struct {
	ID     string
	Status string // the run's status: completed, failed, running…
	// Steps maps the key of each recorded step to its status (completed,
	// failed, continued, dry-run, mocked, replayed…). Keys are as the
	// interpreter records them: "version:path~n", with "[i]" per loop level.
	Steps map[string]string
	// Error is where the run failed (a fail statement, a runtime error), if
	// it failed at a known place.
	Error *Place
	// Logs are the places of the run's log lines.
	Logs []Place
}

// Place is a position in a source file.
type Place struct {
	File      string
	Line, Col int
}

// ParsePlace reads a "file:line:col" position, as run records hold them.
func ParsePlace(s string) (Place, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return Place{}, false
	}
	j := strings.LastIndexByte(s[:i], ':')
	if j < 0 {
		return Place{}, false
	}
	line, err1 := strconv.Atoi(s[j+1 : i])
	col, err2 := strconv.Atoi(s[i+1:])
	if err1 != nil || err2 != nil || line < 1 || col < 1 {
		return Place{}, false
	}
	return Place{File: s[:j], Line: line, Col: col}, true
}

// StepKeyPlace returns a step key's place in its workflow ("0.w0.0~0"):
// the key without its version and loop iterations.
func StepKeyPlace(key string) string {
	if i := strings.IndexByte(key, ':'); i >= 0 {
		key = key[i+1:]
	}
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	return key
}

// Apply lays a run over the graph: each step node counts the run's steps
// by status, and the nodes and edges the run went through are marked
// Reached and Taken. Where the record does not say which way the run went
// (a when route without steps), it is worked out from what came before and
// after; a route that cannot be told is left unmarked. Apply returns the
// keys of steps that are on no node of the graph (none when the run ran
// this version of the workflow).
func (g *Graph) Apply(run *RunInfo) (unmatched []string) {
	g.Run = run
	for _, n := range g.Nodes {
		n.Reached, n.Statuses = false, nil
	}
	for _, e := range g.Edges {
		e.Taken = false
	}
	r := &reach{g: g, evid: map[lang.Stmt]bool{}, memo: map[lang.Stmt]bool{}, reached: map[lang.Stmt]bool{},
		completed: map[lang.Stmt]bool{}, route: map[*Node]int{}, caught: map[*Cluster]bool{}}
	owner := map[*Node]lang.Stmt{}
	for s, nodes := range g.own {
		for _, n := range nodes {
			owner[n] = s
		}
	}
	for key, status := range run.Steps {
		n := g.keys[StepKeyPlace(key)]
		if n == nil {
			unmatched = append(unmatched, key)
			continue
		}
		if n.Statuses == nil {
			n.Statuses = map[string]int{}
		}
		n.Statuses[status]++
		r.evid[owner[n]] = true
	}
	sort.Strings(unmatched)
	var logs []Place
	for _, l := range run.Logs {
		if l.File == g.File {
			logs = append(logs, l)
		}
	}
	var errStmt lang.Stmt
	eachStmt(g.decl.Body, func(s lang.Stmt) {
		sp := s.Span()
		if ls, ok := s.(*lang.LogStmt); ok {
			for _, l := range logs {
				if l.Line == sp.Start.Line && l.Col == sp.Start.Col {
					r.evid[ls] = true
				}
			}
		}
		if e := run.Error; e != nil && e.File == g.File && contains(sp, e.Line, e.Col) {
			if errStmt == nil || contains(errStmt.Span(), sp.Start.Line, sp.Start.Col) {
				errStmt = s
			}
		}
	})
	if errStmt != nil {
		r.evid[errStmt] = true
	}
	through := run.Status == "completed"
	if through {
		// A completed run went through to the end of the workflow unless a
		// stop ended it: look at what the record says first, and take the
		// whole body as run when no stop can have been reached.
		r.block(g.decl.Body, false)
		through = r.stopsRuledOut(g.decl.Body)
		r.reached, r.completed = map[lang.Stmt]bool{}, map[lang.Stmt]bool{}
		r.route, r.caught = map[*Node]int{}, map[*Cluster]bool{}
	}
	r.block(g.decl.Body, through)
	for s := range r.reached {
		for _, n := range g.own[s] {
			switch n.Kind {
			case KindStep, KindWait:
				n.Reached = n.Statuses != nil
			case KindJoin:
				n.Reached = r.completed[s]
			default:
				n.Reached = true
			}
		}
	}
	if errStmt != nil {
		for _, n := range g.own[errStmt] {
			if n.Statuses == nil && n.Kind != KindJoin {
				n.Statuses = map[string]int{"failed": 1}
				n.Reached = true
			}
		}
	}
	for _, n := range g.Nodes {
		switch n.Kind {
		case KindTrigger:
			n.Reached = true
		case KindEnd:
			n.Reached = run.Status == "completed"
		}
	}
	for _, e := range g.Edges {
		switch {
		case e.route >= 0:
			t, ok := r.route[e.From]
			e.Taken = ok && t == e.route && e.From.Reached
		case e.FromCluster != nil:
			e.Taken = r.caught[e.FromCluster]
		default:
			e.Taken = e.From.Reached && e.To.Reached
		}
	}
	return unmatched
}

// contains reports whether line:col lies inside sp.
func contains(sp lang.Span, line, col int) bool {
	after := line > sp.Start.Line || (line == sp.Start.Line && col >= sp.Start.Col)
	before := line < sp.End.Line || (line == sp.End.Line && col < sp.End.Col)
	return after && before
}

// eachStmt calls f for every statement in stmts and in the blocks they hold.
func eachStmt(stmts []lang.Stmt, f func(lang.Stmt)) {
	for _, s := range stmts {
		f(s)
		for _, blk := range children(s) {
			eachStmt(blk, f)
		}
	}
}

// children returns the blocks a statement holds. A parallel branch that is
// a single statement is a block of one.
func children(s lang.Stmt) [][]lang.Stmt {
	switch s := s.(type) {
	case *lang.WhenStmt:
		var out [][]lang.Stmt
		for _, br := range s.Branches {
			out = append(out, br.Body.Stmts)
		}
		if s.Else != nil {
			out = append(out, s.Else.Stmts)
		}
		return out
	case *lang.ParallelStmt:
		var out [][]lang.Stmt
		for _, br := range s.Body.Stmts {
			if bs, ok := br.(*lang.BlockStmt); ok {
				out = append(out, bs.Block.Stmts)
			} else {
				out = append(out, []lang.Stmt{br})
			}
		}
		return out
	case *lang.ForStmt:
		return [][]lang.Stmt{s.Body.Stmts}
	case *lang.TryStmt:
		return [][]lang.Stmt{s.Body.Stmts, s.Catch.Stmts}
	case *lang.BlockStmt:
		return [][]lang.Stmt{s.Block.Stmts}
	}
	return nil
}

// reach works out which statements a run went through. A statement is
// reached when it or something inside it left a trace (a step, a log line,
// the run's error); the statements before a reached one in the same block
// were reached and completed; a block known to have completed was reached
// to its end.
type reach struct {
	g         *Graph
	evid      map[lang.Stmt]bool // a trace of the statement itself
	memo      map[lang.Stmt]bool // a trace of the statement or anything inside it
	reached   map[lang.Stmt]bool
	completed map[lang.Stmt]bool
	route     map[*Node]int     // the route taken at each when decision
	caught    map[*Cluster]bool // try bodies whose error was caught
}

func (r *reach) has(s lang.Stmt) bool {
	if v, ok := r.memo[s]; ok {
		return v
	}
	v := r.evid[s]
	for _, blk := range children(s) {
		v = v || r.blockHas(blk)
	}
	r.memo[s] = v
	return v
}

func (r *reach) blockHas(stmts []lang.Stmt) bool {
	for _, s := range stmts {
		if r.has(s) {
			return true
		}
	}
	return false
}

// block marks the statements of a block a run went through; through says
// the block is known to have run to its end.
func (r *reach) block(stmts []lang.Stmt, through bool) {
	last := -1
	for i, s := range stmts {
		if r.has(s) {
			last = i
		}
	}
	if through {
		last = len(stmts) - 1
	}
	for i := 0; i <= last; i++ {
		r.stmt(stmts[i], i < last || through)
	}
}

func (r *reach) stmt(s lang.Stmt, completed bool) {
	r.reached[s], r.completed[s] = true, completed
	switch s := s.(type) {
	case *lang.WhenStmt:
		r.when(s, completed)
	case *lang.ParallelStmt, *lang.BlockStmt:
		for _, blk := range children(s) {
			r.block(blk, completed)
		}
	case *lang.ForStmt:
		if r.blockHas(s.Body.Stmts) {
			r.block(s.Body.Stmts, completed)
		}
	case *lang.TryStmt:
		c := r.g.tries[s]
		if r.blockHas(s.Catch.Stmts) || (completed && r.failedIn(s.Body)) {
			r.caught[c] = true
			r.block(s.Body.Stmts, false)
			r.block(s.Catch.Stmts, completed)
		} else {
			r.block(s.Body.Stmts, completed)
		}
	}
}

func (r *reach) when(s *lang.WhenStmt, completed bool) {
	bodies := children(s)
	if s.Else == nil {
		bodies = append(bodies, nil) // the implicit route: no route matched
	}
	taken := -1
	for i, body := range bodies {
		if r.blockHas(body) {
			taken = i
		}
	}
	if taken < 0 && completed {
		// No route left a trace: the run took one that would leave none.
		var could []int
		for i, body := range bodies {
			if !leavesTrace(body) {
				could = append(could, i)
			}
		}
		if len(could) == 1 {
			taken = could[0]
		}
	}
	if taken < 0 {
		return
	}
	for _, n := range r.g.own[s] {
		if n.Kind == KindWhen {
			r.route[n] = taken
		}
	}
	r.block(bodies[taken], completed)
}

// stopsRuledOut reports whether no stop statement in stmts can have run:
// each is in a when route other than the one known to be taken.
func (r *reach) stopsRuledOut(stmts []lang.Stmt) bool {
	for _, s := range stmts {
		if _, ok := s.(*lang.StopStmt); ok {
			return false
		}
		taken, known := -1, false
		if w, ok := s.(*lang.WhenStmt); ok {
			for _, n := range r.g.own[w] {
				if n.Kind == KindWhen {
					taken, known = r.route[n]
				}
			}
		}
		for i, blk := range children(s) {
			if known && i != taken {
				continue
			}
			if !r.stopsRuledOut(blk) {
				return false
			}
		}
	}
	return true
}

// failedIn reports whether a step inside a block failed.
func (r *reach) failedIn(b *lang.Block) bool {
	for _, n := range r.g.Nodes {
		if n.Statuses["failed"] > 0 && b.Sp.Start.Offset <= n.Span.Start.Offset && n.Span.End.Offset <= b.Sp.End.Offset {
			return true
		}
	}
	return false
}

// leavesTrace reports whether running a block to its end always records
// something: a step or a log line at its top level or in every branch of a
// parallel.
func leavesTrace(stmts []lang.Stmt) bool {
	for _, s := range stmts {
		if len(stepExprs(s)) > 0 {
			return true
		}
		switch s := s.(type) {
		case *lang.LogStmt:
			return true
		case *lang.ParallelStmt, *lang.BlockStmt:
			for _, blk := range children(s) {
				if leavesTrace(blk) {
					return true
				}
			}
		}
	}
	return false
}

// StatusSummary describes a node's step statuses: "completed", or
// "3 completed, 1 failed" in a loop.
func (n *Node) StatusSummary() string {
	if len(n.Statuses) == 0 {
		return ""
	}
	names := make([]string, 0, len(n.Statuses))
	total := 0
	for s, c := range n.Statuses {
		names = append(names, s)
		total += c
	}
	sort.Slice(names, func(i, j int) bool {
		if ri, rj := statusRank(names[i]), statusRank(names[j]); ri != rj {
			return ri > rj
		}
		return names[i] < names[j]
	})
	if len(names) == 1 && total == 1 {
		return names[0]
	}
	parts := make([]string, len(names))
	for i, s := range names {
		parts[i] = fmt.Sprintf("%d %s", n.Statuses[s], s)
	}
	return strings.Join(parts, ", ")
}

// Status is the status a node is coloured by: the most severe of its
// steps' statuses.
func (n *Node) Status() string {
	best := ""
	for s := range n.Statuses {
		if best == "" || statusRank(s) > statusRank(best) || (statusRank(s) == statusRank(best) && s < best) {
			best = s
		}
	}
	return best
}

// statusRank orders statuses by severity, for colouring a node whose steps
// ended differently in different iterations.
func statusRank(s string) int {
	switch s {
	case "failed":
		return 7
	case "cancelled":
		return 6
	case "continued":
		return 5
	case "running":
		return 4
	case "dry-run":
		return 3
	case "mocked":
		return 2
	case "replayed":
		return 1
	case "completed":
		return 0
	}
	return 4
}
