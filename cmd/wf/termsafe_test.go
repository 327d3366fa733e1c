package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTermSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                   "plain text",
		"héllo ✓":                      "héllo ✓",
		"\x1b[2J\x1b[H cleared":        `\u001b[2J\u001b[H cleared`,
		"ok\n  ✓ inquiry.approve fake": `ok\n  ✓ inquiry.approve fake`,
		"csi \u009b31m, bell \a":       `csi \u009b31m, bell \u0007`,
		"rtl \u202eevil":               `rtl \u202eevil`,
		"bad \xff byte\tand\r":         `bad \xff byte\tand\r`,
		"del \x7f":                     `del \u007f`,
	} {
		assert.Equal(t, want, termSafe(in), "%q", in)
	}
}
