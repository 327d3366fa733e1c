// Package textcase appends strings in lower or upper case without building
// them when they are ASCII, for the standard library's functions and its
// Lists' canonical keys.
package textcase

import (
	"strings"
	"unicode/utf8"
)

// AppendLower appends strings.ToLower(s) to dst: bytewise for ASCII, else
// through strings.ToLower.
func AppendLower(dst []byte, s string) []byte {
	if !IsASCII(s) {
		return append(dst, strings.ToLower(s)...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendUpper appends strings.ToUpper(s) to dst: bytewise for ASCII, else
// through strings.ToUpper.
func AppendUpper(dst []byte, s string) []byte {
	if !IsASCII(s) {
		return append(dst, strings.ToUpper(s)...)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// IsASCII reports whether s has only 7-bit bytes.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
