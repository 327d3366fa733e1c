package repl

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/interp"
)

func mapOf(kv ...any) *interp.Map {
	m := interp.NewMap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		m.Set(kv[i].(string), kv[i+1])
	}
	return m
}

func listOf(vs ...interp.Value) *interp.List { return interp.NewList(vs) }

func TestFormatScalars(t *testing.T) {
	p := &Printer{}
	tests := []struct {
		v    interp.Value
		want string
	}{
		{nil, "null"},
		{true, "true"},
		{int64(42), "42"},
		{1.5, "1.5"},
		{2.0, "2.0"},
		{"plain", `"plain"`},
		{"a \"q\" \\ b\nc\td", `"a \"q\" \\ b\nc\td"`},
		{"cost ${x} and $5", `"cost \${x} and $5"`},
		{"é ✓", `"é ✓"`},
		{"bell\x07", `"bell\u{7}"`},
		{"bad\xffbyte", `"bad\u{fffd}byte"`},
		{90 * time.Minute, "1h30m"},
		{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), `date("2026-03-01T12:00:00Z")`},
		{listOf(), "[]"},
		{mapOf(), "{}"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, p.Format(tt.v), "%#v", tt.v)
	}
}

func TestFormatMapKeys(t *testing.T) {
	p := &Printer{}
	m := mapOf("name", "Ada", "created-at", "x", "when", 1, "_x1", 2)
	assert.Equal(t, `{name: "Ada", "created-at": "x", "when": 1, _x1: 2}`, p.Format(m))
}

func TestFormatBreaksLongValues(t *testing.T) {
	p := &Printer{Width: 40}
	short := mapOf("a", int64(1), "b", listOf(int64(1), int64(2)))
	assert.Equal(t, "{a: 1, b: [1, 2]}", p.Format(short))

	long := mapOf(
		"name", "Alexandra Example",
		"fields", mapOf("birthdate", "1990-01-02", "country", "US"),
		"tags", listOf("one", "two"),
	)
	want := `{
  name: "Alexandra Example",
  fields: {birthdate: "1990-01-02", country: "US"},
  tags: ["one", "two"],
}`
	assert.Equal(t, want, (&Printer{Width: 60}).Format(long))

	want = `{
  name: "Alexandra Example",
  fields: {
    birthdate: "1990-01-02",
    country: "US",
  },
  tags: ["one", "two"],
}`
	assert.Equal(t, want, p.Format(long))
}

func TestFormatCapsWhatItShows(t *testing.T) {
	p := &Printer{}
	var elems []interp.Value
	for i := range maxItems + 5 {
		elems = append(elems, int64(i))
	}
	out := p.Format(listOf(elems...))
	assert.Contains(t, out, "  199,\n  … 5 more\n]")
	assert.NotContains(t, out, "  200,")

	// A value nested far deeper than the cap prints without blowing up.
	var v interp.Value = int64(1)
	for range 10_000 {
		v = listOf(v)
	}
	out = p.Format(v)
	assert.Contains(t, out, "[…]")
	assert.Less(t, len(out), 10_000)

	big := strings.Repeat("x", maxPrintStr+10)
	out = p.Format(big)
	assert.True(t, strings.HasSuffix(out, fmt.Sprintf(`"… (%d bytes)`, len(big))), out[len(out)-40:])
}

func TestFormatColorsOnlyWhenAsked(t *testing.T) {
	v := mapOf("n", int64(1), "s", "x", "b", true)
	plain := (&Printer{}).Format(v)
	assert.NotContains(t, plain, "\x1b[")
	colored := (&Printer{Color: true}).Format(v)
	assert.Contains(t, colored, ansi.Yellow+"1"+ansi.Reset)
	assert.Contains(t, colored, ansi.Green+`"x"`+ansi.Reset)
	assert.Contains(t, colored, ansi.Magenta+"true"+ansi.Reset)
}

func TestFormatRedactsSecrets(t *testing.T) {
	p := &Printer{Secrets: func() []string { return []string{"s3cr3t-token", "abc"} }}
	out := p.Format(mapOf("auth", "Bearer s3cr3t-token", "short", "abc"))
	assert.Equal(t, `{auth: "Bearer [redacted]", short: "abc"}`, out, "secrets shorter than 4 bytes are not redacted")
	assert.Equal(t, "key [redacted]", p.Redact("key s3cr3t-token"))
}
