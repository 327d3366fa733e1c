package lsp

import (
	"sort"

	"github.com/wf-lang/wf/lang"
)

// What completion knows about a value before a dot: its static type (the
// checker's, or the library's result type for a call) and, for a map whose
// keys are known, those keys. The shape is worked out from the checked
// tree and its Info, never by evaluating anything: a let takes its value's
// shape, a const its initializer's, a step's result the object its action
// returns (the inquiry of inquiry.approve, {status, headers, body, json} of
// http.get), a catch variable the error map, `wait event` the awaited event.

// shape is a value's static type and its known keys.
type shape struct {
	typ    lang.Type
	fields []field
}

// field is one known key of a map; sub, when set, gives the value's shape.
type field struct {
	name, detail, doc string
	sub               func() shape
}

// maxShapeDepth bounds how many lets and consts a shape follows (a const
// that names another const that names…).
const maxShapeDepth = 16

var anyShape = shape{typ: lang.TAny}

// shaper works out shapes with the Info of the program that holds the
// expressions.
type shaper struct {
	prog *lang.Program
}

// of returns the shape of e.
func (s *shaper) of(e lang.Expr, depth int) shape {
	if depth > maxShapeDepth {
		return anyShape
	}
	switch e := e.(type) {
	case *lang.Ident:
		if ref, ok := s.prog.Info.Refs[e]; ok && ref.Sym != nil {
			return s.symbol(ref.Sym, depth+1)
		}
	case *lang.ParenExpr:
		return s.of(e.X, depth+1)
	case *lang.StringLit:
		return shape{typ: lang.TString}
	case *lang.IntLit:
		return shape{typ: lang.TInt}
	case *lang.FloatLit:
		return shape{typ: lang.TFloat}
	case *lang.BoolLit:
		return shape{typ: lang.TBool}
	case *lang.DurationLit:
		return shape{typ: lang.TDuration}
	case *lang.ListLit:
		return shape{typ: lang.TList}
	case *lang.MapLit:
		return s.mapLit(e, depth)
	case *lang.RunExpr:
		if e.Call != nil {
			return s.of(e.Call, depth+1)
		}
	case *lang.CallExpr:
		return s.call(e, depth)
	case *lang.SelectorExpr:
		x := s.of(e.X, depth+1)
		if e.Name != nil {
			for _, f := range x.fields {
				if f.name == e.Name.Name && f.sub != nil {
					return f.sub()
				}
			}
		}
	case *lang.WaitEventExpr:
		return s.awaited(e)
	case *lang.BinaryExpr:
		switch e.Op {
		case lang.OpEq, lang.OpNe, lang.OpLt, lang.OpLe, lang.OpGt, lang.OpGe, lang.OpAnd, lang.OpOr, lang.OpIn, lang.OpNotIn, lang.OpMatches:
			return shape{typ: lang.TBool}
		}
	case *lang.UnaryExpr:
		if e.Op == lang.OpNot {
			return shape{typ: lang.TBool}
		}
	}
	return anyShape
}

// symbol returns the shape of a name's value.
func (s *shaper) symbol(sym *lang.Symbol, depth int) shape {
	typ := sym.Type
	if typ == lang.TNone {
		typ = lang.TAny
	}
	switch {
	case sym.Implicit && sym.Name == "trigger":
		if w, ok := sym.Node.(*lang.WorkflowDecl); ok {
			return s.trigger(w)
		}
	case sym.Implicit && sym.Name == "event":
		return tableShape("event")
	}
	switch n := sym.Node.(type) {
	case *lang.LetStmt:
		if n.Name == sym.Ident && n.Value != nil {
			sh := s.of(n.Value, depth)
			if sh.typ == lang.TAny {
				sh.typ = typ
			}
			return sh
		}
	case *lang.ConstDecl:
		if n.Value != nil {
			return s.of(n.Value, depth)
		}
	case *lang.TryStmt:
		return tableShape("error")
	case *lang.WaitEventExpr:
		return s.awaited(n)
	}
	return shape{typ: typ}
}

// trigger returns the shape of a workflow's trigger: the Persona object of
// its events, or the parameters of its api, workflow and manual triggers.
func (s *shaper) trigger(w *lang.WorkflowDecl) shape {
	sh := shape{typ: lang.TMap}
	seen := map[string]bool{}
	if wi := s.prog.Info.Workflows[w]; wi != nil {
		for _, tp := range wi.Params {
			name := tp.Param.Name.Name
			seen[name] = true
			sh.fields = append(sh.fields, field{name: name, detail: "trigger parameter: " + tp.Type.String()})
		}
	}
	objects := tablesShape(triggerTypes(s.prog.Universe, w))
	if wi := s.prog.Info.Workflows[w]; wi != nil && wi.Shapes != nil {
		objects = fromLang(wi.Shapes) // the checker's: with the project's declared custom fields
	}
	for _, f := range objects.fields {
		if !seen[f.name] {
			seen[f.name] = true
			sh.fields = append(sh.fields, f)
		}
	}
	return sh
}

// fromLang merges the checker's shapes of a map into one completion shape.
func fromLang(shapes []*lang.Shape) shape {
	sh := shape{typ: lang.TMap}
	seen := map[string]bool{}
	for _, s := range shapes {
		for _, fl := range s.Fields {
			if fl.Instead != "" || seen[fl.Name] {
				continue
			}
			seen[fl.Name] = true
			f := field{name: fl.Name, detail: "field", doc: fl.Doc}
			if fl.Shape != nil {
				name := fl.Name
				f.detail = "field (" + fl.Shape.Name + ")"
				f.sub = func() shape {
					var subs []*lang.Shape
					for _, s := range shapes {
						if x := s.Field(name); x != nil && x.Shape != nil {
							subs = append(subs, x.Shape)
						}
					}
					return fromLang(subs)
				}
			}
			sh.fields = append(sh.fields, f)
		}
	}
	return sh
}

// awaited is the value of `wait event "name"`: the event with the object
// it carries as trigger.
func (s *shaper) awaited(e *lang.WaitEventExpr) shape {
	sh := tableShape("event")
	var types []string
	if e.Name != nil {
		if pat, ok := e.Name.Static(); ok {
			types = eventTypes(s.prog.Universe, pat)
		}
	}
	sh.fields = append(sh.fields, field{name: "trigger", detail: "field (the event's object)",
		doc: "The Persona object the event carries.", sub: func() shape { return tablesShape(types) }})
	return sh
}

// mapLit returns a map literal's keys, each with its value's shape.
func (s *shaper) mapLit(m *lang.MapLit, depth int) shape {
	sh := shape{typ: lang.TMap}
	for _, en := range m.Entries {
		v := en.Value
		f := field{name: en.Key, detail: "key"}
		if v != nil {
			f.sub = func() shape { return s.of(v, depth+1) }
			if t := s.of(v, depth+1).typ; t != lang.TAny {
				f.detail = "key: " + t.String()
			}
		}
		sh.fields = append(sh.fields, f)
	}
	return sh
}

// call returns the shape of a call's result: the library's result type,
// and for actions and reads of Persona objects the object's fields.
func (s *shaper) call(e *lang.CallExpr, depth int) shape {
	cal := s.prog.Info.Calls[e]
	if cal == nil || cal.Func == nil {
		return anyShape
	}
	d := cal.Func
	sh := shape{typ: d.Result}
	if d.Name == "workflow.call" {
		return s.workflowOutputs(e, depth)
	}
	if t, ok := resultTables[d.Name]; ok {
		sh.fields = tableShape(t).fields
	} else if t, ok := resultTables[d.Module()]; ok {
		sh.fields = tableShape(t).fields
	}
	return sh
}

// workflowOutputs returns the keys the workflow a workflow.call names
// writes with output.
func (s *shaper) workflowOutputs(e *lang.CallExpr, depth int) shape {
	sh := shape{typ: lang.TMap}
	if len(e.Args) == 0 {
		return sh
	}
	lit, ok := e.Args[0].Value.(*lang.StringLit)
	if !ok {
		return sh
	}
	name, ok := lit.Static()
	if !ok {
		return sh
	}
	w := s.prog.Workflow(name)
	if w == nil {
		return sh
	}
	seen := map[string]bool{}
	for _, st := range w.Body {
		lang.Inspect(st, func(n lang.Node) bool {
			out, ok := n.(*lang.OutputStmt)
			if !ok || out.Value == nil {
				return true
			}
			for _, f := range s.mapLit(out.Value, depth+1).fields {
				if !seen[f.name] {
					seen[f.name] = true
					f.detail = "output of " + name
					sh.fields = append(sh.fields, f)
				}
			}
			return false
		})
	}
	return sh
}

// resultTables names the table entry that describes a library function's
// result, by function or by module.
var resultTables = map[string]string{
	"inquiry": "inquiry", "account": "account", "case": "case", "report": "report",
	"verification": "verification", "transaction": "transaction",
	"http": "http response", "slack": "slack result", "match": "list item", "lists.add": "list item",
}

// tableShape returns the shape of one entry of the fields table.
func tableShape(t string) shape { return tablesShape([]string{t}) }

// tablesShape merges the fields of several table entries.
func tablesShape(types []string) shape {
	sh := shape{typ: lang.TMap}
	for _, fl := range fieldsAt(types, nil) {
		f := field{name: fl.name, detail: "field", doc: fl.doc}
		if fl.of != "" {
			of := fl.of
			f.detail = "field (" + of + ")"
			f.sub = func() shape { return tableShape(of) }
		}
		sh.fields = append(sh.fields, f)
	}
	return sh
}

// eventTypes returns the table types of the objects the events a pattern
// matches carry.
func eventTypes(u lang.Universe, pattern string) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range eventNames(u) {
		if lang.EventMatches(pattern, e) {
			if t := tableType(lang.EventObjectType(e)); !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}
