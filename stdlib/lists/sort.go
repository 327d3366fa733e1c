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
//
// A full run is sorted and written by a goroutine of its own while the next
// one fills up (one at a time), so sorting takes the other core.
type sorter struct {
	kind     Kind
	runBytes int
	arena    []byte
	keys     []sortKey // one per record, in file order until sorted
	tmp      *os.File
	runs     []runSpan // the runs written to tmp
	end      int64     // where the next run goes in tmp
	busy     chan spilled
	// spare are the slices of the last run written, for the next.
	spareArena []byte
	spareKeys  []sortKey
}

// spilled is what the goroutine writing a run reports.
type spilled struct {
	span  runSpan
	err   error
	arena []byte
	keys  []sortKey
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

// sortRun sorts the arena's records by Value, then by position (file order):
// a stable LSD radix sort of the keys (the Value's length when it fits, then
// its first 16 bytes, least significant first, skipping the bytes every key
// shares), then each group of keys alike in all that, which only Values
// longer than 16 bytes can form, by the whole Value.
func (s *sorter) sortRun() {
	keys := s.keys
	if len(keys) < 2 {
		return
	}
	var counts [17][256]int
	for _, k := range keys {
		counts[0][k.n]++
		for d := range 8 {
			counts[1+d][byte(k.lo>>(8*d))]++
			counts[9+d][byte(k.hi>>(8*d))]++
		}
	}
	tmp := make([]sortKey, len(keys))
	for d := range 17 {
		c := &counts[d]
		if c[digit(keys[0], d)] == len(keys) {
			continue // every key has this byte
		}
		sum := 0
		for i := range c {
			c[i], sum = sum, sum+c[i]
		}
		for _, k := range keys {
			b := digit(k, d)
			tmp[c[b]] = k
			c[b]++
		}
		keys, tmp = tmp, keys
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j].hi == keys[i].hi && keys[j].lo == keys[i].lo && keys[j].n == keys[i].n {
			j++
		}
		if j-i > 1 && keys[i].n > 16 {
			slices.SortStableFunc(keys[i:j], func(a, b sortKey) int { return bytes.Compare(s.value(a.off), s.value(b.off)) })
		}
		i = j
	}
	s.keys = keys
}

// digit returns byte d of a key's sort order, least significant first.
func digit(k sortKey, d int) byte {
	switch {
	case d == 0:
		return k.n
	case d <= 8:
		return byte(k.lo >> (8 * (d - 1)))
	}
	return byte(k.hi >> (8 * (d - 9)))
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

// spill hands the arena's records to a goroutine that sorts them and writes
// them, with repeated Values dropped, to the temporary file as one run, after
// the run before it is written.
func (s *sorter) spill() error {
	if err := s.wait(); err != nil {
		return err
	}
	if s.tmp == nil {
		f, err := os.CreateTemp("", "wf-import-*.run")
		if err != nil {
			return err
		}
		s.tmp = f
	}
	job := &sorter{kind: s.kind, arena: s.arena, keys: s.keys}
	done := make(chan spilled, 1)
	s.busy = done
	go func(f *os.File, start int64) {
		span, err := job.writeRun(f, start)
		done <- spilled{span: span, err: err, arena: job.arena[:0], keys: job.keys[:0]}
	}(s.tmp, s.end)
	s.arena, s.keys, s.spareArena, s.spareKeys = s.spareArena, s.spareKeys, nil, nil
	return nil
}

// wait waits for the run being written, if any.
func (s *sorter) wait() error {
	if s.busy == nil {
		return nil
	}
	d := <-s.busy
	s.busy = nil
	if d.err != nil {
		return d.err
	}
	s.runs = append(s.runs, d.span)
	s.end = d.span.off + d.span.len
	s.spareArena, s.spareKeys = d.arena, d.keys
	return nil
}

// writeRun sorts the records and writes them at start in f, each after its
// length, a Value repeated only once; a record its key holds is written from
// the key, without reading the arena.
func (s *sorter) writeRun(f *os.File, start int64) (runSpan, error) {
	s.sortRun()
	w := bufio.NewWriterSize(io.NewOffsetWriter(f, start), 1<<20)
	var last sortKey
	var n int64
	var b [24]byte
	for i, k := range s.keys {
		if i > 0 && s.same(k, last) {
			continue
		}
		last = k
		if k.whole() {
			binary.BigEndian.PutUint64(b[2:], k.hi)
			binary.BigEndian.PutUint64(b[10:], k.lo)
			b[0], b[1], b[2+k.n] = 2+k.n, k.n, 0
			w.Write(b[:3+k.n])
			n += int64(3 + k.n)
			continue
		}
		r := s.record(k.off)
		var hdr [binary.MaxVarintLen64]byte
		h := binary.PutUvarint(hdr[:], uint64(len(r)))
		w.Write(hdr[:h])
		w.Write(r)
		n += int64(h + len(r))
	}
	if err := w.Flush(); err != nil {
		return runSpan{}, err
	}
	return runSpan{off: start, len: n}, nil
}

// close waits for the run being written and removes the temporary file.
func (s *sorter) close() {
	_ = s.wait()
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
	if err := s.wait(); err != nil {
		return nil, err
	}
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
		if err := s.wait(); err != nil {
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
