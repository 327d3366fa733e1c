package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

func testListEventsNewestFirstByKeyset(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	for i := range 5 {
		name := "inquiry.completed"
		if i%2 == 1 {
			name = "inquiry.failed"
		}
		_, err := s.RecordEvent(ctx, store.Event{ID: "evt_" + strconv.Itoa(i), Name: name, ReceivedAt: t0.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
	}
	ids := func(es []store.Event) (out []string) {
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	page, err := s.ListEvents(ctx, store.EventFilter{Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"evt_4", "evt_3"}, ids(page))
	page, err = s.ListEvents(ctx, store.EventFilter{Limit: 2, Before: page[1].Seq})
	require.NoError(t, err)
	assert.Equal(t, []string{"evt_2", "evt_1"}, ids(page))
	page, err = s.ListEvents(ctx, store.EventFilter{Limit: 2, Before: page[1].Seq})
	require.NoError(t, err)
	assert.Equal(t, []string{"evt_0"}, ids(page))

	page, err = s.ListEvents(ctx, store.EventFilter{Name: "inquiry.failed"})
	require.NoError(t, err)
	assert.Equal(t, []string{"evt_3", "evt_1"}, ids(page))
	page, err = s.ListEvents(ctx, store.EventFilter{Status: "dispatched"})
	require.NoError(t, err)
	assert.Empty(t, page)
}

func testDeliveriesOf(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.RecordDeliveries(ctx, []store.Delivery{
		{EventID: "e1", Workflow: "a", Status: "started", RunID: "run_1"},
		{EventID: "e2", Workflow: "b", Status: "filtered"},
		{EventID: "e1", Workflow: "c", Status: "started", RunID: "run_2"},
	}))
	got, err := s.DeliveriesOf(ctx, []string{"e1", "e2", "e3"})
	require.NoError(t, err)
	require.Len(t, got["e1"], 2)
	assert.Equal(t, "run_1", got["e1"][0].RunID)
	assert.Equal(t, "run_2", got["e1"][1].RunID)
	require.Len(t, got["e2"], 1)
	assert.Equal(t, "filtered", got["e2"][0].Status)
	assert.Empty(t, got["e3"])
	got, err = s.DeliveriesOf(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testRejectionsAreCapped(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.RecordRejection(ctx, store.Rejection{Endpoint: "", Remote: "127.0.0.1:5000",
		Reason: "signature mismatch", EventID: "evt_x", EventName: "inquiry.completed", BodySize: 42}))
	got, err := s.Rejections(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, store.Rejection{Seq: 1, At: t0, Remote: "127.0.0.1:5000", Reason: "signature mismatch",
		EventID: "evt_x", EventName: "inquiry.completed", BodySize: 42}, got[0])

	for i := range store.MaxRejections + 5 {
		require.NoError(t, s.RecordRejection(ctx, store.Rejection{Endpoint: "kyb", Remote: "r", Reason: "n" + strconv.Itoa(i)}))
	}
	kept, err := s.Rejections(ctx, 0, store.MaxRejections)
	require.NoError(t, err)
	require.Len(t, kept, store.MaxRejections)
	assert.Equal(t, "n5", kept[len(kept)-1].Reason, "older rejections are dropped")
	older, err := s.Rejections(ctx, kept[len(kept)-1].Seq, 10)
	require.NoError(t, err)
	assert.Empty(t, older)
	first, err := s.Rejections(ctx, 0, 2)
	require.NoError(t, err)
	require.Len(t, first, 2)
	assert.Equal(t, "n1004", first[0].Reason)
	assert.Equal(t, "n1003", first[1].Reason)
	next, err := s.Rejections(ctx, first[1].Seq, 1)
	require.NoError(t, err)
	require.Len(t, next, 1)
	assert.Equal(t, "n1002", next[0].Reason)
}

func testVersionsNewestFirst(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	require.NoError(t, s.SaveVersion(ctx, store.Version{Hash: "h1", Path: "a.wf", Source: "x", CreatedAt: t0}))
	require.NoError(t, s.SaveVersion(ctx, store.Version{Hash: "h2", Path: "a.wf,b.wf", Source: "y", CreatedAt: t0.Add(time.Minute)}))
	vs, err := s.Versions(ctx, 0)
	require.NoError(t, err)
	require.Len(t, vs, 2)
	assert.Equal(t, store.Version{Hash: "h2", Path: "a.wf,b.wf", CreatedAt: t0.Add(time.Minute)}, vs[0])
	assert.Equal(t, "h1", vs[1].Hash)
}

func testBrowseListItems(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	_, err := s.CreateList(ctx, "ips", "ip_address")
	require.NoError(t, err)
	var items []store.ListItem
	for _, v := range []string{"10.0.0.3", "10.0.0.1", "192.0.2.7", "10.0.0.2", "198.51.100.0/24"} {
		items = append(items, store.ListItem{Value: v})
	}
	_, err = s.AddListItems(ctx, "ips", items)
	require.NoError(t, err)
	values := func(its []store.ListItem) (out []string) {
		for _, it := range its {
			out = append(out, it.Value)
		}
		return out
	}
	page, err := s.BrowseListItems(ctx, "ips", "", "", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.1", "10.0.0.2"}, values(page))
	page, err = s.BrowseListItems(ctx, "ips", "", page[1].Value, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.3", "192.0.2.7"}, values(page))
	page, err = s.BrowseListItems(ctx, "ips", ".0.0.", "", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}, values(page))
	page, err = s.BrowseListItems(ctx, "ips", "100.0", "", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"198.51.100.0/24"}, values(page))
	_, err = s.BrowseListItems(ctx, "nope", "", "", 10)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testListRunsKeysetPages(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := start(t, open)
	// Five runs, two pairs of them started at the same instant.
	for i, at := range []int{0, 1, 1, 2, 2} {
		r := &store.Run{ID: "run_" + strconv.Itoa(i), Workflow: "w", Version: "v", StartedAt: t0.Add(time.Duration(at) * time.Second)}
		require.NoError(t, s.CreateRun(ctx, r))
	}
	var got []string
	var after *store.Cursor
	for {
		page, err := s.ListRuns(ctx, store.RunFilter{Limit: 2, After: after})
		require.NoError(t, err)
		for _, r := range page {
			got = append(got, r.ID)
		}
		if len(page) < 2 {
			break
		}
		last := page[len(page)-1]
		after = &store.Cursor{StartedAt: last.StartedAt, ID: last.ID}
	}
	assert.Equal(t, []string{"run_4", "run_3", "run_2", "run_1", "run_0"}, got, "newest first, ties by id, each once")
}
