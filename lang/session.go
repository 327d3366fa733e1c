package lang

import "strings"

// This file is the checker's side of a REPL session (package repl): the
// statements of one entry are checked as the body of a synthetic workflow
// whose frame starts with the names earlier entries bound.

// SessionVar is a name a REPL session already holds when an entry runs.
type SessionVar struct {
	Name string
	// Type is the static type later uses are checked against (TAny when
	// unknown).
	Type Type
}

// SessionWorkflow names the synthetic workflow that holds an entry's
// statements. It is no workflow of the program: it is in no file and not
// in Program.Workflows.
const SessionWorkflow = "repl"

// SessionInfo is what CheckSession learned about an entry's statements.
type SessionInfo struct {
	// File is the entry: its path names it in diagnostics.
	File *File
	// Workflow is the synthetic workflow whose body is the statements.
	Workflow *WorkflowDecl
	// Frame is the workflow's frame; Vars[i] is in slot i when the entry
	// starts, and the entry's own bindings follow.
	Frame *Frame
	Vars  []*Symbol
	// Final maps each name visible at the end of the entry's top level to
	// the symbol holding its value then: the session's names, and those the
	// entry's top-level statements bind (a let of a session name shadows it).
	Final map[string]*Symbol
	// Types holds the static type of each top-level expression statement
	// (the REPL prints their values).
	Types map[*ExprStmt]Type
}

// CheckSession checks files as Check does, then stmts, the statements of
// the REPL entry entry, as the body of a synthetic workflow whose frame
// starts with vars bound. Unlike a workflow's, its top level reports no
// unused binding (a later entry may use it), no unused result of a pure
// call (the REPL prints it) and needs no on clause; a session name may be
// bound again with let, which shadows it. Duplicate names in vars keep the
// first.
func CheckSession(files []*File, entry *File, stmts []Stmt, vars []SessionVar, u Universe) (*Program, *SessionInfo, Diagnostics) {
	prog, diags := Check(files, u)
	c := &checker{u: u, diags: &diags, file: entry.Path, info: prog.Info, prog: prog,
		constDeps: map[*ConstDecl][]*ConstDecl{}, library: map[string]*Symbol{}, funcs: map[[2]string]*FuncDecl{},
		custom: map[string]*Shape{}, merged: map[*Shape]*Shape{}}
	for _, d := range u.Funcs() {
		if d.Module() == "" {
			c.builtins = append(c.builtins, d.Name)
		}
	}
	w := &WorkflowDecl{Name: &Ident{Name: SessionWorkflow}, Body: stmts}
	if len(stmts) > 0 {
		w.Sp = Span{stmts[0].Span().Start, stmts[len(stmts)-1].Span().End}
		w.Name.Sp = Span{w.Sp.Start, w.Sp.Start}
	}
	si := c.session(w, vars)
	si.File = entry
	diags.Normalize()
	return prog, si, diags
}

func (c *checker) session(w *WorkflowDecl, vars []SessionVar) *SessionInfo {
	c.lets, c.decl = nil, w
	c.scope = &scope{}
	c.flags = inWorkflow
	frame := c.pushFrame(w, false)
	wi := &WorkflowInfo{Frame: frame}
	c.info.Workflows[w] = wi
	si := &SessionInfo{Workflow: w, Frame: frame, Final: map[string]*Symbol{}, Types: map[*ExprStmt]Type{}}
	for _, v := range vars {
		if _, dup := c.scope.names[v.Name]; dup || v.Name == "" {
			continue
		}
		t := v.Type
		if t == TNone {
			t = TAny
		}
		sym := &Symbol{Name: v.Name, Kind: SymLocal, Node: w, Type: t, used: true}
		frame.add(sym)
		c.scope.set(v.Name, sym)
		si.Vars = append(si.Vars, sym)
		si.Final[v.Name] = sym
		switch v.Name {
		case "trigger":
			wi.Trigger = sym
		case "event":
			wi.Event = sym
		}
	}
	c.pushScope(false)
	top := c.scope
	for _, s := range w.Body {
		if es, ok := s.(*ExprStmt); ok {
			if _, wait := es.X.(*WaitEventExpr); !wait {
				t := c.expr(es.X)
				if t == TNone {
					t = TNull
				}
				si.Types[es] = t
				continue
			}
		}
		c.stmt(s)
	}
	for name, sym := range top.names {
		sym.used = true
		si.Final[name] = sym
	}
	c.scope = nil
	return si
}

// EntryComplete reports whether src is a whole REPL entry: false while a
// bracket, brace or parenthesis, a ${…} or a """ string is still open, so
// the REPL reads another line. Closers without openers do not count: the
// parser reports them.
func EntryComplete(src string) bool {
	toks, _ := tokenize(src)
	depth := 0
	for _, t := range toks {
		switch {
		case t.typ == tRawBad:
			return false
		case t.typ == tStrStart || t.typ == tStrEnd || t.typ == tChars || t.typ == tEscape:
			// string text: its braces are not brackets
		case t.is(src, "{") || t.is(src, "(") || t.is(src, "[") || t.is(src, "${"):
			depth++
		case t.is(src, "}") || t.is(src, ")") || t.is(src, "]"):
			if depth > 0 {
				depth--
			}
		}
	}
	return depth == 0
}

// OneLine returns a multi-line entry on one line, its lines joined by
// spaces, when that leaves its meaning alone: no comment (which would
// swallow what follows) and no raw string across lines. A history file
// keeps one entry a line this way.
func OneLine(src string) (string, bool) {
	src = strings.TrimRight(src, " \t\r\n")
	if !strings.Contains(src, "\n") {
		return src, true
	}
	toks, comments := tokenize(src)
	if len(comments) > 0 {
		return "", false
	}
	for _, t := range toks {
		if (t.typ == tRaw || t.typ == tRawBad) && strings.Contains(t.text(src), "\n") {
			return "", false
		}
	}
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " "), true
}
