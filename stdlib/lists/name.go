package lists

import (
	"github.com/wf-lang/wf/stdlib/internal/textcase"

	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file canonicalizes personal names.
//
// A name is decomposed (NFKD), stripped of combining marks, lower-cased and
// split into words: letters and digits form words, apostrophes are dropped
// (O'Brien is obrien) and every other character (spaces, hyphens, dots,
// commas) separates words. The canonical form is the words joined by single
// spaces, so "José  Ñúñez", "jose nunez" and "JOSE-NUNEZ" are all "jose nunez".

// isApostrophe reports the characters dropped inside names.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2018', '\u2019', '\u02BC', '\u02BB', '\u00B4':
		return true
	}
	return false
}

// appendNameKey appends the canonical form of the name s to dst. It does not
// allocate when s is ASCII and dst has room.
func appendNameKey(dst []byte, s string) []byte {
	if !textcase.IsASCII(s) {
		return appendNameSlow(dst, s)
	}
	start, pending := len(dst), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '\'' || c == '`':
			continue
		default:
			pending = true
			continue
		}
		if pending && len(dst) > start {
			dst = append(dst, ' ')
		}
		pending = false
		dst = append(dst, c)
	}
	return dst
}

// appendNameSlow is appendNameKey for non-ASCII input.
func appendNameSlow(dst []byte, s string) []byte {
	start, pending := len(dst), false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r):
			continue
		case isApostrophe(r):
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r):
		default:
			pending = true
			continue
		}
		if pending && len(dst) > start {
			dst = append(dst, ' ')
		}
		pending = false
		dst = appendFoldedRune(dst, r)
	}
	return dst
}

// appendFoldedRune appends the lower case of r, decomposed again when
// lower-casing produced a precomposed letter.
func appendFoldedRune(dst []byte, r rune) []byte {
	l := unicode.ToLower(r)
	if l < utf8.RuneSelf {
		return append(dst, byte(l))
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], l)
	for _, d := range norm.NFKD.String(string(buf[:n])) {
		if !unicode.Is(unicode.Mn, d) && !unicode.Is(unicode.Me, d) && !unicode.Is(unicode.Mc, d) {
			dst = utf8.AppendRune(dst, d)
		}
	}
	return dst
}

// canonicalName builds a name item from a full name, from data's
// name_first and name_last, or from both when they agree.
func canonicalName(raw string, data map[string]string) (string, error) {
	first, _ := takeAttr(data, AttrNameFirst)
	last, _ := takeAttr(data, AttrNameLast)
	parts := strings.TrimSpace(first + " " + last)
	full := string(appendNameKey(nil, raw))
	fromParts := string(appendNameKey(nil, parts))
	switch {
	case raw == "" && parts == "":
		return "", fmt.Errorf("empty name")
	case raw != "" && parts != "" && full != fromParts:
		return "", fmt.Errorf("name %q does not match name_first/name_last %q", raw, parts)
	case raw == "":
		full = fromParts
	}
	if full == "" {
		return "", fmt.Errorf("invalid name %q: no letters or digits", strings.TrimSpace(raw+" "+parts))
	}
	return full, nil
}
