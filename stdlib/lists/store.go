package lists

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// ErrNotFound is returned (possibly wrapped) for a list that does not exist.
var ErrNotFound = errors.New("list not found")

// ErrExists is returned by CreateList for a name already taken.
var ErrExists = errors.New("list already exists")

// Store persists Lists and their items. Implementations must be safe for
// concurrent use.
//
// AddItems stores items whose Value the list does not hold yet (a Value
// already present is kept once and not counted) and fills in, in place, the
// ID and CreatedAt of each element of items (for a Value already present,
// those of the stored item). Items rejects nothing: items are validated by
// NewItem before they reach a Store. Items returns items in the order they
// were added.
type Store interface {
	CreateList(ctx context.Context, name string, kind Kind) (List, error) // ErrExists if taken
	GetList(ctx context.Context, name string) (List, error)               // ErrNotFound
	Lists(ctx context.Context) ([]List, error)
	DeleteList(ctx context.Context, name string) error
	AddItems(ctx context.Context, list string, items []Item) (added int, err error) // same Value twice is not an error: it is kept once
	// ImportItems adds, as one change, the items next yields, in strictly
	// increasing Value order, whose Value the list does not hold, and returns
	// how many: all of them or none (an error, a crash half way). Service.Import
	// calls it once per import.
	ImportItems(ctx context.Context, list string, next func() (Item, bool, error)) (added int, err error)
	RemoveItem(ctx context.Context, list string, value string) (bool, error) // value already canonical
	Items(ctx context.Context, list string) ([]Item, error)
	// Snapshot returns a list's items, as Items does, and the Mark of that
	// moment, read at one moment.
	Snapshot(ctx context.Context, list string) ([]Item, Mark, error)
	// Changes returns what changed in a list after since: the items added
	// since then that the list still holds, in the order added, and the
	// Values removed since then (some may have been added again: those are
	// among added), with the Mark of now.
	Changes(ctx context.Context, list string, since Mark) (added []Item, removed []string, now Mark, err error)
}

// ScanStore is a Store that can hand out a list's items one at a time, in
// the order added, without holding them all: the index file of a large List
// is built from it.
type ScanStore interface {
	Store
	// Scan calls fn with each item of the list, in the order added, and
	// returns the Mark of that moment; an error of fn stops it.
	Scan(ctx context.Context, list string, fn func(Item) error) (Mark, error)
}

// Mark is a moment in a list's history, for Store.Changes: the list's
// Version and the last item sequence number given out at that moment.
type Mark struct {
	Version int64
	Seq     int64
}

// List describes a named, typed List.
type List struct {
	Name string
	Kind Kind
	// Version is bumped on every change to the list. A Store never gives
	// the same Version to two different contents of one name, even across
	// DeleteList and CreateList (a store-wide counter does this), so a cache
	// keyed by (Name, Version) is never stale.
	Version   int64
	Count     int
	CreatedAt time.Time
}

// MemStore is an in-memory Store for tests and the REPL.
type MemStore struct {
	mu      sync.Mutex
	now     func() time.Time
	lists   map[string]*memList
	version int64 // store-wide counter
	nextID  int64
}

// memList is one list with its items and a Value index.
type memList struct {
	info    List
	items   []Item
	seqs    []int64 // the sequence number of each item
	byValue map[string]int
	removed []memRemoval
}

// memRemoval is a removal, for Changes.
type memRemoval struct {
	version int64
	value   string
}

// MemOption configures a MemStore.
type MemOption func(*MemStore)

// WithClock sets the clock used for CreatedAt (time.Now by default).
func WithClock(now func() time.Time) MemOption {
	return func(s *MemStore) { s.now = now }
}

// NewMemStore returns an empty in-memory Store.
func NewMemStore(opts ...MemOption) *MemStore {
	s := &MemStore{now: time.Now, lists: map[string]*memList{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// CreateList creates an empty list.
func (s *MemStore) CreateList(ctx context.Context, name string, kind Kind) (List, error) {
	if !kind.Valid() {
		return List{}, fmt.Errorf("invalid list kind %d", uint8(kind))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lists[name]; ok {
		return List{}, fmt.Errorf("list %q: %w", name, ErrExists)
	}
	s.version++
	l := &memList{info: List{Name: name, Kind: kind, Version: s.version, CreatedAt: s.now()}, byValue: map[string]int{}}
	s.lists[name] = l
	return l.info, nil
}

// GetList returns a list's description.
func (s *MemStore) GetList(ctx context.Context, name string) (List, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(name)
	if err != nil {
		return List{}, err
	}
	return l.info, nil
}

// get returns the named list or an error wrapping ErrNotFound; s.mu is held.
func (s *MemStore) get(name string) (*memList, error) {
	l, ok := s.lists[name]
	if !ok {
		return nil, fmt.Errorf("list %q: %w", name, ErrNotFound)
	}
	return l, nil
}

// Lists returns every list sorted by name.
func (s *MemStore) Lists(ctx context.Context) ([]List, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]List, 0, len(s.lists))
	for _, l := range s.lists {
		out = append(out, l.info)
	}
	slices.SortFunc(out, func(a, b List) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// DeleteList removes a list and its items.
func (s *MemStore) DeleteList(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.get(name); err != nil {
		return err
	}
	delete(s.lists, name)
	return nil
}

// AddItems adds the items whose Value is new; see Store.
func (s *MemStore) AddItems(ctx context.Context, list string, items []Item) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(list)
	if err != nil {
		return 0, err
	}
	for i := range items {
		if items[i].Kind != l.info.Kind {
			return 0, fmt.Errorf("item %q has kind %s, list %q has kind %s", items[i].Value, items[i].Kind, list, l.info.Kind)
		}
	}
	added := 0
	for i := range items {
		if j, dup := l.byValue[items[i].Value]; dup {
			items[i].ID, items[i].CreatedAt = l.items[j].ID, l.items[j].CreatedAt
			continue
		}
		s.nextID++
		items[i].ID, items[i].CreatedAt = "li_"+strconv.FormatInt(s.nextID, 10), s.now()
		l.byValue[items[i].Value] = len(l.items)
		l.items = append(l.items, items[i])
		l.seqs = append(l.seqs, s.nextID)
		added++
	}
	if added > 0 {
		s.bump(l)
	}
	return added, nil
}

// ImportItems adds the items whose Value is new, all at once; see Store.
func (s *MemStore) ImportItems(ctx context.Context, list string, next func() (Item, bool, error)) (int, error) {
	var items []Item
	for {
		it, ok, err := next()
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		if n := len(items); n > 0 && it.Value <= items[n-1].Value {
			return 0, fmt.Errorf("import items out of order: %q after %q", it.Value, items[n-1].Value)
		}
		items = append(items, it)
	}
	return s.AddItems(ctx, list, items)
}

// bump records a change to l; s.mu is held.
func (s *MemStore) bump(l *memList) {
	s.version++
	l.info.Version = s.version
	l.info.Count = len(l.items)
}

// RemoveItem removes the item with the canonical value, reporting whether
// there was one.
func (s *MemStore) RemoveItem(ctx context.Context, list string, value string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(list)
	if err != nil {
		return false, err
	}
	j, ok := l.byValue[value]
	if !ok {
		return false, nil
	}
	l.items = slices.Delete(l.items, j, j+1)
	l.seqs = slices.Delete(l.seqs, j, j+1)
	delete(l.byValue, value)
	for k := j; k < len(l.items); k++ {
		l.byValue[l.items[k].Value] = k
	}
	s.bump(l)
	l.removed = append(l.removed, memRemoval{version: l.info.Version, value: value})
	return true, nil
}

// Snapshot returns the items and the Mark of now; see Store.
func (s *MemStore) Snapshot(ctx context.Context, list string) ([]Item, Mark, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(list)
	if err != nil {
		return nil, Mark{}, err
	}
	return slices.Clone(l.items), Mark{Version: l.info.Version, Seq: s.nextID}, nil
}

// Changes returns the items added and the Values removed after since; see
// Store.
func (s *MemStore) Changes(ctx context.Context, list string, since Mark) ([]Item, []string, Mark, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(list)
	if err != nil {
		return nil, nil, Mark{}, err
	}
	var added []Item
	for i, seq := range l.seqs {
		if seq > since.Seq {
			added = append(added, l.items[i])
		}
	}
	var removed []string
	for _, r := range l.removed {
		if r.version > since.Version {
			removed = append(removed, r.value)
		}
	}
	return added, removed, Mark{Version: l.info.Version, Seq: s.nextID}, nil
}

// Items returns a copy of the list's items in the order they were added.
func (s *MemStore) Items(ctx context.Context, list string) ([]Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, err := s.get(list)
	if err != nil {
		return nil, err
	}
	return slices.Clone(l.items), nil
}

// Scan calls fn with each item in the order added; see ScanStore.
func (s *MemStore) Scan(ctx context.Context, list string, fn func(Item) error) (Mark, error) {
	items, mark, err := s.Snapshot(ctx, list)
	if err != nil {
		return Mark{}, err
	}
	for _, it := range items {
		if err := fn(it); err != nil {
			return Mark{}, err
		}
	}
	return mark, nil
}
