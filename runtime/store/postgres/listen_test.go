package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

// Every committed change to a List is announced to the processes following them; a
// change rolled back is not; the feed says when it stops vouching.
func TestListenListChanges(t *testing.T) {
	url := pgtest.URL(t)
	follower, err := postgres.Open(context.Background(), url, postgres.Options{})
	require.NoError(t, err)
	defer follower.Close()
	writer, err := postgres.Open(context.Background(), url, postgres.Options{})
	require.NoError(t, err)
	defer writer.Close()

	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan string, 16)
	live := make(chan bool, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		follower.ListenListChanges(ctx, func(l string) { changed <- l }, func(b bool) { live <- b })
	}()
	next := func() string {
		t.Helper()
		select {
		case l := <-changed:
			return l
		case <-time.After(10 * time.Second):
			t.Fatal("no announcement")
			return ""
		}
	}
	require.True(t, <-live)
	bg := context.Background()
	_, err = writer.CreateList(bg, "ips", "ip_address")
	require.NoError(t, err)
	assert.Equal(t, "ips", next())
	_, err = writer.AddListItems(bg, "ips", []store.ListItem{{Value: "10.0.0.1"}})
	require.NoError(t, err)
	assert.Equal(t, "ips", next())
	_, err = writer.AddListItems(bg, "ips", []store.ListItem{{Value: "10.0.0.2"}, {Value: ""}})
	require.Error(t, err, "an empty value fails the whole change")
	_, err = writer.RemoveListItem(bg, "ips", "10.0.0.1")
	require.NoError(t, err)
	assert.Equal(t, "ips", next(), "the next announcement is the removal: the failed change announced nothing")
	n, err := writer.ImportListItems(bg, "ips", store.SortedItems([]store.ListItem{{Value: "10.0.0.3"}, {Value: "10.0.0.4"}}))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	assert.Equal(t, "ips", next(), "an import is announced once, when it is taken in")
	_, err = writer.ImportListItems(bg, "ips", func() (store.ListItem, bool, error) {
		return store.ListItem{}, false, errors.New("stopped")
	})
	require.Error(t, err)
	_, err = writer.RemoveListItem(bg, "ips", "10.0.0.3")
	require.NoError(t, err)
	assert.Equal(t, "ips", next(), "a removal from a chunk; the failed import announced nothing")
	require.NoError(t, writer.DeleteList(bg, "ips"))
	assert.Equal(t, "ips", next())

	cancel()
	assert.False(t, <-live)
	<-done
}
