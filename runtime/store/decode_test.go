package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/internal/jsonvalue"
)

// tokenDecode is DecodeObject as it was before strings were read from the input and
// interned: every string through Token.String. DecodeObject must agree with it.
func tokenDecode(data []byte) (any, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsonvalue.Options...)
	var value func() (any, error)
	value = func() (any, error) {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, err
		}
		switch tok.Kind() {
		case '{':
			m := map[string]any{}
			for dec.PeekKind() != '}' {
				k, err := dec.ReadToken()
				if err != nil {
					return nil, err
				}
				name := k.String()
				v, err := value()
				if err != nil {
					return nil, err
				}
				m[name] = v
			}
			_, err := dec.ReadToken()
			return m, err
		case '[':
			l := []any{}
			for dec.PeekKind() != ']' {
				v, err := value()
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.ReadToken()
			return l, err
		case '"':
			return tok.String(), nil
		case '0':
			return numberValue(json.Number(tok.String())), nil
		case 't', 'f':
			return tok.Bool(), nil
		case 'n':
			return nil, nil
		}
		return nil, errors.New("unexpected")
	}
	return value()
}

func TestDecodeObjectMatchesTokens(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	// Raw JSON pieces: escapes, non-ASCII, invalid UTF-8, long strings (past the intern
	// limit), repeated short ones (interned).
	strs := []string{`""`, `"a"`, `"type"`, `"completed"`, `"\u00e9t\u00e9"`, `"été"`, `"日本"`, `"\ud83d\ude42"`,
		`"a\"b\\c\/d\n\t"`, "\"\xff\xfe bad\"", "\"x\xc3\"", `"\u0000"`, `"` + strings.Repeat("long", 20) + `"`,
		`"` + strings.Repeat("é", 30) + `"`, `"\u2028"`}
	nums := []string{"0", "-1", "1e3", "2.0", "1.5", "-0", "9223372036854775807", "9223372036854775808", "1e400"[:4]}
	var gen func(b *strings.Builder, depth int)
	gen = func(b *strings.Builder, depth int) {
		switch n := rng.IntN(9); {
		case n == 0:
			b.WriteString("null")
		case n == 1:
			b.WriteString([]string{"true", "false"}[rng.IntN(2)])
		case n == 2:
			b.WriteString(nums[rng.IntN(len(nums))])
		case n == 3 && depth < 5:
			b.WriteString("[")
			for i := range rng.IntN(4) {
				if i > 0 {
					b.WriteString(", ")
				}
				gen(b, depth+1)
			}
			b.WriteString("]")
		case n >= 4 && depth < 5:
			b.WriteString("{")
			for i := range rng.IntN(5) {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(strs[rng.IntN(len(strs))] + " : ")
				gen(b, depth+1)
			}
			b.WriteString("}")
		default:
			b.WriteString(strs[rng.IntN(len(strs))])
		}
	}
	for i := range 3000 {
		var b strings.Builder
		b.WriteString(`{"id": "x", "k": `)
		gen(&b, 0)
		b.WriteString(`}`)
		data := []byte(b.String())
		want, werr := tokenDecode(data)
		got, gerr := DecodeObject("k", "x", data)
		if werr != nil {
			require.Error(t, gerr, "case %d: %s", i, data)
			continue
		}
		require.NoError(t, gerr, "case %d: %s", i, data)
		require.Equal(t, want, any(got), "case %d: %s", i, data)
	}
	for _, bad := range []string{`{"a": 1} {}`, `[1]`, `"s"`, `{"a": }`, `{"a": "\x"}`, `{`} {
		_, err := DecodeObject("k", "x", []byte(bad))
		assert.Error(t, err, bad)
	}
}

// FuzzDecodeObject holds DecodeObject to the token decoder on any input:
// the same value or both an error.
//
//	go test ./runtime/store -run '^$' -fuzz FuzzDecodeObject -fuzztime 2m
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"a": "b"}`, `{"type": "inquiry", "n": [1, 2.5, -0, 1e3], "x": {"y": null}}`,
		`{"e": "\u00e9\n\"q\""}`, "{\"bad\": \"\xff\"}", `{"a": 1} {}`, `[]`, `{"k": "` + strings.Repeat("z", 60) + `"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := tokenDecode(data)
		got, gerr := DecodeObject("k", "x", data)
		if werr != nil || gerr != nil {
			// tokenDecode reads one value; DecodeObject also refuses what follows it and
			// anything but an object.
			if gerr == nil {
				t.Fatalf("DecodeObject accepted %q, the token decoder did not: %v", data, werr)
			}
			return
		}
		if _, isObj := want.(map[string]any); !isObj {
			t.Fatalf("DecodeObject accepted a non-object %q", data)
		}
		if !assert.ObjectsAreEqual(want, any(got)) {
			t.Fatalf("%q: got %#v, want %#v", data, got, want)
		}
	})
}
