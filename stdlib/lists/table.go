package lists

// u32Table is an open-addressing hash table from 32-bit keys (IPv4
// addresses) to item numbers, found by linear probing from a
// multiplicative hash over a power-of-two number of slots, at most half
// full. The keys are in one array of 4-byte slots (0 is an empty slot; the
// key 0, the address 0.0.0.0, is kept beside the slots) and the items in a
// parallel array that a lookup reads only when it needs the item: a
// membership test touches 4 bytes per probe, so a table of a million
// addresses takes 8 MB of keys, where slots of key and item together took
// 16 MB, and more of it stays in the caches (and the TLB). Go's
// map[uint32]int32 costs about three times as much per lookup.
type u32Table struct {
	keys  []uint32
	items []int32 // items[i] is the item of keys[i]
	zero  int32   // the item of key 0, plus one; 0 when none
	shift uint8   // 64 - log2(len(keys))
	n     int
}

// newU32Table returns a table for about n keys (at most half full).
func newU32Table(n int) u32Table {
	size, bits := 8, uint8(3)
	for size < 2*n {
		size, bits = size*2, bits+1
	}
	return u32Table{keys: make([]uint32, size), items: make([]int32, size), shift: 64 - bits}
}

// pos is the home slot of key.
func (t *u32Table) pos(key uint32) uint64 {
	return (uint64(key) * 0x9E3779B97F4A7C15) >> t.shift
}

// slot returns the slot holding key, or -1; for key 0 it returns
// len(t.keys) when the table holds it (see item).
func (t *u32Table) slot(key uint32) int {
	if key == 0 {
		if t.zero != 0 {
			return len(t.keys)
		}
		return -1
	}
	mask := uint64(len(t.keys) - 1)
	for i := t.pos(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case key:
			return int(i)
		case 0:
			return -1
		}
	}
}

// item returns the item of a slot slot returned.
func (t *u32Table) item(slot int) int32 {
	if slot == len(t.keys) {
		return t.zero - 1
	}
	return t.items[slot]
}

// get returns the item filed under key.
func (t *u32Table) get(key uint32) (int32, bool) {
	s := t.slot(key)
	if s < 0 {
		return -1, false
	}
	return t.item(s), true
}

// put files item under key unless the key is taken; it reports whether
// it filed it.
func (t *u32Table) put(key uint32, item int32) bool {
	if key == 0 {
		if t.zero != 0 {
			return false
		}
		t.zero = item + 1
		t.n++
		return true
	}
	if 2*(t.n+1) > len(t.keys) {
		t.grow()
	}
	mask := uint64(len(t.keys) - 1)
	for i := t.pos(key); ; i = (i + 1) & mask {
		switch t.keys[i] {
		case 0:
			t.keys[i], t.items[i] = key, item
			t.n++
			return true
		case key:
			return false
		}
	}
}

// grow doubles the table.
func (t *u32Table) grow() {
	old := *t
	*t = newU32Table(len(old.keys))
	if t.zero = old.zero; t.zero != 0 {
		t.n = 1
	}
	for i, k := range old.keys {
		if k != 0 {
			t.put(k, old.items[i])
		}
	}
}

// ipv4Set is the set of IPv4 addresses of an index file, in a form that
// takes 2 bytes per address: the addresses sorted, their low 16 bits in
// one array (lows) and, per /16, where its addresses start in it (starts,
// 1<<16+1 entries: 256 KB). Item i is the i-th address. A lookup reads
// one entry of starts and a few neighbouring entries of lows (16 on
// average at a million addresses, one or two cache lines). A million
// addresses take 2.25 MB, which the caches and the TLB hold far better
// than a hash table's 8 or 16 MB: at that size a lookup is a cache miss
// more often than not, and the miss is what it costs.
type ipv4Set struct {
	starts []uint32
	lows   []uint16
}

// ipv4Buckets is the number of entries of ipv4Set.starts.
const ipv4Buckets = 1<<16 + 1

// find returns the item of address a, or -1.
func (s *ipv4Set) find(a uint32) int32 {
	lo := uint16(a)
	i, end := s.starts[a>>16], s.starts[a>>16+1]
	j := end
	for j-i > 8 { // a large /16: halve it first
		h := i + (j-i)/2
		if s.lows[h] < lo {
			i = h + 1
		} else {
			j = h
		}
	}
	for i < j && s.lows[i] < lo { // the addresses before i are below a
		i++
	}
	if i < end && s.lows[i] == lo {
		return int32(i)
	}
	return -1
}

// check reports whether the set's arrays are consistent (starts never
// decrease and end at len(lows)), so that find cannot index out of range.
func (s *ipv4Set) check() bool {
	if len(s.starts) != ipv4Buckets || s.starts[0] != 0 || int(s.starts[ipv4Buckets-1]) != len(s.lows) {
		return false
	}
	for i := 1; i < len(s.starts); i++ {
		if s.starts[i] < s.starts[i-1] {
			return false
		}
	}
	return true
}

// sortedAddrs returns the positions of addrs in address order, the first
// position of each address only (a repeated address keeps its first item,
// as u32Table.put does). It sorts by a stable LSD radix sort, a byte of
// the address a pass.
func sortedAddrs(addrs []uint32) []uint32 {
	order := make([]uint32, len(addrs))
	for i := range order {
		order[i] = uint32(i)
	}
	tmp := make([]uint32, len(addrs))
	for shift := 0; shift < 32; shift += 8 {
		var count [257]int
		for _, i := range order {
			count[addrs[i]>>shift&255+1]++
		}
		for d := 1; d < len(count); d++ {
			count[d] += count[d-1]
		}
		for _, i := range order {
			d := addrs[i] >> shift & 255
			tmp[count[d]] = i
			count[d]++
		}
		order, tmp = tmp, order
	}
	out := order[:0]
	for k, i := range order {
		if k == 0 || addrs[i] != addrs[out[len(out)-1]] {
			out = append(out, i)
		}
	}
	return out
}
