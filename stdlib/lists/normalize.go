package lists

import (
	"github.com/wf-lang/wf/stdlib/internal/textcase"

	"fmt"
	"strings"
	"unicode"
)

// This file canonicalizes email addresses, phone numbers, government ID
// numbers, fingerprints and plain strings. Each kind has one append function
// shared by items and lookups, so that a lookup canonicalizes into a stack
// buffer without allocating and compares byte-for-byte with item Values.

// canonicalEmail validates an address ("a@b.com") or a domain ("b.com" or
// "@b.com"), lower-cases it and records the match type in data. A domain's
// Value keeps its leading "@", so addresses and domains never collide.
func canonicalEmail(raw string, data map[string]string) (string, error) {
	mt, err := emailMatchType(data)
	if err != nil {
		return "", err
	}
	if raw == "" {
		return "", fmt.Errorf("empty email address")
	}
	s := string(textcase.AppendLower(nil, raw))
	at := strings.LastIndexByte(s, '@')
	isDomain := at <= 0
	switch {
	case mt == MatchTypeDomain && !isDomain:
		return "", fmt.Errorf("match_type domain needs a domain such as \"gmail.com\", got %q", raw)
	case mt == MatchTypeEmailAddress && isDomain:
		return "", fmt.Errorf("malformed email address %q", raw)
	}
	if isDomain {
		d := strings.TrimPrefix(s, "@")
		if !validDomain(d) {
			return "", fmt.Errorf("malformed email domain %q", raw)
		}
		data[AttrMatchType] = MatchTypeDomain
		return "@" + d, nil
	}
	if !validLocalPart(s[:at]) || !validDomain(s[at+1:]) {
		return "", fmt.Errorf("malformed email address %q", raw)
	}
	data[AttrMatchType] = MatchTypeEmailAddress
	return s, nil
}

// emailMatchType reads and canonicalizes data's match_type, "" if absent.
func emailMatchType(data map[string]string) (string, error) {
	mt, ok := takeAttr(data, AttrMatchType)
	if !ok {
		return "", nil
	}
	switch strings.ReplaceAll(strings.ToLower(mt), "-", "_") {
	case "email_address", "email", "address":
		return MatchTypeEmailAddress, nil
	case "domain":
		return MatchTypeDomain, nil
	}
	return "", fmt.Errorf("unknown match_type %q (valid: email_address, domain)", mt)
}

// validLocalPart accepts 1 to 64 bytes without spaces, controls or "@".
func validLocalPart(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if r == '@' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// validDomain accepts at least two dot-separated labels of letters, digits
// and inner hyphens (non-ASCII letters allowed), 253 bytes at most.
func validDomain(d string) bool {
	if len(d) > 253 || strings.Count(d, ".") < 1 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

// validLabel checks one domain label.
func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, r := range l {
		if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// canonicalPhone keeps a leading "+" (a leading "00" is read as "+") and the
// digits, dropping spaces, dashes, dots, slashes and parentheses.
func canonicalPhone(raw string) (string, error) {
	digits, plus, ok := appendPhoneDigits(nil, raw)
	if !ok || len(digits) == 0 {
		return "", fmt.Errorf("invalid phone number %q", raw)
	}
	if len(digits) < 4 || len(digits) > 15 {
		return "", fmt.Errorf("phone number %q must have 4 to 15 digits, got %d", raw, len(digits))
	}
	if plus {
		return "+" + string(digits), nil
	}
	return string(digits), nil
}

// appendPhoneDigits appends the digits of s to dst and reports whether s
// began with a country-code marker ("+", or digits "00" when there is no
// "+") and whether s was well formed. The marker is not appended.
func appendPhoneDigits(dst []byte, s string) (_ []byte, plus, ok bool) {
	s, plus = strings.CutPrefix(strings.TrimSpace(s), "+")
	start := len(dst)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			dst = append(dst, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t':
		default:
			return dst, plus, false
		}
	}
	if !plus && len(dst)-start >= 2 && dst[start] == '0' && dst[start+1] == '0' {
		dst = append(dst[:start], dst[start+2:]...)
		plus = true
	}
	return dst, plus, true
}

// canonicalFingerprint trims and lower-cases a fingerprint.
func canonicalFingerprint(kind Kind, raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("empty %s", strings.ReplaceAll(kind.String(), "_", " "))
	}
	return string(textcase.AppendLower(nil, raw)), nil
}

// canonicalString trims a plain string; matching is otherwise exact.
func canonicalString(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("empty string value")
	}
	return raw, nil
}
