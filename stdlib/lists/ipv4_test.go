package lists

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

// parseIPv4 accepts exactly the dotted quads netip.ParseAddr accepts, with
// the same address, and nothing else.
func TestParseIPv4AgreesWithNetip(t *testing.T) {
	inputs := []string{
		"0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.0.1", "203.0.113.11", "192.168.001.1", "01.2.3.4",
		"00.1.2.3", "1.2.3.04", "1.2.3.0", "256.1.1.1", "1.2.3.255", "1.2.3.256", "1.2.3.1000", "1.2.3", "1.2.3.4.5",
		"1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/32", "1.2.3.4%eth0", "::1", "::ffff:1.2.3.4",
		"", ".", "a.b.c.d", "1.2.3.-4", "+1.2.3.4", "1.2.3.4\x00", "９.1.1.1", "99999999999999999999.1.1.1",
	}
	for i := 0; i < 300; i++ {
		inputs = append(inputs, strconv.Itoa(i)+"."+strconv.Itoa(i*7%300)+".0."+strconv.Itoa(255-i%256))
	}
	for _, s := range inputs {
		want, err := netip.ParseAddr(s)
		got, ok := parseIPv4(s)
		if ok {
			assert.NoError(t, err, "%q accepted, netip rejects it", s)
			assert.Equal(t, want, got, s)
		} else if err == nil && want.Is4() && want.Zone() == "" {
			t.Errorf("%q: a plain IPv4 address netip accepts was left to the slow path", s)
		}
		p, ok := parseIPLookup(s)
		if err == nil {
			assert.True(t, ok, s)
			assert.Equal(t, addrPrefix(want), p, s)
		}
	}
}

func FuzzParseIPv4(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "01.2.3.4", "256.0.0.1", "1.2.3", "::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIPv4(s)
		if !ok {
			return
		}
		want, err := netip.ParseAddr(s)
		if err != nil || want != got {
			t.Fatalf("parseIPv4(%q) = %v, netip: %v, %v", s, got, want, err)
		}
	})
}

// Single IPv4 addresses are kept by their 32 bits: an IPv4-mapped item is
// found by either form, an IPv6 item with the same low bits is not.
func TestSingleIPv4Items(t *testing.T) {
	x := buildIndex(t, KindIPAddress, values("::ffff:192.0.2.7", "::c000:208", "198.51.100.1")...)
	runMatchCases(t, x, []matchCase{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"192.0.2.8", ""},
		{"::c000:208", "::c000:208"},
		{"198.51.100.1", "198.51.100.1"},
		{"198.51.100.2", ""},
	})
}
