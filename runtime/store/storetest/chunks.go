package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// values returns the values of items.
func values(items []store.ListItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Value
	}
	return out
}

// series returns n items "v00000", "v00001", … from first on.
func series(first, n int) []store.ListItem {
	out := make([]store.ListItem, n)
	for i := range out {
		out[i] = store.ListItem{Value: fmt.Sprintf("v%05d", first+i)}
	}
	return out
}

// An import is stored in chunks, and behaves as if each item were a row: it skips what the
// List holds (rows and chunk items), its items get IDs, times and data, a single add finds
// them, a removal hides them (and a later add or import brings them back), and browsing,
// snapshots and changes see them in order.
func testListImportChunks(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "b"}, {Value: "m"}})
	require.NoError(t, err)
	before, mark, err := s.ListSnapshot(ctx, "l")
	require.NoError(t, err)

	in := append(series(0, 10_000), store.ListItem{Value: "b"}, store.ListItem{Value: "m"},
		store.ListItem{Value: "x", Data: map[string]string{"reason": "fraud"}})
	added, err := s.ImportListItems(ctx, "l", store.SortedItems(in))
	require.NoError(t, err)
	assert.Equal(t, 10_001, added, "b and m are held already")
	info, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, 10_003, info.Count)
	assert.Equal(t, mark.Version+1, info.Version, "one change")

	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	require.Len(t, items, 10_003)
	assert.Equal(t, before, items[:2], "rows first, as added")
	assert.Equal(t, "x", items[10_002].Value, "then the import, in value order")
	assert.Equal(t, map[string]string{"reason": "fraud"}, items[10_002].Data)
	assert.Equal(t, t0, items[2].CreatedAt)
	ids := map[string]bool{}
	for _, it := range items {
		assert.Regexp(t, `^li_\d+$`, it.ID)
		ids[it.ID] = true
	}
	assert.Len(t, ids, len(items), "IDs are unique")

	var scanned []store.ListItem
	scanMark, err := s.ListScan(ctx, "l", func(it store.ListItem) error {
		scanned = append(scanned, it)
		return nil
	})
	require.NoError(t, err)
	_, snapMark, err := s.ListSnapshot(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, items, scanned, "a scan reads what a snapshot does")
	assert.Equal(t, snapMark, scanMark)
	stop := errors.New("enough")
	_, err = s.ListScan(ctx, "l", func(store.ListItem) error { return stop })
	assert.ErrorIs(t, err, stop)

	added2, removed, now, err := s.ListChanges(ctx, "l", mark)
	require.NoError(t, err)
	assert.Equal(t, items[2:], added2)
	assert.Empty(t, removed)

	again, err := s.ImportListItems(ctx, "l", store.SortedItems(in))
	require.NoError(t, err)
	assert.Zero(t, again, "importing the same items again adds nothing")
	info2, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, info.Version, info2.Version, "and changes nothing")

	one := []store.ListItem{{Value: "v00005"}}
	n, err := s.AddListItems(ctx, "l", one)
	require.NoError(t, err)
	assert.Zero(t, n, "a chunk item is found by a single add")
	assert.Equal(t, items[2+5].ID, one[0].ID)
	assert.Equal(t, t0, one[0].CreatedAt)

	ok, err := s.RemoveListItem(ctx, "l", "v00005")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.RemoveListItem(ctx, "l", "v00005")
	require.NoError(t, err)
	assert.False(t, ok, "removed once")
	ok, err = s.RemoveListItem(ctx, "l", "v00006")
	require.NoError(t, err)
	assert.True(t, ok)
	_, removed, now2, err := s.ListChanges(ctx, "l", now)
	require.NoError(t, err)
	assert.Equal(t, []string{"v00005", "v00006"}, removed)
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, 10_001, info.Count)

	page, err := s.BrowseListItems(ctx, "l", "v0000", "", 20)
	require.NoError(t, err)
	assert.Equal(t, []string{"v00000", "v00001", "v00002", "v00003", "v00004", "v00007", "v00008", "v00009"}, values(page),
		"removed chunk items are gone")
	page, err = s.BrowseListItems(ctx, "l", "", "", 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "m", "v00000"}, values(page), "rows and chunk items, in value order")
	page, err = s.BrowseListItems(ctx, "l", "", "v04094", 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"v04095", "v04096", "v04097"}, values(page), "across chunks")
	page, err = s.BrowseListItems(ctx, "l", "", "v09999", 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, values(page))

	n, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "v00005"}})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "a removed chunk item can be added again")
	n, err = s.ImportListItems(ctx, "l", store.SortedItems(series(5, 3)))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "and imported again: v00006")
	added2, removed, _, err = s.ListChanges(ctx, "l", now2)
	require.NoError(t, err)
	assert.Equal(t, []string{"v00005", "v00006"}, values(added2))
	assert.Empty(t, removed)
	items, err = s.ListItems(ctx, "l")
	require.NoError(t, err)
	scanned = scanned[:0]
	_, err = s.ListScan(ctx, "l", func(it store.ListItem) error {
		scanned = append(scanned, it)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, items, scanned, "with rows between chunks and removed chunk items")
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Len(t, items, info.Count)
	assert.Equal(t, 10_003, info.Count)
	page, err = s.BrowseListItems(ctx, "l", "v0000", "", 20)
	require.NoError(t, err)
	assert.Len(t, page, 10)

	_, err = s.ImportListItems(ctx, "l", store.SortedItems(nil))
	require.NoError(t, err)
	bad := []store.ListItem{{Value: "z2"}, {Value: "z1"}}
	_, err = s.ImportListItems(ctx, "l", func() (store.ListItem, bool, error) {
		if len(bad) == 0 {
			return store.ListItem{}, false, nil
		}
		it := bad[0]
		bad = bad[1:]
		return it, true, nil
	})
	assert.ErrorContains(t, err, `out of order: "z1" after "z2"`)
	_, err = s.ImportListItems(ctx, "nope", store.SortedItems(series(0, 1)))
	assert.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, s.DeleteList(ctx, "l"))
	_, err = s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	items, err = s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Empty(t, items, "deleting a List deletes its chunks")
	n, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "v00001"}})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// An import is one change: one that fails half way leaves the List as it was, and one that
// meets changes made meanwhile keeps an item added meanwhile once and gives up, changing
// nothing, when an item was removed meanwhile.
func testListImportAtomic(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "a"}})
	require.NoError(t, err)
	info, err := s.GetList(ctx, "l")
	require.NoError(t, err)

	// Fails after three chunks were written.
	src := store.SortedItems(series(0, 20_000))
	k := 0
	_, err = s.ImportListItems(ctx, "l", func() (store.ListItem, bool, error) {
		if k++; k > 3*store.ListChunkItems+10 {
			return store.ListItem{}, false, errors.New("disk on fire")
		}
		return src()
	})
	assert.EqualError(t, err, "disk on fire")
	got, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, info, got, "the List is as it was")
	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, values(items))
	page, err := s.BrowseListItems(ctx, "l", "", "", 5)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, values(page), "its chunks are not seen")
	n, err := s.AddListItems(ctx, "l", []store.ListItem{{Value: "v00001"}})
	require.NoError(t, err)
	assert.Equal(t, 1, n, "nor found")
	ok, err := s.RemoveListItem(ctx, "l", "v00001")
	require.NoError(t, err)
	require.True(t, ok)

	// An item added while the import runs, which the import also holds, is kept once.
	src = store.SortedItems(series(0, 10_000))
	k = 0
	n, err = s.ImportListItems(ctx, "l", func() (store.ListItem, bool, error) {
		if k++; k == 100 {
			_, err := s.AddListItems(ctx, "l", []store.ListItem{{Value: "v09000"}, {Value: "zz"}})
			require.NoError(t, err)
		}
		return src()
	})
	require.NoError(t, err)
	assert.Equal(t, 9_999, n)
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, 10_002, info.Count)
	items, err = s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Len(t, items, 10_002)
	seen := map[string]int{}
	for _, it := range items {
		seen[it.Value]++
	}
	assert.Equal(t, 1, seen["v09000"])
	ok, err = s.RemoveListItem(ctx, "l", "v09000")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.RemoveListItem(ctx, "l", "v09000")
	require.NoError(t, err)
	assert.False(t, ok, "held once")

	// An item removed while the import runs: the import gives up.
	info, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	src = store.SortedItems(series(20_000, 5_000))
	k = 0
	_, err = s.ImportListItems(ctx, "l", func() (store.ListItem, bool, error) {
		if k++; k == 100 {
			_, err := s.RemoveListItem(ctx, "l", "zz")
			require.NoError(t, err)
		}
		return src()
	})
	assert.ErrorIs(t, err, store.ErrListChanged)
	got, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, info.Count-1, got.Count, "only the removal happened")
	n, err = s.ImportListItems(ctx, "l", store.SortedItems(series(20_000, 5_000)))
	require.NoError(t, err)
	assert.Equal(t, 5_000, n, "importing again works")
}
