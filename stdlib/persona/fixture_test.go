package persona

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadFixtureEvent(t *testing.T) {
	ctx := context.Background()
	store := NewMemObjectStore()
	n, err := LoadFixture(ctx, store, strings.NewReader(eventBody))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := store.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "completed", got["status"])
	assert.Equal(t, "user-7", got["account"].(map[string]any)["reference_id"])
}

func TestLoadFixtureDocument(t *testing.T) {
	ctx := context.Background()
	store := NewMemObjectStore()
	doc := "\xef\xbb\xbf" + `{"data": [
	    {"type": "inquiry", "id": "inq_1", "attributes": {"status": "completed"},
	     "relationships": {"account": {"data": {"type": "account", "id": "act_1"}}}},
	    {"type": "report/watchlist", "id": "rep_1", "attributes": {"status": "ready", "has-match": true}}],
	  "included": [
	    {"type": "account", "id": "act_1", "attributes": {"reference-id": "user-7"}},
	    {"type": "report/watchlist", "id": "rep_1", "attributes": {"status": "stale"}}]}`
	n, err := LoadFixture(ctx, store, strings.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, 3, n, "data first; the included copy of rep_1 is skipped")

	inq, err := store.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "user-7", inq["account"].(map[string]any)["reference_id"])
	rep, err := store.GetObject(ctx, "report", "rep_1")
	require.NoError(t, err)
	assert.Equal(t, "ready", rep["status"])
	assert.Equal(t, true, rep["has_match"])
	act, err := store.GetObject(ctx, "account", "act_1")
	require.NoError(t, err)
	assert.Equal(t, "user-7", act["reference_id"])

	// What the fixture loaded, the local backend acts on.
	l, err := NewLocal(Config{Store: store, NewID: seqIDs()})
	require.NoError(t, err)
	got, err := l.InquiryApprove(ctx, "inq_1", "")
	require.NoError(t, err)
	assert.Equal(t, "approved", got["status"])
}

func TestLoadFixtureBareResource(t *testing.T) {
	ctx := context.Background()
	store := NewMemObjectStore()
	n, err := LoadFixture(ctx, store, strings.NewReader(`{"type": "case", "id": "case_9", "status": "open", "created-at": "x"}`))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := store.GetObject(ctx, "case", "case_9")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"id": "case_9", "type": "case", "status": "open", "created_at": "x"}, got)
}

func TestLoadFixtureErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`[]`, "persona fixture: document must be an object, got array"},
		{`{"type": "case"}`, "persona fixture: document.id is missing"},
		{`{"data": 3}`, "persona fixture: data must be an object or an array, got number"},
		{`{"data": [{"type": "case", "id": "c"}, "x"]}`, "persona fixture: data[1] must be an object, got string"},
		{`{"data": [{"type": "case"}]}`, "persona fixture: data[0].id is missing"},
		{`{"data": [], "included": [{"id": "a"}]}`, "persona fixture: included[0].type is missing"},
		{`{"data": {"type": "event", "id": "evt_1", "attributes": {}}}`, "persona fixture: data.attributes.name is missing"},
		{`{"data": `, "persona fixture: invalid json"},
	} {
		_, err := LoadFixture(context.Background(), NewMemObjectStore(), strings.NewReader(tc.doc))
		require.Error(t, err, tc.doc)
		assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want %q", err, tc.want)
	}
}

// failingStore refuses every write.
type failingStore struct{ *MemObjectStore }

func (failingStore) PutObject(context.Context, string, string, map[string]any) error {
	return errors.New("disk full")
}

func TestLoadFixtureStoreError(t *testing.T) {
	n, err := LoadFixture(context.Background(), failingStore{NewMemObjectStore()}, strings.NewReader(eventBody))
	assert.Equal(t, 0, n)
	assert.EqualError(t, err, `persona fixture: store inquiry "inq_1": disk full`)
}

func TestMemObjectStoreCopies(t *testing.T) {
	ctx := context.Background()
	s := NewMemObjectStore()
	obj := map[string]any{"id": "a", "tags": []any{"x"}}
	require.NoError(t, s.PutObject(ctx, "case", "a", obj))
	obj["tags"].([]any)[0] = "mutated"
	got, err := s.GetObject(ctx, "case", "a")
	require.NoError(t, err)
	assert.Equal(t, []any{"x"}, got["tags"])
	got["tags"] = nil
	again, _ := s.GetObject(ctx, "case", "a")
	assert.Equal(t, []any{"x"}, again["tags"])

	_, err = s.GetObject(ctx, "case", "b")
	assert.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, s.PutObject(ctx, "case", "0", map[string]any{"id": "0"}))
	list, err := s.ListObjects(ctx, "case")
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"id": "0"}, {"id": "a", "tags": []any{"x"}}}, list)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.GetObject(cancelled, "case", "a")
	assert.ErrorIs(t, err, context.Canceled)
}
