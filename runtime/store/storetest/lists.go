package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testListLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	info, err := s.CreateList(ctx, "blocked-ips", "ip_address")
	require.NoError(t, err)
	assert.Equal(t, store.ListInfo{Name: "blocked-ips", Kind: "ip_address", Version: 1, CreatedAt: t0}, info)
	_, err = s.CreateList(ctx, "blocked-ips", "string")
	assert.ErrorIs(t, err, store.ErrExists)
	_, err = s.CreateList(ctx, "allowed-emails", "email_address")
	require.NoError(t, err)
	_, err = s.CreateList(ctx, "", "string")
	assert.EqualError(t, err, "store: list needs a name and a kind")

	got, err := s.GetList(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.Equal(t, info, got)

	all, err := s.Lists(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, "allowed-emails", all[0].Name)
	assert.Equal(t, "blocked-ips", all[1].Name)

	require.NoError(t, s.DeleteList(ctx, "blocked-ips"))
	_, err = s.GetList(ctx, "blocked-ips")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, s.DeleteList(ctx, "blocked-ips"), store.ErrNotFound)
}

func testListItemsAddRemove(t *testing.T, open Opener) {
	ctx := context.Background()
	s, clock := start(t, open)
	_, err := s.CreateList(ctx, "l", "email_address")
	require.NoError(t, err)

	batch := []store.ListItem{
		{ID: "lie_1", Value: "a@x.com", Data: map[string]string{"reason": "fraud"}},
		{ID: "lie_2", Value: "b@x.com", CreatedAt: t0.Add(-time.Hour)},
		{ID: "lie_3", Value: "a@x.com"},
	}
	added, err := s.AddListItems(ctx, "l", batch)
	require.NoError(t, err)
	assert.Equal(t, 2, added)
	assert.Equal(t, []store.ListItem{
		{ID: "lie_1", Value: "a@x.com", Data: map[string]string{"reason": "fraud"}, CreatedAt: t0},
		{ID: "lie_2", Value: "b@x.com", CreatedAt: t0.Add(-time.Hour)},
		{ID: "lie_1", Value: "a@x.com", CreatedAt: t0},
	}, batch, "IDs and times are filled in place, a duplicate gets the stored item's")
	info, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, int64(2), info.Version)
	assert.Equal(t, 2, info.Count)

	clock.Advance(time.Minute)
	batch = []store.ListItem{{Value: "b@x.com"}, {Value: "c.com"}}
	added, err = s.AddListItems(ctx, "l", batch)
	require.NoError(t, err)
	assert.Equal(t, 1, added)
	assert.Equal(t, "lie_2", batch[0].ID)
	assert.Equal(t, t0.Add(-time.Hour), batch[0].CreatedAt)
	assert.Regexp(t, `^li_\d+$`, batch[1].ID)
	assert.Equal(t, t0.Add(time.Minute), batch[1].CreatedAt)

	added, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "c.com"}})
	require.NoError(t, err)
	assert.Equal(t, 0, added)
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, int64(3), info.Version, "adding only duplicates leaves the version alone")
	assert.Equal(t, 3, info.Count)

	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, []store.ListItem{
		{ID: "lie_1", Value: "a@x.com", Data: map[string]string{"reason": "fraud"}, CreatedAt: t0},
		{ID: "lie_2", Value: "b@x.com", CreatedAt: t0.Add(-time.Hour)},
		{ID: batch[1].ID, Value: "c.com", CreatedAt: t0.Add(time.Minute)},
	}, items)

	removed, err := s.RemoveListItem(ctx, "l", "a@x.com")
	require.NoError(t, err)
	assert.True(t, removed)
	removed, err = s.RemoveListItem(ctx, "l", "a@x.com")
	require.NoError(t, err)
	assert.False(t, removed)
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, store.ListInfo{Name: "l", Kind: "email_address", Version: 4, Count: 2, CreatedAt: t0}, info)
}

func testListItemsErrors(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.AddListItems(ctx, "missing", []store.ListItem{{Value: "v"}})
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.RemoveListItem(ctx, "missing", "v")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.ListItems(ctx, "missing")
	assert.ErrorIs(t, err, store.ErrNotFound)

	_, err = s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "ok"}, {Value: ""}})
	assert.EqualError(t, err, `store: list "l": item value is empty`)
	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Empty(t, items, "a failed batch adds nothing")
	info, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, int64(1), info.Version)
	assert.Equal(t, 0, info.Count)
}

func testRecreatedListHasNewVersionAndIDs(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	first := []store.ListItem{{Value: "x"}}
	_, err = s.AddListItems(ctx, "l", first)
	require.NoError(t, err)
	old, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	require.NoError(t, s.DeleteList(ctx, "l"))

	fresh, err := s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	assert.Greater(t, fresh.Version, old.Version, "a cache keyed by (name, version) must not see the old items")
	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Empty(t, items)
	second := []store.ListItem{{Value: "x"}}
	_, err = s.AddListItems(ctx, "l", second)
	require.NoError(t, err)
	assert.NotEqual(t, first[0].ID, second[0].ID, "item IDs are never reused")
}

func testLargeListImport(t *testing.T, open Opener) {
	if testing.Short() {
		t.Skip("large import")
	}
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "big", "ip_address")
	require.NoError(t, err)
	const n = 100_000
	items := make([]store.ListItem, n)
	for i := range items {
		items[i] = store.ListItem{Value: fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&0xff, i&0xff)}
	}
	added, err := s.AddListItems(ctx, "big", items)
	require.NoError(t, err)
	assert.Equal(t, n, added)
	info, err := s.GetList(ctx, "big")
	require.NoError(t, err)
	assert.Equal(t, n, info.Count)
	assert.Equal(t, int64(2), info.Version, "one import is one version")
	got, err := s.ListItems(ctx, "big")
	require.NoError(t, err)
	require.Len(t, got, n)
	assert.Equal(t, items[n-1].Value, got[n-1].Value)
}

func testListChanges(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "ips", "ip_address")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "ips", []store.ListItem{{Value: "10.0.0.1"}, {Value: "10.0.0.2"}})
	require.NoError(t, err)
	items, mark, err := s.ListSnapshot(ctx, "ips")
	require.NoError(t, err)
	require.Len(t, items, 2)
	info, err := s.GetList(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, info.Version, mark.Version)

	added, removed, now, err := s.ListChanges(ctx, "ips", mark)
	require.NoError(t, err)
	assert.Empty(t, added)
	assert.Empty(t, removed)
	assert.Equal(t, mark, now, "no change, same mark")

	_, err = s.AddListItems(ctx, "ips", []store.ListItem{{Value: "10.0.0.3"}})
	require.NoError(t, err)
	removedOne, err := s.RemoveListItem(ctx, "ips", "10.0.0.1")
	require.NoError(t, err)
	require.True(t, removedOne)
	_, err = s.ImportListItems(ctx, "ips", store.SortedItems([]store.ListItem{{Value: "10.0.0.4"}, {Value: "10.0.0.3"}}))
	require.NoError(t, err)
	added, removed, now, err = s.ListChanges(ctx, "ips", mark)
	require.NoError(t, err)
	var values []string
	for _, it := range added {
		values = append(values, it.Value)
	}
	assert.Equal(t, []string{"10.0.0.3", "10.0.0.4"}, values, "added since, in order")
	assert.Equal(t, []string{"10.0.0.1"}, removed)
	assert.Greater(t, now.Version, mark.Version)
	added, removed, _, err = s.ListChanges(ctx, "ips", now)
	require.NoError(t, err)
	assert.Empty(t, added)
	assert.Empty(t, removed)

	// Writers racing on one List: following its changes from mark to mark, every item is seen.
	_, mark, err = s.ListSnapshot(ctx, "ips")
	require.NoError(t, err)
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				_, err := s.AddListItems(ctx, "ips", []store.ListItem{{Value: fmt.Sprintf("10.1.%d.%d", w, i)}})
				assert.NoError(t, err)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		added, _, next, err := s.ListChanges(ctx, "ips", mark)
		require.NoError(t, err)
		for _, it := range added {
			seen[it.Value] = true
		}
		mark = next
	}
	assert.Len(t, seen, 40)

	_, _, _, err = s.ListChanges(ctx, "nope", mark)
	assert.ErrorIs(t, err, store.ErrNotFound)
}
