package lang

import "strings"

// Test declarations: `test "name" { … }` in a *_test.wf file. A test
// names the workflow it runs, what starts it, what the world looks like
// (Lists, Persona objects, secrets, the time), how its steps answer
// (mocks), and what must have happened. `wf test` runs them (package
// wftest); the interpreter never sees them.
//
//	test "a minor is marked for review" {
//	  workflow review_minors
//	  event file "events/inquiry_minor.json"
//	  mock inquiry.mark_for_review returns {status: "needs_review"}
//	  mock slack.post
//	  expect steps [inquiry.mark_for_review(comment: "applicant is 16"), slack.post]
//	}

// TestSuffix ends the name of a file that may hold test declarations.
const TestSuffix = "_test.wf"

// IsTestFile reports whether path names a test file (*_test.wf).
func IsTestFile(path string) bool { return strings.HasSuffix(path, TestSuffix) }

// TestDecl is `test "name" { clauses }`.
type TestDecl struct {
	Sp      Span
	Name    *StringLit
	Clauses []*TestClause
	Lbrace  Pos
	Rbrace  Pos
	// Broken is set when a clause was lost to a syntax error: the checker
	// then holds the errors its absence would cause (no workflow, an
	// unmocked action).
	Broken bool
}

// TestKind says what a test clause does.
type TestKind uint8

// The test clauses. The comment shows each one's syntax.
const (
	TestWorkflow     TestKind = iota + 1 // workflow NAME
	TestEvent                            // event "name" OBJECT
	TestEventFile                        // event file "path.json"
	TestInputs                           // inputs MAP
	TestNow                              // now TIME
	TestBackend                          // backend local
	TestSecrets                          // secrets MAP
	TestFixtures                         // fixtures "path.json"
	TestList                             // list "name" {kind: …, items: […]}
	TestPersona                          // persona OBJECT (or a list of them)
	TestCases                            // cases [{…}, …]
	TestMock                             // mock STEP [once] [returns VALUE | fails REASON]
	TestDeliver                          // deliver event "name" OBJECT [after DURATION]
	TestExpectRun                        // expect run STEP
	TestExpectNoRun                      // expect no run STEP
	TestExpectSteps                      // expect steps [STEP, …] [in any order]
	TestExpectOutput                     // expect output MAP
	TestExpectStatus                     // expect status STATUS
	TestExpectError                      // expect error MESSAGE or MAP
)

var testKindNames = [...]string{
	TestWorkflow: "workflow", TestEvent: "event", TestEventFile: "event file", TestInputs: "inputs",
	TestNow: "now", TestBackend: "backend", TestSecrets: "secrets", TestFixtures: "fixtures",
	TestList: "list", TestPersona: "persona", TestCases: "cases", TestMock: "mock", TestDeliver: "deliver event",
	TestExpectRun: "expect run", TestExpectNoRun: "expect no run", TestExpectSteps: "expect steps",
	TestExpectOutput: "expect output", TestExpectStatus: "expect status", TestExpectError: "expect error",
}

// String returns the words that start the clause: "expect no run".
func (k TestKind) String() string {
	if int(k) < len(testKindNames) && testKindNames[k] != "" {
		return testKindNames[k]
	}
	return "test clause"
}

// IsExpect reports whether the clause is an expectation.
func (k TestKind) IsExpect() bool { return k >= TestExpectRun }

// TestClauseWords are the words a test clause starts with, for completion
// and error messages.
var TestClauseWords = []string{"workflow", "event", "inputs", "now", "backend", "secrets", "fixtures",
	"list", "persona", "cases", "mock", "deliver", "expect"}

// TestClause is one clause of a test. Which fields are set depends on
// Kind (see the constants).
type TestClause struct {
	Sp   Span
	Kind TestKind
	// Name is the workflow's name (workflow) or the backend (backend).
	Name *Ident
	// Str is the event name (event, deliver event), the file (event file,
	// fixtures) or the List's name (list).
	Str *StringLit
	// Value is what the clause gives: the object, inputs, time, map, rows,
	// mock result or failure, list of steps, output, status or error.
	Value Expr
	// Step is the step a mock or an expect run / no run names.
	Step *StepPattern
	// Steps are the steps of expect steps, in order (Value is their list).
	Steps []*StepPattern
	// After is how long after the test's now a delivered event arrives.
	After Expr
	// Once marks a mock that answers one call; Fails a mock that fails.
	Once, Fails bool
	// AnyOrder marks expect steps … in any order.
	AnyOrder bool
	// When guards an expectation: it is checked only when When holds.
	When Expr
}

// StepPattern names a step in a test: an action (inquiry.decline,
// http.post) or a js fn, and, when Call is set, the arguments it must have
// been given. Matching is partial: arguments left out match anything, and
// a map matches a map holding at least its entries.
type StepPattern struct {
	Sp Span
	// Name is the step's name as written: "inquiry.decline", "risk_score".
	Name   string
	NameSp Span
	// X is the pattern as written: the name, or the call (Call).
	X    Expr
	Call *CallExpr
}

// Span returns the declaration's range.
func (n *TestDecl) Span() Span { return n.Sp }

// Span returns the clause's range.
func (n *TestClause) Span() Span { return n.Sp }

// Span returns the pattern's range.
func (n *StepPattern) Span() Span { return n.Sp }

// DeclName is nil: a test is named by a string (Title).
func (n *TestDecl) DeclName() *Ident { return nil }

func (*TestDecl) declNode() {}

// Title returns the test's name.
func (n *TestDecl) Title() string {
	if n.Name == nil {
		return ""
	}
	s, _ := n.Name.Static()
	return s
}

// Clause returns the test's first clause of a kind, or nil.
func (n *TestDecl) Clause(k TestKind) *TestClause {
	for _, c := range n.Clauses {
		if c.Kind == k {
			return c
		}
	}
	return nil
}

// testClause finishes a clause both parsers have filled in: its span ends
// at its last part, and its step patterns are read from Value (expect
// steps) or from x, the step a mock or expect run names.
func (b *builder) testClause(start Pos, c *TestClause, x Expr) *TestClause {
	end := start
	for _, n := range []Node{c.Name, c.Str, x, c.Value, c.After, c.When} {
		if n != nil && !isNilNode(n) && n.Span().End.Offset > end.Offset {
			end = n.Span().End
		}
	}
	c.Sp = Span{start, end}
	if c.Str != nil {
		b.static(c.Str, "this name")
	}
	if x != nil {
		c.Step = b.stepPattern(x)
	}
	if c.Kind == TestExpectSteps {
		if l, ok := c.Value.(*ListLit); ok {
			for _, e := range l.Elems {
				c.Steps = append(c.Steps, b.stepPattern(e))
			}
		}
	}
	return c
}

// isNilNode reports whether a Node interface holds a nil pointer.
func isNilNode(n Node) bool {
	switch n := n.(type) {
	case *Ident:
		return n == nil
	case *StringLit:
		return n == nil
	}
	return false
}

// stepPattern reads a step pattern: a dotted name (inquiry.decline), or a
// call of one with the arguments to match.
func (b *builder) stepPattern(x Expr) *StepPattern {
	sp := &StepPattern{Sp: x.Span(), X: x}
	name := x
	if call, ok := x.(*CallExpr); ok {
		sp.Call, name = call, call.Fn
	}
	if n, nsp, ok := dottedName(name); ok {
		sp.Name, sp.NameSp = n, nsp
		return sp
	}
	b.errorf(x.Span(), "syntax", "expected a step, such as inquiry.decline or inquiry.decline(comment: \"…\")").
		Hint("name the action (or js fn), and give the arguments to match in parentheses")
	return sp
}

// dottedName reads `a`, `a.b` or `a.b.c` as one name.
func dottedName(x Expr) (string, Span, bool) {
	switch x := x.(type) {
	case *Ident:
		return x.Name, x.Sp, true
	case *SelectorExpr:
		if x.Optional {
			return "", Span{}, false
		}
		left, sp, ok := dottedName(x.X)
		if !ok {
			return "", Span{}, false
		}
		return left + "." + x.Name.Name, Span{sp.Start, x.Name.Sp.End}, true
	}
	return "", Span{}, false
}
