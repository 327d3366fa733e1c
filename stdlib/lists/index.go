package lists

import (
	"github.com/wf-lang/wf/stdlib/internal/textcase"

	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"strings"
)

// keyBufSize is the stack buffer for canonicalizing a lookup value; longer
// values still work but allocate.
const keyBufSize = 256

// Index answers membership queries for one List. It is built once from the
// list's items, never changes, and is safe for concurrent use. Lookups take
// O(1) or O(log n) time in the number of items: hash maps for exact values,
// a binary prefix trie per family for IP ranges, a grid for geolocations.
type Index struct {
	kind  Kind
	items []Item
	exact map[string]int32     // canonical key → item, for most kinds
	gov   map[string][]govItem // government ID number → items by class
	ip    *ipIndex
	geo   *geoIndex
	// except holds Values whose items lookups skip: the items removed from
	// a list since its index was built (see without).
	except map[string]struct{}
	// file, for an index read from an index file (indexfile.go), holds its
	// items, which are decoded only when a lookup returns one; items is
	// then nil.
	file *indexFile
}

// without returns a view of the index whose lookups skip the items with
// the given Values (an index is never changed: the view shares it).
func (x *Index) without(values map[string]struct{}) *Index {
	y := *x
	y.except = values
	return &y
}

// alive reports whether lookups may return item i.
func (x *Index) alive(i int32) bool {
	return len(x.except) == 0 || x.kept(i)
}

// kept reports whether item i is not among the removed. An index file's
// item is not decoded for it: its Value is written in a stack buffer.
func (x *Index) kept(i int32) bool {
	var gone bool
	if x.file != nil {
		var buf [15]byte
		_, gone = x.except[string(x.file.value(buf[:0], i))]
	} else {
		_, gone = x.except[x.item(i).Value]
	}
	return !gone
}

// item returns item i.
func (x *Index) item(i int32) *Item {
	if x.file != nil {
		return x.file.item(i)
	}
	return &x.items[i]
}

// govItem is one government ID item filed under its number.
type govItem struct {
	class string
	item  int32
}

// NewIndex builds an index for a list of kind from items (which should come
// from NewItem or a Store). When several items have the same canonical
// value, the first one is returned by lookups.
func NewIndex(kind Kind, items []Item) (*Index, error) {
	if !kind.Valid() {
		return nil, fmt.Errorf("invalid list kind %d", uint8(kind))
	}
	x := &Index{kind: kind, items: make([]Item, len(items))}
	copy(x.items, items)
	x.init(len(items))
	scratch := map[string]string{}
	for i := range x.items {
		it := &x.items[i]
		if it.Kind != kind {
			return nil, &ItemError{Index: i, Value: it.Value, Err: fmt.Errorf("kind %s does not match list kind %s", it.Kind, kind)}
		}
		clear(scratch)
		maps.Copy(scratch, it.Data)
		if err := x.add(it.Value, scratch, int32(i)); err != nil {
			return nil, &ItemError{Index: i, Value: it.Value, Err: err}
		}
	}
	return x, nil
}

// init allocates the structures the kind uses.
func (x *Index) init(n int) {
	switch x.kind {
	case KindIPAddress:
		x.ip = newIPIndex(n)
	case KindGeolocation:
		x.geo = newGeoIndex(n)
	case KindGovernmentIDNumber:
		x.gov = make(map[string][]govItem, n)
	default:
		x.exact = make(map[string]int32, n)
	}
}

// add files item i under its re-canonicalized value.
func (x *Index) add(value string, data map[string]string, i int32) error {
	if x.kind == KindIPAddress {
		return x.ip.add(value, i)
	}
	v, err := canonicalize(x.kind, value, data)
	if err != nil {
		return err
	}
	switch x.kind {
	case KindGeolocation:
		lat, rest, _ := strings.Cut(v, ",")
		lng, radius, _ := strings.Cut(rest, ",")
		g, err := parseGeoFields([3]string{lat, lng, radius})
		if err != nil {
			return err
		}
		x.geo.add(g, i)
	case KindGovernmentIDNumber:
		class, number := splitIDClass(v)
		x.gov[number] = append(x.gov[number], govItem{class: class, item: i})
	case KindPhoneNumber:
		x.addExact(strings.TrimPrefix(v, "+"), i)
	default:
		x.addExact(v, i)
	}
	return nil
}

// addExact files item i under key unless the key is taken.
func (x *Index) addExact(key string, i int32) {
	if _, dup := x.exact[key]; !dup {
		x.exact[key] = i
	}
}

// Kind returns the index's list kind.
func (x *Index) Kind() Kind { return x.kind }

// Len returns the number of items indexed.
func (x *Index) Len() int {
	if x.file != nil {
		return x.file.n
	}
	return len(x.items)
}

// Contains reports whether v matches an item; see Match. It builds no
// item (an index read from a file decodes an item only to return it).
func (x *Index) Contains(v any) bool {
	if s, ok := v.(string); ok {
		return x.containsString(s)
	}
	return x.find(v) >= 0
}

// containsString is Contains for a string: a dotted quad in an IP list
// with nothing removed is looked up without reading its item.
func (x *Index) containsString(s string) bool {
	if x.kind == KindIPAddress && len(x.except) == 0 {
		if a, ok := parseIPv4Bits(s); ok {
			return x.ip.contains4(a, x)
		}
	}
	return x.findString(s) >= 0
}

// Match returns the item v matches. v is a string for every kind; an IP
// list also takes a netip.Addr; a geolocation list takes a map with
// latitude and longitude or a "lat,lng" string; a name list takes a map
// with name_first and name_last; a government ID list takes a map with
// id_number and an optional id_class. Anything else, and any malformed
// value, matches nothing. The returned item must not be modified.
func (x *Index) Match(v any) (*Item, bool) { return x.result(x.find(v)) }

// find returns the number of the item v matches, or -1.
func (x *Index) find(v any) int32 {
	switch t := v.(type) {
	case string:
		return x.findString(t)
	case netip.Addr:
		if x.kind == KindIPAddress && t.IsValid() {
			return x.ip.match(addrPrefix(t), x)
		}
	case map[string]any:
		return x.matchFields(v, func(k string) string { s, _ := t[k].(string); return s })
	case map[string]string:
		return x.matchFields(v, func(k string) string { return t[k] })
	}
	return -1
}

// MatchString is Match for a string value. For single IP addresses, email
// addresses, countries, phone numbers, fingerprints, strings and ASCII names
// up to 256 bytes it does not allocate (but to decode the item returned by
// an index read from a file).
func (x *Index) MatchString(s string) (*Item, bool) { return x.result(x.findString(s)) }

// findString is find for a string value.
func (x *Index) findString(s string) int32 {
	switch x.kind {
	case KindIPAddress:
		if a, ok := parseIPv4Bits(s); ok {
			return x.ip.match4(a, x)
		}
		p, ok := parseIPLookup(s)
		if !ok {
			return -1
		}
		return x.ip.match(p, x)
	case KindGeolocation:
		lat, lng, ok := parseGeoLookup(s)
		if !ok {
			return -1
		}
		return x.geo.match(lat, lng, x)
	}
	return x.matchKeyed(s)
}

// matchKeyed canonicalizes s into a stack buffer and looks it up, for the
// kinds kept in hash maps by canonical key.
func (x *Index) matchKeyed(s string) int32 {
	var buf [keyBufSize]byte
	switch x.kind {
	case KindEmailAddress:
		return x.matchEmail(s, buf[:0])
	case KindGovernmentIDNumber:
		class, number := splitIDClass(strings.TrimSpace(s))
		return x.matchGov(number, class, buf[:0])
	}
	key, ok := x.exactKey(s, buf[:0])
	if !ok || len(key) == 0 {
		return -1
	}
	if i, found := x.exact[string(key)]; found && x.alive(i) {
		return i
	}
	return -1
}

// exactKey canonicalizes a lookup for the kinds kept in the exact map.
func (x *Index) exactKey(s string, buf []byte) ([]byte, bool) {
	s = strings.TrimSpace(s)
	switch x.kind {
	case KindName:
		return appendNameKey(buf, s), true
	case KindPhoneNumber:
		digits, _, ok := appendPhoneDigits(buf, s)
		return digits, ok
	case KindCountry:
		return appendCountryKey(buf, s)
	case KindBrowserFingerprint, KindDeviceFingerprint:
		return textcase.AppendLower(buf, s), true
	}
	return append(buf, s...), true
}

// result turns an item index into Match's results.
func (x *Index) result(i int32) (*Item, bool) {
	if i < 0 {
		return nil, false
	}
	return x.item(i), true
}

// matchEmail looks up the whole address, then its domain. A lookup without
// "@" is taken as a domain. buf starts with "@" so the domain key is a
// slice of it.
func (x *Index) matchEmail(s string, buf []byte) int32 {
	buf = textcase.AppendLower(append(buf, '@'), strings.TrimSpace(s))
	full := buf[1:]
	at := bytes.LastIndexByte(full, '@')
	if at >= 0 {
		if i, ok := x.exact[string(full)]; ok && x.alive(i) {
			return i
		}
	}
	if dom := buf[at+1:]; len(dom) > 1 {
		if i, ok := x.exact[string(dom)]; ok && x.alive(i) {
			return i
		}
	}
	return -1
}

// matchGov finds the item for a number: with a class, an item of that class
// or else one without a class; without a class, the first item filed.
func (x *Index) matchGov(number, class string, buf []byte) int32 {
	key, ok := appendGovIDKey(buf, strings.TrimSpace(number))
	if !ok {
		return -1
	}
	best := int32(-1)
	for _, g := range x.gov[string(key)] {
		switch {
		case !x.alive(g.item):
		case class == "" || strings.EqualFold(g.class, class):
			return g.item
		case g.class == "" && best < 0:
			best = g.item
		}
	}
	return best
}

// matchFields handles map lookups.
func (x *Index) matchFields(v any, get func(string) string) int32 {
	switch x.kind {
	case KindGeolocation:
		lat, lng, ok := parseGeoLookup(v)
		if !ok {
			return -1
		}
		return x.geo.match(lat, lng, x)
	case KindName:
		return x.findString(get(AttrNameFirst) + " " + get(AttrNameLast))
	case KindGovernmentIDNumber:
		var buf [keyBufSize]byte
		return x.matchGov(get("id_number"), strings.TrimSpace(get(AttrIDClass)), buf[:0])
	}
	return -1
}
