// Package interp evaluates checked WF programs. It sits after lang (which
// parses, resolves and checks) and before stdlib and runtime: it owns values,
// frames of resolved slots, the evaluation of expressions and statements,
// the run seam (the Host interface every `run` step and `wait` goes
// through), limits, and runtime errors with backtraces. It knows nothing of
// SQLite, HTTP or Persona.
//
// A program is compiled once: names become slot indexes, calls are bound to
// their library function with an argument plan, constant regular expressions
// are compiled. Evaluating an event then does no parsing, no lookup of a name
// by string and no reflection.
package interp

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Value is a WF value. Its dynamic type is one of: nil (null), bool, int64,
// float64, string, Secret (a string that must not be recorded),
// time.Duration, time.Time, *List, *Map, Callable, or a Handle. Lists and maps are immutable once built, so they are shared freely
// between branches and runs.
type Value = any

// Callable is a function value: a lambda, a fn, a js fn or a library
// function.
type Callable interface {
	Name() string
}

// Handle is an opaque library value, such as a resolved List. The `in`
// operator asks it for membership.
type Handle interface {
	TypeName() string
	// Contains reports whether v is in the handle (x in list("…")).
	Contains(v Value) (bool, error)
}

// StringContainer is a Handle that looks up a string without boxing it:
// ContainsString(s) must answer as Contains(s) does, which must not fail
// for a string. The optimization pass calls it for `s in h` when s is a
// string.
type StringContainer interface {
	ContainsString(s string) bool
}

// List is an immutable list of values.
type List struct {
	Elems []Value
	// scans counts the `in` tests that scanned the list; after
	// scansBeforeIndex of them (so only a list that is looked in again and
	// again) the list builds its hash index.
	scans atomic.Int32
	set   struct {
		once sync.Once
		strs map[string]struct{} // when every element is a string
		m    map[any]struct{}    // when every element is a scalar
	}
	meta atomic.Uint64 // the measure, once known (see Measure)
	// tail is shared by the lists built on one backing array by appending
	// (see concat): the length of the longest of them.
	tail *atomic.Int64
}

// NewList wraps elems (which the list then owns).
func NewList(elems []Value) *List { return &List{Elems: elems} }

// Len returns the number of elements.
func (l *List) Len() int { return len(l.Elems) }

// concat returns l + b. When l is the longest list built on its backing
// array (as in xs = xs + [x], again and again), b's elements go into the
// array's spare room instead of a copy of l: building a list one element
// at a time costs amortised O(1) per element. Lists sharing the array are
// not changed, as each sees only its own length. copied is how many
// elements were copied.
func (l *List) concat(b *List) (out *List, copied int) {
	la, lb := len(l.Elems), len(b.Elems)
	if lb == 0 {
		return l, 0
	}
	if l.tail != nil && cap(l.Elems)-la >= lb && l.tail.CompareAndSwap(int64(la), int64(la+lb)) {
		return &List{Elems: append(l.Elems, b.Elems...), tail: l.tail}, lb
	}
	elems := append(l.Elems[:la:la], b.Elems...) // grows with room to spare
	t := new(atomic.Int64)
	t.Store(int64(la + lb))
	return &List{Elems: elems, tail: t}, la + lb
}

// setThreshold is the length above which `x in list` may index the list's
// scalar elements in a hash set; scansBeforeIndex is how many scans of the
// list come first. A scan compares about as fast as a set insert, so a
// list looked in once (one that came with the event) is never indexed.
const (
	setThreshold     = 12
	scansBeforeIndex = 8
)

// Contains reports whether v is an element (deep equality).
func (l *List) Contains(v Value) bool {
	if len(l.Elems) > setThreshold {
		if l.scans.Load() >= scansBeforeIndex {
			if found, ok := l.lookup(v); ok {
				return found
			}
		} else {
			l.scans.Add(1)
		}
	}
	if s, ok := v.(string); ok {
		for _, e := range l.Elems {
			if es, ok := e.(string); ok && es == s {
				return true
			}
		}
		return false
	}
	for _, e := range l.Elems {
		if Equal(e, v) {
			return true
		}
	}
	return false
}

// lookup looks v up in the list's hash set, building it on first use; ok
// is false when the list or v cannot be indexed.
func (l *List) lookup(v Value) (found, ok bool) {
	l.set.once.Do(l.buildSet)
	if l.set.strs != nil {
		if s, isStr := v.(string); isStr {
			_, found = l.set.strs[s]
			return found, true
		}
	}
	if l.set.m != nil {
		if key, isScalar := scalarKey(v); isScalar {
			_, found = l.set.m[key]
			return found, true
		}
	}
	return false, false
}

// buildSet indexes the list when every element is a string or a scalar.
func (l *List) buildSet() {
	strs := make(map[string]struct{}, len(l.Elems))
	for _, e := range l.Elems {
		s, ok := e.(string)
		if !ok {
			strs = nil
			break
		}
		strs[s] = struct{}{}
	}
	if strs != nil {
		l.set.strs = strs
		return
	}
	m := make(map[any]struct{}, len(l.Elems))
	for _, e := range l.Elems {
		k, ok := scalarKey(e)
		if !ok {
			return
		}
		m[k] = struct{}{}
	}
	l.set.m = m
}

// HashKey returns a key under which equal scalars collide (ints and
// integral floats share one, as 1 == 1.0), for sets of values; ok is false
// for lists, maps and other values that have no such key.
func HashKey(v Value) (key any, ok bool) { return scalarKey(v) }

// scalarKey maps a scalar to a hashable key under which equal values
// collide: ints and integral floats share a key, as 1 == 1.0.
func scalarKey(v Value) (any, bool) {
	switch v := v.(type) {
	case nil, bool, string, int64, time.Duration:
		return v, true
	case *Secret:
		return v.text, true
	case time.Time:
		return timeKey{v.Unix(), v.Nanosecond()}, true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<62 {
			return int64(v), true
		}
		return v, true
	}
	return nil, false
}

// timeKey is the hash key of a time: equal instants share it.
type timeKey struct {
	sec  int64
	nsec int
}

// Map is an immutable map from strings to values that keeps insertion
// order (so records and JSON output read in the order written).
type Map struct {
	keys  []string
	vals  []Value
	index map[string]int32 // built for larger maps
	meta  atomic.Uint64    // the measure, once known (see Measure)
}

// mapIndexThreshold is the size from which a map keeps a hash index.
const mapIndexThreshold = 8

// NewMap returns an empty map with room for n entries.
func NewMap(n int) *Map {
	return &Map{keys: make([]string, 0, n), vals: make([]Value, 0, n)}
}

// Len returns the number of entries.
func (m *Map) Len() int { return len(m.keys) }

// Keys returns the keys in order. The slice must not be modified.
func (m *Map) Keys() []string { return m.keys }

// At returns the i-th entry.
func (m *Map) At(i int) (string, Value) { return m.keys[i], m.vals[i] }

// Get returns the value for key.
func (m *Map) Get(key string) (Value, bool) {
	if i := m.find(key); i >= 0 {
		return m.vals[i], true
	}
	return nil, false
}

// find returns the position of key, or -1.
func (m *Map) find(key string) int {
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			return int(i)
		}
		return -1
	}
	for i, k := range m.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// getHinted is Get for a place in the program that reads the same key
// again and again, usually from maps of one shape (events of one type
// decoded alike): hint holds the position where key was found last, and a
// key found there costs a string comparison instead of a hash lookup.
func (m *Map) getHinted(key string, hint *atomic.Int32) (Value, bool) {
	if h := int(hint.Load()); h < len(m.keys) && m.keys[h] == key {
		return m.vals[h], true
	}
	i := m.find(key)
	if i < 0 {
		return nil, false
	}
	hint.Store(int32(i))
	return m.vals[i], true
}

// Set adds or replaces an entry. Use it only while building a map, before
// the map is shared.
func (m *Map) Set(key string, v Value) {
	m.meta.Store(0)
	if m.index != nil {
		if i, ok := m.index[key]; ok {
			m.vals[i] = v
			return
		}
	} else {
		for i, k := range m.keys {
			if k == key {
				m.vals[i] = v
				return
			}
		}
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, v)
	if m.index != nil {
		m.index[key] = int32(len(m.keys) - 1)
	} else if len(m.keys) > mapIndexThreshold {
		m.index = make(map[string]int32, len(m.keys)*2)
		for i, k := range m.keys {
			m.index[k] = int32(i)
		}
	}
}

// With returns a copy of m with key set to v.
func (m *Map) With(key string, v Value) *Map {
	out := &Map{keys: append([]string(nil), m.keys...), vals: append([]Value(nil), m.vals...)}
	if m.index != nil {
		out.index = make(map[string]int32, len(m.index)+1)
		for k, i := range m.index {
			out.index[k] = i
		}
	}
	out.Set(key, v)
	return out
}

// Without returns a copy of m without key.
func (m *Map) Without(key string) *Map {
	out := NewMap(len(m.keys))
	for i, k := range m.keys {
		if k != key {
			out.Set(k, m.vals[i])
		}
	}
	return out
}

// TypeName names a value's type as WF users see it.
func TypeName(v Value) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string, *Secret:
		return "string"
	case time.Duration:
		return "duration"
	case time.Time:
		return "time"
	case *List:
		return "list"
	case *Map:
		return "map"
	case Callable:
		return "function"
	case Handle:
		return v.TypeName()
	}
	return fmt.Sprintf("%T", v)
}

// Equal reports deep equality. Ints and floats compare by value.
func Equal(a, b Value) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := stringOf(b)
		return ok && a == bs
	case *Secret:
		bs, ok := stringOf(b)
		return ok && a.text == bs
	case int64:
		switch b := b.(type) {
		case int64:
			return a == b
		case float64:
			return float64(a) == b
		}
		return false
	case float64:
		switch b := b.(type) {
		case int64:
			return a == float64(b)
		case float64:
			return a == b
		}
		return false
	case time.Duration:
		bd, ok := b.(time.Duration)
		return ok && a == bd
	case time.Time:
		bt, ok := b.(time.Time)
		return ok && a.Equal(bt)
	case *List:
		bl, ok := b.(*List)
		if !ok || len(a.Elems) != len(bl.Elems) {
			return false
		}
		for i := range a.Elems {
			if !Equal(a.Elems[i], bl.Elems[i]) {
				return false
			}
		}
		return true
	case *Map:
		bm, ok := b.(*Map)
		if !ok || a.Len() != bm.Len() {
			return false
		}
		for i, k := range a.keys {
			bv, ok := bm.Get(k)
			if !ok || !Equal(a.vals[i], bv) {
				return false
			}
		}
		return true
	}
	return a == b
}

// Compare orders two values of the same kind: numbers, strings, times and
// durations. ok is false when they cannot be ordered.
func Compare(a, b Value) (int, bool) {
	switch a := a.(type) {
	case int64:
		switch b := b.(type) {
		case int64:
			return cmp3(a, b), true
		case float64:
			return cmpFloat(float64(a), b), true
		}
	case float64:
		switch b := b.(type) {
		case int64:
			return cmpFloat(a, float64(b)), true
		case float64:
			return cmpFloat(a, b), true
		}
	case string, *Secret:
		as, _ := stringOf(a)
		if bs, ok := stringOf(b); ok {
			return strings.Compare(as, bs), true
		}
	case time.Duration:
		if b, ok := b.(time.Duration); ok {
			return cmp3(a, b), true
		}
	case time.Time:
		if b, ok := b.(time.Time); ok {
			return a.Compare(b), true
		}
	}
	return 0, false
}

func cmp3[T int64 | time.Duration](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ToString renders a value as text, as string interpolation does: strings
// as they are, numbers plainly, durations as 2h30m, times in RFC 3339, null
// as "null", lists and maps as JSON. A secret is written as its marker.
func ToString(v Value) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case *Secret:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return FormatFloat(v)
	case time.Duration:
		return FormatDuration(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case *List, *Map:
		b, err := MarshalJSONLimit(v, DefaultLimits.MaxString)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	case Callable:
		return "<function " + v.Name() + ">"
	case Handle:
		return "<" + v.TypeName() + ">"
	}
	return fmt.Sprint(v)
}

// FormatFloat prints a float in its shortest form, always with a decimal
// point or exponent so it reads back as a float.
func FormatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEnN") {
		s += ".0"
	}
	return s
}

// FormatDuration prints a duration in WF's own notation: 90s, 2h30m, 7d.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	units := []struct {
		d time.Duration
		s string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}, {time.Millisecond, "ms"}}
	for _, u := range units {
		if d >= u.d {
			fmt.Fprintf(&b, "%d%s", d/u.d, u.s)
			d %= u.d
		}
	}
	if d > 0 {
		fmt.Fprintf(&b, "%dns", d)
	}
	return b.String()
}

// Truthy is not used for conditions (they must be bool); it tells whether a
// value is "present" for blank(): null, "", [] and {} are blank.
func Blank(v Value) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case *Secret:
		return strings.TrimSpace(v.text) == ""
	case *List:
		return len(v.Elems) == 0
	case *Map:
		return v.Len() == 0
	}
	return false
}
