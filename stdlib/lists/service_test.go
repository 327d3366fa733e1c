package lists

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingStore counts the reads a Service makes and can hold Snapshot
// until released.
type countingStore struct {
	Store
	gets, items atomic.Int32 // GetList and Snapshot (a full build) calls
	changes     atomic.Int32
	entered     chan struct{} // receives when Snapshot starts, if set
	release     chan struct{} // Snapshot waits on it, if set
	failItems   error
	imports     int // ImportItems calls
}

func (c *countingStore) Changes(ctx context.Context, name string, since Mark) ([]Item, []string, Mark, error) {
	c.changes.Add(1)
	return c.Store.Changes(ctx, name, since)
}

func (c *countingStore) ImportItems(ctx context.Context, name string, next func() (Item, bool, error)) (int, error) {
	c.imports++
	return c.Store.ImportItems(ctx, name, next)
}

func (c *countingStore) GetList(ctx context.Context, name string) (List, error) {
	c.gets.Add(1)
	return c.Store.GetList(ctx, name)
}

func (c *countingStore) Snapshot(ctx context.Context, name string) ([]Item, Mark, error) {
	c.items.Add(1)
	if c.entered != nil {
		c.entered <- struct{}{}
		<-c.release
	}
	if c.failItems != nil {
		return nil, Mark{}, c.failItems
	}
	return c.Store.Snapshot(ctx, name)
}

// newTestService returns a service over a counting MemStore with one IP list.
func newTestService(t *testing.T) (*Service, *countingStore) {
	t.Helper()
	cs := &countingStore{Store: NewMemStore(WithClock(fakeClock()))}
	svc := NewService(cs)
	_, err := svc.Create(context.Background(), "blocked-ips", KindIPAddress)
	require.NoError(t, err)
	return svc, cs
}

func TestServiceHandleIsCachedUntilVersionChanges(t *testing.T) {
	ctx := context.Background()
	svc, cs := newTestService(t)
	_, err := svc.Add(ctx, "blocked-ips", "10.0.0.0/8", nil)
	require.NoError(t, err)

	h1, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	h2, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.Same(t, h1, h2, "an unchanged list is not rebuilt")
	assert.EqualValues(t, 1, cs.items.Load())
	assert.True(t, h1.Contains("10.1.2.3"))
	assert.False(t, h1.Contains("192.0.2.1"))

	it, err := svc.Add(ctx, "blocked-ips", "192.0.2.1", nil)
	require.NoError(t, err)
	assert.NotEmpty(t, it.ID)
	h3, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.NotSame(t, h1, h3)
	assert.Greater(t, h3.List().Version, h1.List().Version)
	assert.Equal(t, 2, h3.List().Count)
	assert.True(t, h3.Contains("192.0.2.1"), "the next handle sees the change")
	assert.False(t, h1.Contains("192.0.2.1"), "a handle never changes")
	m, ok := h3.Match("192.0.2.1")
	require.True(t, ok)
	assert.Equal(t, it.ID, m.ID)
	m, ok = h3.MatchString("10.9.9.9")
	require.True(t, ok)
	assert.Equal(t, "10.0.0.0/8", m.Value)
	assert.EqualValues(t, 1, cs.items.Load(), "the change is layered over the index built first, not rebuilt")
	assert.EqualValues(t, 1, cs.changes.Load())
	assert.Equal(t, 1, h3.Index().Len())
}

func TestServiceSeesChangesMadeDirectlyInTheStore(t *testing.T) {
	ctx := context.Background()
	svc, cs := newTestService(t)
	h1, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.False(t, h1.Contains("1.1.1.1"))
	_, err = cs.AddItems(ctx, "blocked-ips", mustItems(t, KindIPAddress, "1.1.1.1"))
	require.NoError(t, err)
	h2, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.True(t, h2.Contains("1.1.1.1"))

	require.NoError(t, cs.DeleteList(ctx, "blocked-ips"))
	_, err = cs.CreateList(ctx, "blocked-ips", KindIPAddress)
	require.NoError(t, err)
	h3, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.False(t, h3.Contains("1.1.1.1"), "a recreated list starts empty")
}

func TestServiceRebuildsOnceUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	svc, cs := newTestService(t)
	cs.entered, cs.release = make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	handles := make([]*Handle, 8)
	for i := range handles {
		wg.Go(func() {
			h, err := svc.Handle(ctx, "blocked-ips")
			assert.NoError(t, err)
			handles[i] = h
		})
	}
	<-cs.entered
	close(cs.release)
	wg.Wait()
	assert.EqualValues(t, 1, cs.items.Load())
	for _, h := range handles {
		assert.Same(t, handles[0], h)
	}
}

func TestServiceUnknownListSuggestsNearest(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	_, err := svc.Create(ctx, "vip-emails", KindEmailAddress)
	require.NoError(t, err)

	_, err = svc.Handle(ctx, "blocked-ipz")
	assert.EqualError(t, err, `list "blocked-ipz" does not exist (did you mean "blocked-ips"?)`)
	assert.ErrorIs(t, err, ErrNotFound)
	var nf *NotFoundError
	require.True(t, errors.As(err, &nf))
	assert.Equal(t, "blocked-ips", nf.Suggestion)

	_, err = svc.Handle(ctx, "countries")
	assert.EqualError(t, err, `list "countries" does not exist`)
	_, err = svc.Add(ctx, "vip-email", "a@b.com", nil)
	assert.EqualError(t, err, `list "vip-email" does not exist (did you mean "vip-emails"?)`)
	_, err = svc.Remove(ctx, "x", "a")
	assert.EqualError(t, err, `list "x" does not exist`)
	_, err = svc.Import(ctx, "x", strings.NewReader(""))
	assert.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, svc.Delete(ctx, "x"), ErrNotFound)
}

func TestServiceAddRemoveCanonicalize(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	it, err := svc.Add(ctx, "blocked-ips", "::ffff:192.0.2.1", map[string]string{"reason": "chargebacks"})
	require.NoError(t, err)
	assert.Equal(t, "192.0.2.1", it.Value)
	assert.Equal(t, "chargebacks", it.Data["reason"])
	again, err := svc.Add(ctx, "blocked-ips", "192.0.2.1", nil)
	require.NoError(t, err)
	assert.Equal(t, it.ID, again.ID, "adding a value twice is not an error")

	_, err = svc.Add(ctx, "blocked-ips", "300.1.1.1", nil)
	assert.EqualError(t, err, `invalid IP address "300.1.1.1"`)
	_, err = svc.Remove(ctx, "blocked-ips", "nope")
	assert.EqualError(t, err, `invalid IP address "nope"`)

	ok, err := svc.Remove(ctx, "blocked-ips", " ::ffff:192.0.2.1 ")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = svc.Remove(ctx, "blocked-ips", "192.0.2.1")
	require.NoError(t, err)
	assert.False(t, ok)
	h, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.False(t, h.Contains("192.0.2.1"))
}

func TestServiceImport(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	n, err := svc.Import(ctx, "blocked-ips", strings.NewReader("value\n10.0.0.1\n10.0.0.0/24\n10.0.0.1\n"))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = svc.Import(ctx, "blocked-ips", strings.NewReader("10.0.0.1\n10.0.0.2\n"))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "values already present are not counted")

	n, err = svc.Import(ctx, "blocked-ips", strings.NewReader("10.9.0.3\n300.1.1.1\n"))
	assert.EqualError(t, err, `line 2: invalid IP address "300.1.1.1"`)
	assert.Zero(t, n)
	h, err := svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.False(t, h.Contains("10.9.0.3"), "a bad file adds nothing")
	assert.Equal(t, 3, h.List().Count)
}

func TestServiceCreateDeleteLists(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService(t)
	for name, want := range map[string]string{
		"":       "invalid list name: empty",
		" x":     `invalid list name " x": leading or trailing space`,
		"a\tb":   `invalid list name "a\tb": control or invalid character`,
		"a\xffb": `invalid list name "a\xffb": control or invalid character`,
	} {
		_, err := svc.Create(ctx, name, KindString)
		assert.EqualError(t, err, want, name)
	}
	l, err := svc.Create(ctx, "Blocked IPs (EU) – 2026", KindIPAddress)
	require.NoError(t, err, "Persona-style names are allowed")
	assert.Equal(t, KindIPAddress, l.Kind)
	_, err = svc.Create(ctx, strings.Repeat("n", MaxListNameLen+1), KindString)
	assert.ErrorContains(t, err, "longer than 100 bytes")
	_, err = svc.Create(ctx, "blocked-ips", KindString)
	assert.ErrorIs(t, err, ErrExists)

	_, err = svc.Handle(ctx, "blocked-ips")
	require.NoError(t, err)
	require.NoError(t, svc.Delete(ctx, "blocked-ips"))
	_, err = svc.Handle(ctx, "blocked-ips")
	assert.ErrorIs(t, err, ErrNotFound)
	all, err := svc.Lists(ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, "Blocked IPs (EU) – 2026", all[0].Name)
	assert.NotNil(t, svc.Store())
}

func TestServiceStoreErrorsPassThrough(t *testing.T) {
	ctx := context.Background()
	svc, cs := newTestService(t)
	cs.failItems = errors.New("disk on fire")
	_, err := svc.Handle(ctx, "blocked-ips")
	assert.EqualError(t, err, "disk on fire")
}

// Import hands the store every item at once, in Value order and each Value
// once, reads an input that cannot seek, and checks every row before it
// writes any: a bad last row leaves the list as it was.
func TestServiceImportOnce(t *testing.T) {
	ctx := context.Background()
	svc, cs := newTestService(t)
	var csv strings.Builder
	csv.WriteString("value\n")
	for i := range 10 {
		fmt.Fprintf(&csv, "10.1.0.%d\n10.1.0.%d\n", 9-i, 9-i)
	}
	n, err := svc.Import(ctx, "blocked-ips", io.MultiReader(strings.NewReader(csv.String())))
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	assert.Equal(t, 1, cs.imports)
	items, err := cs.Items(ctx, "blocked-ips")
	require.NoError(t, err)
	require.Len(t, items, 10)
	assert.Equal(t, "10.1.0.0", items[0].Value, "in value order")
	assert.Equal(t, "10.1.0.9", items[9].Value)

	cs.imports = 0
	n, err = svc.Import(ctx, "blocked-ips", strings.NewReader(csv.String()+"10.2.0.1\n300.0.0.1\n"))
	assert.EqualError(t, err, `line 23: invalid IP address "300.0.0.1"`)
	assert.Zero(t, n)
	assert.Zero(t, cs.imports, "nothing is written when a row is bad")
	n, err = svc.Import(ctx, "blocked-ips", strings.NewReader(csv.String()))
	require.NoError(t, err)
	assert.Zero(t, n, "importing the same rows again adds nothing")
}

// A handle that layers the changes since its base over the base answers
// every lookup as an index built from all the items would: adds, removes,
// removes of what was added, adds of what was removed, in every kind with
// its own notion of the best match.
func TestServiceLayeredChangesMatchARebuild(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		kind    Kind
		pool    []string
		lookups []string
	}{
		{KindIPAddress, []string{"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "10.1.2.0/24", "::ffff:0:0/96", "2001:db8::/32",
			"2001:db8::1", "192.0.2.7"}, []string{"10.1.2.3", "10.1.2.4", "10.1.9.9", "10.9.9.9", "11.0.0.1", "2001:db8::1",
			"2001:db8::2", "192.0.2.7", "10.1.2.0/25"}},
		{KindEmailAddress, []string{"a@x.com", "@x.com", "b@y.com", "@y.com", "c@z.com"}, []string{"a@x.com", "z@x.com",
			"b@y.com", "q@y.com", "c@z.com", "d@z.com", "x.com"}},
		{KindGovernmentIDNumber, []string{"dl:D1", "D1", "pp:D1", "D2", "pp:D2"}, []string{"D1", "dl:D1", "pp:D1", "ss:D1",
			"D2", "pp:D2", "dl:D2"}},
		{KindGeolocation, []string{"0,0,1000", "0,0.005,1000", "0,0,100000", "10,10,5000"}, []string{"0,0", "0,0.004",
			"0,0.5", "10,10.01", "20,20"}},
		{KindString, []string{"a", "b", "c"}, []string{"a", "b", "c", "d"}},
	}
	for _, tt := range cases {
		store := NewMemStore(WithClock(fakeClock()))
		svc := NewService(store)
		_, err := svc.Create(ctx, "l", tt.kind)
		require.NoError(t, err)
		_, err = svc.Add(ctx, "l", tt.pool[0], nil)
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(uint64(tt.kind), 7))
		for step := range 60 {
			v := tt.pool[rng.IntN(len(tt.pool))]
			if rng.IntN(2) == 0 {
				_, err = svc.Add(ctx, "l", v, nil)
			} else {
				_, err = svc.Remove(ctx, "l", v)
			}
			require.NoError(t, err)
			layered, err := svc.Handle(ctx, "l")
			require.NoError(t, err)
			fresh, err := NewService(store).Handle(ctx, "l")
			require.NoError(t, err)
			for _, s := range tt.lookups {
				want, wok := fresh.MatchString(s)
				got, gok := layered.MatchString(s)
				require.Equal(t, wok, gok, "%s step %d: lookup %q", tt.kind, step, s)
				if wok {
					require.Equal(t, want.Value, got.Value, "%s step %d: lookup %q", tt.kind, step, s)
				}
			}
		}
	}
}
