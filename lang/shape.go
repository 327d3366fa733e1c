package lang

import "sort"

// The checker knows events only through an EventCatalog, which the library
// a program is checked against may provide (stdlib's is Persona's): which
// event names exist, and the shape of the object each one delivers as
// `trigger`. With a catalogue it warns about an event name it does not
// know and about a field of `trigger` that no such object has.

// EventCatalog describes the events a program may be triggered by.
type EventCatalog interface {
	// EventNames returns every known event name.
	EventNames() []string
	// Object returns the shape of the object the named event delivers, or
	// nil when the catalogue does not describe it.
	Object(event string) *Shape
}

// EventSource is a Universe that also knows events.
type EventSource interface {
	Events() EventCatalog
}

// EventsOf returns u's event catalogue, or nil when it has none.
func EventsOf(u Universe) EventCatalog {
	if s, ok := u.(EventSource); ok {
		return s.Events()
	}
	return nil
}

// Shape describes the keys of a map the checker knows, such as the object
// an event delivers.
type Shape struct {
	// Name says what the map is, in messages: "an inquiry", "an inquiry's
	// fields".
	Name string
	// Fields are the keys, sorted by name.
	Fields []*Field
	// Open marks a map that may hold keys the shape does not list (the
	// custom fields of a template, an object whose attributes are not all
	// documented): there, only a key close to a listed one is reported, as
	// a likely typo.
	Open bool
	// Custom names the object type whose custom fields the map holds
	// ("inquiry"), which a project declares with `fields inquiry { … }`;
	// "" for other maps.
	Custom string
}

// Field is one key of a Shape.
type Field struct {
	Name string
	Doc  string
	// Type is the value's type, TAny when it is not known.
	Type Type
	// Shape is the value's shape, when it is a map the shape describes.
	Shape *Shape
	// Instead, when set, says the key is not there and where the value is
	// to be read instead: a name other tools use, such as template_id for
	// an inquiry's inquiry_template.id.
	Instead string
}

// NewShape makes a shape, sorting its fields.
func NewShape(name string, open bool, fields ...*Field) *Shape {
	s := &Shape{Name: name, Open: open, Fields: fields}
	sort.Slice(s.Fields, func(i, j int) bool { return s.Fields[i].Name < s.Fields[j].Name })
	return s
}

// Field returns the field with the name, or nil.
func (s *Shape) Field(name string) *Field {
	i := sort.Search(len(s.Fields), func(i int) bool { return s.Fields[i].Name >= name })
	if i < len(s.Fields) && s.Fields[i].Name == name {
		return s.Fields[i]
	}
	return nil
}

// Names returns the field names.
func (s *Shape) Names() []string {
	out := make([]string, 0, len(s.Fields))
	for _, f := range s.Fields {
		if f.Instead == "" {
			out = append(out, f.Name)
		}
	}
	return out
}

// WithEvents returns a copy of the table that also knows events (it then
// implements EventSource).
func (t *Table) WithEvents(ev EventCatalog) *Table {
	c := *t
	c.events = ev
	return &c
}

// Events implements EventSource; nil when the table has no catalogue.
func (t *Table) Events() EventCatalog { return t.events }
