package persona

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const eventBody = `{"data": {"type": "event", "id": "evt_XGuYWp7WuDzNxie5z16s7sGJ",
  "attributes": {"name": "inquiry.completed", "created-at": "2019-09-09T22:46:27.598Z",
    "payload": {
      "data": {"type": "inquiry", "id": "inq_1",
        "attributes": {"status": "completed", "ip-address": "203.0.113.9",
          "fields": {"birthdate": {"type": "date", "value": "2010-05-01"}}},
        "relationships": {"account": {"data": {"type": "account", "id": "act_1"}}}},
      "included": [{"type": "account", "id": "act_1", "attributes": {"reference-id": "user-7"}}]
    }}}}`

func TestDecodeEvent(t *testing.T) {
	ev, err := DecodeEvent([]byte(eventBody))
	require.NoError(t, err)
	assert.Equal(t, "evt_XGuYWp7WuDzNxie5z16s7sGJ", ev.ID)
	assert.Equal(t, "inquiry.completed", ev.Name)
	assert.Equal(t, time.Date(2019, 9, 9, 22, 46, 27, 598e6, time.UTC), ev.CreatedAt)
	assert.Equal(t, "inq_1", ev.Object["id"])
	assert.Equal(t, "203.0.113.9", ev.Object["ip_address"])
	assert.Equal(t, "2010-05-01", ev.Object["fields"].(map[string]any)["birthdate"])
	assert.Equal(t, "user-7", ev.Object["account"].(map[string]any)["reference_id"])
}

func TestDecodeEventSnakeInflection(t *testing.T) {
	body := `{"data": {"type": "event", "id": "evt_1", "attributes": {"name": "case.created",
	  "created_at": "2024-02-03T04:05:06Z", "payload": {"data": {"type": "case", "id": "case_1", "attributes": {"status": "open"}}}}}}`
	ev, err := DecodeEvent([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 2, 3, 4, 5, 6, 0, time.UTC), ev.CreatedAt)
	assert.Equal(t, map[string]any{"id": "case_1", "type": "case", "status": "open"}, ev.Object)
}

func TestDecodeEventErrors(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"empty", ``, "persona event: invalid json: empty body"},
		{"not json", `{"data":`, "persona event: invalid json"},
		{"trailing", `{} {}`, "persona event: invalid json: data after the top-level value"},
		{"array", `[]`, "persona event: body must be an object, got array"},
		{"no data", `{}`, "persona event: data is missing"},
		{"data string", `{"data": "x"}`, "persona event: data must be an object, got string"},
		{"no attributes", `{"data": {"id": "evt_1"}}`, "persona event: data.attributes is missing"},
		{"no id", `{"data": {"attributes": {}}}`, "persona event: data.id is missing"},
		{"id number", `{"data": {"id": 7, "attributes": {}}}`, "persona event: data.id must be a string, got number"},
		{"no name", `{"data": {"id": "evt_1", "attributes": {}}}`, "persona event: data.attributes.name is missing"},
		{"empty name", `{"data": {"id": "evt_1", "attributes": {"name": " "}}}`, "persona event: data.attributes.name is empty"},
		{"bad time", `{"data": {"id": "evt_1", "attributes": {"name": "x", "created-at": "yesterday"}}}`,
			`persona event: data.attributes.created-at is not an RFC 3339 time: "yesterday"`},
		{"no payload", `{"data": {"id": "evt_1", "attributes": {"name": "x"}}}`, "persona event: data.attributes.payload is missing"},
		{"no payload data", `{"data": {"id": "evt_1", "attributes": {"name": "x", "payload": {}}}}`,
			"persona event: data.attributes.payload.data is missing"},
		{"payload data array", `{"data": {"id": "evt_1", "attributes": {"name": "x", "payload": {"data": []}}}}`,
			"persona event: data.attributes.payload.data must be an object, got array"},
		{"payload without id", `{"data": {"id": "evt_1", "attributes": {"name": "x", "payload": {"data": {"type": "inquiry"}}}}}`,
			"persona event: data.attributes.payload.data.id is missing"},
		{"included object", `{"data": {"id": "evt_1", "attributes": {"name": "x", "payload": {"data": {"type": "inquiry", "id": "inq_1"}, "included": {}}}}}`,
			"persona event: data.attributes.payload.included must be an array, got object"},
		{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
			"persona event: invalid json: nested deeper than 64 levels"},
		{"huge number", `{"data": {"id": "evt_1", "n": 1e400}}`, "persona event: invalid json: number 1e400 is out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeEvent([]byte(tc.body))
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want prefix %q", err, tc.want)
		})
	}
}

func TestDecodeEventCapsSize(t *testing.T) {
	body := append([]byte(`{"pad": "`), bytes.Repeat([]byte("x"), MaxBodySize)...)
	_, err := DecodeEvent(append(body, `"}`...))
	assert.EqualError(t, err, "persona event: body is larger than 5242880 bytes")
}

func TestDecodeJSONNumbers(t *testing.T) {
	for in, want := range map[string]any{
		`1`: int64(1), `-7`: int64(-7), `1.0`: int64(1), `1e3`: int64(1000), `0.5`: 0.5,
		`9223372036854775807`: int64(math.MaxInt64), `9223372036854775808`: 9223372036854775808.0,
		`1e300`: 1e300, `"1"`: "1", `true`: true, `null`: nil,
	} {
		got, err := DecodeJSON(strings.NewReader(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	got, err := DecodeJSON(strings.NewReader(`{"a": [1, 2.5, {"b": 3}]}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": []any{int64(1), 2.5, map[string]any{"b": int64(3)}}}, got)
}

func TestDecodeJSONLimits(t *testing.T) {
	_, err := DecodeJSON(strings.NewReader(`"` + strings.Repeat("x", MaxBodySize) + `"`))
	assert.EqualError(t, err, "json body is larger than 5242880 bytes")
	// Brackets inside strings do not count as nesting.
	got, err := DecodeJSON(strings.NewReader(`"` + strings.Repeat("[", 100) + `\"{"`))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("[", 100)+`"{`, got)
	_, err = DecodeJSON(strings.NewReader(strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat(`}`, 65)))
	assert.EqualError(t, err, "invalid json: nested deeper than 64 levels")
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(eventBody))
	f.Add([]byte(`{"data": {"type": "event", "id": "evt_1", "attributes": {"name": "x", "payload": {"data": {"type": "a", "id": "b",
	  "relationships": {"self": {"data": {"type": "a", "id": "b"}}}}, "included": [{"type": "a", "id": "b"}]}}}}`))
	f.Add([]byte(`{"data": {"attributes": {"payload": {"data": {"attributes": {"fields": {"x": {"type": "hash", "value": {"y": {"type": "array", "value": [1]}}}}}}}}}}`))
	f.Add([]byte(`[[[[{}]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := DecodeEvent(body)
		if err == nil && (ev.ID == "" || ev.Name == "" || ev.Object == nil) {
			t.Fatalf("decoded an event without id, name or object: %+v", ev)
		}
	})
}
