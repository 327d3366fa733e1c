package lists

import (
	"fmt"
	"strings"
)

// Kind is the type of the values a List holds; it decides how an item is
// validated, canonicalized and matched.
type Kind uint8

// The list kinds. The zero Kind is invalid.
const (
	KindIPAddress Kind = iota + 1
	KindEmailAddress
	KindName
	KindPhoneNumber
	KindCountry
	KindGovernmentIDNumber
	KindBrowserFingerprint
	KindDeviceFingerprint
	KindGeolocation
	KindString
)

// kindInfo gives a kind's WF name and its Persona plural kebab name.
type kindInfo struct {
	name    string
	persona string
}

// kindTable is indexed by Kind; entry 0 is the invalid kind.
var kindTable = [...]kindInfo{
	{"invalid", ""},
	{"ip_address", "ip-addresses"},
	{"email_address", "email-addresses"},
	{"name", "names"},
	{"phone_number", "phone-numbers"},
	{"country", "countries"},
	{"government_id_number", "government-id-numbers"},
	{"browser_fingerprint", "browser-fingerprints"},
	{"device_fingerprint", "device-fingerprints"},
	{"geolocation", "geolocations"},
	{"string", "strings"},
}

// Kinds returns every valid kind in declaration order.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kindTable)-1)
	for k := KindIPAddress; k <= KindString; k++ {
		out = append(out, k)
	}
	return out
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= KindIPAddress && k <= KindString }

// String returns the kind's snake_case WF name, such as "ip_address".
func (k Kind) String() string {
	if !k.Valid() {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return kindTable[k].name
}

// PersonaName returns the kind's plural kebab name in Persona's API, such as
// "ip-addresses".
func (k Kind) PersonaName() string {
	if !k.Valid() {
		return ""
	}
	return kindTable[k].persona
}

// MarshalText encodes the kind as its snake_case name.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("invalid list kind %d", uint8(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes any name ParseKind accepts.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ParseKind accepts a kind's snake_case name ("ip_address"), its Persona
// plural kebab name ("ip-addresses"), the singular kebab name ("ip-address")
// and Persona's type name ("list/ip-address"), in any letter case.
func ParseKind(s string) (Kind, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "list/")
	for k := KindIPAddress; k <= KindString; k++ {
		info := kindTable[k]
		snake := info.name
		if t == snake || t == info.persona || t == strings.ReplaceAll(snake, "_", "-") {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown list kind %q (valid kinds: %s)", s, kindNames())
}

// kindNames lists the valid snake_case names, comma separated.
func kindNames() string {
	names := make([]string, 0, len(kindTable)-1)
	for _, k := range Kinds() {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}
