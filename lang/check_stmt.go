package lang

// block checks a list of statements in the current scope.
func (c *checker) block(stmts []Stmt) {
	ended := false
	for _, s := range stmts {
		if ended {
			c.warnf(s, "unreachable", "statement is never reached")
			ended = false // report once per block
		}
		c.stmt(s)
		switch s.(type) {
		case *StopStmt, *FailStmt, *ReturnStmt:
			ended = true
		}
	}
}

func (c *checker) scoped(b *Block, branch bool) {
	if b == nil {
		return
	}
	c.pushScope(branch)
	c.block(b.Stmts)
	c.popScope()
}

func (c *checker) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		c.let(s)
	case *AssignStmt:
		c.assign(s)
	case *ExprStmt:
		c.exprStmt(s)
	case *WhenStmt:
		for _, br := range s.Branches {
			c.wantBool(br.Cond, c.expr(br.Cond), "a when condition")
			c.scoped(br.Body, false)
		}
		c.scoped(s.Else, false)
	case *ParallelStmt:
		c.parallel(s)
	case *ForStmt:
		c.forStmt(s)
	case *TryStmt:
		c.scoped(s.Body, false)
		c.pushScope(false)
		if s.Err != nil {
			c.bind(s.Err, s, TMap).used = true
		}
		c.block(s.Catch.Stmts)
		c.popScope()
	case *OutputStmt:
		c.workflowOnly(s, "output")
		c.expr(s.Value)
	case *FailStmt:
		c.expr(s.Reason)
	case *StopStmt:
		c.workflowOnly(s, "stop")
	case *LogStmt:
		c.expr(s.Message)
	case *EmitStmt:
		c.workflowOnly(s, "emit")
		if t := c.expr(s.Name); !TString.Accepts(t) {
			c.errorf(s.Name, "type", "emit needs an event name string, got %s", t)
		}
		if str, ok := s.Name.(*StringLit); ok {
			if name, ok := str.Static(); ok && name == "" {
				c.errorf(s.Name, "event", "emit needs a non-empty event name")
			}
		}
		if s.Payload != nil {
			c.expr(s.Payload)
		}
	case *ReturnStmt:
		if c.flags&inFn == 0 {
			c.errorf(s, "context", "return is only allowed in a fn").
				Hint("to end a workflow run use stop (completed) or fail \"reason\" (failed)")
		}
		if s.Value != nil {
			c.expr(s.Value)
		}
	case *BlockStmt:
		c.scoped(s.Block, false)
	}
}

func (c *checker) workflowOnly(n Node, what string) {
	if c.flags&inWorkflow == 0 {
		c.errorf(n, "context", "%s is only allowed in a workflow", what)
	}
}

func (c *checker) let(s *LetStmt) {
	var t Type
	if we, ok := s.Value.(*WaitEventExpr); ok {
		t = c.waitEvent(we, s.Name)
	} else {
		t = c.expr(s.Value)
	}
	if t == TNone {
		t = TAny
	}
	c.bind(s.Name, s, t)
}

func (c *checker) exprStmt(s *ExprStmt) {
	switch x := s.X.(type) {
	case *CallExpr:
		if cal := c.info.Calls[x]; cal == nil {
			c.expr(x)
			if cal = c.info.Calls[x]; cal != nil && (cal.Kind == CallBuiltin || cal.Kind == CallMethod) &&
				!cal.Func.Effect && cal.Func.Result != TNone && cal.Func.Name != "assert" {
				c.warnf(x, "unused", "the result of %s is not used", cal.Func.Name).
					Hint("bind it with let, or remove the call")
			}
			return
		}
	case *WaitEventExpr:
		if x.Where != nil {
			c.errorf(x.Where, "syntax", "a where clause needs the event bound to a name").
				Hint(`write let e = wait event "…" where e.… to filter on the event`)
		}
	}
	c.expr(s.X)
}

// assign checks `target = value`: the target's root must be a local bound
// outside any parallel branch the assignment is in.
func (c *checker) assign(s *AssignStmt) {
	c.expr(s.Value)
	root := s.Target
	for {
		switch t := root.(type) {
		case *SelectorExpr:
			if t.Optional {
				c.errorf(t, "syntax", "cannot assign through ?.")
			}
			root = t.X
			continue
		case *IndexExpr:
			c.expr(t.Index)
			root = t.X
			continue
		}
		break
	}
	id, ok := root.(*Ident)
	if !ok {
		if _, bad := root.(*BadExpr); !bad {
			c.errorf(root, "assign", "cannot assign into this expression").
				Hint("assign to a name bound with let, or to a field of one")
		}
		return
	}
	sym, sc := c.scope.lookup(id.Name)
	if sym == nil {
		c.undefined(id)
		return
	}
	c.info.Refs[id] = Ref{Sym: sym, Hops: c.hops(sym)}
	switch {
	case sym.Implicit:
		c.errorf(id, "assign", "%s is bound by the workflow's trigger and cannot be changed", id.Name).
			Hint("copy it first: let my_%s = %s", id.Name, id.Name)
		return
	case sym.Node != nil && isLoopVar(sym):
		c.errorf(id, "assign", "cannot assign to loop variable %s", id.Name)
		return
	}
	for s2 := c.scope; s2 != nil && s2 != sc; s2 = s2.parent {
		if s2.branch {
			c.errorf(id, "parallel", "cannot assign to %s inside a parallel branch", id.Name).
				Hint("branches run at once; bind a new name in the branch with let and combine the results after the block")
			return
		}
	}
	if sym.Frame != c.scope.frame && c.flags&inLambda != 0 {
		c.errorf(id, "assign", "a lambda cannot assign to %s", id.Name)
	}
}

func isLoopVar(sym *Symbol) bool {
	f, ok := sym.Node.(*ForStmt)
	return ok && (f.Value == sym.Ident || f.Key == sym.Ident)
}

// parallel checks each branch in its own scope, then makes the names bound
// at the top of each branch visible after the block. Two branches may not
// bind the same name.
func (c *checker) parallel(s *ParallelStmt) {
	c.workflowOnly(s, "parallel")
	if len(s.Body.Stmts) == 0 {
		c.warnf(s, "empty", "parallel block has no branches")
	}
	hoisted := map[string]*Symbol{}
	for _, br := range s.Body.Stmts {
		c.pushScope(true)
		if bs, ok := br.(*BlockStmt); ok {
			c.block(bs.Block.Stmts)
		} else {
			c.stmt(br)
		}
		branchScope := c.scope
		c.popScope()
		for name, sym := range branchScope.names {
			if prev, dup := hoisted[name]; dup {
				c.errorf(sym.Ident, "parallel", "%s is bound in two branches of one parallel block", name).
					Note(c.file, prev.Ident.Sp, "also bound here").
					Hint("branches run at once, so which value wins would be a race; use different names")
				continue
			}
			if outer, _ := c.scope.lookup(name); outer != nil && outer.Frame == c.scope.frame && !outer.Implicit {
				if _, here := c.scope.names[name]; here {
					c.errorf(sym.Ident, "duplicate", "%s is already bound in this block", name).
						Note(c.file, outer.Ident.Sp, "first bound here")
					continue
				}
			}
			hoisted[name] = sym
			c.scope.set(name, sym)
		}
	}
}

func (c *checker) forStmt(s *ForStmt) {
	it := c.expr(s.Iter)
	if !(TList | TMap | TString).Accepts(it) {
		c.errorf(s.Iter, "type", "cannot loop over %s", it).Hint("for loops take a list, a map or a string")
	}
	if s.Parallel {
		c.workflowOnly(s, "parallel for")
		if s.Limit != nil {
			lt := c.expr(s.Limit)
			if !TInt.Accepts(lt) {
				c.errorf(s.Limit, "type", "limit must be an int, got %s", lt)
			}
			if n, ok := s.Limit.(*IntLit); ok && (n.Value < 1 || n.Value > 1000) {
				c.errorf(s.Limit, "limit", "limit must be between 1 and 1000, got %d", n.Value)
			}
		}
		saved := c.flags
		c.flags |= inParallelFor
		c.pushFrame(s, true)
		c.loopVars(s)
		c.block(s.Body.Stmts)
		c.popScope()
		c.flags = saved
		return
	}
	c.pushScope(false)
	c.loopVars(s)
	c.block(s.Body.Stmts)
	c.popScope()
}

func (c *checker) loopVars(s *ForStmt) {
	if s.Key != nil {
		c.bind(s.Key, s, TInt|TString).used = true
	}
	c.bind(s.Value, s, TAny)
}
