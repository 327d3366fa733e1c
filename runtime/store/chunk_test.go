package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A chunk keeps its items' values and data in order, finds values by binary search, numbers
// its items from its first sequence number, and a damaged blob is refused, never read past.
func TestChunkRoundTrip(t *testing.T) {
	items := []ListItem{{Value: "a"}, {Value: "b", Data: map[string]string{"k": "v"}}, {Value: strings.Repeat("z", 300)}}
	b, err := EncodeChunk(items)
	require.NoError(t, err)
	c, err := DecodeChunk(b)
	require.NoError(t, err)
	c.FirstSeq, c.CreatedAt = 10, time.Unix(5, 0).UTC()
	require.Equal(t, 3, c.Len())
	for i, want := range items {
		it, err := c.Item(i)
		require.NoError(t, err)
		assert.Equal(t, ListItem{ID: fmt.Sprintf("li_%d", 10+i), Value: want.Value, Data: want.Data, CreatedAt: c.CreatedAt}, it)
		j, ok := c.Search(want.Value)
		assert.True(t, ok)
		assert.Equal(t, i, j)
	}
	for v, want := range map[string]int{"": 0, "aa": 1, "c": 2, "zz": 2, "~": 3} {
		i, ok := c.Search(v)
		assert.False(t, ok, v)
		assert.Equal(t, want, i, v)
	}

	for i := range b {
		for _, bad := range [][]byte{b[:i], append(append([]byte{}, b[:i]...), 0xff)} {
			if _, err := DecodeChunk(bad); err == nil && i < len(b) {
				c, _ := DecodeChunk(bad)
				for k := range c.Len() {
					_, _ = c.Item(k) // never past the blob
				}
			}
		}
	}
	_, err = DecodeChunk(b[:len(b)-1])
	assert.EqualError(t, err, "store: damaged list chunk")
	bad := append([]byte{}, b...)
	bad[0] = 9
	_, err = DecodeChunk(bad)
	assert.EqualError(t, err, "store: damaged list chunk")

	_, err = EncodeChunk(nil)
	assert.EqualError(t, err, "store: a chunk holds 1 to 4096 items, not 0")
	_, err = EncodeChunk([]ListItem{{Value: "b"}, {Value: "a"}})
	assert.EqualError(t, err, `store: chunk items out of order: "a" after "b"`)
	_, err = EncodeChunk([]ListItem{{Value: "a"}, {Value: "a"}})
	assert.Error(t, err, "a value twice")
	_, err = EncodeChunk([]ListItem{{Value: ""}})
	assert.EqualError(t, err, "store: item value is empty")
}

// StageChunks skips what the List holds, in rows and in live chunk items, and packs the rest.
func TestStageChunks(t *testing.T) {
	old, err := EncodeChunk([]ListItem{{Value: "b"}, {Value: "d"}, {Value: "f"}})
	require.NoError(t, err)
	src := &ChunkSource{
		Chunks: []ChunkMeta{{ID: 1, FirstSeq: 100, N: 3, Lo: "b", Hi: "f"}},
		Dead:   map[int64]bool{101: true}, // d was removed
		Blob:   func(int64) ([]byte, error) { return old, nil },
		RowsAfter: func(after string, limit int) ([]string, error) {
			if after == "" {
				return []string{"c", "e"}, nil
			}
			return nil, nil
		},
	}
	var in []ListItem
	for _, v := range "abcdefg" {
		in = append(in, ListItem{Value: string(v)})
	}
	var got []string
	stage := func(blob []byte, k int, lo, hi string) error {
		c, err := DecodeChunk(blob)
		require.NoError(t, err)
		for i := range c.Len() {
			got = append(got, c.Value(i))
		}
		assert.Equal(t, got[len(got)-k], lo)
		assert.Equal(t, got[len(got)-1], hi)
		return nil
	}
	n, small, err := StageChunks(SortedItems(in), src, stage)
	require.NoError(t, err)
	assert.Zero(t, n, "a small import is left to be added as rows")
	var values []string
	for _, it := range small {
		values = append(values, it.Value)
	}
	assert.Equal(t, []string{"a", "d", "g"}, values, "b, f in the chunk, c, e in rows; d was removed")

	for i := range ListChunkItems + 10 {
		in = append(in, ListItem{Value: fmt.Sprintf("x%05d", i)})
	}
	n, small, err = StageChunks(SortedItems(in), src, stage)
	require.NoError(t, err)
	assert.Nil(t, small)
	assert.Equal(t, ListChunkItems+13, n)
	assert.Equal(t, []string{"a", "d", "g", "x00000"}, got[:4])
	assert.Len(t, got, ListChunkItems+13, "in two chunks")
}
