package lists

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
	"unsafe"
)

// This file keeps the index of a large List of IPv4 addresses in a file
// next to the store, which a process maps into memory instead of reading
// every item and building the index: opening a List of a million addresses
// costs a few system calls, and lookups touch only the pages they read.
//
// The file is a cache of the items at one Mark, never the truth: a Service
// that finds it (with the List's CreatedAt and a Mark the store's changes
// can be read from) layers the changes since that Mark over it, as over any
// base (see Service.refresh), and builds from the store otherwise. It is
// written whole to a temporary file and renamed, so a reader sees an old
// file or a new one, never half of one. Only Lists whose every item is a
// single IPv4 address without data have one (block lists of addresses);
// others are indexed in memory.
//
// Layout (little-endian): a 64-byte header (magic, CreatedAt, Mark Version
// and Seq, address count n, the number of entries of starts, records
// length, and the CRC-32C of everything after the header), then the items'
// ipv4Set: starts (ipv4Buckets uint32s, padded to 8 bytes) and lows (n
// uint16s, padded to 8 bytes), then one uint32 offset per item (padded to
// 8 bytes), then per item its address (4 bytes), CreatedAt (8), ID length
// (2) and ID. Items are in address order, item i being the i-th address
// of the set (an address repeated in the List keeps its first item).
// Opening checks the CRC (a few milliseconds for a million items), so a
// damaged file is never used: a List of blocked addresses must not lose
// members to a flipped bit.

// MinIndexFile is the smallest List that gets an index file.
const MinIndexFile = 10_000

const (
	indexMagic  = "WFLIDX03"
	indexHeader = 64
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// IndexDirStore is a Store whose Lists may keep index files in a directory.
type IndexDirStore interface {
	Store
	// IndexDir returns the directory, or "" for none.
	IndexDir() string
}

// indexFile is an index file mapped into memory.
type indexFile struct {
	data    []byte
	n       int
	offsets []uint32
	records []byte
}

// indexPath is the file of a List in dir.
func indexPath(dir, name string) string {
	sum := sha256.Sum256([]byte(name))
	return filepath.Join(dir, hex.EncodeToString(sum[:12])+".idx")
}

// fileable reports whether items can go in an index file: each a single
// IPv4 address without data.
func fileable(kind Kind, items []Item) bool {
	if kind != KindIPAddress {
		return false
	}
	for i := range items {
		if _, ok := parseIPv4Bits(items[i].Value); !ok || len(items[i].Data) > 0 {
			return false
		}
	}
	return true
}

// indexColumns are the items of an index file, column by column: a few
// bytes per item, where an Item takes a hundred.
type indexColumns struct {
	addrs   []uint32
	created []int64
	idEnds  []uint32 // the end of each ID in ids
	ids     []byte
}

// add appends an item, reporting false when it cannot go in an index file
// (it is not a single IPv4 address without data).
func (c *indexColumns) add(it *Item) bool {
	a, ok := parseIPv4Bits(it.Value)
	if !ok || len(it.Data) > 0 || len(it.ID) > 1<<16-1 {
		return false
	}
	c.addrs = append(c.addrs, a)
	c.created = append(c.created, it.CreatedAt.UnixNano())
	c.ids = append(c.ids, it.ID...)
	c.idEnds = append(c.idEnds, uint32(len(c.ids)))
	return true
}

// errNotFileable reports a List that cannot have an index file.
var errNotFileable = errors.New("lists: not a List of IPv4 addresses without data")

// writeIndexFile writes the index file of the List l holding items at mark.
func writeIndexFile(dir string, l List, mark Mark, items []Item) error {
	var c indexColumns
	for i := range items {
		if !c.add(&items[i]) {
			return errNotFileable
		}
	}
	return c.write(dir, l, mark)
}

// write writes the index file of the List l holding c's items at mark, to
// a temporary file renamed into place, without building it in memory.
func (c *indexColumns) write(dir string, l List, mark Mark) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	n := len(c.addrs)
	if uint64(n)*14+uint64(len(c.ids)) > 1<<32-1 {
		return errors.New("lists: index file too large")
	}
	order := sortedAddrs(c.addrs)
	f, err := os.CreateTemp(dir, "*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	h := make([]byte, indexHeader)
	if _, err := f.Write(h); err != nil { // written again last, with the checksum of the rest
		f.Close()
		return err
	}
	crc := crc32.New(crcTable)
	w := bufio.NewWriterSize(io.MultiWriter(f, crc), 1<<20)
	var b [16]byte
	pad := func(n int) { w.Write(make([]byte, (8-n%8)%8)) }
	starts := make([]uint32, ipv4Buckets)
	for _, i := range order {
		starts[c.addrs[i]>>16+1]++
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	for _, v := range starts {
		w.Write(binary.LittleEndian.AppendUint32(b[:0], v))
	}
	pad(4 * len(starts))
	for _, i := range order {
		w.Write(binary.LittleEndian.AppendUint16(b[:0], uint16(c.addrs[i])))
	}
	pad(2 * len(order))
	idStart := func(i uint32) uint32 {
		if i == 0 {
			return 0
		}
		return c.idEnds[i-1]
	}
	var off uint32
	for _, i := range order {
		w.Write(binary.LittleEndian.AppendUint32(b[:0], off))
		off += 14 + c.idEnds[i] - idStart(i)
	}
	pad(4 * len(order))
	for _, i := range order {
		r := binary.LittleEndian.AppendUint32(b[:0], c.addrs[i])
		r = binary.LittleEndian.AppendUint64(r, uint64(c.created[i]))
		r = binary.LittleEndian.AppendUint16(r, uint16(c.idEnds[i]-idStart(i)))
		w.Write(r)
		w.Write(c.ids[idStart(i):c.idEnds[i]])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	copy(h, indexMagic)
	for i, v := range []uint64{uint64(l.CreatedAt.UnixNano()), uint64(mark.Version), uint64(mark.Seq),
		uint64(len(order)), ipv4Buckets, uint64(off), uint64(crc.Sum32())} {
		binary.LittleEndian.PutUint64(h[8+8*i:], v)
	}
	if _, err := f.WriteAt(h, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), indexPath(dir, l.Name))
}

// openIndexFile maps the index file of l, checking that it is whole and
// belongs to this List (its CreatedAt), and returns its index and Mark.
func openIndexFile(dir string, l List) (*Index, Mark, error) {
	data, err := mapFile(indexPath(dir, l.Name))
	if err != nil {
		return nil, Mark{}, err
	}
	x, mark, err := readIndexFile(data, l)
	if err != nil {
		unmapFile(data)
		return nil, Mark{}, err
	}
	runtime.AddCleanup(x.file, unmapFile, data)
	return x, mark, nil
}

// readIndexFile checks the file's layout and builds its index.
func readIndexFile(data []byte, l List) (*Index, Mark, error) {
	bad := func(why string) (*Index, Mark, error) {
		return nil, Mark{}, fmt.Errorf("lists: index file of %q: %s", l.Name, why)
	}
	if len(data) < indexHeader || string(data[:8]) != indexMagic || uintptr(unsafe.Pointer(&data[0]))%8 != 0 {
		return bad("not an index file")
	}
	var h [7]uint64
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(data[8+8*i:])
	}
	created, mark := int64(h[0]), Mark{Version: int64(h[1]), Seq: int64(h[2])}
	n, buckets, recLen := h[3], h[4], h[5]
	if created != l.CreatedAt.UnixNano() {
		return bad("of another List of that name")
	}
	if buckets != ipv4Buckets || n == 0 || n > 1<<32-1 { // a file is written for MinIndexFile addresses or more
		return bad("bad table")
	}
	lowsAt := indexHeader + padded(4*buckets)
	offAt := lowsAt + padded(2*n)
	recAt := offAt + padded(4*n)
	if recAt > uint64(len(data)) || uint64(len(data))-recAt != recLen {
		return bad("truncated")
	}
	if uint64(crc32.Checksum(data[indexHeader:], crcTable)) != h[6] {
		return bad("damaged (checksum)")
	}
	f := &indexFile{data: data, n: int(n), records: data[recAt:]}
	f.offsets = unsafe.Slice((*uint32)(unsafe.Pointer(&data[offAt])), n)
	for _, o := range f.offsets {
		if uint64(o)+14 > recLen {
			return bad("bad offsets")
		}
	}
	set := &ipv4Set{
		starts: unsafe.Slice((*uint32)(unsafe.Pointer(&data[indexHeader])), buckets),
		lows:   unsafe.Slice((*uint16)(unsafe.Pointer(&data[lowsAt])), n),
	}
	if !set.check() {
		return bad("bad table")
	}
	ip := newIPIndex(0)
	ip.set4 = set
	return &Index{kind: KindIPAddress, ip: ip, file: f}, mark, nil
}

// padded rounds n up to a multiple of 8.
func padded(n uint64) uint64 { return (n + 7) &^ 7 }

// item decodes item i.
func (f *indexFile) item(i int32) *Item {
	r := f.records[f.offsets[i]:]
	a := binary.LittleEndian.Uint32(r)
	idLen := int(binary.LittleEndian.Uint16(r[12:]))
	id := ""
	if 14+idLen <= len(r) {
		id = string(r[14 : 14+idLen])
	}
	return &Item{Kind: KindIPAddress, Value: ipv4String(a), ID: id,
		CreatedAt: time.Unix(0, int64(binary.LittleEndian.Uint64(r[4:]))).UTC()}
}

// ipv4String writes an address as a dotted quad.
func ipv4String(a uint32) string {
	var b [15]byte
	return string(appendIPv4(b[:0], a))
}

// appendIPv4 appends an address as a dotted quad.
func appendIPv4(b []byte, a uint32) []byte {
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(a>>(8*i)&255), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return b
}

// value appends item i's Value (its address as a dotted quad) to b, without
// decoding the rest of the item.
func (f *indexFile) value(b []byte, i int32) []byte {
	return appendIPv4(b, binary.LittleEndian.Uint32(f.records[f.offsets[i]:]))
}
