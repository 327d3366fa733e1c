package interp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/wf-lang/wf/lang"
)

// Program is a compiled, ready-to-run set of workflows. It is immutable and
// safe to run from many goroutines at once.
type Program struct {
	// Version identifies the source: a SHA-256 of the files' contents. Each
	// run is pinned to the version it started on.
	Version   string
	Checked   *lang.Program
	lib       Library
	consts    []Value
	fns       []*function
	jsfns     []*function
	workflows map[string]*workflow
	regexes   *regexCache
	// tests holds the compiled test declarations (testscope.go).
	tests map[*lang.TestDecl]*testCode
	// routes lists every decision's routes (coverage.go).
	routes []Route
}

func (p *Program) shortVersion() string {
	if len(p.Version) > 12 {
		return p.Version[:12]
	}
	return p.Version
}

// workflow is a compiled workflow.
type workflow struct {
	name      string
	file      string
	decl      *lang.WorkflowDecl
	info      *lang.WorkflowInfo
	frameSize int
	body      []stmt
	events    []eventTrigger
	params    []paramSpec
	kinds     map[string]bool // api, workflow, manual, schedule, every, event
	schedules []Schedule
}

type eventTrigger struct {
	pattern string
	where   expr
	pos     lang.Span // the where condition
}

type paramSpec struct {
	name   string
	typ    lang.Type
	def    expr
	hasDef bool
	slot   int
}

// Options configure compilation.
type Options struct {
	// JS compiles js fn bodies; without it a program with js fns does not
	// compile.
	JS JSEngine
	// NoOptimize leaves out the optimization pass (optimize.go), for tests
	// that compare the program with and without it.
	NoOptimize bool
}

// Version computes the version hash of a set of source files.
func Version(files []*lang.File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Path, len(f.Src))
		h.Write(f.Src)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Compile turns a checked program into a runnable one. The checked program
// must have no errors. Constants are evaluated here, once.
func Compile(checked *lang.Program, lib Library, opts Options) (*Program, lang.Diagnostics) {
	p := &Program{Version: Version(checked.Files), Checked: checked, lib: lib,
		workflows: map[string]*workflow{}, regexes: &regexCache{}}
	c := &compiler{prog: p, info: checked.Info, opts: opts}
	p.fns = make([]*function, len(checked.Fns))
	for i, f := range checked.Fns {
		p.fns[i] = &function{name: f.Name.Name, nparams: len(f.Params), pos: f.Name.Sp.Start}
	}
	p.jsfns = make([]*function, len(checked.JsFns))
	for i, f := range checked.JsFns {
		p.jsfns[i] = &function{name: f.Name.Name, nparams: len(f.Params), pos: f.Name.Sp.Start}
	}
	for _, f := range checked.Files {
		c.setFile(f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *lang.FnDecl:
				c.fn(d)
			case *lang.JsFnDecl:
				c.jsFn(d)
			case *lang.WorkflowDecl:
				c.workflow(d)
			case *lang.TestDecl:
				c.test(d)
			}
		}
	}
	c.consts(checked)
	if !opts.NoOptimize {
		p.optimize()
	}
	return p, c.diags
}

type compiler struct {
	prog  *Program
	info  *lang.Info
	opts  Options
	file  string
	src   []byte
	diags lang.Diagnostics
	// frame is the checker's frame for the code being compiled.
	frame *lang.Frame
	// fnName names the enclosing function, for backtraces; owner names it
	// for coverage ("workflow w", "fn f").
	fnName, owner string
	// path is the static step path of the current statement; nrun counts
	// the steps within it.
	path string
	nrun int
}

func (c *compiler) setFile(f *lang.File) { c.file, c.src = f.Path, f.Src }

func (c *compiler) at(n lang.Node) at {
	return at{file: c.file, sp: n.Span(), text: c.text(n)}
}

// text returns a node's source text, shortened, for error messages.
func (c *compiler) text(n lang.Node) string {
	if n == nil {
		return ""
	}
	sp := n.Span()
	if c.src == nil || sp.End.Offset > len(c.src) || sp.Start.Offset >= sp.End.Offset {
		return ""
	}
	b := c.src[sp.Start.Offset:sp.End.Offset]
	if len(b) <= 60 {
		return string(b)
	}
	cut := 57 // cut before copying (a node's text may be megabytes), and between characters
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "..."
}

func (c *compiler) errorf(n lang.Node, format string, args ...any) {
	c.diags.Errorf(c.file, n.Span(), "compile", format, args...)
}

// internal reports a node the checker should have refused or resolved: a
// checker bug, which fails the compile loudly instead of running as null.
func (c *compiler) internal(n lang.Node, format string, args ...any) {
	c.errorf(n, "internal error: "+format+" (the checker let it through; please report it)", args...)
}

func (c *compiler) fn(d *lang.FnDecl) {
	sym := c.info.Defs[d.Name]
	f := c.prog.fns[sym.Index]
	frame := c.info.Frames[d]
	c.frame, c.fnName, c.owner = frame, d.Name.Name, "fn "+d.Name.Name
	f.file = c.file
	f.frameSize = len(frame.Slots)
	f.defaults = c.defaults(d.Params)
	f.body = c.block(d.Body.Stmts, "")
}

func (c *compiler) defaults(ps []*lang.Param) []expr {
	out := make([]expr, len(ps))
	any := false
	for i, p := range ps {
		if p.Default != nil {
			saved := c.frame
			c.frame = c.info.Frames[p]
			out[i] = c.expr(p.Default)
			c.frame = saved
			any = true
		}
	}
	if !any {
		return nil
	}
	return out
}

func (c *compiler) jsFn(d *lang.JsFnDecl) {
	sym := c.info.Defs[d.Name]
	f := c.prog.jsfns[sym.Index]
	f.file = c.file
	if c.opts.JS == nil {
		c.errorf(d.Name, "js fn %s cannot run: no JavaScript engine is configured", d.Name.Name)
		return
	}
	params := make([]string, len(d.Params))
	for i, p := range d.Params {
		params[i] = p.Name.Name
	}
	js, err := c.opts.JS.Compile(d.Name.Name, params, d.Code, c.file, d.CodePos)
	if err != nil {
		c.diags.Errorf(c.file, d.CodeSp, "js", "%v", err)
		return
	}
	f.js = js
}

func (c *compiler) workflow(d *lang.WorkflowDecl) {
	wi := c.info.Workflows[d]
	w := &workflow{name: d.Name.Name, file: c.file, decl: d, info: wi, kinds: map[string]bool{}}
	c.frame, c.fnName, c.owner = wi.Frame, "workflow "+d.Name.Name, "workflow "+d.Name.Name
	for _, t := range d.Triggers {
		switch t := t.(type) {
		case *lang.EventTrigger:
			pat, _ := t.Pattern.Static()
			et := eventTrigger{pattern: pat}
			if t.Where != nil {
				et.where, et.pos = c.expr(t.Where), t.Where.Span()
			}
			w.events = append(w.events, et)
			w.kinds["event"] = true
		case *lang.ParamTrigger:
			w.kinds[t.Kind] = true
		case *lang.ScheduleTrigger:
			w.kinds["schedule"] = true
			sc := Schedule{Workflow: w.name}
			sc.Cron, _ = t.Cron.Static()
			if t.TZ != nil {
				sc.TZ, _ = t.TZ.Static()
			}
			w.schedules = append(w.schedules, sc)
		case *lang.EveryTrigger:
			w.kinds["every"] = true
			w.schedules = append(w.schedules, Schedule{Workflow: w.name, Every: t.Every.Value})
		}
	}
	for _, tp := range wi.Params {
		ps := paramSpec{name: tp.Sym.Name, typ: tp.Type, slot: tp.Sym.Slot}
		if tp.Param.Default != nil {
			saved := c.frame
			c.frame = c.info.Frames[tp.Param]
			ps.def, ps.hasDef = c.expr(tp.Param.Default), true
			c.frame = saved
		}
		w.params = append(w.params, ps)
	}
	w.body = c.block(d.Body, "")
	w.frameSize = len(wi.Frame.Slots)
	c.prog.workflows[w.name] = w
}

// consts evaluates every const in dependency order.
func (c *compiler) consts(checked *lang.Program) {
	c.prog.consts = make([]Value, len(checked.Consts))
	th := c.prog.scratchThread()
	for i, cd := range checked.Consts {
		if f := fileOfDecl(checked, cd); f != nil {
			c.setFile(f)
		}
		c.frame, c.fnName = c.info.Frames[cd], "const "+cd.Name.Name
		x := c.expr(cd.Value)
		v, err := x.eval(th, newFrame(0, nil))
		if err != nil {
			c.diags.Errorf(c.file, cd.Value.Span(), "const", "const %s: %v", cd.Name.Name, errMsg(err))
			continue
		}
		c.prog.consts[i] = v
	}
}

func errMsg(err error) string {
	if e, ok := AsError(err); ok {
		return e.Msg
	}
	return err.Error()
}

func fileOfDecl(p *lang.Program, d lang.Decl) *lang.File {
	for _, f := range p.Files {
		for _, x := range f.Decls {
			if x == d {
				return f
			}
		}
	}
	return nil
}

// block compiles statements; path is the static step path of the block.
func (c *compiler) block(stmts []lang.Stmt, path string) []stmt {
	out := make([]stmt, 0, len(stmts))
	for i, s := range stmts {
		saved, savedN := c.path, c.nrun
		c.path, c.nrun = path+strconv.Itoa(i), 0
		out = append(out, c.stmt(s))
		c.path, c.nrun = saved, savedN
	}
	return out
}

func (c *compiler) slotOf(id *lang.Ident) int {
	return c.info.Defs[id].Slot
}

func (c *compiler) stmt(s lang.Stmt) stmt {
	base := c.path + "."
	switch s := s.(type) {
	case *lang.LetStmt:
		return &letStmt{slot: c.slotOf(s.Name), x: c.letValue(s)}
	case *lang.AssignStmt:
		return c.assign(s)
	case *lang.ExprStmt:
		return &exprStmt{x: c.expr(s.X)}
	case *lang.WhenStmt:
		w := &whenStmt{route: c.whenRoutes(s, base)}
		for i, br := range s.Branches {
			w.conds = append(w.conds, c.expr(br.Cond))
			a := c.at(br.Cond)
			w.ats = append(w.ats, &a)
			w.bodies = append(w.bodies, c.block(br.Body.Stmts, fmt.Sprintf("%sw%d.", base, i)))
		}
		if s.Else != nil {
			w.els = c.block(s.Else.Stmts, base+"e.")
		}
		return w
	case *lang.ParallelStmt:
		p := &parallelStmt{route: int32(len(c.prog.routes))}
		for i, br := range s.Body.Stmts {
			bp := fmt.Sprintf("%sp%d", base, i)
			c.route(s, RouteBranch, br.Span(), bp)
			if bs, ok := br.(*lang.BlockStmt); ok {
				p.branches = append(p.branches, c.block(bs.Block.Stmts, bp+"."))
			} else {
				saved := c.path
				c.path, c.nrun = bp, 0
				p.branches = append(p.branches, []stmt{c.stmt(br)})
				c.path = saved
			}
			p.keys = append(p.keys, "/p"+strconv.Itoa(i))
		}
		return p
	case *lang.ForStmt:
		return c.forStmt(s, base)
	case *lang.TryStmt:
		t := &tryStmt{body: c.block(s.Body.Stmts, base+"t."), errSlot: -1, route: c.route(s, RouteCatch, s.Catch.Sp, base+"c")}
		if s.Err != nil {
			t.errSlot = c.slotOf(s.Err)
		}
		t.catch = c.block(s.Catch.Stmts, base+"c.")
		return t
	case *lang.OutputStmt:
		return &outputStmt{at: c.at(s), m: c.mapLit(s.Value)}
	case *lang.FailStmt:
		return &failStmt{at: c.at(s), x: c.expr(s.Reason)}
	case *lang.StopStmt:
		return &stopStmt{}
	case *lang.LogStmt:
		return &logStmt{at: c.at(s), x: c.expr(s.Message), path: c.path + "~log"}
	case *lang.EmitStmt:
		e := &emitStmt{at: c.at(s), name: c.expr(s.Name), path: c.path + "~emit"}
		if s.Payload != nil {
			e.payload = c.mapLit(s.Payload)
		}
		return e
	case *lang.ReturnStmt:
		r := &returnStmt{}
		if s.Value != nil {
			r.x = c.expr(s.Value)
		}
		return r
	case *lang.BlockStmt:
		return &blockStmt{body: c.block(s.Block.Stmts, base+"b.")}
	}
	c.internal(s, "cannot compile a statement %T", s)
	return &blockStmt{}
}

// letValue compiles a let's value; `let e = wait event … where e.…` gives
// the filter its own frame.
func (c *compiler) letValue(s *lang.LetStmt) expr {
	return c.expr(s.Value)
}

func (c *compiler) forStmt(s *lang.ForStmt, base string) stmt {
	f := &forStmt{at: c.at(s.Iter), keySlot: -1, parallel: s.Parallel, route: c.route(s, RouteLoop, s.Body.Sp, base+"f")}
	f.iter = c.expr(s.Iter)
	if s.Parallel {
		if s.Limit != nil {
			f.limit = c.expr(s.Limit)
		}
		saved := c.frame
		c.frame = c.info.Frames[s]
		f.frameSize = len(c.frame.Slots)
		if s.Key != nil {
			f.keySlot = c.slotOf(s.Key)
		}
		f.valSlot = c.slotOf(s.Value)
		f.body = c.block(s.Body.Stmts, base+"f.")
		c.frame = saved
		return f
	}
	if s.Key != nil {
		f.keySlot = c.slotOf(s.Key)
	}
	f.valSlot = c.slotOf(s.Value)
	f.body = c.block(s.Body.Stmts, base+"f.")
	return f
}

func (c *compiler) assign(s *lang.AssignStmt) stmt {
	a := &assignStmt{at: c.at(s), x: c.expr(s.Value)}
	var path []pathElem
	root := s.Target
	for {
		switch t := root.(type) {
		case *lang.SelectorExpr:
			path = append([]pathElem{{name: t.Name.Name}}, path...)
			root = t.X
			continue
		case *lang.IndexExpr:
			path = append([]pathElem{{index: c.expr(t.Index)}}, path...)
			root = t.X
			continue
		}
		break
	}
	ref := c.info.Refs[root.(*lang.Ident)]
	a.hops, a.slot, a.path = ref.Hops, ref.Sym.Slot, path
	return a
}
