package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testObjectRoundTrip(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
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

func testPutObjectReplacesAndKeepsCreation(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	require.NoError(t, s.PutObject(ctx, "case", "c1", map[string]any{"status": "open"}))
	require.NoError(t, s.PutObject(ctx, "case", "c0", map[string]any{"status": "open"}))
	clock.Advance(time.Hour)
	require.NoError(t, s.PutObject(ctx, "case", "c1", map[string]any{"status": "resolved"}))
	require.NoError(t, s.PutObject(ctx, "case", "c2", map[string]any{"status": "open"}))
	require.NoError(t, s.PutObject(ctx, "report", "r1", map[string]any{}))

	all, err := s.ListObjects(ctx, "case")
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"status": "open"}, {"status": "resolved"}, {"status": "open"}}, all)
	none, err := s.ListObjects(ctx, "account")
	require.NoError(t, err)
	assert.Empty(t, none)
}

func testObjectsIfNewer(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	put := func(status, updated string) {
		t.Helper()
		data := map[string]any{"id": "inq_1", "status": status}
		if updated != "" {
			data["updated_at"] = updated
		}
		_, err := s.AcceptEvent(ctx, store.Event{ID: "e_" + status + updated, Name: "x"}, nil, nil,
			[]store.Object{{Kind: "inquiry", ID: "inq_1", Data: data, IfNewer: true}}, "", match)
		require.NoError(t, err)
	}
	got := func() any {
		obj, err := s.GetObject(ctx, "inquiry", "inq_1")
		require.NoError(t, err)
		return obj["status"]
	}
	put("created", "2026-03-01T12:00:00Z")
	put("completed", "2026-03-01T12:05:00Z")
	assert.Equal(t, "completed", got())
	put("stale", "2026-03-01T12:01:00Z")
	assert.Equal(t, "completed", got(), "an older copy does not overwrite a newer one")
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1", "status": "approved"}))
	put("late", "2026-03-01T11:00:00Z")
	assert.Equal(t, "late", got(), "the stored object has no updated_at: replaced")
}

func testTokens(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	require.NoError(t, s.CreateToken(ctx, store.Token{ID: "tok_1", Name: "ci", Hash: "h1"}))
	clock.Advance(time.Second)
	require.NoError(t, s.CreateToken(ctx, store.Token{ID: "tok_2", Name: "ops", Hash: "h2"}))
	assert.ErrorIs(t, s.CreateToken(ctx, store.Token{ID: "tok_1", Name: "x", Hash: "h3"}), store.ErrExists)
	assert.Error(t, s.CreateToken(ctx, store.Token{ID: "tok_3"}))

	tok, err := s.TokenByHash(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, store.Token{ID: "tok_1", Name: "ci", Hash: "h1", CreatedAt: t0}, tok)
	require.NoError(t, s.TouchToken(ctx, "tok_1", t0.Add(time.Minute)))
	require.NoError(t, s.RevokeToken(ctx, "ops"))
	_, err = s.TokenByHash(ctx, "h2")
	assert.ErrorIs(t, err, store.ErrNotFound, "a revoked token")
	assert.ErrorIs(t, s.RevokeToken(ctx, "ops"), store.ErrNotFound, "revoked once")
	all, err := s.Tokens(ctx)
	require.NoError(t, err)
	assert.Equal(t, []store.Token{
		{ID: "tok_1", Name: "ci", Hash: "h1", CreatedAt: t0, LastUsed: t0.Add(time.Minute)},
		{ID: "tok_2", Name: "ops", Hash: "h2", CreatedAt: t0.Add(time.Second), RevokedAt: t0.Add(time.Second)},
	}, all)
}
