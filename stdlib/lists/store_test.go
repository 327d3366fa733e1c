package lists

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock returns a clock that advances one second per call.
func fakeClock() func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

// mustItems builds items of kind from raw values.
func mustItems(t testing.TB, kind Kind, raws ...string) []Item {
	t.Helper()
	out := make([]Item, len(raws))
	for i, r := range raws {
		it, err := NewItem(kind, r, nil)
		require.NoError(t, err)
		out[i] = it
	}
	return out
}

func TestMemStoreLists(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore(WithClock(fakeClock()))
	a, err := s.CreateList(ctx, "blocked-ips", KindIPAddress)
	require.NoError(t, err)
	assert.Equal(t, "blocked-ips", a.Name)
	assert.Equal(t, KindIPAddress, a.Kind)
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), a.CreatedAt)
	_, err = s.CreateList(ctx, "allowed-emails", KindEmailAddress)
	require.NoError(t, err)

	_, err = s.CreateList(ctx, "blocked-ips", KindString)
	assert.ErrorIs(t, err, ErrExists)
	assert.EqualError(t, err, `list "blocked-ips": list already exists`)
	_, err = s.CreateList(ctx, "x", Kind(0))
	assert.EqualError(t, err, "invalid list kind 0")

	all, err := s.Lists(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "allowed-emails", all[0].Name)

	_, err = s.GetList(ctx, "nope")
	assert.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, s.DeleteList(ctx, "allowed-emails"))
	assert.ErrorIs(t, s.DeleteList(ctx, "allowed-emails"), ErrNotFound)
	_, err = s.Items(ctx, "allowed-emails")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestMemStoreItemsAndVersions(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore(WithClock(fakeClock()))
	l, err := s.CreateList(ctx, "ips", KindIPAddress)
	require.NoError(t, err)
	v0 := l.Version

	batch := mustItems(t, KindIPAddress, "1.1.1.1", "2.2.2.2", "1.1.1.1")
	n, err := s.AddItems(ctx, "ips", batch)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "a Value given twice is kept once")
	assert.NotEmpty(t, batch[0].ID)
	assert.Equal(t, batch[0].ID, batch[2].ID, "a duplicate gets the stored item's ID")
	assert.NotEqual(t, batch[0].ID, batch[1].ID)
	assert.False(t, batch[0].CreatedAt.IsZero())

	l, err = s.GetList(ctx, "ips")
	require.NoError(t, err)
	assert.Greater(t, l.Version, v0)
	assert.Equal(t, 2, l.Count)
	v1 := l.Version

	n, err = s.AddItems(ctx, "ips", mustItems(t, KindIPAddress, "2.2.2.2"))
	require.NoError(t, err)
	assert.Zero(t, n)
	l, _ = s.GetList(ctx, "ips")
	assert.Equal(t, v1, l.Version, "adding nothing new is not a change")

	ok, err := s.RemoveItem(ctx, "ips", "1.1.1.1")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.RemoveItem(ctx, "ips", "1.1.1.1")
	require.NoError(t, err)
	assert.False(t, ok)
	l, _ = s.GetList(ctx, "ips")
	assert.Greater(t, l.Version, v1)
	assert.Equal(t, 1, l.Count)

	items, err := s.Items(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, []string{"2.2.2.2"}, itemValues(items))
	n, err = s.AddItems(ctx, "ips", mustItems(t, KindIPAddress, "3.3.3.3", "1.1.1.1"))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	items, _ = s.Items(ctx, "ips")
	assert.Equal(t, []string{"2.2.2.2", "3.3.3.3", "1.1.1.1"}, itemValues(items), "removal keeps the Value index consistent")

	_, err = s.AddItems(ctx, "ips", mustItems(t, KindString, "x"))
	assert.EqualError(t, err, `item "x" has kind string, list "ips" has kind ip_address`)
	_, err = s.AddItems(ctx, "nope", nil)
	assert.True(t, errors.Is(err, ErrNotFound))
	_, err = s.RemoveItem(ctx, "nope", "x")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestMemStoreVersionNotReusedAfterRecreate(t *testing.T) {
	ctx := context.Background()
	s := NewMemStore()
	_, err := s.CreateList(ctx, "l", KindString)
	require.NoError(t, err)
	_, err = s.AddItems(ctx, "l", mustItems(t, KindString, "a"))
	require.NoError(t, err)
	before, _ := s.GetList(ctx, "l")
	require.NoError(t, s.DeleteList(ctx, "l"))
	after, err := s.CreateList(ctx, "l", KindString)
	require.NoError(t, err)
	assert.Greater(t, after.Version, before.Version)
}
