package lists

import (
	"bufio"
	"bytes"
	"container/heap"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
)

// sorter takes the items of an import in file order and gives them back in Value order, a
// Value repeated kept once (its first in the file), as Store.ImportItems wants them. It keeps
// items encoded in an arena and sorts them when it is full (runBytes), writing the sorted run
// to a temporary file; giving back merges the runs. So its memory is bounded by runBytes,
// whatever the size of the input.
type sorter struct {
	kind     Kind
	runBytes int
	arena    []byte
	keys     []sortKey // one per record, in file order until sorted
	tmp      *os.File
	runs     []runSpan // the runs written to tmp
}

// runSpan is where a run is in the temporary file.
type runSpan struct{ off, len int64 }

// sortRunBytes and sortRunKeys bound a run: the arena's size and its
// number of records (each with a 24-byte key).
const (
	sortRunBytes = 8 << 20
	sortRunKeys  = 256 << 10
)

func newSorter(kind Kind) *sorter { return &sorter{kind: kind, runBytes: sortRunBytes} }

// add records an item: its Value, then its Data as a count and key, value pairs, each string
// as a uvarint length and bytes.
func (s *sorter) add(it Item) error {
	if len(s.arena) >= s.runBytes || len(s.keys) >= sortRunKeys {
		if err := s.spill(); err != nil {
			return err
		}
	}
	if len(s.keys) == cap(s.keys) { // double: append grows large slices by a quarter, copying often
		s.keys = slices.Grow(s.keys, max(1024, len(s.keys)))
	}
	if free := cap(s.arena) - len(s.arena); free < 2*MaxValueLen {
		s.arena = slices.Grow(s.arena, max(64<<10, len(s.arena)))
	}
	k := sortKey{off: uint32(len(s.arena)), n: 255, plain: len(it.Data) == 0}
	var b [16]byte
	if copy(b[:], it.Value) == len(it.Value) {
		k.n = uint8(len(it.Value))
	}
	k.hi, k.lo = binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	s.keys = append(s.keys, k)
	s.arena = appendString(s.arena, it.Value)
	s.arena = binary.AppendUvarint(s.arena, uint64(len(it.Data)))
	for k, v := range it.Data {
		s.arena = appendString(s.arena, v)
		s.arena = appendString(s.arena, k)
	}
	return nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// value returns the Value of the record at o.
func (s *sorter) value(o uint32) []byte {
	v, _ := readString(s.arena[o:])
	return v
}

// readString reads a length-prefixed string and returns it and the rest.
func readString(b []byte) (v, rest []byte) {
	if n := int(b[0]); n < 0x80 {
		return b[1 : 1+n], b[1+n:]
	}
	n, w := binary.Uvarint(b)
	return b[w : w+int(n)], b[w+int(n):]
}

// sortKey is a record's place in the sort: the first 16 bytes of its Value,
// big-endian (most Values, such as every IPv4 address, fit), its offset, the
// Value's length when it fits (else 255) and whether the record has no Data.
// A record whose key holds all of it is not read from the arena again.
type sortKey struct {
	hi, lo uint64
	off    uint32
	n      uint8
	plain  bool
}

// whole reports whether the key holds the record.
func (k sortKey) whole() bool { return k.n <= 16 && k.plain }

// same reports whether two keys' records have the same Value.
func (s *sorter) same(a, b sortKey) bool {
	if a.hi != b.hi || a.lo != b.lo {
		return false
	}
	if a.n <= 16 || b.n <= 16 {
		return a.n == b.n
	}
	return bytes.Equal(s.value(a.off), s.value(b.off))
}

// item returns the record of k as an item.
func (s *sorter) item(k sortKey) Item {
	if !k.whole() {
		return s.decode(s.record(k.off))
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return Item{Kind: s.kind, Value: string(b[:k.n])}
}

// sortRun sorts the arena's records by Value, then by position (file order).
// It compares the keys' prefixes first, so that most comparisons do not read
// the arena.
func (s *sorter) sortRun() {
	slices.SortFunc(s.keys, func(a, b sortKey) int {
		switch {
		case a.hi != b.hi:
			return cmpUint64(a.hi, b.hi)
		case a.lo != b.lo:
			return cmpUint64(a.lo, b.lo)
		case a.n <= 16 || b.n <= 16:
			if a.n != b.n {
				return int(a.n) - int(b.n)
			}
		default:
			if c := bytes.Compare(s.value(a.off), s.value(b.off)); c != 0 {
				return c
			}
		}
		return int(a.off) - int(b.off)
	})
}

func cmpUint64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// record returns the whole record at o.
func (s *sorter) record(o uint32) []byte {
	b := s.arena[o:]
	_, rest := readString(b)
	n, w := binary.Uvarint(rest)
	rest = rest[w:]
	for range 2 * n {
		_, rest = readString(rest)
	}
	return b[:len(b)-len(rest)]
}

// spill writes the arena's records, sorted and with repeated Values dropped, to the
// temporary file as one run: each record after its length.
func (s *sorter) spill() error {
	if s.tmp == nil {
		f, err := os.CreateTemp("", "wf-import-*.run")
		if err != nil {
			return err
		}
		s.tmp = f
	}
	s.sortRun()
	start, err := s.tmp.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(s.tmp, 1<<20)
	var last sortKey
	var n int64
	for i, k := range s.keys {
		if i > 0 && s.same(k, last) {
			continue
		}
		last = k
		r := s.record(k.off)
		var hdr [binary.MaxVarintLen64]byte
		k := binary.PutUvarint(hdr[:], uint64(len(r)))
		w.Write(hdr[:k])
		w.Write(r)
		n += int64(k + len(r))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	s.runs = append(s.runs, runSpan{off: start, len: n})
	s.arena, s.keys = s.arena[:0], s.keys[:0]
	return nil
}

// close removes the temporary file.
func (s *sorter) close() {
	if s.tmp != nil {
		s.tmp.Close()
		os.Remove(s.tmp.Name())
	}
}

// decode turns a record into an item.
func (s *sorter) decode(r []byte) Item {
	v, rest := readString(r)
	it := Item{Kind: s.kind, Value: string(v)}
	n, w := binary.Uvarint(rest)
	rest = rest[w:]
	if n > 0 {
		it.Data = make(map[string]string, n)
		for range n {
			var k, val []byte
			val, rest = readString(rest)
			k, rest = readString(rest)
			it.Data[string(k)] = string(val)
		}
	}
	return it
}

// sorted returns the items in Value order, each Value once; no item may be added after.
func (s *sorter) sorted() (func() (Item, bool, error), error) {
	if len(s.runs) == 0 { // all in memory
		s.sortRun()
		i := 0
		return func() (Item, bool, error) {
			for ; i < len(s.keys); i++ {
				if k := s.keys[i]; i == 0 || !s.same(k, s.keys[i-1]) {
					i++
					return s.item(k), true, nil
				}
			}
			return Item{}, false, nil
		}, nil
	}
	if len(s.keys) > 0 {
		if err := s.spill(); err != nil {
			return nil, err
		}
	}
	m := &merger{}
	for k, r := range s.runs {
		c := &runCursor{r: bufio.NewReaderSize(io.NewSectionReader(s.tmp, r.off, r.len), 256<<10), run: k}
		ok, err := c.advance()
		if err != nil {
			return nil, err
		}
		if ok {
			m.h = append(m.h, c)
		}
	}
	heap.Init(&m.h)
	var last []byte
	return func() (Item, bool, error) {
		for len(m.h) > 0 {
			c := m.h[0]
			rec := c.rec
			v, _ := readString(rec)
			dup := last != nil && bytes.Equal(v, last)
			if !dup {
				last = append(last[:0], v...)
			}
			it := s.decode(rec)
			ok, err := c.advance()
			if err != nil {
				return Item{}, false, err
			}
			if ok {
				heap.Fix(&m.h, 0)
			} else {
				heap.Pop(&m.h)
			}
			if !dup {
				return it, true, nil
			}
		}
		return Item{}, false, nil
	}, nil
}

// runCursor reads one run's records in order.
type runCursor struct {
	r   *bufio.Reader
	run int
	rec []byte
	val []byte
}

// advance reads the next record, reporting false at the run's end.
func (c *runCursor) advance() (bool, error) {
	n, err := binary.ReadUvarint(c.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n > 1<<24 {
		return false, errors.New("lists: import: damaged temporary file")
	}
	c.rec = slices.Grow(c.rec[:0], int(n))[:n]
	if _, err := io.ReadFull(c.r, c.rec); err != nil {
		return false, err
	}
	c.val, _ = readString(c.rec)
	return true, nil
}

// merger is a heap of run cursors by their record's Value, then run (file order).
type merger struct{ h cursorHeap }

type cursorHeap []*runCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].val, h[j].val); c != 0 {
		return c < 0
	}
	return h[i].run < h[j].run
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*runCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
