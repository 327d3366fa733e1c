package lsp

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestNumberLenMatchesLexerRules compares the hand-written number and
// duration reader with the patterns of lang's lexer.
func TestNumberLenMatchesLexerRules(t *testing.T) {
	duration := regexp.MustCompile(`^[0-9]+(?:ms|s|m|h|d|w)(?:[0-9]+(?:ms|s|m|h|d))*\b`)
	number := regexp.MustCompile(`^[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?`)
	for _, s := range []string{"1", "12", "1_000", "1.5", "1.", "1.x", "1e5", "1e+5", "1E-", "1ex", "2h", "1h30m", "90s",
		"1ms", "1msx", "1m5s", "2w", "2w3d", "2d3w", "1h30", "1hx", "3workflow", "2h}", "15m ", "7d)", "1.5s", "1_0h", "0x10", "1e5s", "10ms5"} {
		want := duration.FindString(s)
		if want == "" {
			want = number.FindString(s)
		}
		assert.Equal(t, len(want), numberLen(s), "%q", s)
	}
}
