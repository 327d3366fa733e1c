package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

func TestObjectRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	in := map[string]any{
		"id": "inq_1", "status": "created", "age": 42, "score": 0.75, "big": int64(1) << 62,
		"tags":   []any{"a", 1, 2.5},
		"fields": map[string]any{"n": 7, "ok": true, "none": nil},
	}
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", in))
	got, err := s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"id": "inq_1", "status": "created", "age": int64(42), "score": 0.75, "big": int64(1) << 62,
		"tags":   []any{"a", int64(1), 2.5},
		"fields": map[string]any{"n": int64(7), "ok": true, "none": nil},
	}, got)

	_, err = s.GetObject(ctx, "inquiry", "inq_2")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetObject(ctx, "account", "inq_1")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.EqualError(t, s.PutObject(ctx, "", "x", nil), "store: object needs a kind and an id")
	assert.Error(t, s.PutObject(ctx, "k", "x", map[string]any{"f": func() {}}))
}

func TestPutObjectReplacesAndKeepsCreation(t *testing.T) {
	ctx := context.Background()
	s, _, clock := openClocked(t)
	require.NoError(t, s.PutObject(ctx, "case", "c1", map[string]any{"status": "open"}))
	require.NoError(t, s.PutObject(ctx, "case", "c0", map[string]any{"status": "open"}))
	clock.Advance(time.Hour)
	require.NoError(t, s.PutObject(ctx, "case", "c1", map[string]any{"status": "resolved"}))
	require.NoError(t, s.PutObject(ctx, "case", "c2", map[string]any{"status": "open"}))
	require.NoError(t, s.PutObject(ctx, "report", "r1", map[string]any{}))

	var created, updated int64
	require.NoError(t, s.readers.QueryRow(`SELECT created_at, updated_at FROM objects WHERE id = 'c1'`).Scan(&created, &updated))
	assert.Equal(t, t0.UnixNano(), created)
	assert.Equal(t, t0.Add(time.Hour).UnixNano(), updated)

	all, err := s.ListObjects(ctx, "case")
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"status": "open"}, {"status": "resolved"}, {"status": "open"}}, all)
	none, err := s.ListObjects(ctx, "account")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestCorruptObjectIsAnError(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	_, err := s.writer.Exec(`INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES ('k', 'x', '{"a":', 0, 0)`)
	require.NoError(t, err)
	_, err = s.GetObject(ctx, "k", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `store: k "x": `)
}
