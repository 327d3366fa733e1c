package lists

import (
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The key 0 (the address 0.0.0.0) is kept beside the slots, where 0 marks
// an empty slot: it is found, keeps its first item and survives growth.
func TestU32TableKeyZero(t *testing.T) {
	tb := newU32Table(0)
	_, ok := tb.get(0)
	assert.False(t, ok)
	assert.True(t, tb.put(0, 7))
	assert.False(t, tb.put(0, 8), "the first item stays")
	for k := uint32(1); k <= 1000; k++ { // grows the table several times
		require.True(t, tb.put(k*2654435761, int32(k)))
	}
	assert.Equal(t, 1001, tb.n)
	i, ok := tb.get(0)
	assert.True(t, ok)
	assert.Equal(t, int32(7), i)
	for k := uint32(1); k <= 1000; k++ {
		i, ok := tb.get(k * 2654435761)
		require.True(t, ok)
		require.Equal(t, int32(k), i)
	}
	_, ok = tb.get(12345)
	assert.False(t, ok)

	x := buildIndex(t, KindIPAddress, values("0.0.0.0", "10.0.0.1")...)
	runMatchCases(t, x, []matchCase{{"0.0.0.0", "0.0.0.0"}, {"::ffff:0.0.0.0", "0.0.0.0"}, {"0.0.0.1", ""}})
}

// An index file answers every lookup as an index built in memory from the
// same items does, the same item included: addresses crowded in one /16
// (a bucket searched by halving), spread out, at both ends of the address
// space, repeated (the first item wins), and their neighbours.
func TestIndexFileAgreesWithMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var vals []string
	add := func(a uint32) {
		vals = append(vals, ipv4String(a))
	}
	for i := range 3000 {
		add(0xC0A80000 | uint32(rng.IntN(1<<16))) // 192.168/16, about 3000 in one bucket
		add(rng.Uint32())
		if i%100 == 0 {
			add(0x0A000000 | uint32(i)) // a small bucket
		}
	}
	for _, a := range []uint32{0, 1, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFF0000} {
		add(a)
	}
	vals = append(vals, vals[:50]...) // repeated addresses
	items := mustItems(t, KindIPAddress, vals...)
	for i := range items {
		items[i].ID = "i" + strconv.Itoa(i)
		items[i].CreatedAt = time.Unix(1_700_000_000, int64(i)).UTC()
	}
	l := List{Name: "ips", Kind: KindIPAddress}
	dir := t.TempDir()
	require.NoError(t, writeIndexFile(dir, l, Mark{Version: 1}, items))
	file, _, err := openIndexFile(dir, l)
	require.NoError(t, err)
	mem, err := NewIndex(KindIPAddress, items)
	require.NoError(t, err)
	require.NotNil(t, file.ip.set4)

	lookups := []string{"0.0.0.0", "255.255.255.255", "192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"}
	for _, v := range vals {
		a, ok := parseIPv4Bits(v)
		require.True(t, ok)
		lookups = append(lookups, v, ipv4String(a+1), ipv4String(a-1))
	}
	for _, s := range lookups {
		w, wok := mem.MatchString(s)
		g, gok := file.MatchString(s)
		require.Equal(t, wok, gok, s)
		require.Equal(t, wok, file.Contains(s), s)
		require.Equal(t, wok, mem.Contains(s), s)
		if wok {
			require.Equal(t, *w, *g, s)
		}
	}
	distinct := map[string]bool{}
	for _, v := range vals {
		distinct[v] = true
	}
	assert.Equal(t, len(distinct), file.Len(), "one item per address")
}

// A file whose table is inconsistent is refused even when its checksum
// holds (a file written by a faulty writer): a lookup must not index out
// of range.
func TestReadIndexFileRefusesBadTable(t *testing.T) {
	l := List{Name: "ips", Kind: KindIPAddress}
	dir := t.TempDir()
	require.NoError(t, writeIndexFile(dir, l, Mark{}, mustItems(t, KindIPAddress, addrs(100)...)))
	good, err := os.ReadFile(indexPath(dir, "ips"))
	require.NoError(t, err)
	words := make([]uint64, (len(good)+7)/8)
	b := unsafeBytes(words)[:len(good)]
	copy(b, good)
	_, _, err = readIndexFile(b, l)
	require.NoError(t, err)
	// starts[0x0A01] (where 10.1/16 starts) says 200: past starts[0x0A02]
	// (100) and past the end.
	binary.LittleEndian.PutUint32(b[indexHeader+4*0x0A01:], 200)
	binary.LittleEndian.PutUint64(b[indexHeader-8:], uint64(crc32.Checksum(b[indexHeader:], crcTable)))
	_, _, err = readIndexFile(b, l)
	assert.ErrorContains(t, err, "bad table")
}

// Contains answers as Match does for string lookups of an IP list, with
// ranges (an address outside the table but in a range), with removed
// items (the item must be read) and with changes layered over the base.
func TestContainsAgreesWithMatch(t *testing.T) {
	base := buildIndex(t, KindIPAddress, values("10.0.0.0/8", "192.0.2.1", "192.0.2.2", "0.0.0.0", "::ffff:0:0/95", "2001:db8::/32")...)
	handles := map[string]*Handle{
		"plain":   {list: List{Kind: KindIPAddress}, base: base},
		"removed": {list: List{Kind: KindIPAddress}, base: base.without(map[string]struct{}{"192.0.2.1": {}, "10.0.0.0/8": {}})},
		"layered": {list: List{Kind: KindIPAddress}, base: base.without(map[string]struct{}{"192.0.2.2": {}}),
			overlay: buildIndex(t, KindIPAddress, values("192.0.2.3")...)},
	}
	lookups := []string{"10.1.2.3", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "0.0.0.0", "11.0.0.1",
		"::ffff:10.0.0.1", "2001:db8::1", "10.0.0.0/16", "", "x", " 192.0.2.1"}
	for name, h := range handles {
		for _, s := range lookups {
			_, want := h.MatchString(s)
			assert.Equal(t, want, h.ContainsString(s), "%s: %q", name, s)
			assert.Equal(t, want, h.Contains(s), "%s: %q", name, s)
			_, want = h.Index().MatchString(s)
			assert.Equal(t, want, h.Index().Contains(s), "%s index: %q", name, s)
		}
	}
}

// A file of no address, which no List gets (MinIndexFile), is refused,
// not read past its end, even with a checksum that holds.
func TestReadIndexFileRefusesNoAddresses(t *testing.T) {
	l := List{Name: "ips", Kind: KindIPAddress}
	size := indexHeader + padded(4*ipv4Buckets)
	words := make([]uint64, size/8)
	b := unsafeBytes(words)
	copy(b, indexMagic)
	binary.LittleEndian.PutUint64(b[8:], uint64(l.CreatedAt.UnixNano()))
	binary.LittleEndian.PutUint64(b[40:], ipv4Buckets)
	binary.LittleEndian.PutUint64(b[indexHeader-8:], uint64(crc32.Checksum(b[indexHeader:], crcTable)))
	_, _, err := readIndexFile(b, l)
	assert.ErrorContains(t, err, "bad table")
}

// A handle whose base is an index file and whose List lost items since
// decodes no item to skip them: a lookup allocates nothing, a hit, a
// removed item or a miss.
func TestIndexFileWithRemovalsAllocatesNothing(t *testing.T) {
	l := List{Name: "ips", Kind: KindIPAddress}
	dir := t.TempDir()
	require.NoError(t, writeIndexFile(dir, l, Mark{}, mustItems(t, KindIPAddress, addrs(MinIndexFile)...)))
	file, _, err := openIndexFile(dir, l)
	require.NoError(t, err)
	h := &Handle{list: l, base: file.without(map[string]struct{}{"10.0.0.7": {}})}
	for s, want := range map[string]bool{"10.0.0.8": true, "10.0.0.7": false, "11.0.0.1": false} {
		assert.Equal(t, want, h.ContainsString(s), s)
		assert.Zero(t, testing.AllocsPerRun(100, func() { h.ContainsString(s) }), s)
	}
}
