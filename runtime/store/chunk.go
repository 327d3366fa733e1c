package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// This file holds what both stores share to keep the items of a bulk import in chunks: one
// row per ListChunkItems sorted, distinct items, their values and data in one blob, instead
// of one row (and one entry of the (list, value) index) per item. Items added one at a time
// stay rows; a chunk item that is removed gets a tombstone (its sequence number in
// list_dead), so a chunk is written once and never changed.
//
// A chunk's items have consecutive sequence numbers from the chunk's first_seq, in value
// order, taken when the import commits, so "added after a mark" and "in the order added"
// mean the same for chunk items and rows. An import writes its chunks in short transactions
// under an import id that keeps them out of the List until one last transaction takes them
// in: a reader sees the List without or with all of them.

// ListChunkItems is the most items one chunk holds.
const ListChunkItems = 4096

// ErrListChanged reports an import that found the List changed under it in a way it cannot
// merge (items removed, or another import): nothing was imported, and importing again works.
var ErrListChanged = errors.New("the List changed during the import (items removed or imported meanwhile); nothing was imported, import again")

// chunkVersion is the first byte of a chunk blob.
const chunkVersion = 1

// EncodeChunk writes items, in strictly increasing Value order, as a chunk blob:
// a version byte, the item count (uint32), one uint32 offset per item into the records,
// then per item its value and its data (JSON, or empty), each as a uvarint length and bytes.
func EncodeChunk(items []ListItem) ([]byte, error) {
	if len(items) == 0 || len(items) > ListChunkItems {
		return nil, fmt.Errorf("store: a chunk holds 1 to %d items, not %d", ListChunkItems, len(items))
	}
	head := 5 + 4*len(items)
	b := make([]byte, head, head+len(items)*24)
	b[0] = chunkVersion
	binary.LittleEndian.PutUint32(b[1:], uint32(len(items)))
	for i, it := range items {
		if it.Value == "" {
			return nil, errors.New("store: item value is empty")
		}
		if i > 0 && it.Value <= items[i-1].Value {
			return nil, fmt.Errorf("store: chunk items out of order: %q after %q", it.Value, items[i-1].Value)
		}
		data, err := ItemData(it.Data)
		if err != nil {
			return nil, err
		}
		d, _ := data.(string)
		if len(b)-head > 1<<32-1 {
			return nil, errors.New("store: chunk too large")
		}
		binary.LittleEndian.PutUint32(b[5+4*i:], uint32(len(b)-head))
		b = binary.AppendUvarint(b, uint64(len(it.Value)))
		b = append(b, it.Value...)
		b = binary.AppendUvarint(b, uint64(len(d)))
		b = append(b, d...)
	}
	return b, nil
}

// Chunk is a decoded chunk: its blob and where its items are numbered from.
type Chunk struct {
	ID        int64 // the chunk's row
	FirstSeq  int64
	CreatedAt time.Time
	n         int
	offs      []byte // n little-endian uint32
	recs      []byte
}

// DecodeChunk checks a chunk blob's layout and returns it (the blob is kept, not copied).
func DecodeChunk(b []byte) (Chunk, error) {
	bad := errors.New("store: damaged list chunk")
	if len(b) < 5 || b[0] != chunkVersion {
		return Chunk{}, bad
	}
	n := int(binary.LittleEndian.Uint32(b[1:]))
	if n == 0 || n > ListChunkItems || len(b) < 5+4*n {
		return Chunk{}, bad
	}
	c := Chunk{n: n, offs: b[5 : 5+4*n], recs: b[5+4*n:]}
	for i := range n {
		if _, _, ok := c.record(i); !ok {
			return Chunk{}, bad
		}
	}
	return c, nil
}

// Len returns the number of items.
func (c Chunk) Len() int { return c.n }

// record returns item i's value and data bytes.
func (c Chunk) record(i int) (value, data []byte, ok bool) {
	r := c.recs
	o := int(binary.LittleEndian.Uint32(c.offs[4*i:]))
	if o >= len(r) {
		return nil, nil, false
	}
	r = r[o:]
	for k := range 2 {
		l, w := binary.Uvarint(r)
		if w <= 0 || uint64(len(r)-w) < l {
			return nil, nil, false
		}
		if k == 0 {
			value = r[w : w+int(l)]
		} else {
			data = r[w : w+int(l)]
		}
		r = r[w+int(l):]
	}
	return value, data, true
}

// value returns item i's value bytes (the chunk was checked by DecodeChunk).
func (c Chunk) value(i int) []byte {
	v, _, _ := c.record(i)
	return v
}

// Value returns item i's value.
func (c Chunk) Value(i int) string { return string(c.value(i)) }

// Search returns the position of the first item whose value is not below v, and whether
// that item's value is v.
func (c Chunk) Search(v string) (int, bool) {
	i := sort.Search(c.n, func(i int) bool { return string(c.value(i)) >= v })
	return i, i < c.n && string(c.value(i)) == v
}

// Item returns item i with its ID, data and CreatedAt.
func (c Chunk) Item(i int) (ListItem, error) {
	v, d, _ := c.record(i)
	seq := c.FirstSeq + int64(i)
	it := ListItem{ID: ItemID(seq), Value: string(v), CreatedAt: c.CreatedAt}
	if len(d) > 0 {
		var err error
		if it.Data, err = DecodeItemData(it.Value, string(d)); err != nil {
			return it, err
		}
	}
	return it, nil
}

// Seq returns item i's sequence number.
func (c Chunk) Seq(i int) int64 { return c.FirstSeq + int64(i) }

// ChunkMeta is a chunk's row without its items.
type ChunkMeta struct {
	ID        int64
	FirstSeq  int64
	N         int
	Lo, Hi    string // its smallest and largest value
	CreatedAt int64  // Unix nanoseconds
}

// LastSeq returns the sequence number of the chunk's last item.
func (m ChunkMeta) LastSeq() int64 { return m.FirstSeq + int64(m.N) - 1 }

// ChunkSource reads, in one snapshot of one List, what chunk code needs from a store.
type ChunkSource struct {
	// Chunks are the List's chunks (taken in), sorted by Lo.
	Chunks []ChunkMeta
	// Dead are the sequence numbers of removed chunk items.
	Dead map[int64]bool
	// Blob reads a chunk's items.
	Blob func(id int64) ([]byte, error)
	// RowsAfter returns up to limit values of the List's rows after the value after, in
	// value order.
	RowsAfter func(after string, limit int) ([]string, error)
}

// open reads and decodes chunk m.
func (src *ChunkSource) open(m ChunkMeta) (Chunk, error) {
	b, err := src.Blob(m.ID)
	if err != nil {
		return Chunk{}, err
	}
	c, err := DecodeChunk(b)
	if err != nil {
		return Chunk{}, fmt.Errorf("%w (chunk %d)", err, m.ID)
	}
	if c.n != m.N {
		return Chunk{}, fmt.Errorf("store: damaged list chunk %d: %d items, its row says %d", m.ID, c.n, m.N)
	}
	c.ID, c.FirstSeq, c.CreatedAt = m.ID, m.FirstSeq, time.Unix(0, m.CreatedAt).UTC()
	return c, nil
}

// FindLive returns the live chunk item whose value is v, if any.
func (src *ChunkSource) FindLive(v string) (ListItem, bool, error) {
	for _, m := range src.Chunks {
		if v < m.Lo || v > m.Hi {
			continue
		}
		c, err := src.open(m)
		if err != nil {
			return ListItem{}, false, err
		}
		if i, ok := c.Search(v); ok && !src.Dead[c.Seq(i)] {
			it, err := c.Item(i)
			return it, err == nil, err
		}
	}
	return ListItem{}, false, nil
}

// holder answers, for values asked in increasing order, whether a List holds them, walking
// its rows and chunks alongside.
type holder struct {
	src    *ChunkSource
	rows   []string
	pos    int
	done   bool
	next   int       // the next chunk of src.Chunks to open
	active []*cursor // open chunks whose range may hold the values to come
}

// cursor is a position in a chunk: the values asked next are at or after it.
type cursor struct {
	c Chunk
	i int
}

// has reports whether the List holds v; v must be above the value asked before.
func (h *holder) has(v string) (bool, error) {
	for !h.done && (h.pos == len(h.rows) || h.rows[h.pos] < v) {
		if h.pos < len(h.rows) {
			h.pos++
			continue
		}
		after := ""
		if len(h.rows) > 0 {
			after = h.rows[len(h.rows)-1]
		}
		var err error
		if h.rows, err = h.src.RowsAfter(after, 1024); err != nil {
			return false, err
		}
		h.pos, h.done = 0, len(h.rows) == 0
	}
	if !h.done && h.rows[h.pos] == v {
		return true, nil
	}
	for h.next < len(h.src.Chunks) && h.src.Chunks[h.next].Lo <= v {
		c, err := h.src.open(h.src.Chunks[h.next])
		if err != nil {
			return false, err
		}
		i, _ := c.Search(v)
		h.active = append(h.active, &cursor{c: c, i: i})
		h.next++
	}
	found := false
	h.active = slices.DeleteFunc(h.active, func(k *cursor) bool {
		for k.i < k.c.n && string(k.c.value(k.i)) < v {
			k.i++
		}
		if k.i < k.c.n && string(k.c.value(k.i)) == v && !h.src.Dead[k.c.Seq(k.i)] {
			found = true
		}
		return k.i >= k.c.n // all its values are below v
	})
	return found, nil
}

// SmallImport is the most new items an import adds as rows rather than in chunks: a
// chunk is worth its range only when it is full enough, and a List that takes many small
// imports would otherwise have many chunks over each value.
const SmallImport = 1024

// StageChunks reads the items of an import from next, in strictly increasing Value order,
// skips those the List holds (per src, read at the import's start), and hands the others to
// stage in chunks of up to ListChunkItems items, with the chunk's first and last value. It
// returns how many items it staged; when there are SmallImport new items or fewer, it stages
// none and returns them (small), for the caller to add as rows.
func StageChunks(next func() (ListItem, bool, error), src *ChunkSource, stage func(blob []byte, n int, lo, hi string) error) (staged int, small []ListItem, err error) {
	staged, err = stageChunks(next, src, stage, &small)
	return staged, small, err
}

func stageChunks(next func() (ListItem, bool, error), src *ChunkSource, stage func(blob []byte, n int, lo, hi string) error, small *[]ListItem) (int, error) {
	h := &holder{src: src}
	buf := make([]ListItem, 0, ListChunkItems)
	staged, last := 0, ""
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		b, err := EncodeChunk(buf)
		if err != nil {
			return err
		}
		if err := stage(b, len(buf), buf[0].Value, buf[len(buf)-1].Value); err != nil {
			return err
		}
		staged += len(buf)
		buf = buf[:0]
		return nil
	}
	for first := true; ; first = false {
		it, ok, err := next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		if it.Value == "" {
			return 0, errors.New("store: item value is empty")
		}
		if !first && it.Value <= last {
			return 0, fmt.Errorf("store: import items out of order: %q after %q", it.Value, last)
		}
		last = it.Value
		held, err := h.has(it.Value)
		if err != nil {
			return 0, err
		}
		if held {
			continue
		}
		if buf = append(buf, it); len(buf) == ListChunkItems {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if staged == 0 && len(buf) <= SmallImport {
		*small = buf
		return 0, nil
	}
	return staged, flush()
}

// ChunkItems appends to out the live items of chunk c numbered after since, in order.
func (src *ChunkSource) ChunkItems(out []ListItem, m ChunkMeta, since int64) ([]ListItem, error) {
	c, err := src.open(m)
	if err != nil {
		return out, err
	}
	for i := max(0, int(since-m.FirstSeq+1)); i < c.n; i++ {
		if src.Dead[c.Seq(i)] {
			continue
		}
		it, err := c.Item(i)
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// MergeBySeq merges rows and the items of chunks, each in sequence order, into one slice in
// sequence order; seqs are the rows' sequence numbers.
func MergeBySeq(rows []ListItem, seqs []int64, chunks [][]ListItem, chunkSeqs []int64) []ListItem {
	if len(chunks) == 0 {
		return rows
	}
	n := len(rows)
	for _, c := range chunks {
		n += len(c)
	}
	out := make([]ListItem, 0, n)
	r := 0
	for k, c := range chunks {
		for r < len(rows) && seqs[r] < chunkSeqs[k] {
			out = append(out, rows[r])
			r++
		}
		out = append(out, c...)
	}
	return append(out, rows[r:]...)
}

// BrowseChunks merges into page (items in value order, at most limit) the live chunk items
// whose value is after after and contains query, keeping the first limit in value order.
func (src *ChunkSource) BrowseChunks(page []ListItem, query, after string, limit int) ([]ListItem, error) {
	for _, m := range src.Chunks {
		if m.Hi <= after || (len(page) >= limit && m.Lo > page[len(page)-1].Value) {
			continue
		}
		c, err := src.open(m)
		if err != nil {
			return nil, err
		}
		i, ok := c.Search(after)
		if ok {
			i++
		}
		var found []ListItem
		for ; i < c.n && len(found) < limit; i++ {
			v := c.value(i)
			if len(page) >= limit && string(v) > page[len(page)-1].Value {
				break
			}
			if src.Dead[c.Seq(i)] || (query != "" && !bytes.Contains(v, []byte(query))) {
				continue
			}
			it, err := c.Item(i)
			if err != nil {
				return nil, err
			}
			found = append(found, it)
		}
		page = append(page, found...)
		slices.SortFunc(page, func(a, b ListItem) int { return strings.Compare(a.Value, b.Value) })
		page = page[:min(len(page), limit)]
	}
	return page, nil
}

// CommitPlan is what an import's last transaction does, decided by PlanCommit.
type CommitPlan struct {
	// Dead are the sequence numbers of staged items that rows added meanwhile hold already.
	Dead []int64
}

// PlanCommit numbers the staged chunks (sorted by Lo) from base and finds the staged items
// whose value a row added since the import began holds (rowsSince): those are dead on
// arrival. stagedBlob reads a staged chunk.
func PlanCommit(staged []ChunkMeta, base int64, rowsSince []string, stagedBlob func(id int64) ([]byte, error)) (CommitPlan, error) {
	var plan CommitPlan
	for k := range staged {
		staged[k].FirstSeq = base
		base += int64(staged[k].N)
	}
	src := &ChunkSource{Chunks: staged, Blob: stagedBlob}
	for _, v := range rowsSince {
		for _, m := range staged {
			if v < m.Lo || v > m.Hi {
				continue
			}
			c, err := src.open(m)
			if err != nil {
				return plan, err
			}
			if i, ok := c.Search(v); ok {
				plan.Dead = append(plan.Dead, c.Seq(i))
			}
		}
	}
	return plan, nil
}

var importSeq atomic.Int64

// ImportID returns a new id for an import's staged chunks, unique across processes.
func ImportID(now time.Time) string {
	return fmt.Sprintf("imp_%d_%d_%d", os.Getpid(), now.UnixNano(), importSeq.Add(1))
}

// SortedItems returns items sorted by Value, a Value repeated kept once (its first), as an
// ImportListItems source: for tests and small imports.
func SortedItems(items []ListItem) func() (ListItem, bool, error) {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b ListItem) int { return strings.Compare(a.Value, b.Value) })
	sorted = slices.CompactFunc(sorted, func(a, b ListItem) bool { return a.Value == b.Value })
	return func() (ListItem, bool, error) {
		if len(sorted) == 0 {
			return ListItem{}, false, nil
		}
		it := sorted[0]
		sorted = sorted[1:]
		return it, true, nil
	}
}

// ScanItems calls fn with each row (seqs are their sequence numbers) and each live item of
// src.Chunks (sorted by FirstSeq), in sequence order, reading one chunk at a time.
func ScanItems(rows []ListItem, seqs []int64, src *ChunkSource, fn func(ListItem) error) error {
	r := 0
	for _, m := range src.Chunks {
		for ; r < len(rows) && seqs[r] < m.FirstSeq; r++ {
			if err := fn(rows[r]); err != nil {
				return err
			}
		}
		c, err := src.open(m)
		if err != nil {
			return err
		}
		for i := range c.n {
			if src.Dead[c.Seq(i)] {
				continue
			}
			it, err := c.Item(i)
			if err != nil {
				return err
			}
			if err := fn(it); err != nil {
				return err
			}
		}
	}
	for ; r < len(rows); r++ {
		if err := fn(rows[r]); err != nil {
			return err
		}
	}
	return nil
}
