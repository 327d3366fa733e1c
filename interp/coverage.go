package interp

import (
	"strconv"
	"sync/atomic"

	"github.com/wf-lang/wf/lang"
)

// Decision coverage: the compiler lists every place where a run chooses
// its way (a route of a when, its else or, without one, "no route
// matched"; a catch handler; a branch of a parallel block; a loop's body),
// and a run given a Coverage counts each route it takes. `wf test
// --coverage` reports the routes no test reached; `wf backtest` counts the
// runs that took each route. A run without a Coverage pays one nil check
// per decision.

// RouteKind says what kind of way a route is.
type RouteKind string

// The route kinds.
const (
	RouteWhen    RouteKind = "when"             // a when route whose condition held
	RouteElse    RouteKind = "else"             // the else of a when
	RouteNoMatch RouteKind = "no route matched" // a when without else where no condition held
	RouteCatch   RouteKind = "catch"            // a catch handler ran
	RouteBranch  RouteKind = "parallel branch"  // a branch of a parallel block ran
	RouteLoop    RouteKind = "loop body"        // a loop's body ran (at least once)
)

// Route is one way a run can go at a decision.
type Route struct {
	ID   int
	Kind RouteKind
	// Owner is where the decision is: "workflow review_minors" or "fn band".
	Owner string
	File  string
	// Span is what stands for the route in the source: the condition of a
	// when route, the else block, the when's closing brace (no route
	// matched), the catch block, the branch, the loop's body.
	Span lang.Span
	// Stmt is the statement whose route it is (the when, the try, the
	// parallel block, the loop).
	Stmt lang.Span
	// Path is the place of the route in its owner, as step keys write it:
	// "1.w0" is the first route of statement 1, "1.e" its else, "1.none"
	// its "no route matched", "2.c" a catch, "3.p1" a branch, "4.f" a body.
	Path string
}

// Routes returns every route of the program, by ID.
func (p *Program) Routes() []Route { return p.routes }

// Coverage counts the times runs took each route of one program. It is
// safe for concurrent use.
type Coverage struct {
	hits []atomic.Int64
}

// NewCoverage returns a Coverage for the program's routes, all at zero.
func (p *Program) NewCoverage() *Coverage {
	return &Coverage{hits: make([]atomic.Int64, len(p.routes))}
}

// Hits returns how many times runs took route id.
func (c *Coverage) Hits(id int) int64 { return c.hits[id].Load() }

// Add adds the counts of o (a Coverage of the same program) to c.
func (c *Coverage) Add(o *Coverage) {
	for i := range o.hits {
		if n := o.hits[i].Load(); n != 0 {
			c.hits[i].Add(n)
		}
	}
}

// took counts route id for the thread's run, when it is covered.
func (th *Thread) took(id int32) {
	if c := th.run.cover; c != nil {
		c.hits[id].Add(1)
	}
}

// route adds a route of statement s to the program's list and returns its
// ID.
func (c *compiler) route(s lang.Stmt, kind RouteKind, sp lang.Span, path string) int32 {
	id := len(c.prog.routes)
	c.prog.routes = append(c.prog.routes, Route{ID: id, Kind: kind, Owner: c.owner, File: c.file, Span: sp, Stmt: s.Span(), Path: path})
	return int32(id)
}

// whenRoutes adds the routes of a when statement: one per condition, then
// its else or "no route matched". It returns the first one's ID.
func (c *compiler) whenRoutes(s *lang.WhenStmt, base string) int32 {
	first := int32(len(c.prog.routes))
	for i, br := range s.Branches {
		c.route(s, RouteWhen, br.Cond.Span(), base+"w"+strconv.Itoa(i))
	}
	if s.Else != nil {
		c.route(s, RouteElse, s.Else.Sp, base+"e")
	} else {
		end := s.Sp.End
		start := end
		start.Offset, start.Col = end.Offset-1, end.Col-1
		c.route(s, RouteNoMatch, lang.Span{Start: start, End: end}, base+"none")
	}
	return first
}
