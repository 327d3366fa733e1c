package lists

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// itemValues lists the Values of items.
func itemValues(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

func TestParseCSVByKind(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want []string
	}{
		{"ip no header", KindIPAddress, "10.0.0.1\n10.0.0.0/8\n", []string{"10.0.0.1", "10.0.0.0/8"}},
		{"ip header", KindIPAddress, "value\n2001:db8::1\n", []string{"2001:db8::1"}},
		{"email header", KindEmailAddress, "value,match_type\na@b.com,email_address\ngmail.com,domain\n", []string{"a@b.com", "@gmail.com"}},
		{"email reordered header", KindEmailAddress, "Match-Type,Value\r\ndomain,x.org\r\n", []string{"@x.org"}},
		{"email no header", KindEmailAddress, "a@b.com\ngmail.com,domain\n", []string{"a@b.com", "@gmail.com"}},
		{"geo", KindGeolocation, "latitude,longitude,radius_meters\n40.7128,-74.006,500\n", []string{"40.7128,-74.006,500"}},
		{"geo no header", KindGeolocation, "1,2,3\n", []string{"1,2,3"}},
		{"gov", KindGovernmentIDNumber, "id_number,id_class\nD123,dl\nX-9,\n", []string{"dl:D123", "X9"}},
		{"name", KindName, "name_first,name_last\nJosé,Núñez\n", []string{"jose nunez"}},
		{"name full column", KindName, "name\nJean-Luc Picard\n", []string{"jean luc picard"}},
		{"name no header one column", KindName, "Ann Lee\n", []string{"ann lee"}},
		{"phone", KindPhoneNumber, "value\n+1 (555) 010-0000\n", []string{"+15550100000"}},
		{"country", KindCountry, "country_code\nus\nfr\n", []string{"US", "FR"}},
		{"bom header", KindString, "\ufeffvalue\nx\n", []string{"x"}},
		{"quoted", KindString, "\"a, b\"\n", []string{"a, b"}},
		{"blank lines and rows", KindString, "a\n\n , \nb\n", []string{"a", "b"}},
		{"duplicates kept once", KindIPAddress, "1.2.3.4\n::ffff:1.2.3.4\n1.2.3.4/32\n", []string{"1.2.3.4"}},
		{"empty", KindString, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseCSV(tt.kind, strings.NewReader(tt.in))
			require.NoError(t, err)
			if tt.want == nil {
				assert.Empty(t, items)
				return
			}
			assert.Equal(t, tt.want, itemValues(items))
			for _, it := range items {
				assert.Equal(t, tt.kind, it.Kind)
			}
		})
	}
}

func TestParseCSVReportsEveryBadLine(t *testing.T) {
	in := "value\n10.0.0.1\n300.1.1.1\n10.0.0.2\n\n10.0.0.0/40\nhello\n"
	items, err := ParseCSV(KindIPAddress, strings.NewReader(in))
	assert.Nil(t, items)
	require.Error(t, err)
	assert.Equal(t, "line 3: invalid IP address \"300.1.1.1\"\n"+
		"line 6: invalid IP range \"10.0.0.0/40\"\n"+
		"line 7: invalid IP address \"hello\"", err.Error())
	var ce *CSVError
	require.True(t, errors.As(err, &ce))
	assert.Len(t, ce.Rows, 3)
	assert.Equal(t, 6, ce.Rows[1].Line)
}

func TestParseCSVCapsErrorList(t *testing.T) {
	var b strings.Builder
	for range 80 {
		b.WriteString("nope\n")
	}
	_, err := ParseCSV(KindIPAddress, strings.NewReader(b.String()))
	var ce *CSVError
	require.True(t, errors.As(err, &ce))
	assert.Len(t, ce.Rows, 50)
	assert.Equal(t, 30, ce.More)
	assert.True(t, strings.HasSuffix(err.Error(), "line 50: invalid IP address \"nope\"\nand 30 more"), err.Error())
}

func TestParseCSVRowErrors(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		in   string
		want string
	}{
		{"too many columns", KindIPAddress, "1.2.3.4,,\n1.2.3.5,extra,\n", "line 2: too many columns (2, want at most 1: value)"},
		{"bad email", KindEmailAddress, "value,match_type\na@,email_address\n", `line 2: malformed email address "a@"`},
		{"bad match type", KindEmailAddress, "a@b.com,maybe\n", `line 1: unknown match_type "maybe" (valid: email_address, domain)`},
		{"geo missing radius", KindGeolocation, "latitude,longitude\n1,2\n", "line 2: missing radius_meters"},
		{"country", KindCountry, "US\nXX\n", `line 2: unknown country code "XX"`},
		{"syntax", KindString, "ok\n\"open\n", `line 2: csv syntax: extraneous or missing " in quoted-field`},
		{"multiline quoted keeps line numbers", KindIPAddress, "\"1.2.3.4\"\n\"x\ny\"\n300.0.0.1\n", "line 2: invalid IP address \"x\\ny\"\nline 4: invalid IP address \"300.0.0.1\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := ParseCSV(tt.kind, strings.NewReader(tt.in))
			assert.Nil(t, items)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// endless repeats a pattern forever, filling each read.
type endless struct {
	pattern string
	off     int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.pattern[e.off]
		e.off = (e.off + 1) % len(e.pattern)
	}
	return len(p), nil
}

func TestParseCSVCapsInput(t *testing.T) {
	err := scanCSV(KindIPAddress, &endless{pattern: "10.0.0.1\n"}, csvLimits{bytes: 1 << 20, rows: 1 << 30}, nil)
	assert.EqualError(t, err, "csv input exceeds 1 MB")
	err = scanCSV(KindIPAddress, &endless{pattern: "10.0.0.1\n"}, csvLimits{bytes: 1 << 30, rows: 1000}, nil)
	assert.EqualError(t, err, "csv input has more than 1000 rows")
	quote := io.MultiReader(strings.NewReader("\""), &endless{pattern: "x,\n"})
	err = scanCSV(KindString, quote, csvLimits{bytes: 5000, rows: 10}, nil)
	assert.EqualError(t, err, "csv input exceeds 5000 bytes", "an unterminated quote must not read forever")
	n := 0
	err = scanCSV(KindString, strings.NewReader("a\nb\n"), csvLimits{bytes: 4, rows: 2}, func(Item) error { n++; return nil })
	require.NoError(t, err, "input of exactly the limits is accepted")
	assert.Equal(t, 2, n)
	err = scanCSV(KindString, strings.NewReader("value\na\n\n\nb\n"), csvLimits{bytes: 100, rows: 2}, nil)
	require.NoError(t, err, "the header and blank rows are not data rows: two rows are within a cap of two")
}

func TestParseCSVDefaultLimits(t *testing.T) {
	_, err := ParseCSV(KindString, io.MultiReader(strings.NewReader("\""), &endless{pattern: "x"}))
	assert.EqualError(t, err, "csv input exceeds 50 MB")
}

func TestParseCSVInvalidKind(t *testing.T) {
	_, err := ParseCSV(Kind(0), strings.NewReader("x"))
	assert.EqualError(t, err, "invalid list kind 0")
}
