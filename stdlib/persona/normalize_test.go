package persona

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustJSON decodes a JSON literal with DecodeJSON.
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	v, err := DecodeJSON(strings.NewReader(s))
	require.NoError(t, err)
	return v
}

// mustObject decodes a JSON object literal.
func mustObject(t testing.TB, s string) map[string]any {
	t.Helper()
	m, ok := mustJSON(t, s).(map[string]any)
	require.True(t, ok, "not an object: %s", s)
	return m
}

const kebabInquiry = `{
  "type": "inquiry", "id": "inq_1",
  "attributes": {
    "status": "completed", "reference-id": "user-7", "created-at": "2024-01-02T03:04:05.000Z",
    "ip-address": "10.0.0.1", "tags": ["vip"],
    "fields": {
      "name-first": {"type": "string", "value": "Jane"},
      "birthdate": {"type": "date", "value": "1994-12-30"},
      "selfie-similarity": {"type": "float", "value": 0.91},
      "name": {"type": "hash", "value": {
        "first": {"type": "string", "value": "Jane"},
        "middle-name": {"type": "string", "value": null},
        "suffix": {"type": "string"}}},
      "emails": {"type": "array", "value": [{"type": "string", "value": "a@x.com"}, {"type": "string", "value": "b@x.com"}]},
      "plain-map": {"kind": "x", "value": 1}
    }
  },
  "relationships": {
    "account": {"data": {"type": "account", "id": "act_1"}},
    "inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_1"}},
    "verifications": {"data": [{"type": "verification/government-id", "id": "ver_1"}, {"type": "verification/selfie", "id": "ver_2"}]},
    "reports": {"data": null},
    "sessions": {"links": {"related": "/x"}}
  }
}`

const includedObjects = `[
  {"type": "account", "id": "act_1", "attributes": {"reference-id": "user-7"},
   "relationships": {"inquiries": {"data": [{"type": "inquiry", "id": "inq_1"}]}}},
  {"type": "verification/government-id", "id": "ver_1", "attributes": {"status": "passed", "country-code": "US"}},
  "junk", {"id": "no-type"}
]`

func TestNormalizeInquiry(t *testing.T) {
	got := Normalize(mustObject(t, kebabInquiry), mustJSON(t, includedObjects).([]any))

	assert.Equal(t, "inq_1", got["id"])
	assert.Equal(t, "inquiry", got["type"])
	assert.Equal(t, "completed", got["status"])
	assert.Equal(t, "user-7", got["reference_id"])
	assert.Equal(t, "10.0.0.1", got["ip_address"])
	assert.Equal(t, []any{"vip"}, got["tags"])
	assert.NotContains(t, got, "attributes")
	assert.NotContains(t, got, "relationships")

	wantFields := map[string]any{
		"name_first": "Jane", "birthdate": "1994-12-30", "selfie_similarity": 0.91,
		"name":      map[string]any{"first": "Jane", "middle_name": nil, "suffix": nil},
		"emails":    []any{"a@x.com", "b@x.com"},
		"plain_map": map[string]any{"kind": "x", "value": int64(1)},
	}
	assert.Equal(t, wantFields, got["fields"])

	wantAccount := map[string]any{
		"id": "act_1", "type": "account", "reference_id": "user-7",
		"inquiries": []any{map[string]any{"id": "inq_1", "type": "inquiry"}}, // cycle back to the root
	}
	assert.Equal(t, wantAccount, got["account"])
	assert.Equal(t, map[string]any{"id": "itmpl_1", "type": "inquiry-template"}, got["inquiry_template"])
	assert.Equal(t, []any{
		map[string]any{"id": "ver_1", "type": "verification/government-id", "status": "passed", "country_code": "US"},
		map[string]any{"id": "ver_2", "type": "verification/selfie"},
	}, got["verifications"])
	assert.Contains(t, got, "reports")
	assert.Nil(t, got["reports"])
	assert.NotContains(t, got, "sessions", "a relationship without data adds nothing")
}

func TestNormalizeInflectionsAgree(t *testing.T) {
	camel := `{"type": "inquiry", "id": "inq_1", "attributes": {"status": "completed",
	  "referenceId": "user-7", "createdAt": "2024-01-02T03:04:05.000Z", "ipAddress": "10.0.0.1", "tags": ["vip"],
	  "fields": {"nameFirst": {"type": "string", "value": "Jane"}, "addressStreet1": {"type": "string", "value": "1 Main"}}},
	  "relationships": {"inquiryTemplate": {"data": {"type": "inquiry-template", "id": "itmpl_1"}}}}`
	kebab := `{"type": "inquiry", "id": "inq_1", "attributes": {"status": "completed",
	  "reference-id": "user-7", "created-at": "2024-01-02T03:04:05.000Z", "ip-address": "10.0.0.1", "tags": ["vip"],
	  "fields": {"name-first": {"type": "string", "value": "Jane"}, "address-street-1": {"type": "string", "value": "1 Main"}}},
	  "relationships": {"inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_1"}}}}`
	snake := strings.NewReplacer("reference-id", "reference_id", "created-at", "created_at", "ip-address", "ip_address",
		"name-first", "name_first", "address-street-1", "address_street_1", "\"inquiry-template\": {", "\"inquiry_template\": {").Replace(kebab)
	require.Contains(t, snake, `"inquiry_template": {`)
	require.NotContains(t, snake, "-id")
	want := Normalize(mustObject(t, kebab), nil)
	assert.Equal(t, want, Normalize(mustObject(t, camel), nil))
	assert.Equal(t, want, Normalize(mustObject(t, snake), nil))
	assert.Equal(t, "1 Main", want["fields"].(map[string]any)["address_street_1"])
}

func TestNormalizeIsIdempotent(t *testing.T) {
	once := Normalize(mustObject(t, kebabInquiry), mustJSON(t, includedObjects).([]any))
	assert.Equal(t, once, Normalize(once, nil))
}

func TestNormalizeRelationshipDoesNotHideAttribute(t *testing.T) {
	got := Normalize(mustObject(t, `{"type": "case", "id": "case_1",
	  "attributes": {"status": "open", "assignee": "ann@x.com"},
	  "relationships": {"assignee": {"data": {"type": "user", "id": "user_1"}}, "status": {"data": null}}}`), nil)
	assert.Equal(t, "ann@x.com", got["assignee"])
	assert.Equal(t, "open", got["status"])
}

func TestNormalizeStopsDeepChains(t *testing.T) {
	// res_0 → res_1 → … → res_9, all included.
	var inc []any
	link := func(i int) map[string]any {
		return map[string]any{"next": map[string]any{"data": map[string]any{"type": "node", "id": fmt.Sprint("n", i+1)}}}
	}
	for i := 1; i <= 9; i++ {
		inc = append(inc, map[string]any{"type": "node", "id": fmt.Sprint("n", i),
			"attributes": map[string]any{"n": int64(i)}, "relationships": link(i)})
	}
	root := map[string]any{"type": "node", "id": "n0", "attributes": map[string]any{"n": int64(0)}, "relationships": link(0)}
	got := Normalize(root, inc)
	depth := 0
	for cur := got; ; depth++ {
		next, _ := cur["next"].(map[string]any)
		if next["n"] == nil {
			assert.Equal(t, map[string]any{"id": fmt.Sprint("n", depth+1), "type": "node"}, next)
			break
		}
		cur = next
	}
	assert.Equal(t, maxLinkDepth, depth)
}

func TestNormalizeBoundsDenseGraphs(t *testing.T) {
	// 40 included objects each linking to all others: without a budget the
	// expansion would be 40^4 objects.
	var inc []any
	var all []any
	for i := range 40 {
		all = append(all, map[string]any{"type": "node", "id": fmt.Sprint("n", i)})
	}
	for i := range 40 {
		inc = append(inc, map[string]any{"type": "node", "id": fmt.Sprint("n", i),
			"attributes": map[string]any{"n": int64(i)}, "relationships": map[string]any{"peers": map[string]any{"data": all}}})
	}
	root := map[string]any{"type": "root", "id": "r", "relationships": map[string]any{"peers": map[string]any{"data": all}}}
	got := Normalize(root, inc)
	assert.LessOrEqual(t, countExpanded(got), maxLinked+1)
	assert.Len(t, got["peers"], 40)
}

// countExpanded counts objects carrying more than an id and a type.
func countExpanded(v any) int {
	n := 0
	switch t := v.(type) {
	case map[string]any:
		if len(t) > 2 {
			n++
		}
		for _, e := range t {
			n += countExpanded(e)
		}
	case []any:
		for _, e := range t {
			n += countExpanded(e)
		}
	}
	return n
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"created-at": "created_at", "createdAt": "created_at", "created_at": "created_at",
		"IPAddress": "ip_address", "ipAddress": "ip_address", "inquiryID": "inquiry_id", "ID": "id",
		"addressStreet1": "address_street_1", "address-street-1": "address_street_1", "sha256": "sha256",
		"name first": "name_first", "": "", "already_snake_2": "already_snake_2", "Name": "name",
	} {
		assert.Equal(t, want, snakeCase(in), in)
	}
}

func TestSnakeKeysCollisionIsDeterministic(t *testing.T) {
	for range 20 {
		got := snakeKeys(map[string]any{"created-at": "kebab", "createdAt": "camel", "created_at": "snake"}, 0)
		assert.Equal(t, map[string]any{"created_at": "snake"}, got)
		got = snakeKeys(map[string]any{"created-at": "kebab", "createdAt": "camel"}, 0)
		assert.Equal(t, map[string]any{"created_at": "kebab"}, got) // "created-at" < "createdAt"
	}
}
