package lang

// Formatting test declarations: one clause per line, in the order written,
// with the source's blank lines between clauses kept (one at most).

func (p *printer) testDecl(d *TestDecl) {
	p.tok(d.Sp.Start, "test")
	p.sp()
	if d.Name == nil {
		p.fail("test has no name")
		return
	}
	p.str(d.Name)
	p.sp()
	p.lbrace(d.Lbrace)
	if len(d.Clauses) > 0 || p.hasComments(d.Lbrace.Offset, d.Rbrace.Offset) {
		p.lines(d.Lbrace, len(d.Clauses), -1, func(i int) Node { return d.Clauses[i] }, d.Rbrace.Offset,
			func(n Node) { p.testClause(n.(*TestClause)) })
	}
	p.write(0, "}")
}

func (p *printer) testClause(c *TestClause) {
	switch c.Kind {
	case TestWorkflow, TestBackend:
		p.tok(c.Sp.Start, c.Kind.String())
		p.sp()
		p.ident(c.Name)
	case TestEventFile, TestFixtures:
		p.tok(c.Sp.Start, c.Kind.String())
		p.sp()
		p.str(c.Str)
	case TestEvent, TestList:
		p.tok(c.Sp.Start, c.Kind.String())
		p.sp()
		p.str(c.Str)
		p.sp()
		p.expr(c.Value)
	case TestInputs, TestNow, TestSecrets, TestPersona, TestCases:
		p.keyword(c.Sp.Start, c.Kind.String(), c.Value)
	case TestMock:
		p.keyword(c.Sp.Start, "mock", c.Step.X)
		if c.Once {
			p.sp()
			p.write(0, "once")
		}
		if c.Value != nil {
			word := "returns"
			if c.Fails {
				word = "fails"
			}
			p.clause(word, c.Value)
		}
	case TestDeliver:
		p.tok(c.Sp.Start, "deliver")
		p.sp()
		p.write(0, "event")
		p.sp()
		p.str(c.Str)
		p.sp()
		p.expr(c.Value)
		p.clause("after", c.After)
	default:
		p.expectation(c)
	}
}

// expectation prints an expect clause.
func (p *printer) expectation(c *TestClause) {
	p.tok(c.Sp.Start, "expect")
	p.sp()
	switch c.Kind {
	case TestExpectRun, TestExpectNoRun:
		if c.Kind == TestExpectNoRun {
			p.write(0, "no")
			p.sp()
		}
		p.write(0, "run")
		p.sp()
		p.expr(c.Step.X)
	case TestExpectSteps, TestExpectOutput, TestExpectStatus, TestExpectError:
		word := c.Kind.String()[len("expect "):]
		p.write(0, word)
		p.sp()
		p.expr(c.Value)
		if c.AnyOrder {
			p.sp()
			p.write(0, "in any order")
		}
	default:
		p.fail("unknown test clause %d", c.Kind)
	}
	p.clause("when", c.When)
}
