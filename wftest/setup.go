package wftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	wfrt "github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// runEnv is the library environment of a test run: Lists in memory, the
// test's secrets, and (with backend local) a local Persona backend in
// memory. It holds no HTTP client and no workflow runner: those steps are
// always mocked.
type runEnv struct {
	*stdlib.Env
	host    *host
	objects *persona.MemObjectStore
	local   *persona.Local
}

// newRunEnv builds a test run's environment; now is its clock (nil before
// the clock exists).
func newRunEnv(s *Suite, now func() time.Time) *runEnv {
	if now == nil {
		now = func() time.Time { return Epoch }
	}
	e := &runEnv{Env: &stdlib.Env{
		ListService: lists.NewService(lists.NewMemStore(lists.WithClock(now))),
		Secrets:     testSecrets{},
		JSEngine:    s.js,
	}, objects: persona.NewMemObjectStore()}
	return e
}

// testSecrets answers secret(name): the value the test's secrets clause
// gives, or else the name itself, so a test needs no real secret.
type testSecrets map[string]string

// Secret implements core.SecretSource.
func (s testSecrets) Secret(name string) (string, bool) {
	if v, ok := s[name]; ok {
		return v, true
	}
	return name, true
}

// trigger is what starts a test's run: an event, or inputs.
type trigger struct {
	event  *wfrt.Event
	inputs *interp.Map
	// scheduled marks a scheduled workflow started with no inputs: its
	// trigger gets scheduled_at, the test's now.
	scheduled bool
}

// setup prepares a run: the time, the trigger, the world and the mocks. It
// reports false, with failures, when the test cannot run.
func (c *caseRun) setup(ctx context.Context, row *interp.Map) bool {
	d := c.test.Decl
	var clk *interp.FakeClock
	c.env = newRunEnv(c.suite, func() time.Time {
		if clk == nil {
			return Epoch
		}
		return clk.Now()
	})
	scope, err := c.suite.Loaded.Program.NewTestScope(d, c.env, Epoch)
	if err != nil {
		c.fail(nil, "%v", err)
		return false
	}
	c.scope = scope
	scope.SetRow(row)
	n := len(c.result.Failures)
	if cl := d.Clause(lang.TestNow); cl != nil {
		if v, ok := c.eval(cl, cl.Value); ok {
			if c.now, err = toTime(v); err != nil {
				c.fail(cl, "now: %v", err)
			}
		}
	}
	c.trig = c.trigger()
	if c.now.IsZero() {
		c.now = Epoch
		if c.trig != nil && c.trig.event != nil && !c.trig.event.CreatedAt.IsZero() {
			c.now = c.trig.event.CreatedAt
		}
	}
	if c.trig != nil && c.trig.event != nil && c.trig.event.CreatedAt.IsZero() {
		c.trig.event.CreatedAt = c.now
	}
	if c.trig != nil && c.trig.scheduled {
		c.trig.inputs.Set("scheduled_at", c.now)
	}
	scope.SetNow(c.now)
	clk = interp.NewFakeClock(c.now)
	c.clock = clk
	c.host = newHost(c, clk)
	c.env.host = c.host
	c.world(ctx)
	c.host.mocks = c.mocks()
	c.host.deliveries = c.deliveries()
	return len(c.result.Failures) == n && c.trig != nil
}

// toTime reads now's value: a time, or a string in RFC 3339 or YYYY-MM-DD.
func toTime(v interp.Value) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v.UTC(), nil
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("%q is not a time: write \"2026-03-01T10:00:00Z\" or \"2026-03-01\"", v)
	}
	return time.Time{}, fmt.Errorf("needs a time, got %s", interp.TypeName(v))
}

// maxEventFile is the largest event file a test reads (as wf run --event).
const maxEventFile = 16 << 20

// trigger works out the event or inputs of the run; nil after a failure.
func (c *caseRun) trigger() *trigger {
	d := c.test.Decl
	prog := c.suite.Loaded.Program
	wf := c.suite.Loaded.Checked.Info.Tests[d].Workflow.Name.Name
	for _, cl := range d.Clauses {
		switch cl.Kind {
		case lang.TestEventFile:
			path, _ := cl.Str.Static()
			data, err := readfile.Read(c.relPath(path), maxEventFile)
			if err != nil {
				c.fail(cl, "event file: %v", err)
				return nil
			}
			ev, err := wfrt.DecodeEvent(data)
			if err != nil {
				c.fail(cl, "event file %s: %v", path, err)
				return nil
			}
			return &trigger{event: ev}
		case lang.TestEvent:
			name, _ := cl.Str.Static()
			v, ok := c.eval(cl, cl.Value)
			if !ok {
				return nil
			}
			obj, err := wfrt.DecodePayload(v)
			if err != nil {
				c.fail(cl, "event: %v", err)
				return nil
			}
			return &trigger{event: &wfrt.Event{Name: name, ID: "evt_test", Object: obj}}
		case lang.TestInputs:
			v, ok := c.eval(cl, cl.Value)
			if !ok {
				return nil
			}
			m, isMap := v.(*interp.Map)
			if !isMap {
				c.fail(cl, "inputs needs a map, got %s", interp.TypeName(v))
				return nil
			}
			in, err := prog.BindInputs(wf, m)
			if err != nil {
				c.fail(cl, "inputs: %v", err)
				return nil
			}
			return &trigger{inputs: in}
		}
	}
	in, err := prog.BindInputs(wf, nil)
	if err != nil {
		c.fail(nil, "inputs: %v", err)
		return nil
	}
	k := prog.TriggerKinds(wf)
	return &trigger{inputs: in, scheduled: (k["schedule"] || k["every"]) && in.Len() == 0}
}

// world loads the test's secrets, fixtures, Lists and Persona objects,
// and, with backend local, the trigger's object into the local backend.
func (c *caseRun) world(ctx context.Context) {
	e := c.env
	for _, cl := range c.test.Decl.Clauses {
		switch cl.Kind {
		case lang.TestBackend:
			var seq atomic.Int64
			local, err := persona.NewLocal(persona.Config{Store: e.objects, Lists: wfrt.NewListMatcher(e.ListService),
				Now: c.clock.Now, NewID: func(prefix string) string { return prefix + "_test" + strconv.FormatInt(seq.Add(1), 10) }})
			if err != nil {
				c.fail(cl, "%v", err)
				continue
			}
			e.local, e.PersonaClient = local, local
		case lang.TestSecrets:
			v, ok := c.eval(cl, cl.Value)
			m, isMap := v.(*interp.Map)
			if !ok || !isMap {
				continue
			}
			for _, k := range m.Keys() {
				val, _ := m.Get(k)
				e.Secrets.(testSecrets)[k] = interp.ToString(val)
			}
		case lang.TestFixtures:
			path, _ := cl.Str.Static()
			fx, err := wfrt.ReadFixtures(c.relPath(path))
			if err == nil {
				_, _, err = wfrt.ApplyFixtures(ctx, fx, e.ListService, e.objects)
			}
			if err != nil {
				c.fail(cl, "fixtures: %v", err)
			}
		case lang.TestList:
			c.list(ctx, cl)
		case lang.TestPersona:
			c.persona(ctx, cl)
		}
	}
	if ev := c.trig; e.local != nil && ev != nil && ev.event != nil && ev.event.Object != nil {
		obj, _ := interp.ToGo(ev.event.Object).(map[string]any)
		if _, ok := obj["id"].(string); ok {
			if _, ok := obj["type"].(string); ok {
				if _, err := e.local.Upsert(ctx, obj); err != nil {
					c.fail(nil, "saving the trigger's object for the local backend: %v", err)
				}
			}
		}
	}
}

// list loads `list "name" {kind: …, items: […]}`.
func (c *caseRun) list(ctx context.Context, cl *lang.TestClause) {
	name, _ := cl.Str.Static()
	v, ok := c.eval(cl, cl.Value)
	if !ok {
		return
	}
	m, isMap := v.(*interp.Map)
	kind, _ := m.Get("kind")
	items, _ := m.Get("items")
	ks, isStr := kind.(string)
	il, isList := items.(*interp.List)
	if !isMap || !isStr || !isList {
		c.fail(cl, "list %s needs {kind: \"ip_address\", items: […]}", name)
		return
	}
	fl := wfrt.FixtureList{Kind: ks}
	for _, it := range il.Elems {
		raw, err := interp.MarshalJSON(it)
		if err != nil {
			c.fail(cl, "list %s: %v", name, err)
			return
		}
		fl.Items = append(fl.Items, raw)
	}
	if err := wfrt.LoadFixtureList(ctx, c.env.ListService, name, fl); err != nil {
		c.fail(cl, "list %s: %v", name, err)
	}
}

// persona loads `persona OBJECT` (or a list of objects) for the local
// backend.
func (c *caseRun) persona(ctx context.Context, cl *lang.TestClause) {
	v, ok := c.eval(cl, cl.Value)
	if !ok {
		return
	}
	objs := []interp.Value{v}
	if l, isList := v.(*interp.List); isList {
		objs = l.Elems
	}
	for _, o := range objs {
		raw, err := interp.MarshalJSON(o)
		if err == nil {
			_, err = persona.LoadFixture(ctx, c.env.objects, bytes.NewReader(json.RawMessage(raw)))
		}
		if err != nil {
			c.fail(cl, "%v", err)
			return
		}
	}
}

// deliveries evaluates the events the test delivers to the run's waits.
func (c *caseRun) deliveries() []*delivery {
	var out []*delivery
	for _, cl := range c.test.Decl.Clauses {
		if cl.Kind != lang.TestDeliver {
			continue
		}
		name, _ := cl.Str.Static()
		v, ok := c.eval(cl, cl.Value)
		if !ok {
			continue
		}
		obj, err := wfrt.DecodePayload(v)
		if err != nil {
			c.fail(cl, "deliver event: %v", err)
			continue
		}
		at := c.now
		if cl.After != nil {
			a, ok := c.eval(cl, cl.After)
			d, isDur := a.(time.Duration)
			if !ok || !isDur || d < 0 {
				c.fail(cl, "after needs a duration of 0s or more")
				continue
			}
			at = at.Add(d)
		}
		ev := &wfrt.Event{Name: name, ID: "evt_delivered" + strconv.Itoa(len(out)+1), CreatedAt: at, Object: obj}
		out = append(out, &delivery{event: ev.Value(), at: at, clause: cl})
	}
	return out
}
