package lists

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// raw is an item given to NewItem.
type raw struct {
	value string
	data  map[string]string
}

// buildIndex makes items with NewItem and indexes them.
func buildIndex(t testing.TB, kind Kind, raws ...raw) *Index {
	t.Helper()
	items := make([]Item, 0, len(raws))
	for _, r := range raws {
		it, err := NewItem(kind, r.value, r.data)
		require.NoError(t, err, r.value)
		items = append(items, it)
	}
	x, err := NewIndex(kind, items)
	require.NoError(t, err)
	return x
}

// values makes raws without data.
func values(vs ...string) []raw {
	out := make([]raw, len(vs))
	for i, v := range vs {
		out[i] = raw{value: v}
	}
	return out
}

type matchCase struct {
	lookup any
	want   string // Value of the matched item, "" for no match
}

func runMatchCases(t *testing.T, x *Index, cases []matchCase) {
	t.Helper()
	for _, tt := range cases {
		it, ok := x.Match(tt.lookup)
		if tt.want == "" {
			assert.False(t, ok, "%v should not match, got %+v", tt.lookup, it)
			assert.Nil(t, it)
			continue
		}
		if assert.True(t, ok, "%v should match %s", tt.lookup, tt.want) {
			assert.Equal(t, tt.want, it.Value, "lookup %v", tt.lookup)
		}
		assert.Equal(t, ok, x.Contains(tt.lookup))
	}
}

func TestMatchEmail(t *testing.T) {
	x := buildIndex(t, KindEmailAddress, raw{value: "fraud@Example.com"}, raw{value: "gmail.com", data: map[string]string{"match_type": "domain"}},
		raw{value: "@tempmail.io"})
	runMatchCases(t, x, []matchCase{
		{"fraud@example.com", "fraud@example.com"},
		{" FRAUD@EXAMPLE.COM ", "fraud@example.com"},
		{"other@example.com", ""},
		{"anyone@gmail.com", "@gmail.com"},
		{"Anyone@GMail.Com", "@gmail.com"},
		{"a@mail.gmail.com", ""},
		{"a@gmail.com.evil.io", ""},
		{"gmail.com", "@gmail.com"},
		{"@tempmail.io", "@tempmail.io"},
		{"x@tempmail.io", "@tempmail.io"},
		{"a@", ""},
		{"@", ""},
		{"", ""},
		{42, ""},
		{nil, ""},
	})
}

func TestMatchName(t *testing.T) {
	x := buildIndex(t, KindName, raw{value: "José Ñúñez"}, raw{data: map[string]string{"name_first": "Seán", "name_last": "O'Brien"}},
		raw{value: "Jean-Luc Picard"})
	runMatchCases(t, x, []matchCase{
		{"jose nunez", "jose nunez"},
		{"JOSE   NUNEZ", "jose nunez"},
		{"José Núñez", "jose nunez"},
		{"Jose-Nunez", "jose nunez"},
		{"Sean OBrien", "sean obrien"},
		{"Seán O’Brien", "sean obrien"},
		{"jean luc picard", "jean luc picard"},
		{map[string]any{"name_first": "Jean Luc", "name_last": "Picard"}, "jean luc picard"},
		{map[string]string{"name_first": "jose", "name_last": "nunez"}, "jose nunez"},
		{"nunez jose", ""},
		{"jose maria nunez", ""},
		{"jose", ""},
		{"", ""},
	})
}

func TestMatchPhone(t *testing.T) {
	x := buildIndex(t, KindPhoneNumber, values("+1 (555) 010-0000", "020 7946 0000")...)
	runMatchCases(t, x, []matchCase{
		{"15550100000", "+15550100000"},
		{"+1 555 010 0000", "+15550100000"},
		{"001-555-010-0000", "+15550100000"},
		{"1.555.010.0000", "+15550100000"},
		{"5550100000", ""},
		{"02079460000", "02079460000"},
		{"+44 20 7946 0000", ""},
		{"555-CALL", ""},
		{"", ""},
	})
}

func TestMatchCountry(t *testing.T) {
	x := buildIndex(t, KindCountry, values("KP", "ir")...)
	runMatchCases(t, x, []matchCase{
		{"KP", "KP"}, {"kp", "KP"}, {" Ir ", "IR"}, {"US", ""}, {"PRK", ""}, {"", ""},
	})
}

func TestMatchGovIDClasses(t *testing.T) {
	x := buildIndex(t, KindGovernmentIDNumber,
		raw{value: "D123-4567", data: map[string]string{"id_class": "dl"}},
		raw{value: "X 99"},
		raw{value: "pp:P777"}, raw{value: "P777", data: map[string]string{"id_class": "nric"}})
	runMatchCases(t, x, []matchCase{
		{"d1234567", "dl:D1234567"},
		{"dl:D 123 4567", "dl:D1234567"},
		{"DL:D1234567", "dl:D1234567"},
		{"pp:D1234567", ""},
		{map[string]any{"id_number": "D1234567", "id_class": "dl"}, "dl:D1234567"},
		{map[string]any{"id_number": "D1234567", "id_class": "pp"}, ""},
		{map[string]string{"id_number": "D1234567"}, "dl:D1234567"},
		{"x99", "X99"},
		{"pp:X99", "X99"},
		{"P777", "pp:P777"},
		{"nric:P777", "nric:P777"},
		{"dl:P777", ""},
		{"D#1", ""},
	})
}

func TestMatchFingerprintsAndStrings(t *testing.T) {
	fp := buildIndex(t, KindBrowserFingerprint, values("ABCDEF0123")...)
	runMatchCases(t, fp, []matchCase{{"abcdef0123", "abcdef0123"}, {" ABCDEF0123 ", "abcdef0123"}, {"abcdef012", ""}})
	dev := buildIndex(t, KindDeviceFingerprint, values("dev-1")...)
	runMatchCases(t, dev, []matchCase{{"DEV-1", "dev-1"}, {"dev1", ""}})
	str := buildIndex(t, KindString, values("Promo Abuse")...)
	runMatchCases(t, str, []matchCase{{" Promo Abuse ", "Promo Abuse"}, {"promo abuse", ""}, {"", ""}})
}

func TestMatchIPAddr(t *testing.T) {
	x := buildIndex(t, KindIPAddress, values("10.0.0.0/8", "192.0.2.7")...)
	runMatchCases(t, x, []matchCase{
		{netip.MustParseAddr("10.9.9.9"), "10.0.0.0/8"},
		{netip.MustParseAddr("::ffff:192.0.2.7"), "192.0.2.7"},
		{netip.Addr{}, ""},
	})
}

func TestMatchDuplicateValuesFirstWins(t *testing.T) {
	a, err := NewItem(KindString, "x", map[string]string{"note": "first"})
	require.NoError(t, err)
	b, err := NewItem(KindString, "x", map[string]string{"note": "second"})
	require.NoError(t, err)
	x, err := NewIndex(KindString, []Item{a, b})
	require.NoError(t, err)
	it, ok := x.Match("x")
	require.True(t, ok)
	assert.Equal(t, "first", it.Data["note"])
	assert.Equal(t, 2, x.Len())
	assert.Equal(t, KindString, x.Kind())
}

func TestNewIndexRejectsBadItems(t *testing.T) {
	_, err := NewIndex(KindIPAddress, []Item{{Kind: KindIPAddress, Value: "1.2.3.4"}, {Kind: KindIPAddress, Value: "nope"}})
	assert.EqualError(t, err, `item 1 ("nope"): invalid IP address "nope"`)
	_, err = NewIndex(KindIPAddress, []Item{{Kind: KindEmailAddress, Value: "a@b.co"}})
	assert.EqualError(t, err, `item 0 ("a@b.co"): kind email_address does not match list kind ip_address`)
	_, err = NewIndex(Kind(99), nil)
	assert.EqualError(t, err, "invalid list kind 99")
	_, err = NewIndex(KindGeolocation, []Item{{Kind: KindGeolocation, Value: "1,2"}})
	assert.EqualError(t, err, `item 0 ("1,2"): missing radius_meters`)
}

func TestEmptyIndexMatchesNothing(t *testing.T) {
	for _, k := range Kinds() {
		x, err := NewIndex(k, nil)
		require.NoError(t, err)
		assert.False(t, x.Contains("anything"), k.String())
		assert.False(t, x.Contains(""), k.String())
	}
}
