package repl

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// Session is the language state of a REPL, without any input or output:
// the declarations in force (from entries and loaded files), the names
// entries bound and their values, and the bound event. Each entry is
// checked against the declarations and names, compiled and run; only an
// entry that passes the checker changes the declarations.
type Session struct {
	eng    *runtime.Engine
	lib    interp.Library
	js     interp.JSEngine
	clock  interp.Clock
	dryRun bool
	id     string

	// units are the sources of the declarations in force, oldest first;
	// each file's Decls holds only its declarations not redefined since.
	units   []*lang.File
	names   []string // session names, in the order they were first bound
	values  map[string]interp.Value
	sources map[string][]byte
	secrets []string
	event   *runtime.Event
	loaded  *runtime.Loaded
	seq     uint64
}

// Result is the value of one expression statement, with its static type.
type Result struct {
	Stmt  *lang.ExprStmt
	Value interp.Value
	Type  lang.Type
}

// Quiet reports whether the value is not worth printing: that of a time
// wait (always null), whose step line says it all.
func (r Result) Quiet() bool {
	_, wait := r.Stmt.X.(*lang.WaitExpr)
	return wait
}

// Outcome is what one entry did.
type Outcome struct {
	// Diags are the checker's findings; with an error nothing ran.
	Diags lang.Diagnostics
	// Values are the values of the entry's expression statements that ran.
	Values []Result
	// Outputs holds what output statements added.
	Outputs *interp.Map
	// Err is the runtime error that ended the entry, if any.
	Err *interp.Error
	// Trace lists the entry's steps and log lines in the order they
	// happened.
	Trace []Event
}

// Event is one step or one log line of an entry: exactly one field is set.
type Event struct {
	Step *interp.StepRecord
	Log  *interp.LogLine
}

// Failed reports whether the entry was rejected or failed.
func (o *Outcome) Failed() bool { return o.Diags.HasErrors() || o.Err != nil }

// NewSession makes an empty session that runs entries with the engine's
// library and services. The clock is the engine's (the real clock when
// nil); id names the session in run ids, so idempotency keys of different
// sessions differ.
func NewSession(eng *runtime.Engine, js interp.JSEngine, clock interp.Clock, dryRun bool, id string) *Session {
	if clock == nil {
		clock = interp.RealClock{}
	}
	return &Session{eng: eng, lib: eng.Lib, js: js, clock: clock, dryRun: dryRun, id: id,
		values: map[string]interp.Value{}, sources: map[string][]byte{}}
}

// Source returns the text of an entry or a loaded file (for termdiag.Renderer).
func (s *Session) Source(path string) []byte { return s.sources[path] }

// Secrets returns the values secret() returned so far, which printed text
// must not show.
func (s *Session) Secrets() []string { return s.secrets }

// Names returns the session's names in the order they were bound.
func (s *Session) Names() []string { return s.names }

// Value returns a session name's value.
func (s *Session) Value(name string) (interp.Value, bool) {
	v, ok := s.values[name]
	return v, ok
}

// Event returns the bound event, nil when none is.
func (s *Session) Event() *runtime.Event { return s.event }

// Reset forgets every declaration, name and the bound event.
func (s *Session) Reset() {
	s.units, s.names, s.event, s.loaded = nil, nil, nil, nil
	s.values = map[string]interp.Value{}
}

// Eval parses, checks and runs one entry named path.
// An entry that starts with { and only parses as a map literal, such as
// {a: 1}, is read as one (at the start of a statement { opens a block).
func (s *Session) Eval(ctx context.Context, path, src string) *Outcome {
	entry, diags := lang.ParseEntry(path, src)
	if diags.HasErrors() && strings.HasPrefix(strings.TrimSpace(src), "{") {
		if e2, d2 := lang.ParseEntry(path, "("+src+")"); !d2.HasErrors() {
			entry, diags, src = e2, d2, "("+src+")"
		}
	}
	s.sources[path] = []byte(src)
	out := &Outcome{Diags: diags}
	if diags.HasErrors() {
		return out
	}
	f := &lang.File{Path: path, Src: []byte(src), Decls: entry.Decls}
	var add []*lang.File
	if len(entry.Decls) > 0 {
		add = append(add, f)
	}
	p, diags := s.prepare(f, entry.Stmts, add)
	out.Diags = append(out.Diags, diags...)
	if p == nil {
		return out
	}
	s.commit(p)
	if len(entry.Stmts) > 0 {
		s.run(ctx, p, out)
	}
	return out
}

// Load adds the declarations of files (a file loaded again replaces its
// earlier version). Nothing changes when they have errors.
func (s *Session) Load(files []*lang.File) lang.Diagnostics {
	var diags lang.Diagnostics
	for _, f := range files {
		s.sources[f.Path] = f.Src
	}
	if len(files) == 0 {
		return nil
	}
	p, cd := s.prepare(&lang.File{Path: files[0].Path, Src: files[0].Src}, nil, files)
	diags = append(diags, cd...)
	if p != nil {
		s.commit(p)
	}
	return diags
}

// prepared is an entry that passed the checker and compiled.
type prepared struct {
	files   []*lang.File
	checked *lang.Program
	si      *lang.SessionInfo
	sess    *interp.Session
}

// prepare checks and compiles stmts against the declarations in force
// with add merged in. It returns nil when there are errors. Warnings are
// kept only for the new sources: older ones were shown when they came in.
func (s *Session) prepare(entry *lang.File, stmts []lang.Stmt, add []*lang.File) (*prepared, lang.Diagnostics) {
	files := s.merge(add)
	vars := make([]lang.SessionVar, len(s.names))
	for i, n := range s.names {
		vars[i] = lang.SessionVar{Name: n, Type: typeOf(s.values[n])}
	}
	checked, si, all := lang.CheckSession(files, entry, stmts, vars, s.lib)
	fresh := map[string]bool{entry.Path: true}
	for _, f := range add {
		fresh[f.Path] = true
	}
	var diags lang.Diagnostics
	for _, d := range all {
		if d.Severity == lang.Error || fresh[d.File] {
			diags = append(diags, s.hint(d))
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	sess, cd := interp.CompileSession(checked, si, s.lib, interp.Options{JS: s.js})
	diags = append(diags, cd...)
	if cd.HasErrors() {
		return nil, diags
	}
	return &prepared{files: files, checked: checked, si: si, sess: sess}, diags
}

// hint adds REPL advice to a diagnostic.
func (s *Session) hint(d *lang.Diagnostic) *lang.Diagnostic {
	if d.Code == "undefined" && (d.Message == "undefined name trigger" || d.Message == "undefined name event") {
		d.Hint("bind trigger and event from a webhook payload with :event FILE.json")
	}
	return d
}

// merge returns the declaration files in force with add merged in: a file
// with the path of an added one is dropped, and so is every declaration
// an added file declares again.
func (s *Session) merge(add []*lang.File) []*lang.File {
	paths := map[string]bool{}
	names := map[string]bool{}
	for _, f := range add {
		paths[f.Path] = true
		for _, d := range f.Decls {
			names[declKey(d)] = true
		}
	}
	var out []*lang.File
	for _, u := range s.units {
		if paths[u.Path] {
			continue
		}
		var kept []lang.Decl
		for _, d := range u.Decls {
			if !names[declKey(d)] {
				kept = append(kept, d)
			}
		}
		if len(kept) > 0 {
			nf := *u
			nf.Decls = kept
			out = append(out, &nf)
		}
	}
	return append(out, add...)
}

// declKey names a declaration; workflows have names of their own.
func declKey(d lang.Decl) string {
	name := ""
	if id := d.DeclName(); id != nil {
		name = id.Name
	}
	if _, ok := d.(*lang.WorkflowDecl); ok {
		return "workflow " + name
	}
	return name
}

// commit makes a prepared entry's declarations the session's.
func (s *Session) commit(p *prepared) {
	s.units = p.files
	s.loaded = &runtime.Loaded{Files: p.files, Checked: p.checked, Program: p.sess.Program(), Sources: s.sources}
}

// run runs a prepared entry and carries its names over.
func (s *Session) run(ctx context.Context, p *prepared, out *Outcome) {
	var mu sync.Mutex // parallel branches report at once
	trace := func(ev Event) {
		mu.Lock()
		out.Trace = append(out.Trace, ev)
		mu.Unlock()
	}
	host := &interp.MemHost{Clock: s.clock, DryRun: s.dryRun, SkipWaits: true,
		OnStep: func(r *interp.StepRecord) { trace(Event{Step: r}) },
		OnLog:  func(l *interp.LogLine) { trace(Event{Log: l}) }}
	s.seq++
	vals := make([]interp.Value, len(p.si.Vars))
	for i, sym := range p.si.Vars {
		vals[i] = s.values[sym.Name]
	}
	res := p.sess.Run(ctx, interp.RunRequest{Host: host, Clock: s.clock, Env: s.eng.Env(s.loaded, s.dryRun),
		RunID: fmt.Sprintf("%s_%d", s.id, s.seq), Seed: s.seq}, vals)
	for _, v := range res.Values {
		out.Values = append(out.Values, Result{Stmt: v.Stmt, Value: v.Value, Type: p.si.Types[v.Stmt]})
	}
	out.Outputs, out.Err = res.Outputs, res.Err
	syms := make([]*lang.Symbol, 0, len(p.si.Final))
	for _, sym := range p.si.Final {
		syms = append(syms, sym)
	}
	sort.Slice(syms, func(i, j int) bool { return syms[i].Slot < syms[j].Slot })
	for _, sym := range syms {
		if v, ok := res.Vars[sym.Name]; ok {
			s.set(sym.Name, v)
		}
	}
	s.addSecrets(res.Secrets)
}

// set binds a session name.
func (s *Session) set(name string, v interp.Value) {
	if _, ok := s.values[name]; !ok {
		s.names = append(s.names, name)
	}
	s.values[name] = v
}

func (s *Session) addSecrets(secrets []string) {
	for _, x := range secrets {
		known := false
		for _, y := range s.secrets {
			known = known || x == y
		}
		if !known {
			s.secrets = append(s.secrets, x)
		}
	}
}

// TypeOf checks a single expression and returns its static type. When
// that leaves more than one kind open and the expression performs no step
// and waits for nothing, it is evaluated too and its value returned (ok
// set); the session does not change.
func (s *Session) TypeOf(ctx context.Context, path, src string) (lang.Type, interp.Value, bool, lang.Diagnostics) {
	s.sources[path] = []byte(src)
	entry, diags := lang.ParseEntry(path, src)
	if diags.HasErrors() {
		return 0, nil, false, diags
	}
	es, ok := singleExpr(entry)
	if !ok {
		diags.Errorf(path, lang.Span{}, "repl", ":type takes one expression")
		return 0, nil, false, diags
	}
	f := &lang.File{Path: path, Src: []byte(src)}
	p, cd := s.prepare(f, entry.Stmts, nil)
	diags = append(diags, cd...)
	if p == nil {
		return 0, nil, false, diags
	}
	t := p.si.Types[es]
	if t&(t-1) == 0 || hasEffects(es) {
		return t, nil, false, diags
	}
	vals := make([]interp.Value, len(p.si.Vars))
	for i, sym := range p.si.Vars {
		vals[i] = s.values[sym.Name]
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res := p.sess.Run(ctx, interp.RunRequest{Host: interp.NopHost{}, Clock: s.clock, Env: s.eng.Env(s.loaded, true)}, vals)
	if res.Err != nil || len(res.Values) != 1 {
		return t, nil, false, diags
	}
	return t, res.Values[0].Value, true, diags
}

func singleExpr(e *lang.Entry) (*lang.ExprStmt, bool) {
	if len(e.Decls) != 0 || len(e.Stmts) != 1 {
		return nil, false
	}
	es, ok := e.Stmts[0].(*lang.ExprStmt)
	return es, ok
}

// hasEffects reports whether evaluating n may perform a step or wait.
func hasEffects(n lang.Node) bool {
	found := false
	lang.Inspect(n, func(x lang.Node) bool {
		switch x.(type) {
		case *lang.RunExpr, *lang.WaitExpr, *lang.WaitEventExpr:
			found = true
		}
		return !found
	})
	return found
}

// typeOf is the static type a session name gets from its value: its exact
// kind, or any for null (a placeholder bound before its real value).
func typeOf(v interp.Value) lang.Type {
	if v == nil {
		return lang.TAny
	}
	return interp.ValueType(v)
}
