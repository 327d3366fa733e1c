package lists

import (
	"github.com/wf-lang/wf/stdlib/internal/textcase"

	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file canonicalizes country codes and government ID numbers.

// countryCodes holds every officially assigned ISO 3166-1 alpha-2 code (249)
// plus XK (Kosovo, user-assigned but used on identity documents), sorted,
// two letters each.
const countryCodes = "" +
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZ" +
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ" +
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ" +
	"DEDJDKDMDODZ" +
	"ECEEEGEHERESET" +
	"FIFJFKFMFOFR" +
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY" +
	"HKHMHNHRHTHU" +
	"IDIEILIMINIOIQIRISIT" +
	"JEJMJOJP" +
	"KEKGKHKIKMKNKPKRKWKYKZ" +
	"LALBLCLILKLRLSLTLULVLY" +
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ" +
	"NANCNENFNGNINLNONPNRNUNZ" +
	"OM" +
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY" +
	"QA" +
	"RERORSRURW" +
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ" +
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ" +
	"UAUGUMUSUYUZ" +
	"VAVCVEVGVIVNVU" +
	"WFWS" +
	"XK" +
	"YEYT" +
	"ZAZMZW"

// CountryCodes returns the accepted country codes, sorted.
func CountryCodes() []string {
	out := make([]string, 0, len(countryCodes)/2)
	for i := 0; i < len(countryCodes); i += 2 {
		out = append(out, countryCodes[i:i+2])
	}
	return out
}

// knownCountry reports whether the upper-case two-letter code is accepted.
func knownCountry(code []byte) bool {
	n := len(countryCodes) / 2
	i := sort.Search(n, func(i int) bool { return countryCodes[2*i:2*i+2] >= string(code) })
	return i < n && countryCodes[2*i:2*i+2] == string(code)
}

// appendCountryKey appends s's upper-case two-letter code, reporting false
// when s is not two ASCII letters.
func appendCountryKey(dst []byte, s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 2 {
		return dst, false
	}
	for i := 0; i < 2; i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			return dst, false
		}
		dst = append(dst, c)
	}
	return dst, true
}

// canonicalCountry validates an ISO 3166-1 alpha-2 code in any case.
func canonicalCountry(raw string) (string, error) {
	key, ok := appendCountryKey(nil, raw)
	if !ok {
		return "", fmt.Errorf("invalid country code %q (want ISO 3166-1 alpha-2, such as \"US\")", raw)
	}
	if !knownCountry(key) {
		return "", fmt.Errorf("unknown country code %q", raw)
	}
	return string(key), nil
}

// maxIDClass caps an id_class's length.
const maxIDClass = 16

// validIDClass accepts 1 to 16 ASCII letters, digits and underscores.
func validIDClass(s string) bool {
	if s == "" || len(s) > maxIDClass {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// splitIDClass splits "dl:D123" into "dl" and "D123"; a value without a
// valid class prefix is returned whole.
func splitIDClass(s string) (class, number string) {
	if i := strings.IndexByte(s, ':'); i > 0 && validIDClass(s[:i]) {
		return s[:i], s[i+1:]
	}
	return "", s
}

// appendGovIDKey appends the number upper-cased without spaces and dashes,
// reporting false for an empty number or one with other punctuation than
// "/" and ".".
func appendGovIDKey(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	if !textcase.IsASCII(s) {
		return appendGovIDSlow(dst, s)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z':
			dst = append(dst, c-('a'-'A'))
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '/', c == '.':
			dst = append(dst, c)
		case c == ' ' || c == '-' || c == '\t':
		default:
			return dst, false
		}
	}
	return dst, len(dst) > start
}

// appendGovIDSlow is appendGovIDKey for non-ASCII input.
func appendGovIDSlow(dst []byte, s string) ([]byte, bool) {
	start := len(dst)
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			dst = utf8.AppendRune(dst, unicode.ToUpper(r))
		case r == '/' || r == '.':
			dst = append(dst, byte(r))
		case unicode.IsSpace(r) || r == '-':
		default:
			return dst, false
		}
	}
	return dst, len(dst) > start
}

// canonicalGovID validates a government ID number with an optional class,
// given as data's id_class or as a "dl:" prefix. The Value is "NUMBER" or
// "class:NUMBER".
func canonicalGovID(raw string, data map[string]string) (string, error) {
	class, number := splitIDClass(raw)
	if dc, ok := takeAttr(data, AttrIDClass); ok {
		if !validIDClass(dc) {
			return "", fmt.Errorf("invalid id_class %q (want up to %d letters, digits or \"_\")", dc, maxIDClass)
		}
		if class != "" && !strings.EqualFold(class, dc) {
			return "", fmt.Errorf("id_class %q conflicts with prefix %q", dc, class+":")
		}
		class = dc
	}
	key, ok := appendGovIDKey(nil, strings.TrimSpace(number))
	if !ok {
		return "", fmt.Errorf("invalid government ID number %q", raw)
	}
	if class == "" {
		delete(data, AttrIDClass)
		return string(key), nil
	}
	class = strings.ToLower(class)
	data[AttrIDClass] = class
	return class + ":" + string(key), nil
}
