package lang

import "strings"

// Fields of `trigger`: with an event catalogue (see shape.go) the checker
// knows the object each event delivers, and warns when a workflow reads a
// field no such object has: `trigger.idd`, `trigger.fields.birthdat`. The
// custom fields of a template (under `fields`) are the project's own: a
// `fields inquiry { … }` declaration lists them, and then any other is
// reported; without one, only a name close to a known field is.

// declareFields reads the program's fields declarations, one per object
// type, into c.custom.
func (c *checker) declareFields(files []*File) {
	seen := map[string]*FieldsDecl{}
	for _, f := range files {
		c.file = f.Path
		for _, d := range f.Decls {
			fd, ok := d.(*FieldsDecl)
			if !ok {
				continue
			}
			obj := fd.Object.Name
			if prev := seen[obj]; prev != nil {
				c.errorf(fd.Object, "duplicate", "fields %s is declared twice", obj).
					Note(c.prog.FileOf(prev).Path, prev.Object.Sp, "first declared here").
					Hint("declare each object's custom fields once, in one place")
				continue
			}
			seen[obj] = fd
			c.prog.Fields = append(c.prog.Fields, fd)
			base := c.customShape(obj)
			if base == nil && c.events != nil {
				d := c.errorf(fd.Object, "fields", "no event object has custom fields called %s", obj)
				if s := Suggest(obj, c.customObjects()); s != "" {
					d.Hint("did you mean %s?", s)
				} else {
					d.Hint("objects with custom fields: %s", strings.Join(c.customObjects(), ", "))
				}
				continue
			}
			c.custom[obj] = c.declaredShape(fd, base)
		}
	}
}

// declaredShape is base (the object's standard fields, or none) with the
// declared fields added; a declared shape is closed.
func (c *checker) declaredShape(fd *FieldsDecl, base *Shape) *Shape {
	var fields []*Field
	name := fd.Object.Name + "'s fields"
	if base != nil {
		fields = append(fields, base.Fields...)
		name = base.Name
	}
	names := map[string]*FieldDecl{}
	for _, f := range fd.Fields {
		if prev := names[f.Name.Name]; prev != nil {
			c.errorf(f.Name, "duplicate", "field %s is declared twice", f.Name.Name).Note(c.file, prev.Name.Sp, "first declared here")
			continue
		}
		names[f.Name.Name] = f
		t, ok := ParseType(f.Type.Name)
		if !ok {
			c.errorf(f.Type, "type", "unknown type %s", f.Type.Name).Hint("types: %s", strings.Join(TypeNames(), ", "))
			t = TAny
		}
		fields = append(fields, &Field{Name: f.Name.Name, Type: t | TNull, Doc: "Declared in fields " + fd.Object.Name + "."})
	}
	s := NewShape(name, false, fields...)
	s.Custom = fd.Object.Name
	return s
}

// customShape returns the shape of the custom fields of an object type in
// the catalogue, or nil.
func (c *checker) customShape(obj string) *Shape {
	if c.events == nil {
		return nil
	}
	for _, e := range c.events.EventNames() {
		if s := c.events.Object(e); s != nil {
			for _, f := range s.Fields {
				if f.Shape != nil && f.Shape.Custom == obj {
					return f.Shape
				}
			}
		}
	}
	return nil
}

// customObjects lists the object types with custom fields.
func (c *checker) customObjects() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range c.events.EventNames() {
		if s := c.events.Object(e); s != nil {
			for _, f := range s.Fields {
				if f.Shape != nil && f.Shape.Custom != "" && !seen[f.Shape.Custom] {
					seen[f.Shape.Custom] = true
					out = append(out, f.Shape.Custom)
				}
			}
		}
	}
	return out
}

// triggerShapes returns the shapes of the objects a workflow's triggers
// deliver, or nil when any trigger delivers something the catalogue does
// not describe (an api call's input, an unknown event…).
func (c *checker) triggerShapes(w *WorkflowDecl) []*Shape {
	if c.events == nil || len(w.Triggers) == 0 {
		return nil
	}
	var out []*Shape
	for _, t := range w.Triggers {
		et, ok := t.(*EventTrigger)
		if !ok {
			return nil
		}
		pat, ok := et.Pattern.Static()
		if !ok {
			return nil
		}
		matched := false
		for _, e := range c.events.EventNames() {
			if !EventMatches(pat, e) {
				continue
			}
			s := c.events.Object(e)
			if s == nil {
				return nil
			}
			matched = true
			out = addShape(out, c.withCustom(s))
		}
		if !matched {
			return nil
		}
	}
	return out
}

func addShape(list []*Shape, s *Shape) []*Shape {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// withCustom returns s with its custom fields replaced by the project's
// declaration, when there is one.
func (c *checker) withCustom(s *Shape) *Shape {
	if len(c.custom) == 0 {
		return s
	}
	if done := c.merged[s]; done != nil {
		return done
	}
	out := s
	for i, f := range s.Fields {
		if f.Shape == nil || c.custom[f.Shape.Custom] == nil {
			continue
		}
		if out == s {
			cp := *s
			cp.Fields = append([]*Field(nil), s.Fields...)
			out = &cp
		}
		nf := *f
		nf.Shape = c.custom[f.Shape.Custom]
		out.Fields[i] = &nf
	}
	c.merged[s] = out
	return out
}

// shapesOf returns the shapes x may have as a map the catalogue describes:
// the workflow's trigger, and fields of it; nil when x is anything else.
func (c *checker) shapesOf(x Expr) []*Shape {
	switch x := x.(type) {
	case *Ident:
		if c.trigger != nil && c.info.Refs[x].Sym == c.trigger {
			return c.shapes
		}
	case *ParenExpr:
		return c.shapesOf(x.X)
	case *SelectorExpr:
		var out []*Shape
		for _, s := range c.shapesOf(x.X) {
			if f := s.Field(x.Name.Name); f != nil && f.Shape != nil {
				out = addShape(out, f.Shape)
			}
		}
		return out
	}
	return nil
}

// field warns when x.name names a field that none of x's shapes has.
func (c *checker) field(e *SelectorExpr) {
	shapes := c.shapesOf(e.X)
	if len(shapes) == 0 {
		return
	}
	name := e.Name.Name
	var known []string
	strict := false
	for _, s := range shapes {
		f := s.Field(name)
		if f != nil && f.Instead == "" {
			return
		}
		if f != nil {
			c.warnf(e.Name, "field", "%s has no field %s", exprText(e.X), name).
				Hint("it is read as %s.%s", exprText(rootOf(e.X)), f.Instead)
			return
		}
		known = append(known, s.Names()...)
		strict = strict || !s.Open
	}
	sug := Suggest(name, known)
	if !strict && sug == "" {
		return // a custom field this shape does not list: not a likely typo
	}
	d := c.warnf(e.Name, "field", "%s has no field %s", exprText(e.X), name)
	if sug != "" {
		d.Hint("did you mean %s?", sug)
		d.Fixes = append(d.Fixes, Fix{Title: "Change to " + sug, Span: e.Name.Sp, NewText: sug})
	}
	if len(shapes) == 1 {
		d.Hint("%s is %s", exprText(e.X), shapes[0].Name)
	}
	if s := shapes[0]; s.Custom != "" && c.custom[s.Custom] == nil {
		d.Hint("if your templates have this field, declare them once for the project: fields %s { %s: string }", s.Custom, name)
	}
}

// rootOf returns the name a selector chain starts from.
func rootOf(x Expr) Expr {
	for {
		switch e := x.(type) {
		case *SelectorExpr:
			x = e.X
		case *ParenExpr:
			x = e.X
		default:
			return x
		}
	}
}

// exprText spells a name or a chain of fields: `trigger.fields`.
func exprText(x Expr) string {
	switch e := x.(type) {
	case *Ident:
		return e.Name
	case *ParenExpr:
		return exprText(e.X)
	case *SelectorExpr:
		op := "."
		if e.Optional {
			op = "?."
		}
		return exprText(e.X) + op + e.Name.Name
	}
	return "the value"
}
