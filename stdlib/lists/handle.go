package lists

import (
	"net/netip"
	"strings"
)

// Handle is a resolved List at one Version: the index built from all its
// items at an earlier Version (the base, which the handles of later
// Versions share), the items added since (a small index of their own) and
// the Values removed since (which the base's lookups skip). Its lookups
// never touch the store and do not allocate for string values (see
// Index.MatchString). A Handle never changes; ask the Service for a new
// one to see later changes.
type Handle struct {
	list    List
	mark    Mark                // the moment of list's Version
	raw     *Index              // the base
	base    *Index              // the base without the removed items
	added   []Item              // items added since the base, still held
	overlay *Index              // the index of added; nil when none
	removed map[string]struct{} // Values removed since the base
}

// List returns the list's description at the handle's Version.
func (h *Handle) List() List { return h.list }

// Index returns the index of the items the list held when its base was
// built, without those removed since; the items added since are not in it.
func (h *Handle) Index() *Index { return h.base }

// Contains reports whether v matches an item; see Index.Match.
func (h *Handle) Contains(v any) bool {
	if s, ok := v.(string); ok {
		return h.ContainsString(s)
	}
	if h.overlay == nil {
		return h.base.Contains(v)
	}
	_, ok := h.Match(v)
	return ok
}

// ContainsString is Contains for a string value.
func (h *Handle) ContainsString(s string) bool {
	if h.overlay == nil {
		return h.base.containsString(s)
	}
	_, ok := h.MatchString(s)
	return ok
}

// Match returns the item v matches; see Index.Match.
func (h *Handle) Match(v any) (*Item, bool) {
	b, okB := h.base.Match(v)
	if h.overlay == nil {
		return b, okB
	}
	a, okA := h.overlay.Match(v)
	return h.pick(a, okA, b, okB, v)
}

// MatchString returns the item the string s matches.
func (h *Handle) MatchString(s string) (*Item, bool) {
	b, okB := h.base.MatchString(s)
	if h.overlay == nil {
		return b, okB
	}
	a, okA := h.overlay.MatchString(s)
	return h.pick(a, okA, b, okB, s)
}

// pick chooses between the item of the items added since the base (a) and
// the base's (b) the one a single index of all the items would return:
// the more specific (an address before a range, a longer range, an address
// before a domain, a number with its class before one without, the nearer
// center), the base's when they are alike (it was added first).
func (h *Handle) pick(a *Item, okA bool, b *Item, okB bool, v any) (*Item, bool) {
	switch {
	case !okA:
		return b, okB
	case !okB:
		return a, true
	case specificity(h.list.Kind, a, v) > specificity(h.list.Kind, b, v):
		return a, true
	}
	return b, true
}

// specificity ranks an item that a lookup of v matched: higher is more
// specific.
func specificity(kind Kind, it *Item, v any) float64 {
	switch kind {
	case KindIPAddress:
		p, _, err := parseIPItem(it.Value)
		if err != nil {
			return 0
		}
		bits := float64(p.Bits())
		if p.Addr().Is6() && lookupIs4(v) {
			bits -= 96 // an IPv6 range over the IPv4-mapped space
		}
		return bits
	case KindEmailAddress:
		if strings.HasPrefix(it.Value, "@") {
			return 1
		}
		return 2
	case KindGovernmentIDNumber:
		if class, _ := splitIDClass(it.Value); class != "" {
			return 2
		}
		return 1
	case KindGeolocation:
		lat, lng, ok := parseGeoLookup(v)
		f := strings.Split(it.Value, ",")
		if !ok || len(f) != 3 {
			return 0
		}
		g, err := parseGeoFields([3]string{f[0], f[1], f[2]})
		if err != nil {
			return 0
		}
		return -haversine(lat, lng, g.lat, g.lng)
	}
	return 0
}

// lookupIs4 reports whether an IP lookup is an IPv4 address or range.
func lookupIs4(v any) bool {
	switch t := v.(type) {
	case string:
		p, ok := parseIPLookup(t)
		return ok && p.Addr().Is4()
	case netip.Addr:
		return t.Unmap().Is4()
	}
	return false
}
