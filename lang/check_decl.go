package lang

import (
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

func (c *checker) params(ps []*Param) {
	seen := map[string]*Param{}
	for _, p := range ps {
		if prev, dup := seen[p.Name.Name]; dup {
			c.errorf(p.Name, "duplicate", "parameter %s is declared twice", p.Name.Name).
				Note(c.file, prev.Name.Sp, "first declared here")
			continue
		}
		seen[p.Name.Name] = p
		t := c.paramType(p)
		sym := c.bind(p.Name, p, t)
		sym.used = true // an unused parameter is part of the interface, not a mistake
	}
}

func (c *checker) paramType(p *Param) Type {
	t := TAny
	if p.Type != nil {
		pt, ok := ParseType(p.Type.Name)
		if !ok {
			d := c.errorf(p.Type, "type", "unknown type %s", p.Type.Name)
			if s := Suggest(p.Type.Name, TypeNames()); s != "" {
				d.Hint("did you mean %s?", s)
			} else {
				d.Hint("types are %s", strings.Join(TypeNames(), ", "))
			}
		} else {
			t = pt
		}
		if p.Type.Optional {
			t |= TNull
		}
	}
	if p.Default != nil {
		saved, savedFlags := c.scope, c.flags
		c.scope = &scope{parent: nil, frame: &Frame{Owner: p}}
		c.flags = inPure
		dt := c.expr(p.Default)
		c.info.Frames[p] = c.scope.frame
		c.scope, c.flags = saved, savedFlags
		if !t.Accepts(dt) && dt != TNull {
			c.errorf(p.Default, "type", "default of %s must be %s, got %s", p.Name.Name, t, dt)
		}
		t |= dt & TNull
	}
	return t
}

func (c *checker) fnDecl(f *FnDecl) {
	c.lets, c.decl = nil, f
	c.scope = &scope{}
	c.flags = inFn
	c.pushFrame(f, false)
	c.params(f.Params)
	c.block(f.Body.Stmts)
	c.popScope()
	c.scope = nil
}

func (c *checker) jsFnDecl(f *JsFnDecl) {
	seen := map[string]bool{}
	for _, p := range f.Params {
		if seen[p.Name.Name] {
			c.errorf(p.Name, "duplicate", "parameter %s is declared twice", p.Name.Name)
		}
		seen[p.Name.Name] = true
		if p.Default != nil {
			c.errorf(p.Default, "syntax", "js fn parameters cannot have defaults").
				Hint("handle a missing value in the JavaScript body")
		}
		if p.Type != nil {
			if _, ok := ParseType(p.Type.Name); !ok {
				c.errorf(p.Type, "type", "unknown type %s", p.Type.Name)
			}
		}
	}
	if strings.TrimSpace(f.Code) == "" {
		c.warnf(f.Name, "empty", "js fn %s has an empty body", f.Name.Name)
	}
}

func (c *checker) workflow(w *WorkflowDecl) {
	c.lets, c.decl = nil, w
	c.scope = &scope{}
	c.flags = inWorkflow
	frame := c.pushFrame(w, false)
	wi := &WorkflowInfo{Frame: frame}
	c.info.Workflows[w] = wi
	wi.Trigger = &Symbol{Name: "trigger", Kind: SymLocal, Node: w, Type: TMap | TNull, Implicit: true}
	frame.add(wi.Trigger)
	c.scope.set("trigger", wi.Trigger)
	if len(w.Triggers) == 0 && !slices.ContainsFunc(w.Body, isBad) {
		c.errorf(w.Name, "trigger", "workflow %s has no on clause, so nothing can start it", w.Name.Name).
			Hint(`add one, such as on event "inquiry.completed" or on manual()`)
	}
	hasEvent := false
	for _, t := range w.Triggers {
		if _, ok := t.(*EventTrigger); ok {
			hasEvent = true
		}
	}
	if hasEvent {
		wi.Event = &Symbol{Name: "event", Kind: SymLocal, Node: w, Type: TMap | TNull, Implicit: true}
		frame.add(wi.Event)
		c.scope.set("event", wi.Event)
	}
	c.triggerParams(w, wi)
	c.trigger, c.shapes = wi.Trigger, c.triggerShapes(w)
	wi.Shapes = c.shapes
	for _, t := range w.Triggers {
		c.checkTrigger(t)
	}
	c.block(w.Body)
	c.popScope()
	c.scope, c.trigger, c.shapes = nil, nil, nil
}

// triggerParams binds the parameters of on api/workflow/manual clauses. A
// name given by two clauses must have the same type in both.
func (c *checker) triggerParams(w *WorkflowDecl, wi *WorkflowInfo) {
	byName := map[string]*TriggerParam{}
	for _, t := range w.Triggers {
		pt, ok := t.(*ParamTrigger)
		if !ok {
			continue
		}
		seen := map[string]*Param{}
		for _, p := range pt.Params {
			if prev, dup := seen[p.Name.Name]; dup {
				c.errorf(p.Name, "duplicate", "parameter %s is declared twice", p.Name.Name).
					Note(c.file, prev.Name.Sp, "first declared here")
				continue
			}
			seen[p.Name.Name] = p
			typ := c.paramType(p)
			if p.Name.Name == "trigger" || p.Name.Name == "event" {
				c.errorf(p.Name, "shadow", "%s is bound by the workflow itself", p.Name.Name).Hint("choose another name")
				continue
			}
			if prev, ok := byName[p.Name.Name]; ok {
				if prev.Type != typ {
					c.errorf(p.Name, "type", "parameter %s is %s here but %s in another on clause", p.Name.Name, typ, prev.Type).
						Note(c.file, prev.Param.Name.Sp, "declared here")
				}
				c.info.Defs[p.Name] = prev.Sym
				continue
			}
			sym := &Symbol{Name: p.Name.Name, Kind: SymLocal, Ident: p.Name, Node: p, Type: typ, Implicit: true}
			c.scope.frame.add(sym)
			c.scope.set(p.Name.Name, sym)
			c.info.Defs[p.Name] = sym
			tp := &TriggerParam{Param: p, Type: typ, Sym: sym}
			byName[p.Name.Name] = tp
			wi.Params = append(wi.Params, tp)
		}
	}
}

func (c *checker) checkTrigger(t Trigger) {
	switch t := t.(type) {
	case *EventTrigger:
		c.eventName(t.Pattern)
		if t.Where != nil {
			saved := c.flags
			c.flags = inPure | inWorkflow
			wt := c.expr(t.Where)
			c.flags = saved
			c.wantBool(t.Where, wt, "a where clause")
		}
	case *ScheduleTrigger:
		if spec, ok := t.Cron.Static(); ok {
			if _, err := cron.ParseStandard(spec); err != nil {
				c.errorf(t.Cron, "cron", "invalid cron expression %q: %v", spec, err).
					Hint(`use five fields (minute hour day-of-month month day-of-week), such as "0 9 * * 1-5", or @daily`)
			}
		}
		if t.TZ != nil {
			if tz, ok := t.TZ.Static(); ok {
				if _, err := time.LoadLocation(tz); err != nil || tz == "" {
					d := c.errorf(t.TZ, "tz", "unknown time zone %q", tz)
					d.Hint(`use an IANA name such as "Europe/Berlin" or "UTC"`)
				}
			}
		}
	case *EveryTrigger:
		if t.Every.Value <= 0 {
			c.errorf(t.Every, "duration", "on every needs a positive duration")
		} else if t.Every.Value < time.Second {
			c.errorf(t.Every, "duration", "on every %s is too often (the minimum is 1s)", t.Every.Raw)
		}
	}
}

// eventName warns about an event name or pattern no known event matches.
func (c *checker) eventName(s *StringLit) {
	name, ok := s.Static()
	if !ok {
		return
	}
	if err := ValidEventPattern(name); err != nil {
		c.errorf(s, "event", "invalid event pattern %q", name)
		return
	}
	if c.events == nil {
		return // no catalogue: any name may be an event
	}
	known := c.events.EventNames()
	for _, e := range known {
		if EventMatches(name, e) {
			return
		}
	}
	for _, e := range c.emitted {
		if EventMatches(name, e) {
			return
		}
	}
	d := c.warnf(s, "event", "unknown event %q", name)
	if sug := Suggest(name, known); sug != "" {
		d.Hint("did you mean %q?", sug)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + sug, Span: s.Sp, NewText: `"` + sug + `"`})
	} else {
		d.Hint("Persona's list is not exhaustive; ignore this if the event is your own (emit)")
	}
}
