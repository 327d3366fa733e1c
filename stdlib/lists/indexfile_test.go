package lists

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileStore is a counting MemStore whose Lists keep index files in dir.
type fileStore struct {
	*countingStore
	dir string
}

func (f fileStore) IndexDir() string { return f.dir }

// addrs returns n distinct IPv4 addresses starting at 10.0.0.0.
func addrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	}
	return out
}

func newFileStore(t *testing.T, n int) fileStore {
	t.Helper()
	cs := &countingStore{Store: NewMemStore(WithClock(fakeClock()))}
	fs := fileStore{cs, t.TempDir()}
	_, err := NewService(fs).Create(context.Background(), "ips", KindIPAddress)
	require.NoError(t, err)
	_, err = fs.AddItems(context.Background(), "ips", mustItems(t, KindIPAddress, addrs(n)...))
	require.NoError(t, err)
	return fs
}

// sameAnswers checks that got answers every lookup as want does.
func sameAnswers(t *testing.T, want, got *Handle, lookups []string, msg string) {
	t.Helper()
	for _, s := range lookups {
		w, wok := want.MatchString(s)
		g, gok := got.MatchString(s)
		require.Equal(t, wok, gok, "%s: %q", msg, s)
		if wok {
			require.Equal(t, *w, *g, "%s: %q", msg, s)
		}
	}
}

// A List of MinIndexFile addresses or more gets an index file when it is
// first built; another Service (another process) then maps the file
// instead of reading the items, layers the changes made since over it,
// and answers as an index built from the store does.
func TestIndexFile(t *testing.T) {
	ctx := context.Background()
	fs := newFileStore(t, MinIndexFile)
	lookups := append(addrs(MinIndexFile + 20)[MinIndexFile-20:], "10.0.0.1", "10.0.39.15", "192.0.2.1", "not an address", "10.0.0.0/8")
	memory := func() *Handle { // built from the store, no file
		h, err := NewService(fs.countingStore.Store).Handle(ctx, "ips") // uncounted
		require.NoError(t, err)
		return h
	}
	first, err := NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	require.FileExists(t, indexPath(fs.dir, "ips"))
	builds := fs.items.Load()

	svc := NewService(fs)
	mapped, err := svc.Handle(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, builds, fs.items.Load(), "the second process reads no items")
	assert.NotNil(t, mapped.raw.file)
	sameAnswers(t, first, mapped, lookups, "mapped")
	assert.Equal(t, MinIndexFile, mapped.Index().Len())
	member := "10.0.0.7"
	assert.Zero(t, testing.AllocsPerRun(100, func() { mapped.ContainsString(member) }), "no item is decoded for in")

	// Changes after the file: layered over it, in this Service and in a new one.
	writer := NewService(fs)
	_, err = writer.Add(ctx, "ips", "192.0.2.1", nil)
	require.NoError(t, err)
	_, err = writer.Remove(ctx, "ips", "10.0.0.1")
	require.NoError(t, err)
	_, err = writer.Add(ctx, "ips", "10.0.0.0/30", nil)
	require.NoError(t, err)
	for _, s := range []*Service{svc, NewService(fs)} {
		h, err := s.Handle(ctx, "ips")
		require.NoError(t, err)
		sameAnswers(t, memory(), h, lookups, "with changes")
	}
	assert.Equal(t, builds, fs.items.Load(), "still no items read")

	// A damaged file is not used (and is written again, the List being all
	// addresses again).
	_, err = writer.Remove(ctx, "ips", "10.0.0.0/30")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(indexPath(fs.dir, "ips"), []byte("WFLIDX01 but short"), 0o600))
	h, err := NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	sameAnswers(t, memory(), h, lookups, "after damage")
	assert.Equal(t, builds+1, fs.items.Load(), "built from the store")
	_, err = NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, builds+1, fs.items.Load(), "the file was written again")

	// A List deleted and created again under the name does not use the old
	// file, which deleting the List removes.
	require.NoError(t, writer.Delete(ctx, "ips"))
	assert.NoFileExists(t, indexPath(fs.dir, "ips"))
	_, err = writer.Create(ctx, "ips", KindIPAddress)
	require.NoError(t, err)
	h, err = NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.False(t, h.Contains("10.0.0.2"))
}

// Only Lists of single IPv4 addresses without data get a file; others and
// small Lists are indexed in memory.
func TestIndexFileOnlyForPlainAddresses(t *testing.T) {
	ctx := context.Background()
	fs := newFileStore(t, MinIndexFile)
	_, err := fs.AddItems(ctx, "ips", mustItems(t, KindIPAddress, "10.200.0.0/16"))
	require.NoError(t, err)
	_, err = NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.NoFileExists(t, indexPath(fs.dir, "ips"), "a range")

	small := newFileStore(t, MinIndexFile-1)
	_, err = NewService(small).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.NoFileExists(t, indexPath(small.dir, "ips"), "too small")
}

// flip returns b with one bit of byte i flipped.
func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 4
	return out
}

func TestReadIndexFileRefusesBadLayouts(t *testing.T) {
	l := List{Name: "ips", Kind: KindIPAddress}
	dir := t.TempDir()
	items := mustItems(t, KindIPAddress, addrs(100)...)
	require.NoError(t, writeIndexFile(dir, l, Mark{Version: 3, Seq: 9}, items))
	good, err := os.ReadFile(indexPath(dir, "ips"))
	require.NoError(t, err)
	aligned := func(b []byte) []byte { // as mmap gives it: 8-byte aligned
		w := make([]uint64, (len(b)+7)/8)
		out := unsafeBytes(w)[:len(b)]
		copy(out, b)
		return out
	}
	x, mark, err := readIndexFile(aligned(good), l)
	require.NoError(t, err)
	assert.Equal(t, Mark{Version: 3, Seq: 9}, mark)
	assert.True(t, x.Contains("10.0.0.99"))
	for name, b := range map[string][]byte{
		"truncated": good[:len(good)-1], "longer": append(append([]byte{}, good...), 0), "empty": {},
		"magic":         append([]byte("XXXXXXXX"), good[8:]...),
		"a flipped bit": flip(good, indexHeader+5), "a flipped bit in a record": flip(good, len(good)-3),
	} {
		_, _, err := readIndexFile(aligned(b), l)
		assert.Error(t, err, name)
	}
	other := l
	other.CreatedAt = other.CreatedAt.Add(1)
	_, _, err = readIndexFile(aligned(good), other)
	assert.ErrorContains(t, err, "another List")
}

// scanStore is a fileStore that can scan: the index file of a large List
// of addresses is written from a scan of its items, never built in memory.
type scanStore struct {
	fileStore
	scans int
}

func (s *scanStore) Scan(ctx context.Context, list string, fn func(Item) error) (Mark, error) {
	s.scans++
	return s.countingStore.Store.(*MemStore).Scan(ctx, list, fn)
}

// A store that scans gets the same index file, written from the scan, and
// a List it cannot file (a range among the addresses) is built in memory.
func TestIndexFileFromAScan(t *testing.T) {
	ctx := context.Background()
	fs := newFileStore(t, MinIndexFile+3)
	_, err := NewService(fs).Handle(ctx, "ips")
	require.NoError(t, err)
	want, err := os.ReadFile(indexPath(fs.dir, "ips"))
	require.NoError(t, err)

	ss := &scanStore{fileStore: fileStore{fs.countingStore, t.TempDir()}}
	builds := fs.items.Load()
	h, err := NewService(ss).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, 1, ss.scans)
	assert.Equal(t, builds, fs.items.Load(), "no snapshot")
	assert.NotNil(t, h.raw.file, "the file is mapped")
	got, err := os.ReadFile(indexPath(ss.dir, "ips"))
	require.NoError(t, err)
	assert.Equal(t, want, got, "the same file")

	_, err = NewService(ss).Add(ctx, "ips", "10.200.0.0/16", nil)
	require.NoError(t, err)
	require.NoError(t, os.Remove(indexPath(ss.dir, "ips")))
	h, err = NewService(ss).Handle(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, 2, ss.scans)
	assert.Nil(t, h.raw.file, "built in memory")
	assert.True(t, h.Contains("10.200.3.4"))
	assert.NoFileExists(t, indexPath(ss.dir, "ips"))
}
