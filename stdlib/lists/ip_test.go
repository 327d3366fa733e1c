package lists

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatchIPv4(t *testing.T) {
	x := buildIndex(t, KindIPAddress, values("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3", "192.0.2.1", "0.0.0.0/0")...)
	runMatchCases(t, x, []matchCase{
		{"10.1.2.3", "10.1.2.3"},
		{"10.1.2.4", "10.1.2.0/24"},
		{"10.1.3.4", "10.1.0.0/16"},
		{"10.2.0.1", "10.0.0.0/8"},
		{"11.0.0.1", "0.0.0.0/0"},
		{" 192.0.2.1 ", "192.0.2.1"},
		{"::ffff:10.1.2.3", "10.1.2.3"},
		{"::ffff:10.1.2.99", "10.1.2.0/24"},
		{"10.1.2.0/25", "10.1.2.0/24"},
		{"10.1.0.0/16", "10.1.0.0/16"},
		{"10.0.0.0/7", "0.0.0.0/0"},
		{"300.1.1.1", ""},
		{"10.1.2.3/33", ""},
		{"", ""},
		{"2001:db8::1", ""},
	})
}

func TestMatchIPv6(t *testing.T) {
	x := buildIndex(t, KindIPAddress, values("2001:db8::/32", "2001:db8:abcd::/48", "2001:db8:abcd::1", "fe80::1", "10.0.0.0/8")...)
	runMatchCases(t, x, []matchCase{
		{"2001:db8:abcd::1", "2001:db8:abcd::1"},
		{"2001:DB8:ABCD:0::1", "2001:db8:abcd::1"},
		{"2001:db8:abcd::2", "2001:db8:abcd::/48"},
		{"2001:db8:1::2", "2001:db8::/32"},
		{"2001:db9::1", ""},
		{"fe80::1%eth0", "fe80::1"},
		{"fe80::2", ""},
		{"10.1.1.1", "10.0.0.0/8"},
		{"::ffff:10.1.1.1", "10.0.0.0/8"},
		{"::10.1.1.1", ""},
	})
}

func TestMatchIPv6RangeCoveringMappedSpace(t *testing.T) {
	x := buildIndex(t, KindIPAddress, values("::/0", "192.0.2.0/24")...)
	runMatchCases(t, x, []matchCase{
		{"198.51.100.1", "::/0"},
		{"192.0.2.9", "192.0.2.0/24"},
		{"2001:db8::1", "::/0"},
	})
	mapped := buildIndex(t, KindIPAddress, values("::ffff:0:0/96")...)
	runMatchCases(t, mapped, []matchCase{{"8.8.8.8", "0.0.0.0/0"}, {"2001:db8::1", ""}})
}

// TestIPTrieAgreesWithScan checks the index against a linear scan that
// picks the exact address or the longest containing range.
func TestIPTrieAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var raws []raw
	for range 400 {
		a := randAddr(rng)
		bits := rng.IntN(a.BitLen() + 1)
		if rng.IntN(3) == 0 {
			bits = a.BitLen()
		}
		raws = append(raws, raw{value: netip.PrefixFrom(a, bits).Masked().String()})
	}
	x := buildIndex(t, KindIPAddress, raws...)
	prefixes := make([]netip.Prefix, len(x.items))
	for i, it := range x.items {
		p, _, err := parseIPItem(it.Value)
		require.NoError(t, err)
		prefixes[i] = p
	}
	for range 5000 {
		a := randAddr(rng)
		if rng.IntN(2) == 0 { // probe near an item
			p := prefixes[rng.IntN(len(prefixes))]
			a = nudge(p.Addr(), rng)
		}
		got, ok := x.MatchString(a.String())
		want := scanIP(prefixes, a)
		if want < 0 {
			assert.False(t, ok, "%s matched %v", a, got)
			continue
		}
		if assert.True(t, ok, "%s should match %s", a, prefixes[want]) {
			assert.Equal(t, prefixes[want].String(), netip.MustParsePrefix(prefixOf(got.Value)).String(), "lookup %s", a)
		}
	}
}

// randAddr returns a random IPv4 (from a small space, so ranges overlap) or
// IPv6 address.
func randAddr(rng *rand.Rand) netip.Addr {
	if rng.IntN(2) == 0 {
		return netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256))})
	}
	var b [16]byte
	b[0], b[1], b[2] = 0x20, 0x01, byte(rng.IntN(4))
	for i := 3; i < 16; i++ {
		b[i] = byte(rng.IntN(256))
	}
	return netip.AddrFrom16(b)
}

// nudge flips one of the low bits of a.
func nudge(a netip.Addr, rng *rand.Rand) netip.Addr {
	b := a.As16()
	b[15] ^= byte(rng.IntN(4))
	if a.Is4() {
		return netip.AddrFrom16(b).Unmap()
	}
	return netip.AddrFrom16(b)
}

// scanIP returns the index of the exact address or longest range holding a.
func scanIP(ps []netip.Prefix, a netip.Addr) int {
	best := -1
	for i, p := range ps {
		if p.Contains(a) && (best < 0 || p.Bits() > ps[best].Bits()) {
			best = i
		}
	}
	return best
}

// prefixOf turns an item Value into a prefix string.
func prefixOf(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return v
}
