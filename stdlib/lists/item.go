package lists

import (
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"
)

// Size limits for items.
const (
	// MaxValueLen caps a raw value, and each Data value, in bytes.
	MaxValueLen = 1024
	// MaxDataKeys caps the number of attributes in Item.Data.
	MaxDataKeys = 32
)

// Data keys with a meaning for some kind.
const (
	AttrMatchType    = "match_type"    // email_address: "email_address" or "domain"
	AttrIDClass      = "id_class"      // government_id_number: "dl", "pp", …
	AttrNameFirst    = "name_first"    // name
	AttrNameLast     = "name_last"     // name
	AttrLatitude     = "latitude"      // geolocation, decimal degrees
	AttrLongitude    = "longitude"     // geolocation, decimal degrees
	AttrRadiusMeters = "radius_meters" // geolocation, meters
)

// Email match types, the values of AttrMatchType.
const (
	MatchTypeEmailAddress = "email_address"
	MatchTypeDomain       = "domain"
)

// Item is one entry of a List. Items are values: once built they are not
// modified (an Index hands out pointers to its own copies, which callers must
// not change).
type Item struct {
	// ID is assigned by the Store; NewItem leaves it empty.
	ID string
	// Kind is the kind of the List the item belongs to.
	Kind Kind
	// Value is the canonical form of the item and its key within its List.
	Value string
	// Data holds extra attributes (see the Attr constants); NewItem fills in
	// the kind-specific ones in canonical form and keeps any others.
	Data map[string]string
	// CreatedAt is set by the Store.
	CreatedAt time.Time
}

// NewItem validates raw (and data) as a value of kind and returns the item in
// canonical form. The package documentation describes each kind's rules.
func NewItem(kind Kind, raw string, data map[string]string) (Item, error) {
	if err := checkData(data); err != nil {
		return Item{}, err
	}
	if len(raw) > MaxValueLen {
		return Item{}, fmt.Errorf("value too long (%d bytes, max %d)", len(raw), MaxValueLen)
	}
	if !utf8.ValidString(raw) {
		return Item{}, fmt.Errorf("value %q is not valid UTF-8", raw)
	}
	it := Item{Kind: kind, Data: maps.Clone(data)}
	if it.Data == nil && kindHasAttrs(kind) {
		it.Data = map[string]string{} // canonicalize may fill it in
	}
	v, err := canonicalize(kind, strings.TrimSpace(raw), it.Data)
	if err != nil {
		return Item{}, err
	}
	it.Value = v
	if len(it.Data) == 0 {
		it.Data = nil
	}
	return it, nil
}

// canonicalize dispatches on kind; it may rewrite data in place.
func canonicalize(kind Kind, raw string, data map[string]string) (string, error) {
	switch kind {
	case KindIPAddress:
		return canonicalIP(raw)
	case KindEmailAddress:
		return canonicalEmail(raw, data)
	case KindName:
		return canonicalName(raw, data)
	case KindPhoneNumber:
		return canonicalPhone(raw)
	case KindCountry:
		return canonicalCountry(raw)
	case KindGovernmentIDNumber:
		return canonicalGovID(raw, data)
	case KindBrowserFingerprint, KindDeviceFingerprint:
		return canonicalFingerprint(kind, raw)
	case KindGeolocation:
		return canonicalGeo(raw, data)
	case KindString:
		return canonicalString(raw)
	}
	return "", fmt.Errorf("invalid list kind %d", uint8(kind))
}

// kindHasAttrs reports whether canonicalize may set a kind's attributes.
func kindHasAttrs(kind Kind) bool {
	switch kind {
	case KindEmailAddress, KindName, KindGovernmentIDNumber, KindGeolocation:
		return true
	}
	return false
}

// checkData enforces the attribute limits.
func checkData(data map[string]string) error {
	if len(data) > MaxDataKeys {
		return fmt.Errorf("too many attributes (%d, max %d)", len(data), MaxDataKeys)
	}
	for k, v := range data {
		if len(k) > MaxValueLen || len(v) > MaxValueLen {
			return fmt.Errorf("attribute %.40q too long (max %d bytes)", k, MaxValueLen)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("attribute %.40q is not valid UTF-8", k)
		}
	}
	return nil
}

// takeAttr returns data[key] trimmed and whether it was present and non-empty.
func takeAttr(data map[string]string, key string) (string, bool) {
	v := strings.TrimSpace(data[key])
	return v, v != ""
}

// ItemError reports an item that could not be indexed.
type ItemError struct {
	Index int    // position in the items slice
	Value string // the item's Value
	Err   error
}

// Error formats the error as `item 3 ("x"): reason`.
func (e *ItemError) Error() string {
	return fmt.Sprintf("item %d (%.60q): %v", e.Index, e.Value, e.Err)
}

// Unwrap returns the underlying error.
func (e *ItemError) Unwrap() error { return e.Err }
