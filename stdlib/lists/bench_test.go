package lists

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ipv4 returns the i-th address of 10.0.0.0/8.
func ipv4(i int) string {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String()
}

// ipIndexOf builds an index of n single addresses.
func ipIndexOf(tb testing.TB, n int) *Index {
	raws := make([]raw, n)
	for i := range raws {
		raws[i] = raw{value: ipv4(i * 7)}
	}
	return buildIndex(tb, KindIPAddress, raws...)
}

// cidrIndexOf builds an index of n /24 ranges plus some wider ones.
func cidrIndexOf(tb testing.TB, n int) *Index {
	raws := []raw{{value: "10.0.0.0/8"}, {value: "172.16.0.0/12"}}
	for i := range n {
		raws = append(raws, raw{value: ipv4(i<<8) + "/24"})
	}
	return buildIndex(tb, KindIPAddress, raws...)
}

// emailIndexOf builds an index of n addresses and n/10 domains.
func emailIndexOf(tb testing.TB, n int) *Index {
	raws := make([]raw, 0, n+n/10)
	for i := range n {
		raws = append(raws, raw{value: "user" + strconv.Itoa(i) + "@example.com"})
	}
	for i := range n / 10 {
		raws = append(raws, raw{value: "domain" + strconv.Itoa(i) + ".io"})
	}
	return buildIndex(tb, KindEmailAddress, raws...)
}

// TestLookupsDoNotAllocate pins the zero-allocation promise for string
// lookups, hits and misses alike, through Match(any) as the host calls it.
func TestLookupsDoNotAllocate(t *testing.T) {
	cases := []struct {
		kind    Kind
		items   []string
		lookups []string
	}{
		{KindIPAddress, []string{"10.0.0.0/8", "192.0.2.1", "2001:db8::/32"}, []string{"192.0.2.1", "10.1.1.1", "2001:db8::5", "8.8.8.8", "unknown", ""}},
		{KindEmailAddress, []string{"a@b.com", "gmail.com"}, []string{"A@B.com", "x@gmail.com", "x@y.com", "gmail.com"}},
		{KindCountry, []string{"US"}, []string{"us", "FR", "USA"}},
		{KindString, []string{"promo"}, []string{" promo ", "nope"}},
		{KindPhoneNumber, []string{"+1 555 010 0000"}, []string{"+1 (555) 010-0000", "5550100000"}},
		{KindBrowserFingerprint, []string{"abc"}, []string{"ABC", "abd"}},
		{KindName, []string{"José Núñez"}, []string{"Jose Nunez", "Ann O'Neil"}},
		{KindGovernmentIDNumber, []string{"dl:D123"}, []string{"d-123", "pp:D123"}},
	}
	for _, tt := range cases {
		x := buildIndex(t, tt.kind, values(tt.items...)...)
		for _, s := range tt.lookups {
			allocs := testing.AllocsPerRun(100, func() { x.Contains(s) })
			assert.Zero(t, allocs, "%s lookup %q", tt.kind, s)
		}
	}
	base := buildIndex(t, KindIPAddress, values("10.0.0.0/8")...)
	h := &Handle{base: base}
	s := "10.2.3.4"
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.Contains(s) }), "Handle.Contains")
	h = &Handle{list: List{Kind: KindIPAddress}, base: base.without(map[string]struct{}{"10.0.0.0/8": {}}),
		overlay: buildIndex(t, KindIPAddress, values("10.2.0.0/16")...)}
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.Contains(s) }), "Handle.Contains with changes layered")
}

func BenchmarkContainsIP(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		x := ipIndexOf(b, n)
		hit, miss := ipv4((n/2)*7), "192.0.2.1"
		require.True(b, x.Contains(hit))
		require.False(b, x.Contains(miss))
		b.Run(fmt.Sprintf("n=%d/hit", n), func(b *testing.B) { benchContains(b, x, hit) })
		b.Run(fmt.Sprintf("n=%d/miss", n), func(b *testing.B) { benchContains(b, x, miss) })
	}
}

func BenchmarkContainsCIDR(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		x := cidrIndexOf(b, n)
		in24, in8 := "10.0.5.77", "10.200.1.1"
		b.Run(fmt.Sprintf("n=%d/in24", n), func(b *testing.B) { benchContains(b, x, in24) })
		b.Run(fmt.Sprintf("n=%d/in8", n), func(b *testing.B) { benchContains(b, x, in8) })
		b.Run(fmt.Sprintf("n=%d/v6miss", n), func(b *testing.B) { benchContains(b, x, "2001:db8::1") })
	}
}

func BenchmarkContainsEmail(b *testing.B) {
	x := emailIndexOf(b, 100_000)
	for name, s := range map[string]string{"address": "user500@example.com", "domain": "Someone@Domain7.io", "miss": "nobody@nowhere.org"} {
		require.Equal(b, name != "miss", x.Contains(s))
		b.Run(name, func(b *testing.B) { benchContains(b, x, s) })
	}
}

func BenchmarkContainsGeo(b *testing.B) {
	raws := make([]raw, 0, 10_000)
	for i := range 10_000 {
		raws = append(raws, raw{value: fmt.Sprintf("%f,%f,%d", float64(i%170)-85, float64(i%359)-179.5, 500+i%5000)})
	}
	x := buildIndex(b, KindGeolocation, raws...)
	p := map[string]any{"latitude": 40.0, "longitude": -74.0}
	b.ReportAllocs()
	for b.Loop() {
		x.Contains(p)
	}
}

func BenchmarkNewIndexIP(b *testing.B) {
	items := ipIndexOf(b, 100_000).items
	b.ReportAllocs()
	for b.Loop() {
		_, _ = NewIndex(KindIPAddress, items)
	}
}

// benchContains measures Contains with a string value.
func benchContains(b *testing.B, x *Index, s string) {
	b.ReportAllocs()
	for b.Loop() {
		x.Contains(s)
	}
}
