package lists

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rowCountingStore counts the list rows read.
type rowCountingStore struct {
	*MemStore
	reads atomic.Int64
}

func (c *rowCountingStore) GetList(ctx context.Context, name string) (List, error) {
	c.reads.Add(1)
	return c.MemStore.GetList(ctx, name)
}

// With a live change feed, Handle reads nothing for a list no announcement marked; a marked
// list is read (and layered) once; without the feed, every Handle reads the row.
func TestChangeFeed(t *testing.T) {
	ctx := context.Background()
	st := &rowCountingStore{MemStore: NewMemStore()}
	svc := NewService(st)
	_, err := st.CreateList(ctx, "ips", KindIPAddress)
	require.NoError(t, err)
	add := func(v string) {
		t.Helper()
		item, err := NewItem(KindIPAddress, v, nil)
		require.NoError(t, err)
		_, err = st.AddItems(ctx, "ips", []Item{item})
		require.NoError(t, err)
	}
	add("10.0.0.1")
	contains := func(v string) bool {
		t.Helper()
		h, err := svc.Handle(ctx, "ips")
		require.NoError(t, err)
		return h.Contains(v)
	}
	require.True(t, contains("10.0.0.1"))
	require.EqualValues(t, 1, st.reads.Load())

	svc.SetFeedLive(true)
	assert.True(t, contains("10.0.0.1"), "going live reads every cached list once")
	reads := st.reads.Load()
	for range 5 {
		assert.True(t, contains("10.0.0.1"))
	}
	assert.Equal(t, reads, st.reads.Load(), "no announcement: no read")

	add("10.0.0.2")
	assert.False(t, contains("10.0.0.2"), "a change not announced yet is not seen")
	svc.Changed("ips")
	assert.True(t, contains("10.0.0.2"), "announced: read once")
	assert.Equal(t, reads+1, st.reads.Load())
	assert.True(t, contains("10.0.0.2"))
	assert.Equal(t, reads+1, st.reads.Load())

	svc.SetFeedLive(false)
	add("10.0.0.3")
	assert.True(t, contains("10.0.0.3"), "without the feed every Handle reads the row")
	assert.True(t, contains("10.0.0.3"))
	assert.Equal(t, reads+3, st.reads.Load())
}
