package lists

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
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
// Layout (little-endian): a 72-byte header (magic, CreatedAt, Mark Version
// and Seq, item count, slot count, table shift, records length, and the
// CRC-32C of everything after the header), the u32Table slots, one uint32
// offset per item (padded to 8 bytes), then per item its address (4
// bytes), CreatedAt (8), ID length (2) and ID. Opening checks the CRC (a
// few milliseconds for a million items), so a damaged file is never used:
// a List of blocked addresses must not lose members to a flipped bit.

// MinIndexFile is the smallest List that gets an index file.
const MinIndexFile = 10_000

const (
	indexMagic  = "WFLIDX02"
	indexHeader = 72
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

// writeIndexFile writes the index file of the List l holding items at mark.
func writeIndexFile(dir string, l List, mark Mark, items []Item) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	t := newU32Table(len(items))
	var records []byte
	offsets := make([]uint32, len(items))
	for i := range items {
		a, _ := parseIPv4Bits(items[i].Value)
		t.put(a, int32(i))
		offsets[i] = uint32(len(records))
		records = binary.LittleEndian.AppendUint32(records, a)
		records = binary.LittleEndian.AppendUint64(records, uint64(items[i].CreatedAt.UnixNano()))
		records = binary.LittleEndian.AppendUint16(records, uint16(len(items[i].ID)))
		records = append(records, items[i].ID...)
		if len(records) > 1<<32-1 {
			return errors.New("lists: index file too large")
		}
	}
	f, err := os.CreateTemp(dir, "*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	var body []byte
	var b [8]byte
	for _, s := range t.slots {
		body = binary.LittleEndian.AppendUint64(body, s)
	}
	for _, o := range offsets {
		body = binary.LittleEndian.AppendUint32(body, o)
	}
	if len(offsets)%2 == 1 {
		body = append(body, b[:4]...) // pad to 8 bytes
	}
	body = append(body, records...)
	w := bufio.NewWriterSize(f, 1<<20)
	h := make([]byte, indexHeader)
	copy(h, indexMagic)
	for i, v := range []uint64{uint64(l.CreatedAt.UnixNano()), uint64(mark.Version), uint64(mark.Seq),
		uint64(len(items)), uint64(len(t.slots)), uint64(t.shift), uint64(len(records)),
		uint64(crc32.Checksum(body, crcTable))} {
		binary.LittleEndian.PutUint64(h[8+8*i:], v)
	}
	w.Write(h)
	w.Write(body)
	if err := w.Flush(); err != nil {
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
	var h [8]uint64
	for i := range h {
		h[i] = binary.LittleEndian.Uint64(data[8+8*i:])
	}
	created, mark := int64(h[0]), Mark{Version: int64(h[1]), Seq: int64(h[2])}
	n, nslots, shift, recLen := h[3], h[4], h[5], h[6]
	if created != l.CreatedAt.UnixNano() {
		return bad("of another List of that name")
	}
	if nslots == 0 || nslots&(nslots-1) != 0 || n >= nslots || 64-shift >= 64 || uint64(1)<<(64-shift) != nslots {
		return bad("bad table")
	}
	slotsEnd := indexHeader + 8*nslots
	offEnd := slotsEnd + 4*n + 4*(n%2)
	if uint64(len(data)) != offEnd+recLen {
		return bad("truncated")
	}
	if uint64(crc32.Checksum(data[indexHeader:], crcTable)) != h[7] {
		return bad("damaged (checksum)")
	}
	f := &indexFile{data: data, n: int(n), records: data[offEnd:]}
	f.offsets = unsafe.Slice((*uint32)(unsafe.Pointer(&data[slotsEnd])), n)
	slots := unsafe.Slice((*uint64)(unsafe.Pointer(&data[indexHeader])), nslots)
	for _, o := range f.offsets {
		if uint64(o)+14 > recLen {
			return bad("bad offsets")
		}
	}
	ip := newIPIndex(0)
	ip.exact4 = u32Table{slots: slots, shift: uint8(shift), n: int(n)}
	return &Index{kind: KindIPAddress, ip: ip, file: f}, mark, nil
}

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
	b := make([]byte, 0, 15)
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(a>>(8*i)&255), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return string(b)
}
