package lists

// u32Table is an open-addressing hash table from 32-bit keys (IPv4
// addresses) to item numbers: one slot per power-of-two position holds
// key<<32 | item+1 (0 is an empty slot), found by linear probing from a
// multiplicative hash. It is flat, so a lookup is one multiply and, most
// of the time, one memory access; Go's map[uint32]int32 costs about three
// times as much per lookup.
type u32Table struct {
	slots []uint64
	shift uint8 // 64 - log2(len(slots))
	n     int
}

// newU32Table returns a table for about n keys (at most half full).
func newU32Table(n int) u32Table {
	size, bits := 8, uint8(3)
	for size < 2*n {
		size, bits = size*2, bits+1
	}
	return u32Table{slots: make([]uint64, size), shift: 64 - bits}
}

// pos is the home slot of key.
func (t *u32Table) pos(key uint32) uint64 {
	return (uint64(key) * 0x9E3779B97F4A7C15) >> t.shift
}

// get returns the item filed under key.
func (t *u32Table) get(key uint32) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := t.pos(key); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1, false
		}
		if uint32(s>>32) == key {
			return int32(uint32(s)) - 1, true
		}
	}
}

// put files item under key unless the key is taken; it reports whether
// it filed it.
func (t *u32Table) put(key uint32, item int32) bool {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := t.pos(key); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			t.slots[i] = uint64(key)<<32 | uint64(uint32(item+1))
			t.n++
			return true
		}
		if uint32(s>>32) == key {
			return false
		}
	}
}

// grow doubles the table.
func (t *u32Table) grow() {
	old := t.slots
	*t = newU32Table(len(old))
	for _, s := range old {
		if s != 0 {
			t.put(uint32(s>>32), int32(uint32(s))-1)
		}
	}
}
