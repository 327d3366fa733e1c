package lists

import (
	"fmt"
	"net/netip"
	"strings"
)

// This file parses IP addresses and ranges and indexes ranges in a binary
// prefix trie per address family.

// parseIPItem parses an item's address or CIDR range. A range covering a
// single address is returned as that address (single true). IPv4-mapped
// IPv6 forms become IPv4, and host bits of a range are cleared.
func parseIPItem(raw string) (p netip.Prefix, single bool, err error) {
	if strings.IndexByte(raw, '/') < 0 {
		a, err := netip.ParseAddr(raw)
		if err != nil {
			return netip.Prefix{}, false, fmt.Errorf("invalid IP address %q", raw)
		}
		if a.Zone() != "" {
			return netip.Prefix{}, false, fmt.Errorf("IP address %q must not have a zone", raw)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true, nil
	}
	p, err = netip.ParsePrefix(raw)
	if err != nil {
		return netip.Prefix{}, false, fmt.Errorf("invalid IP range %q", raw)
	}
	p = canonicalPrefix(p)
	return p, p.Bits() == p.Addr().BitLen(), nil
}

// canonicalPrefix unmaps an IPv4-mapped range of /96 or longer and clears
// host bits.
func canonicalPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// canonicalIP returns an address's or range's canonical string: netip's
// form for an address, the masked prefix for a range.
func canonicalIP(raw string) (string, error) {
	if _, ok := parseIPv4Bits(raw); ok {
		return raw, nil // a dotted quad as netip writes it (no leading zeros)
	}
	p, single, err := parseIPItem(raw)
	if err != nil {
		return "", err
	}
	if single {
		return p.Addr().String(), nil
	}
	return p.String(), nil
}

// parseIPLookup parses a lookup value: an address (zone dropped) or a range.
// It does not allocate for addresses without a zone.
func parseIPLookup(s string) (netip.Prefix, bool) {
	if a, ok := parseIPv4(s); ok {
		return netip.PrefixFrom(a, 32), true
	}
	s = strings.TrimSpace(s)
	if !plausibleIP(s) {
		return netip.Prefix{}, false // spares netip's error allocation
	}
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return canonicalPrefix(p), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return addrPrefix(a), true
}

// parseIPv4 parses a dotted-quad IPv4 address in one pass, as
// netip.ParseAddr does (four decimal fields of 0 to 255, no leading zeros).
// It accepts nothing ParseAddr rejects; anything else (spaces, IPv6,
// ranges, zones, mistakes) is left to the general path.
func parseIPv4(s string) (netip.Addr, bool) {
	v, ok := parseIPv4Bits(s)
	if !ok {
		return netip.Addr{}, false
	}
	return addr4(v), true
}

// parseIPv4Bits is parseIPv4 giving the address as a number. Each field is
// one to three digits read without a loop: a field starting with 0 is just
// "0" (no leading zeros), and a fourth digit or a value over 255 is refused.
func parseIPv4Bits(s string) (uint32, bool) {
	var addr uint32
	i := 0
	for f := 0; f < 4; f++ {
		if f > 0 {
			if i >= len(s) || s[i] != '.' {
				return 0, false
			}
			i++
		}
		if i >= len(s) || s[i]-'0' > 9 {
			return 0, false
		}
		v := uint32(s[i] - '0')
		i++
		if v != 0 && i < len(s) && s[i]-'0' <= 9 {
			v = v*10 + uint32(s[i]-'0')
			i++
			if i < len(s) && s[i]-'0' <= 9 {
				v = v*10 + uint32(s[i]-'0')
				i++
			}
		}
		if v > 255 {
			return 0, false
		}
		addr = addr<<8 | v
	}
	return addr, i == len(s)
}

// plausibleIP rejects, without allocating, values that cannot be an
// address or range: empty, or with a character outside hex digits and
// ".:/" (a zone, after "%", may hold anything).
func plausibleIP(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			return true
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F', c == '.', c == ':', c == '/':
		default:
			return false
		}
	}
	return true
}

// addrPrefix turns a lookup address into a full-length prefix.
func addrPrefix(a netip.Addr) netip.Prefix {
	a = a.WithZone("").Unmap()
	return netip.PrefixFrom(a, a.BitLen())
}

// ipTrie is a binary trie over address bits; a range item sits at the node
// reached by its prefix bits. Nodes live in one slice; child 0 means none
// (the root is never a child).
type ipTrie struct {
	nodes []trieNode
}

// trieNode is one trie node; item is an index into Index.items or -1.
type trieNode struct {
	child [2]int32
	item  int32
}

// newTrie returns a trie holding only a root.
func newTrie() ipTrie {
	return ipTrie{nodes: []trieNode{{item: -1}}}
}

// addrBits returns the address's bytes, left aligned.
func addrBits(a netip.Addr) [16]byte {
	if a.Is4() {
		var b [16]byte
		v4 := a.As4()
		copy(b[:], v4[:])
		return b
	}
	return a.As16()
}

// bitAt returns bit i (0 is the most significant) of b.
func bitAt(b *[16]byte, i int) int {
	return int(b[i>>3]>>(7-uint(i&7))) & 1
}

// insert adds the range p for item, keeping the first item given for a
// range already present.
func (t *ipTrie) insert(p netip.Prefix, item int32) {
	b := addrBits(p.Addr())
	n := int32(0)
	for i := 0; i < p.Bits(); i++ {
		bit := bitAt(&b, i)
		next := t.nodes[n].child[bit]
		if next == 0 {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{item: -1})
			t.nodes[n].child[bit] = next
		}
		n = next
	}
	if t.nodes[n].item < 0 {
		t.nodes[n].item = item
	}
}

// empty reports whether the trie holds no range.
func (t *ipTrie) empty() bool {
	return len(t.nodes) == 1 && t.nodes[0].item < 0
}

// lookup returns the item of the most specific range of at most bits bits
// that contains a and that x has alive, or -1.
func (t *ipTrie) lookup(a netip.Addr, bits int, x *Index) int32 {
	b := addrBits(a)
	n, best := int32(0), t.nodes[0].item
	if best >= 0 && !x.alive(best) {
		best = -1
	}
	for i := 0; i < bits; i++ {
		n = t.nodes[n].child[bitAt(&b, i)]
		if n == 0 {
			break
		}
		if it := t.nodes[n].item; it >= 0 && x.alive(it) {
			best = it
		}
	}
	return best
}

// ipIndex holds single addresses in hash tables (IPv4 by its 32 bits in a
// flat table, or, for an index file, in its ipv4Set) and ranges in two
// tries.
type ipIndex struct {
	exact4 u32Table
	set4   *ipv4Set             // an index file's IPv4 addresses, instead of exact4
	exact  map[netip.Addr]int32 // IPv6
	v4, v6 ipTrie
}

// newIPIndex returns an empty IP index sized for n items.
func newIPIndex(n int) *ipIndex {
	return &ipIndex{exact4: newU32Table(n), exact: map[netip.Addr]int32{}, v4: newTrie(), v6: newTrie()}
}

// bits4 returns an IPv4 address as a number.
func bits4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// add indexes an item's Value as item i.
func (x *ipIndex) add(value string, i int32) error {
	p, single, err := parseIPItem(value)
	if err != nil {
		return err
	}
	switch {
	case single && p.Addr().Is4():
		x.exact4.put(bits4(p.Addr()), i)
	case single:
		if _, dup := x.exact[p.Addr()]; !dup {
			x.exact[p.Addr()] = i
		}
	case p.Addr().Is4():
		x.v4.insert(p, i)
	default:
		x.v6.insert(p, i)
	}
	return nil
}

// match4 finds the item for an IPv4 address given as a number: the
// address, else the most specific range containing it. Without ranges (a
// block list of addresses) a miss costs the table's probe alone.
func (x *ipIndex) match4(a uint32, live *Index) int32 {
	i := int32(-1)
	if x.set4 != nil {
		i = x.set4.find(a)
	} else if s := x.exact4.slot(a); s >= 0 {
		i = x.exact4.item(s)
	}
	if i >= 0 && live.alive(i) {
		return i
	}
	if x.v4.empty() && x.v6.empty() {
		return -1
	}
	return x.ranges4(addr4(a), 32, live)
}

// contains4 is match4(a, live) >= 0 for an index without removed items:
// an address is found without reading its item.
func (x *ipIndex) contains4(a uint32, live *Index) bool {
	if x.set4 != nil {
		if x.set4.find(a) >= 0 {
			return true
		}
	} else if x.exact4.slot(a) >= 0 {
		return true
	}
	return !(x.v4.empty() && x.v6.empty()) && x.ranges4(addr4(a), 32, live) >= 0
}

// addr4 returns an IPv4 address given as a number.
func addr4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// ranges4 finds the most specific range of at most bits bits containing
// the IPv4 address a: IPv4 ranges, then IPv6 ranges that cover the
// IPv4-mapped space.
func (x *ipIndex) ranges4(a netip.Addr, bits int, live *Index) int32 {
	if i := x.v4.lookup(a, bits, live); i >= 0 {
		return i
	}
	return x.v6.lookup(netip.AddrFrom16(a.As16()), bits+96, live)
}

// match finds the item for a lookup prefix (an address is a full-length
// prefix) among the items live has alive: an exact address first, then the
// most specific containing range. IPv4 lookups also see IPv6 ranges that
// cover the IPv4-mapped space.
func (x *ipIndex) match(p netip.Prefix, live *Index) int32 {
	a := p.Addr()
	if a.Is4() {
		if p.Bits() == 32 {
			return x.match4(bits4(a), live)
		}
		return x.ranges4(a, p.Bits(), live)
	}
	if p.Bits() == a.BitLen() {
		if i, ok := x.exact[a]; ok && live.alive(i) {
			return i
		}
	}
	return x.v6.lookup(a, p.Bits(), live)
}
