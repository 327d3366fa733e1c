package store

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNumberValue(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{"-17", int64(-17)},
		{"9223372036854775807", int64(9223372036854775807)},
		{"9223372036854775808", 9223372036854775808.0},
		{"1e3", int64(1000)},
		{"2.0", int64(2)},
		{"2.5", 2.5},
		{"-0.001", -0.001},
		{"1e300", 1e300},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, numberValue(json.Number(tt.in)))
		})
	}
}

// DecodeObject gives what encoding/json with UseNumber and the number rule
// gave: integral numbers as int64, others as float64, nested maps and lists.
func TestDecodeObject(t *testing.T) {
	obj, err := DecodeObject("inquiry", "inq_1", []byte(`{"a": 1, "b": 2.5, "c": 1e3, "d": -0, "e": 123456789012345678901234,
		"f": [1, "x", null, true, {"g": false}], "h": {"i": "\u00e9\ud83d\ude00"}, "a": 2}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": int64(2), "b": 2.5, "c": int64(1000), "d": int64(0), "e": 1.2345678901234568e+23,
		"f": []any{int64(1), "x", nil, true, map[string]any{"g": false}}, "h": map[string]any{"i": "é😀"}}, obj)
	for _, bad := range []string{``, `[]`, `"x"`, `{"a": }`, `{"a": 1} {}`, `{"a": 1`} {
		_, err := DecodeObject("inquiry", "inq_1", []byte(bad))
		assert.Error(t, err, bad)
	}
}

// EncodeObjects writes what DecodeObject reads back, keys sorted, and
// refuses what JSON cannot hold.
func TestEncodeObjectsRoundTrips(t *testing.T) {
	obj := map[string]any{"z": int64(1), "a": 2.5, "m": map[string]any{"b": []any{"x", nil, true, int64(-3)}},
		"s": "<é>\u2028", "n": nil, "l": []any{}, "e": map[string]any{}, "t": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"tags": []string{"a", "b"}}
	out, err := EncodeObjects([]Object{{Kind: "inquiry", ID: "inq_1", Data: obj}})
	require.NoError(t, err)
	assert.Equal(t, `{"a":2.5,"e":{},"l":[],"m":{"b":["x",null,true,-3]},"n":null,"s":"<é>`+"\u2028"+`","t":"2026-01-02T03:04:05Z","tags":["a","b"],"z":1}`, out.Data[0])
	back, err := DecodeObject("inquiry", "inq_1", []byte(out.Data[0]))
	require.NoError(t, err)
	assert.Equal(t, int64(1), back["z"])
	assert.Equal(t, "<é>\u2028", back["s"])
	_, err = EncodeObjects([]Object{{Kind: "inquiry", ID: "inq_1", Data: map[string]any{"x": math.Inf(1)}}})
	assert.Error(t, err)
	_, err = EncodeObjects([]Object{{Kind: "", ID: "inq_1", Data: obj}})
	assert.Error(t, err)
	out.Release()
}

// The texts of one EncodeObjects are each in a buffer of their own while
// they are held, two calls' texts too; an object given as JSON is kept as it
// is once checked to be a JSON object.
func TestEncodeObjectsLendsABufferPerText(t *testing.T) {
	a, err := EncodeObjects([]Object{
		{Kind: "inquiry", ID: "inq_1", Data: map[string]any{"id": "inq_1"}},
		{Kind: "inquiry", ID: "inq_2", Data: map[string]any{"id": "inq_2"}},
		{Kind: "inquiry", ID: "inq_3", JSON: `{"id": "inq_3"}`},
	})
	require.NoError(t, err)
	b, err := EncodeObjects([]Object{{Kind: "inquiry", ID: "inq_4", Data: map[string]any{"id": "inq_4"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{`{"id":"inq_1"}`, `{"id":"inq_2"}`, `{"id": "inq_3"}`}, a.Data)
	assert.Equal(t, []string{`{"id":"inq_4"}`}, b.Data)
	a.Release()
	b.Release()
	for _, bad := range []string{`[1]`, `{"id": `, `"x"`, ` {}`} {
		_, err := EncodeObjects([]Object{{Kind: "inquiry", ID: "inq_1", JSON: bad}})
		assert.ErrorContains(t, err, "not a JSON object", bad)
	}
}

// TestEncodeObjectMatchesMarshal holds the token writer to what
// jsonv2.Marshal with objectEncoding writes, byte for byte, on random
// objects of every kind a decoded object holds (and some it does not).
func TestEncodeObjectMatchesMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "a", "B", "é", "日本", "\x00", "<a&b>", "\"q\"\\", "\xff\xfe bad utf8", "\u2028", "z", "aa", "a\x7f", "🙂"}
	floats := []float64{0.5, -0.25, 1e21, 1e-7, 5e-324, math.MaxFloat64, 123456.789, -1e300, math.Copysign(0, -1)}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch n := rng.IntN(10); {
		case n == 0:
			return nil
		case n == 1:
			return rng.IntN(2) == 0
		case n == 2:
			return int64(rng.Uint64())
		case n == 3:
			return floats[rng.IntN(len(floats))]
		case n == 4:
			return rng.IntN(1000) - 500 // an int, as Go code may put in an object
		case n == 5 && depth < 6:
			l := make([]any, rng.IntN(4))
			for i := range l {
				l[i] = gen(depth + 1)
			}
			return l
		case n >= 6 && depth < 6:
			m := map[string]any{}
			for range rng.IntN(6) {
				m[strs[rng.IntN(len(strs))]+strs[rng.IntN(len(strs))]] = gen(depth + 1)
			}
			return m
		case n == 9:
			return map[string]string{"other": "type"} // falls back to Marshal
		}
		return strs[rng.IntN(len(strs))]
	}
	for i := range 2000 {
		obj := map[string]any{}
		for range rng.IntN(8) {
			obj[strs[rng.IntN(len(strs))]] = gen(0)
		}
		want, err := jsonv2.Marshal(obj, objectEncoding...)
		require.NoError(t, err)
		got, err := encodeObject(obj)
		require.NoError(t, err)
		require.Equal(t, string(want), got, "object %d", i)
	}
	for _, bad := range []any{math.NaN(), math.Inf(-1), []any{1.0, math.Inf(1)}} {
		_, err := encodeObject(map[string]any{"k": map[string]any{"x": bad}})
		require.Error(t, err, "%v", bad)
		// the pooled writer is clean after a failure
		got, err := encodeObject(map[string]any{"b": 1, "a": "x"})
		require.NoError(t, err)
		require.Equal(t, `{"a":"x","b":1}`, got)
	}
}

func TestItemSeqReadsItemID(t *testing.T) {
	for _, seq := range []int64{0, 1, 4096, 1 << 40} {
		got, err := ItemSeq(ItemID(seq))
		require.NoError(t, err)
		assert.Equal(t, seq, got)
	}
	for _, bad := range []string{"", "42", "li_", "li_x", "item_3"} {
		_, err := ItemSeq(bad)
		assert.Error(t, err, bad)
	}
}
