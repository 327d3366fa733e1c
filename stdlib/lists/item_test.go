package lists

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

type itemCase struct {
	name string
	kind Kind
	raw  string
	data map[string]string
	want string            // canonical Value, when err is ""
	attr map[string]string // expected Data subset
	err  string
}

func runItemCases(t *testing.T, cases []itemCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			it, err := NewItem(tt.kind, tt.raw, tt.data)
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, tt.err, err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, it.Value)
			assert.Equal(t, tt.kind, it.Kind)
			for k, v := range tt.attr {
				assert.Equal(t, v, it.Data[k], "data[%s]", k)
			}
		})
	}
}

func TestNewItemIP(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "v4", kind: KindIPAddress, raw: " 10.1.2.3 ", want: "10.1.2.3"},
		{name: "v6 compressed", kind: KindIPAddress, raw: "2001:DB8:0:0::1", want: "2001:db8::1"},
		{name: "mapped", kind: KindIPAddress, raw: "::ffff:10.1.2.3", want: "10.1.2.3"},
		{name: "cidr", kind: KindIPAddress, raw: "10.0.0.0/8", want: "10.0.0.0/8"},
		{name: "cidr host bits", kind: KindIPAddress, raw: "10.1.2.3/8", want: "10.0.0.0/8"},
		{name: "cidr full length", kind: KindIPAddress, raw: "10.1.2.3/32", want: "10.1.2.3"},
		{name: "v6 cidr", kind: KindIPAddress, raw: "2001:db8:ffff::/32", want: "2001:db8::/32"},
		{name: "mapped cidr", kind: KindIPAddress, raw: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},
		{name: "bad octet", kind: KindIPAddress, raw: "300.1.1.1", err: `invalid IP address "300.1.1.1"`},
		{name: "bad prefix", kind: KindIPAddress, raw: "10.0.0.0/33", err: `invalid IP range "10.0.0.0/33"`},
		{name: "zone", kind: KindIPAddress, raw: "fe80::1%eth0", err: `IP address "fe80::1%eth0" must not have a zone`},
		{name: "empty", kind: KindIPAddress, raw: "", err: `invalid IP address ""`},
	})
}

func TestNewItemEmail(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "address", kind: KindEmailAddress, raw: "Ann.Lee+x@Example.COM", want: "ann.lee+x@example.com",
			attr: map[string]string{AttrMatchType: MatchTypeEmailAddress}},
		{name: "bare domain", kind: KindEmailAddress, raw: "Gmail.com", want: "@gmail.com",
			attr: map[string]string{AttrMatchType: MatchTypeDomain}},
		{name: "at domain", kind: KindEmailAddress, raw: "@gmail.com", want: "@gmail.com"},
		{name: "domain match type", kind: KindEmailAddress, raw: "gmail.com", data: map[string]string{"match_type": "domain"}, want: "@gmail.com"},
		{name: "match type kebab", kind: KindEmailAddress, raw: "a@b.io", data: map[string]string{"match_type": "Email-Address"}, want: "a@b.io"},
		{name: "unicode", kind: KindEmailAddress, raw: "ÉLÈVE@École.fr", want: "élève@école.fr"},
		{name: "no domain", kind: KindEmailAddress, raw: "a@", err: `malformed email address "a@"`},
		{name: "single label", kind: KindEmailAddress, raw: "a@localhost", err: `malformed email address "a@localhost"`},
		{name: "space", kind: KindEmailAddress, raw: "a b@c.com", err: `malformed email address "a b@c.com"`},
		{name: "bad domain", kind: KindEmailAddress, raw: "-x.com", err: `malformed email domain "-x.com"`},
		{name: "address as domain", kind: KindEmailAddress, raw: "a@b.com", data: map[string]string{"match_type": "domain"},
			err: `match_type domain needs a domain such as "gmail.com", got "a@b.com"`},
		{name: "domain as address", kind: KindEmailAddress, raw: "b.com", data: map[string]string{"match_type": "email_address"},
			err: `malformed email address "b.com"`},
		{name: "bad match type", kind: KindEmailAddress, raw: "b.com", data: map[string]string{"match_type": "tld"},
			err: `unknown match_type "tld" (valid: email_address, domain)`},
		{name: "empty", kind: KindEmailAddress, raw: " ", err: `empty email address`},
	})
}

func TestNewItemName(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "accents", kind: KindName, raw: "José  Ñúñez", want: "jose nunez"},
		{name: "ascii", kind: KindName, raw: "JOSE NUNEZ", want: "jose nunez"},
		{name: "hyphen", kind: KindName, raw: "Jean-Luc Picard", want: "jean luc picard"},
		{name: "apostrophe", kind: KindName, raw: "Seán O’Brien", want: "sean obrien"},
		{name: "ascii apostrophe", kind: KindName, raw: "D'Angelo", want: "dangelo"},
		{name: "dots", kind: KindName, raw: " J.R.R. Tolkien ", want: "j r r tolkien"},
		{name: "compat", kind: KindName, raw: "Ｊｏｓé", want: "jose"},
		{name: "german", kind: KindName, raw: "Müller", want: "muller"},
		{name: "parts", kind: KindName, data: map[string]string{"name_first": "José", "name_last": "Núñez"}, want: "jose nunez",
			attr: map[string]string{AttrNameFirst: "José", AttrNameLast: "Núñez"}},
		{name: "last only", kind: KindName, data: map[string]string{"name_last": "Núñez"}, want: "nunez"},
		{name: "full and parts agree", kind: KindName, raw: "jose nunez", data: map[string]string{"name_first": "José", "name_last": "Núñez"}, want: "jose nunez"},
		{name: "full and parts differ", kind: KindName, raw: "Ann Lee", data: map[string]string{"name_first": "Bo"},
			err: `name "Ann Lee" does not match name_first/name_last "Bo"`},
		{name: "empty", kind: KindName, raw: "", err: `empty name`},
		{name: "punctuation only", kind: KindName, raw: "--", err: `invalid name "--": no letters or digits`},
	})
}

func TestNewItemPhone(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "us formatted", kind: KindPhoneNumber, raw: "+1 (555) 010-0000", want: "+15550100000"},
		{name: "digits", kind: KindPhoneNumber, raw: "15550100000", want: "15550100000"},
		{name: "double zero", kind: KindPhoneNumber, raw: "0044 20.7946.0000", want: "+442079460000"},
		{name: "letters", kind: KindPhoneNumber, raw: "555-CALL", err: `invalid phone number "555-CALL"`},
		{name: "too short", kind: KindPhoneNumber, raw: "+12", err: `phone number "+12" must have 4 to 15 digits, got 2`},
		{name: "too long", kind: KindPhoneNumber, raw: "1234567890123456", err: `phone number "1234567890123456" must have 4 to 15 digits, got 16`},
		{name: "only punctuation", kind: KindPhoneNumber, raw: "()", err: `invalid phone number "()"`},
	})
}

func TestNewItemCountry(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "lower", kind: KindCountry, raw: "us", want: "US"},
		{name: "kosovo", kind: KindCountry, raw: "XK", want: "XK"},
		{name: "unassigned", kind: KindCountry, raw: "XX", err: `unknown country code "XX"`},
		{name: "reserved uk", kind: KindCountry, raw: "UK", err: `unknown country code "UK"`},
		{name: "alpha3", kind: KindCountry, raw: "USA", err: `invalid country code "USA" (want ISO 3166-1 alpha-2, such as "US")`},
		{name: "digits", kind: KindCountry, raw: "1A", err: `invalid country code "1A" (want ISO 3166-1 alpha-2, such as "US")`},
	})
}

func TestCountryTable(t *testing.T) {
	codes := CountryCodes()
	assert.Len(t, codes, 250, "249 assigned codes plus XK")
	assert.IsIncreasing(t, codes)
	for _, c := range []string{"AX", "BQ", "CW", "SS", "SX", "GB", "ZW"} {
		_, err := NewItem(KindCountry, c, nil)
		assert.NoError(t, err, c)
	}
	for _, c := range []string{"AA", "QM", "ZZ", "EU", "AN", "YU"} {
		_, err := NewItem(KindCountry, c, nil)
		assert.Error(t, err, c)
	}
}

// reservedRegions are the codes CLDR still knows as regions but ISO 3166-1
// lists only as exceptionally or transitionally reserved.
const reservedRegions = "AC AN BU CP CQ CS CT DD DG DY EA EZ FQ FX HV IC JT MI NH NQ NT PC PU PZ RH SU TA TP UK UN VD WK YD YU ZR"

func TestCountryTableAgreesWithCLDR(t *testing.T) {
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			cldr := err == nil && r.IsCountry() && r.String() == code && !strings.Contains(reservedRegions, code)
			assert.Equal(t, cldr, knownCountry([]byte(code)), code)
		}
	}
}

func TestNewItemGovID(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "plain", kind: KindGovernmentIDNumber, raw: "d123-456 78", want: "D12345678"},
		{name: "class data", kind: KindGovernmentIDNumber, raw: "d123", data: map[string]string{"id_class": "DL"}, want: "dl:D123",
			attr: map[string]string{AttrIDClass: "dl"}},
		{name: "class prefix", kind: KindGovernmentIDNumber, raw: "pp:X 99", want: "pp:X99", attr: map[string]string{AttrIDClass: "pp"}},
		{name: "slash and dot", kind: KindGovernmentIDNumber, raw: "12/345.6", want: "12/345.6"},
		{name: "unicode", kind: KindGovernmentIDNumber, raw: "ab-ü1", want: "ABÜ1"},
		{name: "conflict", kind: KindGovernmentIDNumber, raw: "dl:1", data: map[string]string{"id_class": "pp"},
			err: `id_class "pp" conflicts with prefix "dl:"`},
		{name: "bad class", kind: KindGovernmentIDNumber, raw: "1", data: map[string]string{"id_class": "d l"},
			err: `invalid id_class "d l" (want up to 16 letters, digits or "_")`},
		{name: "bad char", kind: KindGovernmentIDNumber, raw: "12#4", err: `invalid government ID number "12#4"`},
		{name: "empty", kind: KindGovernmentIDNumber, raw: " - ", err: `invalid government ID number "-"`},
	})
}

func TestNewItemFingerprintAndString(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "browser", kind: KindBrowserFingerprint, raw: " ABCdef01 ", want: "abcdef01"},
		{name: "device", kind: KindDeviceFingerprint, raw: "Dev-1", want: "dev-1"},
		{name: "empty browser", kind: KindBrowserFingerprint, raw: "", err: "empty browser fingerprint"},
		{name: "string keeps case", kind: KindString, raw: "  Hello World ", want: "Hello World"},
		{name: "empty string", kind: KindString, raw: "  ", err: "empty string value"},
	})
}

func TestNewItemGeolocation(t *testing.T) {
	runItemCases(t, []itemCase{
		{name: "triple", kind: KindGeolocation, raw: "40.7128, -74.0060, 500", want: "40.7128,-74.006,500",
			attr: map[string]string{AttrLatitude: "40.7128", AttrLongitude: "-74.006", AttrRadiusMeters: "500"}},
		{name: "data", kind: KindGeolocation, data: map[string]string{"latitude": "1.123456789", "longitude": "180", "radius_meters": "10.005"},
			want: "1.1234568,-180,10.01"},
		{name: "pair plus radius", kind: KindGeolocation, raw: "0,0", data: map[string]string{"radius_meters": "5"}, want: "0,0,5"},
		{name: "agreeing data", kind: KindGeolocation, raw: "1,2,3", data: map[string]string{"latitude": "1.0"}, want: "1,2,3"},
		{name: "conflict", kind: KindGeolocation, raw: "1,2,3", data: map[string]string{"latitude": "5"},
			err: `geolocation "1,2,3" conflicts with latitude "5"`},
		{name: "missing radius", kind: KindGeolocation, raw: "1,2", err: "missing radius_meters"},
		{name: "lat range", kind: KindGeolocation, raw: "91,0,1", err: "latitude 91 out of range [-90, 90]"},
		{name: "lng range", kind: KindGeolocation, raw: "0,-181,1", err: "longitude -181 out of range [-180, 180]"},
		{name: "nan", kind: KindGeolocation, raw: "NaN,0,1", err: "latitude NaN out of range [-90, 90]"},
		{name: "zero radius", kind: KindGeolocation, raw: "0,0,0", err: "radius_meters must be positive, got 0"},
		{name: "huge radius", kind: KindGeolocation, raw: "0,0,3e7", err: "radius_meters 3e7 exceeds 20000000"},
		{name: "shape", kind: KindGeolocation, raw: "1", err: `invalid geolocation "1": want "latitude,longitude,radius_meters"`},
		{name: "number", kind: KindGeolocation, raw: "a,1,1", err: `invalid latitude "a"`},
	})
}

func TestNewItemLimits(t *testing.T) {
	_, err := NewItem(KindString, strings.Repeat("x", MaxValueLen+1), nil)
	assert.EqualError(t, err, "value too long (1025 bytes, max 1024)")
	_, err = NewItem(KindString, "a\xff", nil)
	assert.EqualError(t, err, `value "a\xff" is not valid UTF-8`)
	many := map[string]string{}
	for i := range MaxDataKeys + 1 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	_, err = NewItem(KindString, "x", many)
	assert.EqualError(t, err, "too many attributes (33, max 32)")
	_, err = NewItem(Kind(0), "x", nil)
	assert.EqualError(t, err, "invalid list kind 0")
}

func TestNewItemKeepsExtraDataAndCopies(t *testing.T) {
	data := map[string]string{"note": "chargeback", "match_type": "domain"}
	it, err := NewItem(KindEmailAddress, "x.com", data)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"note": "chargeback", "match_type": "domain"}, it.Data)
	it.Data["note"] = "changed"
	assert.Equal(t, "chargeback", data["note"], "NewItem must not alias the caller's map")
	plain, err := NewItem(KindString, "x", nil)
	require.NoError(t, err)
	assert.Nil(t, plain.Data)
}

func TestCanonicalIsFixedPoint(t *testing.T) {
	raws := map[Kind][]string{
		KindIPAddress:          {"::ffff:1.2.3.4", "10.1.2.3/8", "2001:DB8::1"},
		KindEmailAddress:       {"A@B.COM", "B.com"},
		KindName:               {"José Ñúñez", "O'Brien-Smith"},
		KindPhoneNumber:        {"+1 (555) 010-0000", "0044 1234"},
		KindGovernmentIDNumber: {"dl:d-1 2"},
		KindGeolocation:        {"1.123456789,-179.99999999,1.234"},
	}
	for kind, list := range raws {
		for _, raw := range list {
			a, err := NewItem(kind, raw, nil)
			require.NoError(t, err, raw)
			b, err := NewItem(kind, a.Value, a.Data)
			require.NoError(t, err, raw)
			assert.Equal(t, a.Value, b.Value, raw)
		}
	}
}
