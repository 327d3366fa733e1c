package lang

import (
	"slices"
	"strings"
)

// Test declarations: TestG and its clauses in grammar.go. A syntax error in
// a clause costs that clause (participle's parse loses the declaration):
// the parser reports it, skips to the next line that starts a clause and
// marks the test Broken, so that the checker holds the errors a missing
// clause would cause.

func (p *parser) testDecl() *TestDecl {
	start := p.next().start() // test
	d := &TestDecl{Name: p.str()}
	p.static(d.Name, "a test's name")
	d.Lbrace = p.expect("{").start()
	for !p.is("}") && p.tok.typ != tEOF {
		if c := p.testClauseRecover(); c != nil {
			d.Clauses = append(d.Clauses, c)
		} else {
			d.Broken = true
		}
	}
	var end Pos
	d.Rbrace, end = p.closeBlock()
	d.Sp = Span{start, end}
	return d
}

// testClauseRecover parses one clause of a test; after a syntax error it
// skips the rest of the clause and returns nil.
func (p *parser) testClauseRecover() (c *TestClause) {
	start := p.pos
	p.recovering(func() { c = p.testClause() }, func() {
		p.partial, p.partialX = nil, nil
		p.skipClause(start)
		c = nil
	})
	return c
}

// skipClause moves past the rest of a broken clause that started at token
// start: to the first later line that starts, no further right than the
// clause, with a clause word, or to the } that closes the test.
func (p *parser) skipClause(start int) {
	p.skipTo(start, func(i, col int) bool {
		t := &p.toks[i]
		if t.start().Col > col || !p.lineStart(i) {
			return false
		}
		return slices.Contains(TestClauseWords, t.text(p.src)) || t.typ == tPunct && t.text(p.src) == "}" && t.start().Col < col
	})
}

// testClause parses one clause of a test.
func (p *parser) testClause() *TestClause {
	t := p.tok
	start := t.start()
	c := &TestClause{}
	var step Expr
	word := ""
	if t.typ == tIdent {
		word = t.text(p.src)
	}
	switch word {
	case "workflow":
		p.next()
		c.Kind, c.Name = TestWorkflow, p.name()
	case "event":
		p.next()
		if p.is("file") {
			p.next()
			c.Kind, c.Str = TestEventFile, p.str()
			break
		}
		c.Kind, c.Str = TestEvent, p.str()
		c.Value = p.expr()
	case "inputs", "now", "secrets", "persona", "cases":
		p.next()
		c.Kind, c.Value = testValueKinds[word], p.expr()
	case "backend":
		p.next()
		c.Kind, c.Name = TestBackend, p.name()
	case "fixtures":
		p.next()
		c.Kind, c.Str = TestFixtures, p.str()
	case "list":
		p.next()
		c.Kind, c.Str = TestList, p.str()
		c.Value = p.expr()
	case "mock":
		p.next()
		c.Kind, step = TestMock, p.stepExpr()
		if p.is("once") {
			p.next()
			c.Once = true
		}
		if p.is("returns") || p.is("fails") {
			c.Fails = p.next().is(p.src, "fails")
			c.Value = p.expr()
		}
	case "deliver":
		p.next()
		p.expect("event")
		c.Kind, c.Str = TestDeliver, p.str()
		c.Value = p.expr()
		if p.is("after") {
			p.next()
			c.After = p.stepExpr()
		}
	case "expect":
		p.next()
		step = p.expectation(c)
		if p.is("when") {
			p.next()
			c.When = p.expr()
		}
	default:
		p.failf("a test clause (" + testWordList + ")")
	}
	return p.builder.testClause(start, c, step)
}

var testValueKinds = map[string]TestKind{
	"inputs": TestInputs, "now": TestNow, "secrets": TestSecrets, "persona": TestPersona, "cases": TestCases,
}

// testWordList lists the clause words for a syntax error: "workflow,
// event, … or expect".
var testWordList = strings.Join(TestClauseWords[:len(TestClauseWords)-1], ", ") + " or " + TestClauseWords[len(TestClauseWords)-1]

// expectation parses what follows expect, into c; it returns the step an
// expect run or expect no run names.
func (p *parser) expectation(c *TestClause) Expr {
	t := p.tok
	switch {
	case t.is(p.src, "run"):
		p.next()
		c.Kind = TestExpectRun
		return p.stepExpr()
	case t.is(p.src, "no"):
		p.next()
		p.expect("run")
		c.Kind = TestExpectNoRun
		return p.stepExpr()
	case t.is(p.src, "steps"):
		p.next()
		c.Kind = TestExpectSteps
		lb := p.expect("[")
		elems := p.exprList()
		end := p.expect("]").end(p.src)
		if elems == nil {
			elems = []Expr{}
		}
		c.Value = &ListLit{Sp: Span{lb.start(), end}, Elems: elems}
		if p.is("in") {
			p.next()
			p.expect("any")
			p.expect("order")
			c.AnyOrder = true
		}
	case t.is(p.src, "output"):
		p.next()
		c.Kind, c.Value = TestExpectOutput, p.mapLit()
	case t.is(p.src, "status"):
		p.next()
		c.Kind, c.Value = TestExpectStatus, p.expr()
	case t.is(p.src, "error"):
		p.next()
		c.Kind, c.Value = TestExpectError, p.expr()
	default:
		p.failf("run, no run, steps, output, status or error")
	}
	return nil
}

// stepExpr parses the postfix expression a step pattern (or a duration
// after `after`) is written as.
func (p *parser) stepExpr() Expr {
	if !p.startsPrimary() {
		p.failf("expression")
	}
	return p.postfix()
}
