package interp

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// ctrl says how a statement ended.
type ctrl uint8

const (
	ctrlNext   ctrl = iota // go on with the next statement
	ctrlStop               // stop: end the run as completed
	ctrlReturn             // return from a fn (the value is in the frame)
)

// stmt is a compiled statement.
type stmt interface {
	exec(th *Thread, fr *frame) (ctrl, error)
}

// execBlock runs statements in order, counting each against the limits.
func execBlock(th *Thread, fr *frame, body []stmt) (ctrl, error) {
	for _, s := range body {
		if err := th.tick(); err != nil {
			return ctrlNext, err
		}
		c, err := s.exec(th, fr)
		if err != nil || c != ctrlNext {
			return c, err
		}
	}
	return ctrlNext, nil
}

type letStmt struct {
	slot int
	x    expr
}

func (s *letStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	fr.slots[s.slot] = v
	return ctrlNext, nil
}

// pathElem is one step of an assignment target below its root: a field
// name or an index.
type pathElem struct {
	name  string
	index expr
}

// assignStmt sets a local, or a field or element inside one. Lists and maps
// are immutable, so `m.a.b = v` rebuilds the maps along the path and rebinds
// m: other names holding the old map do not change.
type assignStmt struct {
	at
	hops, slot int
	path       []pathElem
	x          expr
}

func (s *assignStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	target := fr
	for i := 0; i < s.hops; i++ {
		target = target.parent
	}
	if len(s.path) == 0 {
		target.slots[s.slot] = v
		return ctrlNext, nil
	}
	nv, err := s.set(th, fr, target.slots[s.slot], 0, v)
	if err != nil {
		return ctrlNext, err
	}
	target.slots[s.slot] = nv
	return ctrlNext, nil
}

func (s *assignStmt) set(th *Thread, fr *frame, cur Value, i int, v Value) (Value, error) {
	if i == len(s.path) {
		return v, nil
	}
	el := s.path[i]
	if el.index == nil {
		m, ok := cur.(*Map)
		if !ok {
			if cur == nil {
				m = NewMap(1)
			} else {
				return nil, s.errorf(KindType, "cannot set field %s of %s", el.name, TypeName(cur))
			}
		}
		old, _ := m.Get(el.name)
		nv, err := s.set(th, fr, old, i+1, v)
		if err != nil {
			return nil, err
		}
		if err := th.Charge(int64(m.Len()) / mapEntriesPerUnit); err != nil {
			return nil, s.fail(err)
		}
		return m.With(el.name, nv), nil
	}
	idx, err := el.index.eval(th, fr)
	if err != nil {
		return nil, err
	}
	switch c := cur.(type) {
	case *Map:
		if _, ok := idx.(*Secret); ok {
			return nil, s.errorf(KindValue, "a secret cannot be a map key: keys are recorded as they are")
		}
		k, ok := idx.(string)
		if !ok {
			return nil, s.errorf(KindType, "a map key must be a string, got %s", TypeName(idx))
		}
		old, _ := c.Get(k)
		nv, err := s.set(th, fr, old, i+1, v)
		if err != nil {
			return nil, err
		}
		if err := th.Charge(int64(c.Len()) / mapEntriesPerUnit); err != nil {
			return nil, s.fail(err)
		}
		return c.With(k, nv), nil
	case *List:
		n, ok := idx.(int64)
		if !ok {
			return nil, s.errorf(KindType, "a list index must be an int, got %s", TypeName(idx))
		}
		if n < 0 {
			n += int64(len(c.Elems))
		}
		if n < 0 || n >= int64(len(c.Elems)) {
			return nil, s.errorf(KindValue, "index %d is out of range (the list has %d elements)", idx, len(c.Elems))
		}
		nv, err := s.set(th, fr, c.Elems[n], i+1, v)
		if err != nil {
			return nil, err
		}
		if err := th.chargeCopy(len(c.Elems) * elemBytes); err != nil {
			return nil, s.fail(err)
		}
		out := append([]Value(nil), c.Elems...)
		out[n] = nv
		return NewList(out), nil
	case nil:
		return nil, s.errorf(KindNull, "cannot set an element of null")
	}
	return nil, s.errorf(KindType, "cannot index %s", TypeName(cur))
}

type exprStmt struct{ x expr }

func (s *exprStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	_, err := s.x.eval(th, fr)
	return ctrlNext, err
}

type whenStmt struct {
	conds  []expr
	ats    []*at
	bodies [][]stmt
	els    []stmt
	// route is the ID of the first route's coverage counter; the else (or
	// "no route matched") is route+len(conds).
	route int32
}

func (s *whenStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	for i, c := range s.conds {
		v, err := c.eval(th, fr)
		if err != nil {
			return ctrlNext, err
		}
		b, ok := v.(bool)
		if !ok {
			return ctrlNext, s.ats[i].boolErr(v, "a when condition")
		}
		if b {
			th.took(s.route + int32(i))
			return execBlock(th, fr, s.bodies[i])
		}
	}
	th.took(s.route + int32(len(s.conds)))
	if s.els != nil {
		return execBlock(th, fr, s.els)
	}
	return ctrlNext, nil
}

// errStop carries a stop out of a parallel branch.
var errStop = errors.New("stop")

// runBranches runs n branches at once and waits for all. The first branch
// to fail cancels the others and its error is the result; a stop in any
// branch stops them all and the run.
func runBranches(th *Thread, n, limit int, each func(child *Thread, i int) (ctrl, error), iterKey func(i int) (iter, branch string)) (ctrl, error) {
	ctx, cancel := context.WithCancelCause(th.ctx)
	defer cancel(nil)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		first   error
		stopped bool
		parked  *Parked
		latest  = th.now
	)
	sem := make(chan struct{}, max(1, limit))
	for i := 0; i < n; i++ {
		if limit > 0 {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		iter, branch := iterKey(i)
		child := th.child(ctx, iter, branch)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() {
				if limit > 0 {
					<-sem
				}
			}()
			c, err := safeBranch(func() (ctrl, error) { return each(child, i) })
			mu.Lock()
			defer mu.Unlock()
			if child.now.After(latest) {
				latest = child.now
			}
			if p, ok := AsParked(err); ok {
				// A parked branch does not stop the others: they run on
				// until they end or park too, so the run parks only once
				// nothing more can happen without a wake-up.
				parked = mergeParked(parked, p)
				return
			}
			switch {
			case err != nil && first == nil && !stopped:
				first = err
				cancel(err)
			case err == nil && c == ctrlStop && first == nil:
				stopped = true
				cancel(errStop)
			}
		}(i)
	}
	wg.Wait()
	th.now = latest
	if first != nil {
		return ctrlNext, first
	}
	if stopped {
		return ctrlStop, nil
	}
	if th.ctx.Err() != nil {
		return ctrlNext, th.cancelled()
	}
	if parked != nil {
		return ctrlNext, parked
	}
	return ctrlNext, nil
}

// safeBranch turns a panic in a branch into an internal error, so one bad
// branch cannot take the process down.
func safeBranch(f func() (ctrl, error)) (c ctrl, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = internalError(r)
		}
	}()
	return f()
}

type parallelStmt struct {
	branches [][]stmt
	keys     []string
	route    int32 // the first branch's coverage counter
}

func (s *parallelStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	return runBranches(th, len(s.branches), 0, func(child *Thread, i int) (ctrl, error) {
		child.took(s.route + int32(i))
		return execBlock(child, fr, s.branches[i])
	}, func(i int) (string, string) { return th.iter, s.keys[i] })
}

// forStmt is a sequential for loop; parForStmt runs iterations at once.
type forStmt struct {
	at
	keySlot, valSlot int // keySlot -1 when there is one name
	iter             expr
	body             []stmt
	parallel         bool
	limit            expr
	frameSize        int
	route            int32 // the body's coverage counter
}

// items lists a loop's (key, value) pairs.
func (s *forStmt) items(th *Thread, fr *frame) ([]Value, []Value, error) {
	v, err := s.iter.eval(th, fr)
	if err != nil {
		return nil, nil, err
	}
	var keys, vals []Value
	switch c := v.(type) {
	case *List:
		vals = c.Elems
		if s.keySlot >= 0 {
			keys = make([]Value, len(vals))
			for i := range vals {
				keys[i] = int64(i)
			}
		}
	case *Map:
		keys = make([]Value, c.Len())
		vals = make([]Value, c.Len())
		for i, k := range c.keys {
			keys[i], vals[i] = k, c.vals[i]
		}
		if s.keySlot < 0 {
			vals = keys
		}
	case string, *Secret:
		text, _ := stringOf(c)
		i := int64(0)
		for _, r := range text {
			if sec, ok := c.(*Secret); ok {
				vals = append(vals, &Secret{text: string(r), names: sec.names})
			} else {
				vals = append(vals, string(r))
			}
			keys = append(keys, i)
			i++
		}
	case nil:
		return nil, nil, s.errorf(KindNull, "cannot loop over null: %s is null", s.text)
	default:
		return nil, nil, s.errorf(KindType, "cannot loop over %s", TypeName(v))
	}
	if len(vals) > th.run.limits.MaxIterations {
		return nil, nil, s.errorf(KindLimit, "the loop has %d items (the limit is %d)", len(vals), th.run.limits.MaxIterations)
	}
	return keys, vals, nil
}

func (s *forStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	keys, vals, err := s.items(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	if len(vals) > 0 {
		th.took(s.route)
	}
	if s.parallel {
		return s.execParallel(th, fr, keys, vals)
	}
	saved := th.iter
	defer func() { th.iter = saved }()
	for i, v := range vals {
		th.iter = saved + "[" + strconv.Itoa(i) + "]"
		if s.keySlot >= 0 {
			fr.slots[s.keySlot] = keys[i]
		}
		fr.slots[s.valSlot] = v
		c, err := execBlock(th, fr, s.body)
		if err != nil || c != ctrlNext {
			return c, err
		}
	}
	return ctrlNext, nil
}

func (s *forStmt) execParallel(th *Thread, fr *frame, keys, vals []Value) (ctrl, error) {
	limit := 0
	if s.limit != nil {
		v, err := s.limit.eval(th, fr)
		if err != nil {
			return ctrlNext, err
		}
		n, ok := v.(int64)
		if !ok || n < 1 {
			return ctrlNext, s.errorf(KindValue, "limit must be a positive int, got %s", brief(v))
		}
		limit = int(n)
	}
	base := th.iter
	return runBranches(th, len(vals), limit, func(child *Thread, i int) (ctrl, error) {
		body := newFrame(s.frameSize, fr)
		if s.keySlot >= 0 {
			body.slots[s.keySlot] = keys[i]
		}
		body.slots[s.valSlot] = vals[i]
		return execBlock(child, body, s.body)
	}, func(i int) (string, string) { return base + "[" + strconv.Itoa(i) + "]", "" })
}

type tryStmt struct {
	body    []stmt
	errSlot int // -1 when the catch names no variable
	catch   []stmt
	route   int32 // the catch's coverage counter
}

func (s *tryStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	c, err := execBlock(th, fr, s.body)
	if err == nil {
		return c, nil
	}
	re, ok := AsError(err)
	if !ok || !re.Catchable() || th.ctx.Err() != nil {
		return c, err
	}
	if s.errSlot >= 0 {
		fr.slots[s.errSlot] = re.Value()
	}
	th.took(s.route)
	return execBlock(th, fr, s.catch)
}

type outputStmt struct {
	at
	m *mapExpr
}

func (s *outputStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.m.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	m := v.(*Map)
	if err := th.checkMeasure(m, "the outputs"); err != nil {
		return ctrlNext, s.fail(err)
	}
	th.run.mu.Lock()
	for i, k := range m.keys {
		th.run.outputs.Set(k, m.vals[i])
	}
	th.run.mu.Unlock()
	for i, k := range m.keys {
		th.run.host.Output(th.ctx, k, m.vals[i])
	}
	return ctrlNext, nil
}

type failStmt struct {
	at
	x expr
}

func (s *failStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	msg, err := th.Text(v)
	if err != nil {
		return ctrlNext, s.fail(err)
	}
	return ctrlNext, s.errorf(KindFail, "%s", msg)
}

type stopStmt struct{}

func (s *stopStmt) exec(*Thread, *frame) (ctrl, error) { return ctrlStop, nil }

type logStmt struct {
	at
	x    expr
	path string
}

func (s *logStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	msg, err := th.Text(v)
	if err != nil {
		return ctrlNext, s.fail(err)
	}
	th.run.host.Log(th.ctx, &LogLine{Key: th.stepKey(s.path), Message: th.Redact(msg), Workflow: th.run.wf.name,
		File: s.file, Pos: s.sp.Start, At: th.now})
	return ctrlNext, nil
}

type emitStmt struct {
	at
	name    expr
	payload *mapExpr
	path    string
}

func (s *emitStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	n, err := s.name.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	name, ok := n.(string)
	if !ok || name == "" {
		return ctrlNext, s.errorf(KindType, "emit needs an event name, got %s", brief(n))
	}
	payload := NewMap(0)
	if s.payload != nil {
		v, err := s.payload.eval(th, fr)
		if err != nil {
			return ctrlNext, err
		}
		payload = v.(*Map)
		if err := th.checkMeasure(payload, "the payload of emit "+name); err != nil {
			return ctrlNext, s.fail(err)
		}
		if HoldsSecret(payload) {
			return ctrlNext, s.errorf(KindValue, "emit %s: the payload holds a secret, which an event cannot carry: "+
				"the runs it starts get their trigger from its record, which keeps only the secret's marker", name)
		}
	}
	if err := th.run.host.Emit(th.ctx, th.stepKey(s.path), name, payload); err != nil {
		return ctrlNext, s.fail(fmt.Errorf("emit %s: %w", name, err))
	}
	return ctrlNext, nil
}

type returnStmt struct{ x expr }

func (s *returnStmt) exec(th *Thread, fr *frame) (ctrl, error) {
	if s.x == nil {
		fr.ret = nil
		return ctrlReturn, nil
	}
	v, err := s.x.eval(th, fr)
	if err != nil {
		return ctrlNext, err
	}
	fr.ret = v
	return ctrlReturn, nil
}

type blockStmt struct{ body []stmt }

func (s *blockStmt) exec(th *Thread, fr *frame) (ctrl, error) { return execBlock(th, fr, s.body) }
