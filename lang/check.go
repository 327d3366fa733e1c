package lang

import (
	"sort"
	"strings"
)

// Program is a checked set of files: every declaration, and the facts the
// checker recorded about them.
type Program struct {
	Files     []*File
	Workflows []*WorkflowDecl
	// Consts is in evaluation order: each const comes after those it uses.
	Consts   []*ConstDecl
	Fns      []*FnDecl
	JsFns    []*JsFnDecl
	Info     *Info
	Universe Universe
	// GlobalSyms holds the symbol of each const, fn and js fn by name.
	GlobalSyms map[string]*Symbol
	// Fields are the program's fields declarations.
	Fields []*FieldsDecl
}

// Workflow returns the workflow with the given name, or nil.
func (p *Program) Workflow(name string) *WorkflowDecl {
	for _, w := range p.Workflows {
		if w.Name.Name == name {
			return w
		}
	}
	return nil
}

// WorkflowNames returns the names of the program's workflows.
func (p *Program) WorkflowNames() []string {
	out := make([]string, len(p.Workflows))
	for i, w := range p.Workflows {
		out[i] = w.Name.Name
	}
	return out
}

// FileOf returns the file holding node n.
func (p *Program) FileOf(n Node) *File {
	for _, f := range p.Files {
		for _, d := range f.Decls {
			if d == n || (d.Span().Start.Offset <= n.Span().Start.Offset && n.Span().End.Offset <= d.Span().End.Offset && containsNode(d, n)) {
				return f
			}
		}
	}
	return nil
}

func containsNode(root, n Node) bool {
	found := false
	Inspect(root, func(x Node) bool {
		if found {
			return false
		}
		if x == n {
			found = true
		}
		return !found
	})
	return found
}

// ctxFlags says where the checker is, for rules that depend on it.
type ctxFlags uint16

const (
	inWorkflow    ctxFlags = 1 << iota // a workflow body: run, wait, output… allowed
	inFn                               // a fn body: return allowed
	inLambda                           // a lambda body
	inPure                             // const initializer, default value, trigger or wait filter
	inParallelFor                      // the body of a parallel for
)

type checker struct {
	u     Universe
	diags *Diagnostics
	file  string
	info  *Info
	prog  *Program
	scope *scope
	flags ctxFlags
	// lets holds every binding in the current top-level declaration (decl)
	// by name, to tell "used before it is bound" from "undefined"; it is
	// gathered on the first undefined name.
	lets map[string][]*Ident
	decl Node
	// library and funcs remember the library symbols and module functions
	// looked up so far.
	library map[string]*Symbol
	funcs   map[[2]string]*FuncDecl
	syms    slab[Symbol]
	callees slab[Callee]
	// events is the library's event catalogue (nil: none); custom holds
	// the custom fields the program declares, by object type, and merged
	// the catalogue's shapes with them; trigger and shapes are the current
	// workflow's trigger symbol and the shapes of the objects it delivers.
	events  EventCatalog
	custom  map[string]*Shape
	merged  map[*Shape]*Shape
	trigger *Symbol
	shapes  []*Shape
	// constDeps records, while a const initializer is checked, the consts
	// it uses.
	constDeps map[*ConstDecl][]*ConstDecl
	curConst  *ConstDecl
	builtins  []string
	// src is the text of the file being checked, for fixes that rewrite a
	// node; postfixX is the last operand of a field read, index or call
	// checked (see operand).
	src      []byte
	postfixX Expr
	// emitted holds the event names the program emits itself, which are
	// not unknown events.
	emitted []string
	// incomplete is set once the declaration being checked is seen to
	// hold a BadExpr: a statement lost to a syntax error, which may have
	// used names that now look unused.
	incomplete bool
}

// Check resolves and checks a set of files against the library table u.
// It returns the program and every diagnostic (sorted, deduplicated); the
// program is complete only when no diagnostic is an error.
func Check(files []*File, u Universe) (*Program, Diagnostics) {
	var diags Diagnostics
	c := &checker{
		u:     u,
		diags: &diags,
		info: &Info{
			Refs: map[*Ident]Ref{}, Defs: map[*Ident]*Symbol{}, Frames: map[Node]*Frame{},
			Calls: map[*CallExpr]*Callee{}, Workflows: map[*WorkflowDecl]*WorkflowInfo{},
			Tests: map[*TestDecl]*TestInfo{},
		},
		constDeps: map[*ConstDecl][]*ConstDecl{}, library: map[string]*Symbol{}, funcs: map[[2]string]*FuncDecl{},
		custom: map[string]*Shape{}, merged: map[*Shape]*Shape{},
	}
	c.prog = &Program{Files: files, Info: c.info, Universe: u, GlobalSyms: map[string]*Symbol{}}
	for _, d := range u.Funcs() {
		if d.Module() == "" {
			c.builtins = append(c.builtins, d.Name)
		}
	}
	c.events = EventsOf(u)
	c.declare(files)
	c.declareFields(files)
	c.emitted = emittedNames(files)
	c.checkConsts(files)
	for _, f := range files {
		c.file, c.src = f.Path, f.Src
		for _, d := range f.Decls {
			c.incomplete = false
			switch d := d.(type) {
			case *FnDecl:
				c.fnDecl(d)
			case *JsFnDecl:
				c.jsFnDecl(d)
			case *WorkflowDecl:
				c.workflow(d)
			}
		}
	}
	c.testDecls(files)
	c.unusedGlobals()
	diags.Normalize()
	return c.prog, diags
}

func (c *checker) errorf(n Node, code, format string, args ...any) *Diagnostic {
	return c.diags.Errorf(c.file, n.Span(), code, format, args...)
}

func (c *checker) warnf(n Node, code, format string, args ...any) *Diagnostic {
	return c.diags.Warnf(c.file, n.Span(), code, format, args...)
}

// declare enters every top-level name, reporting duplicates.
func (c *checker) declare(files []*File) {
	workflows := map[string]*WorkflowDecl{}
	wfFile := map[string]string{}
	globFile := map[string]string{}
	for _, f := range files {
		c.file = f.Path
		for _, d := range f.Decls {
			name := d.DeclName()
			if _, fields := d.(*FieldsDecl); fields || name == nil || name.Name == "" {
				continue
			}
			if w, ok := d.(*WorkflowDecl); ok {
				if prev, dup := workflows[name.Name]; dup {
					c.errorf(name, "duplicate", "workflow %s is declared twice", name.Name).
						Note(wfFile[name.Name], prev.Name.Sp, "first declared here")
					continue
				}
				workflows[name.Name], wfFile[name.Name] = w, f.Path
				c.prog.Workflows = append(c.prog.Workflows, w)
				continue
			}
			if prev, dup := c.prog.GlobalSyms[name.Name]; dup {
				c.errorf(name, "duplicate", "%s is declared twice", name.Name).
					Note(globFile[name.Name], prev.Ident.Sp, "first declared here")
				continue
			}
			if c.u.IsModule(name.Name) || c.u.Func(name.Name) != nil {
				what := "function"
				if c.u.IsModule(name.Name) {
					what = "module"
				}
				c.errorf(name, "shadow", "%s is the name of a library %s", name.Name, what).
					Hint("choose another name")
				continue
			}
			sym := &Symbol{Name: name.Name, Ident: name, Node: d, Type: TAny}
			switch d := d.(type) {
			case *ConstDecl:
				sym.Kind, sym.Index = SymConst, -1
			case *FnDecl:
				sym.Kind, sym.Index, sym.Type = SymFn, len(c.prog.Fns), TFunc
				c.prog.Fns = append(c.prog.Fns, d)
			case *JsFnDecl:
				sym.Kind, sym.Index, sym.Type = SymJsFn, len(c.prog.JsFns), TFunc
				c.prog.JsFns = append(c.prog.JsFns, d)
			}
			c.prog.GlobalSyms[name.Name] = sym
			globFile[name.Name] = f.Path
			c.info.Defs[name] = sym
		}
	}
}

// checkConsts checks const initializers and orders them so each comes after
// the consts it uses; a cycle is an error.
func (c *checker) checkConsts(files []*File) {
	var all []*ConstDecl
	fileOf := map[*ConstDecl]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			if cd, ok := d.(*ConstDecl); ok && c.prog.GlobalSyms[cd.Name.Name] != nil && c.prog.GlobalSyms[cd.Name.Name].Node == cd {
				all = append(all, cd)
				fileOf[cd] = f.Path
			}
		}
	}
	for _, cd := range all {
		c.file = fileOf[cd]
		c.curConst = cd
		c.scope = &scope{frame: &Frame{Owner: cd}}
		c.flags = inPure
		c.prog.GlobalSyms[cd.Name.Name].Type = c.expr(cd.Value)
		c.noFrameSlots(cd)
	}
	c.curConst = nil
	state := map[*ConstDecl]int{} // 0 new, 1 visiting, 2 done
	var visit func(cd *ConstDecl) bool
	visit = func(cd *ConstDecl) bool {
		switch state[cd] {
		case 1:
			c.file = fileOf[cd]
			c.errorf(cd.Name, "cycle", "const %s depends on itself", cd.Name.Name).
				Hint("a const cannot use its own value, directly or through other consts")
			return false
		case 2:
			return true
		}
		state[cd] = 1
		for _, dep := range c.constDeps[cd] {
			if !visit(dep) {
				state[cd] = 2
				return false
			}
		}
		state[cd] = 2
		c.prog.GlobalSyms[cd.Name.Name].Index = len(c.prog.Consts)
		c.prog.Consts = append(c.prog.Consts, cd)
		return true
	}
	for _, cd := range all {
		visit(cd)
	}
}

// noFrameSlots records the (slot-less) frame of a const initializer, which
// may still hold lambdas.
func (c *checker) noFrameSlots(cd *ConstDecl) {
	c.info.Frames[cd] = c.scope.frame
}

func (c *checker) unusedGlobals() {
	// Top-level fns and consts may be used by other files or by the REPL, so
	// they are not reported as unused.
}

// bindingsByName groups bindings by name.
func bindingsByName(ids []*Ident) map[string][]*Ident {
	out := make(map[string][]*Ident, len(ids))
	for _, id := range ids {
		out[id.Name] = append(out[id.Name], id)
	}
	return out
}

// emittedNames lists the event names the files emit with a fixed string.
func emittedNames(files []*File) []string {
	var out []string
	for _, f := range files {
		Inspect(f, func(n Node) bool {
			if e, ok := n.(*EmitStmt); ok {
				if s, ok := e.Name.(*StringLit); ok {
					if name, ok := s.Static(); ok {
						out = append(out, name)
					}
				}
			}
			return true
		})
	}
	return out
}

// collectBindings lists every name bound inside n, for use-before-binding.
func collectBindings(n Node) []*Ident {
	var out []*Ident
	Inspect(n, func(x Node) bool {
		switch x := x.(type) {
		case *LetStmt:
			out = append(out, x.Name)
		case *ForStmt:
			if x.Key != nil {
				out = append(out, x.Key)
			}
			out = append(out, x.Value)
		}
		return true
	})
	return out
}

func (c *checker) pushScope(branch bool) {
	c.scope = &scope{parent: c.scope, frame: c.scope.frame, branch: branch}
}

func (c *checker) popScope() {
	c.reportUnused(c.scope)
	c.scope = c.scope.parent
}

func (c *checker) pushFrame(owner Node, branch bool) *Frame {
	f := &Frame{Owner: owner, Parent: c.scope.frame}
	c.info.Frames[owner] = f
	c.scope = &scope{parent: c.scope, frame: f, branch: branch}
	return f
}

func (c *checker) reportUnused(s *scope) {
	if c.incomplete {
		return
	}
	names := make([]string, 0, len(s.names))
	for n := range s.names {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sym := s.names[n]
		if sym.used || sym.Implicit || sym.Ident == nil || strings.HasPrefix(n, "_") {
			continue
		}
		switch node := sym.Node.(type) {
		case *LetStmt:
			if s.branch && s.parent != nil && s.parent.frame == s.frame {
				continue // hoisted out of a parallel branch; reported there
			}
			d := c.warnf(sym.Ident, "unused", "%s is bound but never used", n).
				Hint("remove it, or name it _%s to keep it", n)
			d.Fixes = append(d.Fixes, Fix{Title: "Rename to _" + n, Span: sym.Ident.Sp, NewText: "_" + n})
		case *ForStmt:
			if node.Value == sym.Ident {
				d := c.warnf(sym.Ident, "unused", "loop variable %s is never used", n).
					Hint("name it _ to loop without it")
				d.Fixes = append(d.Fixes, Fix{Title: "Rename to _", Span: sym.Ident.Sp, NewText: "_"})
			}
		}
	}
}

// bind declares a local name in the current scope.
func (c *checker) bind(id *Ident, node Node, t Type) *Symbol {
	sym := c.syms.next()
	*sym = Symbol{Name: id.Name, Kind: SymLocal, Ident: id, Node: node, Type: t}
	if IsKeyword(id.Name) {
		c.errorf(id, "syntax", "%s is a reserved word", id.Name)
	}
	if prev, ok := c.scope.names[id.Name]; ok && !prev.Implicit {
		d := c.errorf(id, "duplicate", "%s is already bound in this block", id.Name)
		if prev.Ident != nil {
			d.Note(c.file, prev.Ident.Sp, "first bound here")
		}
		d.Hint("to change its value write %s = …", id.Name)
	} else if ok && prev.Implicit {
		c.errorf(id, "shadow", "%s is bound by the workflow's trigger", id.Name).
			Hint("choose another name")
	}
	c.scope.frame.add(sym)
	c.scope.set(id.Name, sym)
	c.info.Defs[id] = sym
	return sym
}
