package interp

import (
	"fmt"
	"math"
	"time"
)

// MaxValueDepth is how deeply lists and maps may nest in a value that is
// compared, encoded, printed or passed across a boundary (the same depth
// JSON input may have).
const MaxValueDepth = maxJSONDepth

// The measure of a list or map is kept in one word once worked out:
// metaKnown, whether it holds a secret, the nesting depth, the size.
const (
	metaKnown      uint64 = 1 << 63
	metaSecret     uint64 = 1 << 62
	metaDepthShift        = 48
	metaDepthMask         = 1<<14 - 1
	metaSizeMask          = 1<<48 - 1
)

// Work rates: how much of the run's budget copying and comparing data
// cost (see Limits.MaxStatements).
const (
	compareBytesPerUnit = 1 << 10 // comparing or hashing: one per KiB of the smaller value
	copyBytesPerUnit    = 4 << 10 // copying strings and list elements: one per 4 KiB
	elemBytes           = 16      // a list element, as copied
	mapEntriesPerUnit   = 16      // copying a map (its entries and index)
)

// Measure returns about how many bytes v would take as compact JSON, with
// shared parts counted each time they occur (as encoding writes them), and
// how deeply its lists and maps nest (0 for a scalar). Lists and maps keep
// their measure once worked out, so measuring costs time in proportion to
// a value's distinct parts however large it would be written out: a list
// built by x = [x, x] sixty times is measured in sixty steps. Depths beyond
// MaxValueDepth are reported as more than MaxValueDepth, not exactly.
func Measure(v Value) (size int64, depth int) {
	size, depth, _ = measure(v, 0)
	return size, depth
}

// measureAll is Measure that also tells whether v holds a secret.
func measureAll(v Value) (size int64, depth int, secret bool) { return measure(v, 0) }

func measure(v Value, walk int) (int64, int, bool) {
	switch x := v.(type) {
	case string:
		return int64(len(x)) + 2, 0, false
	case *Secret:
		return int64(len(x.String())) + 2, 0, true
	case nil:
		return 4, 0, false
	case time.Time:
		return 32, 0, false
	case *List:
		return x.measure(walk)
	case *Map:
		return x.measure(walk)
	}
	return 8, 0, false
}

func unpackMeta(m uint64) (int64, int, bool) {
	return int64(m & metaSizeMask), int(m>>metaDepthShift) & metaDepthMask, m&metaSecret != 0
}

func packMeta(size int64, depth int, secret bool) uint64 {
	m := metaKnown | uint64(min(depth, metaDepthMask))<<metaDepthShift | uint64(min(size, metaSizeMask))
	if secret {
		m |= metaSecret
	}
	return m
}

// tooDeep is the depth reported for a value whose walk was cut off.
const tooDeep = MaxValueDepth + 1

func (l *List) measure(walk int) (int64, int, bool) {
	if m := l.meta.Load(); m&metaKnown != 0 {
		return unpackMeta(m)
	}
	if walk > MaxValueDepth {
		return metaSizeMask, tooDeep, false // not kept: measured again from nearer the top
	}
	size, depth, secret := int64(2), 0, false
	for _, e := range l.Elems {
		s, d, sec := measure(e, walk+1)
		size = satAdd(size, s+1)
		depth = max(depth, d)
		secret = secret || sec
	}
	l.meta.Store(packMeta(size, depth+1, secret))
	return unpackMeta(l.meta.Load())
}

func (m *Map) measure(walk int) (int64, int, bool) {
	if mm := m.meta.Load(); mm&metaKnown != 0 {
		return unpackMeta(mm)
	}
	if walk > MaxValueDepth {
		return metaSizeMask, tooDeep, false
	}
	size, depth, secret := int64(2), 0, false
	for i, k := range m.keys {
		s, d, sec := measure(m.vals[i], walk+1)
		size = satAdd(size, satAdd(int64(len(k))+4, s))
		depth = max(depth, d)
		secret = secret || sec
	}
	m.meta.Store(packMeta(size, depth+1, secret))
	return unpackMeta(m.meta.Load())
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func isContainer(v Value) bool {
	switch v.(type) {
	case *List, *Map:
		return true
	}
	return false
}

// valueSize is the run's MaxValueSize, its default when unset.
func (l *Limits) valueSize() int64 {
	if l.MaxValueSize > 0 {
		return int64(l.MaxValueSize)
	}
	return int64(DefaultLimits.MaxValueSize)
}

// CheckValue enforces the value limits on v before it is encoded, printed
// or passed across a boundary (a step, an output, an event, JavaScript):
// it must nest at most MaxValueDepth deep and measure at most MaxValueSize.
// what names the value in the error ("the arguments of http.post").
func (th *Thread) CheckValue(v Value, what string) error {
	if !isContainer(v) {
		return nil // strings are held to MaxString when they are made
	}
	return th.checkMeasure(v, what)
}

func (th *Thread) checkMeasure(v Value, what string) error {
	size, depth := Measure(v)
	if depth > MaxValueDepth {
		return errorf(KindLimit, "too deep: %s would nest more than %d levels", what, MaxValueDepth)
	}
	if lim := th.run.limits.valueSize(); size > lim {
		return errorf(KindLimit, "too large: %s would be %s as JSON (the limit is %s)", what, aboutSize(size), byteCount(lim))
	}
	return nil
}

// checkCompare enforces the limits on comparing a with b, and charges the
// comparison to the run's budget: deep equality walks at most the smaller
// of two lists or maps.
func (th *Thread) checkCompare(a, b Value) error {
	if !isContainer(a) || !isContainer(b) {
		return nil
	}
	sa, da := Measure(a)
	sb, db := Measure(b)
	if min(da, db) > MaxValueDepth {
		return errorf(KindLimit, "too deep to compare: the values nest more than %d levels", MaxValueDepth)
	}
	s := min(sa, sb)
	if lim := th.run.limits.valueSize(); s > lim {
		return errorf(KindLimit, "too large to compare: the values would be %s as JSON (the limit is %s)", aboutSize(s), byteCount(lim))
	}
	return th.Charge(s / compareBytesPerUnit)
}

// Contains reports whether x is an element of xs (x in xs), within the
// run's limits: looking for a list or map among the elements costs as
// much as comparing it with each of them.
func (th *Thread) Contains(xs *List, x Value) (bool, error) {
	if isContainer(x) {
		if err := th.checkMeasure(xs, "the list searched"); err != nil {
			return false, err
		}
		s, _ := Measure(xs)
		if err := th.Charge(s / compareBytesPerUnit); err != nil {
			return false, err
		}
	}
	return xs.Contains(x), nil
}

// Charge spends n units of the run's budget (Limits.MaxStatements) on work
// done within one statement, such as a library function copying or
// comparing a large value. It fails with a limit error when the budget is
// spent, and notices a cancelled run.
func (th *Thread) Charge(n int64) error {
	if n <= 0 {
		return nil
	}
	if th.run.stmts.Add(n) > th.run.limits.MaxStatements {
		return th.budgetErr()
	}
	if err := th.ctx.Err(); err != nil {
		return th.cancelled()
	}
	return nil
}

func (th *Thread) budgetErr() error {
	return errorf(KindLimit, "the run executed more than %d statements and calls (copying and comparing large values count too)", th.run.limits.MaxStatements)
}

// chargeCopy charges copying n bytes.
func (th *Thread) chargeCopy(n int) error { return th.Charge(int64(n) / copyBytesPerUnit) }

// Text renders v as string interpolation does (lists and maps as JSON),
// within the run's limits: the text may be at most MaxString bytes.
func (th *Thread) Text(v Value) (string, error) {
	if !isContainer(v) {
		return ToString(v), nil
	}
	b, err := th.JSON(v)
	return string(b), err
}

// JSON encodes v as JSON within the run's limits: v must pass CheckValue
// and the text may be at most MaxString bytes. Secrets are written as
// their markers.
func (th *Thread) JSON(v Value) ([]byte, error) {
	if err := th.CheckValue(v, "the text"); err != nil {
		return nil, err
	}
	return MarshalJSONLimit(v, th.run.limits.MaxString)
}

// revealedText is Text for a list or map holding secrets, with their text
// in place of their markers: it is interpolated into a secret.
func (th *Thread) revealedText(v Value) (string, error) {
	if err := th.CheckValue(v, "the text"); err != nil {
		return "", err
	}
	b, err := marshalJSON(v, th.run.limits.MaxString, true)
	return string(b), err
}

// brief renders a value for an error message, cut short when long.
func brief(v Value) string {
	const max = 80
	switch x := v.(type) {
	case string:
		if len(x) > max {
			return x[:max] + "…"
		}
		return x
	case *List, *Map:
		b, err := MarshalJSONLimit(v, max)
		if err != nil {
			return TypeName(v) + " …"
		}
		return string(b)
	}
	return ToString(v)
}

// aboutSize words a measured size: "about 2.0 GiB", or "more than 256 TiB"
// when the measure is at its cap.
func aboutSize(n int64) string {
	if n >= metaSizeMask {
		return "more than " + byteCount(metaSizeMask+1)
	}
	return "about " + byteCount(n)
}

// byteCount writes a size the way the limits are documented: 16 MiB.
func byteCount(n int64) string {
	units := []struct {
		size int64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	for _, u := range units {
		switch {
		case n >= u.size && n%u.size == 0:
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		case n >= u.size:
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
