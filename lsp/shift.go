package lsp

import (
	"reflect"

	"github.com/wf-lang/wf/lang"
)

// shifter deep-copies parse results (AST nodes, comments, diagnostics) and
// moves every position in them by a byte and line delta. The incremental
// parser uses it to place a declaration parsed at one spot of the file at
// another. The copy keeps sharing: a node reached twice is copied once.
// Declarations start at the first column of a line, so columns never move.
type shifter struct {
	dOff, dLine int
	memo        map[memoKey]reflect.Value
	// deep caches, per type, whether a value of it holds a position or a
	// reference that must be copied.
	deep map[reflect.Type]bool
}

type memoKey struct {
	ptr uintptr
	typ reflect.Type
}

var posType = reflect.TypeFor[lang.Pos]()

func newShifter(dOff, dLine int) *shifter {
	return &shifter{dOff: dOff, dLine: dLine, memo: map[memoKey]reflect.Value{}, deep: map[reflect.Type]bool{}}
}

// shiftCopy returns a shifted deep copy of v (any AST value, comment or
// diagnostic list).
func shiftCopy[T any](s *shifter, v T) T {
	return s.copy(reflect.ValueOf(&v).Elem()).Interface().(T)
}

func (s *shifter) copy(v reflect.Value) reflect.Value {
	t := v.Type()
	if !s.needsCopy(t) {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		key := memoKey{v.Pointer(), t}
		if c, ok := s.memo[key]; ok {
			return c
		}
		c := reflect.New(t.Elem())
		s.memo[key] = c
		c.Elem().Set(s.copy(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(t).Elem()
		c.Set(s.copy(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(s.copy(v.Index(i)))
		}
		return c
	case reflect.Struct:
		return s.copyStruct(v)
	}
	return v
}

func (s *shifter) copyStruct(v reflect.Value) reflect.Value {
	t := v.Type()
	c := reflect.New(t).Elem()
	c.Set(v)
	if t == posType {
		p := v.Interface().(lang.Pos)
		if p.IsValid() {
			p.Offset += s.dOff
			p.Line += s.dLine
		}
		c.Set(reflect.ValueOf(p))
		return c
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && s.needsCopy(f.Type) {
			c.Field(i).Set(s.copy(v.Field(i)))
		}
	}
	return c
}

// needsCopy reports whether values of t hold positions or references.
func (s *shifter) needsCopy(t reflect.Type) bool {
	if b, ok := s.deep[t]; ok {
		return b
	}
	s.deep[t] = true // assume so while t is being looked at (recursive types)
	b := s.computeNeedsCopy(t)
	s.deep[t] = b
	return b
}

func (s *shifter) computeNeedsCopy(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		return true
	case reflect.Slice:
		return s.needsCopy(t.Elem())
	case reflect.Struct:
		if t == posType {
			return true
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && s.needsCopy(f.Type) {
				return true
			}
		}
	}
	return false
}
