package interp

import (
	"context"
	"math/rand/v2"
	"strconv"

	"github.com/wf-lang/wf/lang"
)

// This file is the interpreter's side of a REPL session (package repl): one
// entry's statements, checked by lang.CheckSession, compiled as a synthetic
// workflow and run with the session's values in the first slots of its
// frame; the frame's final values and the values of the top-level
// expression statements are handed back.

// Session is one compiled REPL entry: the program of the session's
// declarations and the entry's statements. Run it once per entry.
type Session struct {
	prog *Program
	info *lang.SessionInfo
	wf   *workflow
	// exprs lists the top-level expression statements in order; the value
	// of exprs[i] is kept in slot base+i of the frame.
	exprs []*lang.ExprStmt
	base  int
}

// SessionValue is the value of one top-level expression statement.
type SessionValue struct {
	Stmt  *lang.ExprStmt
	Value Value
}

// SessionResult is how an entry ended.
type SessionResult struct {
	*RunResult
	// Values holds the value of each top-level expression statement that
	// ran, in order.
	Values []SessionValue
	// Vars holds the value of each name of SessionInfo.Final at the end of
	// the entry; a let the entry did not reach (it failed first) is left out.
	Vars map[string]Value
}

// notEvaluated marks the slot of an expression statement that did not run.
type notEvaluated struct{}

// CompileSession compiles a program checked by lang.CheckSession together
// with the entry's statements. The program must have no errors.
func CompileSession(checked *lang.Program, si *lang.SessionInfo, lib Library, opts Options) (*Session, lang.Diagnostics) {
	prog, diags := Compile(checked, lib, opts)
	s := &Session{prog: prog, info: si, base: len(si.Frame.Slots)}
	c := &compiler{prog: prog, info: checked.Info, opts: opts}
	c.setFile(si.File)
	c.frame, c.fnName = si.Frame, "workflow "+lang.SessionWorkflow
	w := &workflow{name: lang.SessionWorkflow, file: si.File.Path, decl: si.Workflow,
		info: checked.Info.Workflows[si.Workflow], kinds: map[string]bool{}}
	for i, st := range si.Workflow.Body {
		c.path, c.nrun = strconv.Itoa(i), 0
		es, ok := st.(*lang.ExprStmt)
		if _, typed := si.Types[es]; ok && typed {
			w.body = append(w.body, &valueStmt{x: c.expr(es.X), slot: s.base + len(s.exprs)})
			s.exprs = append(s.exprs, es)
			continue
		}
		w.body = append(w.body, c.stmt(st))
	}
	w.frameSize = s.base + len(s.exprs)
	if !opts.NoOptimize {
		optStmts(w.body)
	}
	s.wf = w
	diags = append(diags, c.diags...)
	return s, diags
}

// Program returns the compiled program of the session's declarations.
func (s *Session) Program() *Program { return s.prog }

// valueStmt runs a top-level expression statement and keeps its value.
type valueStmt struct {
	x    expr
	slot int
}

func (s *valueStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	fr.slots[s.slot] = v
	return ctrlNext, nil
}

// Run runs the entry. vars are the values of SessionInfo.Vars, in order
// (missing ones are null); req.Workflow, Trigger and Event are ignored
// (trigger and event are session names like any other). Like Program.Run
// it never panics: an internal failure becomes a failed result.
func (s *Session) Run(ctx context.Context, req RunRequest, vars []Value) *SessionResult {
	clock := req.Clock
	if clock == nil {
		clock = RealClock{}
	}
	start := req.Start
	if start.IsZero() {
		start = clock.Now()
	}
	res := &SessionResult{RunResult: &RunResult{Started: start, Outputs: NewMap(0)}, Vars: map[string]Value{}}
	limits := DefaultLimits
	if req.Limits != nil {
		limits = *req.Limits
	}
	host := req.Host
	if host == nil {
		host = NopHost{}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rs := &runState{prog: s.prog, wf: s.wf, host: host, clock: clock, limits: limits, env: req.Env,
		runID: req.RunID, seed: req.Seed, started: clock.Now(), outputs: res.Outputs, ctx: ctx, cancel: cancel}
	th := &Thread{run: rs, ctx: ctx, now: start, rng: rand.New(rand.NewPCG(req.Seed, 0x5746)), fnName: s.wf.name}
	fr := newFrame(s.wf.frameSize, nil)
	copy(fr.slots[:min(len(vars), len(s.info.Vars))], vars)
	for _, v := range vars {
		if HoldsSecret(v) {
			rs.secretsSeen.Store(true) // a secret() of an earlier entry
			break
		}
	}
	for i := s.base; i < len(fr.slots); i++ {
		fr.slots[i] = notEvaluated{}
	}
	for _, sym := range s.info.Final {
		if sym.Frame == s.info.Frame && sym.Slot >= len(s.info.Vars) && sym.Slot < s.base {
			fr.slots[sym.Slot] = notEvaluated{} // a let the entry may not reach
		}
	}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = errorf(KindValue, "internal error: %v", r)
			}
		}()
		_, err = execBlock(th, fr, s.wf.body)
		return err
	}()
	res.Finished = th.now
	rs.mu.Lock()
	res.Secrets = append([]string(nil), rs.secrets...)
	rs.mu.Unlock()
	s.collect(res, fr)
	res.Status = StatusCompleted
	if err != nil {
		res.Status = StatusFailed
		re, ok := AsError(err)
		if !ok {
			re = &Error{Kind: KindValue, Msg: err.Error(), Cause: err}
		}
		if re.File == "" {
			re.File = s.wf.file
		}
		re.Msg = Redact(res.Secrets, re.Msg)
		res.Err = re
	}
	return res
}

// collect reads the expression values and the final names from the frame.
func (s *Session) collect(res *SessionResult, fr *frame) {
	for i, es := range s.exprs {
		if v := fr.slots[s.base+i]; !isNotEvaluated(v) {
			res.Values = append(res.Values, SessionValue{Stmt: es, Value: v})
		}
	}
	for name, sym := range s.info.Final {
		if sym.Frame == s.info.Frame && sym.Slot < s.base && !isNotEvaluated(fr.slots[sym.Slot]) {
			res.Vars[name] = fr.slots[sym.Slot]
		}
	}
}

func isNotEvaluated(v Value) bool {
	_, ok := v.(notEvaluated)
	return ok
}
