package lists

import (
	"github.com/wf-lang/wf/lang"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNearest(t *testing.T) {
	names := []string{"blocked-ips", "blocked-emails", "vip", "allowed-countries"}
	tests := []struct{ in, want string }{
		{"blocked-ipz", "blocked-ips"},
		{"blocked-ip", "blocked-ips"},
		{"Blocked-Emails", "blocked-emails"},
		{"blocked-email", "blocked-emails"},
		{"vop", "vip"},
		{"xyz", ""},
		{"allowed-country", "allowed-countries"},
		{"", ""},
		{"something-else-entirely", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lang.Suggest(tt.in, names), tt.in)
	}
}

// FuzzNewItemMatch checks that NewItem and Match never panic, that the
// canonical form is a fixed point, and that an item matches a lookup of its
// own Value (where a Value is also a lookup form).
func FuzzNewItemMatch(f *testing.F) {
	seeds := []struct {
		kind          uint8
		raw, lookup   string
		class, second string
	}{
		{1, "10.0.0.0/8", "10.1.2.3", "", ""},
		{1, "::ffff:1.2.3.4/120", "1.2.3.4", "", ""},
		{2, "gmail.com", "a@gmail.com", "domain", ""},
		{2, "A@B.co", "a@b.co", "", ""},
		{3, "José Ñúñez", "jose nunez", "", ""},
		{3, "ǅ̈ ﬁ", "dz fi", "", ""},
		{4, "+1 (555) 010-0000", "15550100000", "", ""},
		{5, "us", "US", "", ""},
		{6, "d-123", "dl:D123", "dl", ""},
		{7, "ABC", "abc", "", ""},
		{9, "0,179.9999,100", "0,-179.9999", "", "10"},
		{10, " x ", "x", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.raw, s.lookup, s.class, s.second)
	}
	f.Fuzz(func(t *testing.T, k uint8, raw, lookup, attr, second string) {
		kind := Kind(k%10 + 1)
		data := map[string]string{}
		switch kind {
		case KindEmailAddress:
			data[AttrMatchType] = attr
		case KindGovernmentIDNumber:
			data[AttrIDClass] = attr
		case KindName:
			data[AttrNameFirst], data[AttrNameLast] = attr, second
		case KindGeolocation:
			data[AttrRadiusMeters] = second
		}
		it, err := NewItem(kind, raw, data)
		if err != nil {
			assert.NotPanics(t, func() { probe(t, kind, lookup) })
			return
		}
		again, err := NewItem(kind, it.Value, it.Data)
		require.NoError(t, err, "canonical %q of %q", it.Value, raw)
		require.Equal(t, it.Value, again.Value, "canonical form of %q is not a fixed point", raw)
		x, err := NewIndex(kind, []Item{it})
		require.NoError(t, err)
		x.Contains(lookup)
		x.Contains(map[string]any{"latitude": lookup, "longitude": raw, "id_number": lookup, "name_first": lookup})
		if kind != KindGeolocation { // a geolocation lookup is a point, not a Value
			assert.True(t, x.Contains(it.Value), "%s item %q does not match its Value %q", kind, raw, it.Value)
		}
	})
}

// probe runs lookups on a small index of kind.
func probe(t *testing.T, kind Kind, lookup string) {
	x, err := NewIndex(kind, nil)
	require.NoError(t, err)
	x.Contains(lookup)
}
