package lists

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{
		{"ip_address", KindIPAddress},
		{"ip-addresses", KindIPAddress},
		{"ip-address", KindIPAddress},
		{"list/ip-address", KindIPAddress},
		{" IP_ADDRESS ", KindIPAddress},
		{"email-addresses", KindEmailAddress},
		{"names", KindName},
		{"phone_number", KindPhoneNumber},
		{"countries", KindCountry},
		{"government-id-numbers", KindGovernmentIDNumber},
		{"browser_fingerprint", KindBrowserFingerprint},
		{"device-fingerprints", KindDeviceFingerprint},
		{"geolocations", KindGeolocation},
		{"strings", KindString},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseKind(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseKindErrorListsValidKinds(t *testing.T) {
	_, err := ParseKind("ip")
	require.Error(t, err)
	assert.Equal(t, `unknown list kind "ip" (valid kinds: ip_address, email_address, name, phone_number, `+
		`country, government_id_number, browser_fingerprint, device_fingerprint, geolocation, string)`, err.Error())
}

func TestKindNamesRoundTrip(t *testing.T) {
	require.Len(t, Kinds(), 10)
	for _, k := range Kinds() {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back Kind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
		p, err := ParseKind(k.PersonaName())
		require.NoError(t, err)
		assert.Equal(t, k, p)
	}
	assert.False(t, Kind(0).Valid())
	_, err := Kind(0).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "kind(0)", Kind(0).String())
}
