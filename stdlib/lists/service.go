package lists

import (
	"github.com/wf-lang/wf/lang"

	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Service is the Lists engine a host uses: it validates input, writes
// through a Store and caches one Index per list.
//
// Freshness: Handle reads the list's row (GetList, one primary-key read) and
// reuses the cached handle while the Version is unchanged. When the Version
// moved, it reads only the changes since the cached handle (Store.Changes)
// and layers them over the index it has, so adding or removing one item
// costs the change, not a rebuild of the list. The host resolves a handle
// once per run (or per list per run), so a hot lookup on the handle touches
// memory only, while the next run sees every change, including changes made
// by other processes sharing the store (a long-running service notices an
// added item at its next run for one primary-key read and one range read).
// A time-based cache would be cheaper still but would let a run see a list
// that was changed before it started.
type Service struct {
	store Store
	mu    sync.Mutex
	cache map[string]*cacheEntry
	// feed is true while a change feed tells the Service of every change
	// (see SetFeedLive).
	feed atomic.Bool
}

// cacheEntry holds the newest index of one list; build serializes rebuilds
// so concurrent callers of a stale list rebuild it once.
type cacheEntry struct {
	build sync.Mutex
	snap  atomic.Pointer[Handle]
	// changed is set by a change feed (see Changed) until Handle reads the
	// list again.
	changed atomic.Bool
}

// NewService returns a Service over store.
func NewService(store Store) *Service {
	return &Service{store: store, cache: map[string]*cacheEntry{}}
}

// Store returns the underlying store.
func (s *Service) Store() Store { return s.store }

// Handle resolves the named list. The first call builds the list's index
// from all its items (the base); a later call for a list that changed
// reads only what changed since the handle it has (Store.Changes) and
// layers that over the base, unless the changes have grown past a share of
// the list (maxLayered), when it builds a new base.
func (s *Service) Handle(ctx context.Context, name string) (*Handle, error) {
	e := s.entry(name)
	if h, ok := s.fresh(e); ok {
		return h, nil
	}
	h, err := s.load(ctx, e, name)
	if err != nil {
		e.changed.Store(true) // read it again next time
	}
	return h, err
}

// load reads the list's row and returns the cached handle when the list has not changed,
// else a refreshed or rebuilt one.
func (s *Service) load(ctx context.Context, e *cacheEntry, name string) (*Handle, error) {
	l, err := s.getList(ctx, name)
	if err != nil {
		return nil, err
	}
	if h := e.snap.Load(); h != nil && sameList(h.list, l) {
		return h, nil
	}
	e.build.Lock()
	defer e.build.Unlock()
	old := e.snap.Load()
	if old != nil && sameList(old.list, l) {
		return old, nil
	}
	var h *Handle
	if old != nil && old.list.Kind == l.Kind && old.list.CreatedAt.Equal(l.CreatedAt) {
		h, err = s.refresh(ctx, old, l)
	}
	if h == nil && err == nil {
		h, err = s.rebuild(ctx, l)
	}
	if err != nil {
		return nil, err
	}
	e.snap.Store(h)
	return h, nil
}

// rebuild builds a handle from the list's index file and the changes
// since it was written when there is one (indexfile.go), else from all the
// list's items, and then writes the index file when the list can have one.
// A large List of IPv4 addresses in a store that can scan (ScanStore) has
// its file written from the items as they are read, a few bytes each, and
// mapped: it is never built in memory.
func (s *Service) rebuild(ctx context.Context, l List) (*Handle, error) {
	dir := s.indexDir()
	if dir != "" {
		if h, err := s.fromFile(ctx, dir, l); h != nil || err != nil {
			return h, err
		}
		if err := s.writeFromScan(ctx, dir, l); err == nil {
			if h, err := s.fromFile(ctx, dir, l); h != nil || err != nil {
				return h, err
			}
		} else if !errors.Is(err, errNotFileable) {
			return nil, err
		}
	}
	items, mark, err := s.store.Snapshot(ctx, l.Name)
	if err != nil {
		return nil, s.notFound(ctx, l.Name, err)
	}
	idx, err := NewIndex(l.Kind, items)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", l.Name, err)
	}
	if dir != "" && len(items) >= MinIndexFile && fileable(l.Kind, items) {
		_ = writeIndexFile(dir, l, mark, items) // a cache: without it the next process builds from the store
	}
	l.Version, l.Count = mark.Version, len(items)
	return &Handle{list: l, mark: mark, raw: idx, base: idx}, nil
}

// fromFile returns the handle of the list's index file with the changes
// since layered over it, or nil when there is no such file or the changes
// are too many.
func (s *Service) fromFile(ctx context.Context, dir string, l List) (*Handle, error) {
	idx, mark, err := openIndexFile(dir, l)
	if err != nil {
		return nil, nil
	}
	return s.refresh(ctx, &Handle{list: l, mark: mark, raw: idx, base: idx}, l)
}

// writeFromScan writes the index file of a large List of IPv4 addresses
// from a scan of its items; errNotFileable when the List or store cannot.
func (s *Service) writeFromScan(ctx context.Context, dir string, l List) error {
	sc, ok := s.store.(ScanStore)
	if !ok || l.Kind != KindIPAddress || l.Count < MinIndexFile {
		return errNotFileable
	}
	var c indexColumns
	mark, err := sc.Scan(ctx, l.Name, func(it Item) error {
		if !c.add(&it) {
			return errNotFileable
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, errNotFileable) {
			return err
		}
		return s.notFound(ctx, l.Name, err)
	}
	if err := c.write(dir, l, mark); err != nil {
		return errNotFileable // a cache: build in memory instead
	}
	return nil
}

// indexDir is the directory of the store's index files, or "".
func (s *Service) indexDir() string {
	if d, ok := s.store.(IndexDirStore); ok {
		return d.IndexDir()
	}
	return ""
}

// maxLayered is how many items added and removed since the base a handle
// layers over a base of n items before a new base is built.
func maxLayered(n int) int { return max(4096, n/8) }

// refresh builds the handle of a list that changed since old from old's
// base and the changes, or returns nil when they are too many to layer.
func (s *Service) refresh(ctx context.Context, old *Handle, l List) (*Handle, error) {
	added, removed, mark, err := s.store.Changes(ctx, l.Name, old.mark)
	if err != nil {
		return nil, s.notFound(ctx, l.Name, err)
	}
	gone := maps.Clone(old.removed) // the base skips these
	if gone == nil {
		gone = map[string]struct{}{}
	}
	now := make(map[string]struct{}, len(removed))
	for _, v := range removed {
		gone[v], now[v] = struct{}{}, struct{}{}
	}
	layer := make([]Item, 0, len(old.added)+len(added))
	for _, it := range old.added {
		if _, ok := now[it.Value]; !ok {
			layer = append(layer, it)
		}
	}
	layer = append(layer, added...) // held now, so present even if removed before
	if len(layer)+len(gone) > maxLayered(old.raw.Len()) {
		return nil, nil
	}
	h := &Handle{list: l, mark: mark, raw: old.raw, base: old.raw.without(gone), added: layer, removed: gone}
	if len(layer) > 0 {
		if h.overlay, err = NewIndex(l.Kind, layer); err != nil {
			return nil, fmt.Errorf("list %q: %w", l.Name, err)
		}
	}
	h.list.Version = mark.Version
	return h, nil
}

// sameList reports whether a cached handle's list is the one described.
func sameList(a, b List) bool {
	return a.Version == b.Version && a.Kind == b.Kind && a.CreatedAt.Equal(b.CreatedAt)
}

// entry returns the cache entry for name, creating it.
func (s *Service) entry(name string) *cacheEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cache[name]
	if !ok {
		e = &cacheEntry{}
		s.cache[name] = e
	}
	return e
}

// forget drops the cache entry of a list that no longer exists.
func (s *Service) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cache, name)
}

// getList reads a list, turning ErrNotFound into a NotFoundError.
func (s *Service) getList(ctx context.Context, name string) (List, error) {
	l, err := s.store.GetList(ctx, name)
	if err != nil {
		return List{}, s.notFound(ctx, name, err)
	}
	return l, nil
}

// notFound turns a store's ErrNotFound into a *NotFoundError with a
// suggestion and drops the list's cache entry; other errors pass through.
func (s *Service) notFound(ctx context.Context, name string, err error) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	s.forget(name)
	nf := &NotFoundError{Name: name}
	if all, lerr := s.store.Lists(ctx); lerr == nil {
		names := make([]string, len(all))
		for i, l := range all {
			names[i] = l.Name
		}
		nf.Suggestion = lang.Suggest(name, names)
	}
	return nf
}

// NotFoundError reports an unknown list name and the nearest existing one.
type NotFoundError struct {
	Name       string
	Suggestion string // "" when no list name is close
}

// Error formats the error as `list "x" does not exist (did you mean "y"?)`.
func (e *NotFoundError) Error() string {
	if e.Suggestion == "" {
		return fmt.Sprintf("list %q does not exist", e.Name)
	}
	return fmt.Sprintf("list %q does not exist (did you mean %q?)", e.Name, e.Suggestion)
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Create makes an empty list after checking its name.
func (s *Service) Create(ctx context.Context, name string, kind Kind) (List, error) {
	if err := CheckListName(name); err != nil {
		return List{}, err
	}
	return s.store.CreateList(ctx, name, kind)
}

// Delete removes a list and its items.
func (s *Service) Delete(ctx context.Context, name string) error {
	if err := s.store.DeleteList(ctx, name); err != nil {
		return s.notFound(ctx, name, err)
	}
	s.forget(name)
	if dir := s.indexDir(); dir != "" {
		_ = os.Remove(indexPath(dir, name)) // a List made again later would not use it anyway (CreatedAt)
	}
	return nil
}

// Lists returns every list.
func (s *Service) Lists(ctx context.Context) ([]List, error) { return s.store.Lists(ctx) }

// Add canonicalizes raw (with data) as an item of the named list's kind and
// stores it; adding a value already present is not an error. The returned
// item carries the ID and CreatedAt the store gave it.
func (s *Service) Add(ctx context.Context, name, raw string, data map[string]string) (Item, error) {
	l, err := s.getList(ctx, name)
	if err != nil {
		return Item{}, err
	}
	it, err := NewItem(l.Kind, raw, data)
	if err != nil {
		return Item{}, err
	}
	batch := []Item{it}
	if _, err := s.store.AddItems(ctx, name, batch); err != nil {
		return Item{}, s.notFound(ctx, name, err)
	}
	return batch[0], nil
}

// Remove canonicalizes raw and removes that item, reporting whether the
// list held it.
func (s *Service) Remove(ctx context.Context, name, raw string) (bool, error) {
	l, err := s.getList(ctx, name)
	if err != nil {
		return false, err
	}
	it, err := NewItem(l.Kind, raw, nil)
	if err != nil {
		return false, err
	}
	ok, err := s.store.RemoveItem(ctx, name, it.Value)
	if err != nil {
		return false, s.notFound(ctx, name, err)
	}
	return ok, nil
}

// Import reads CSV (see ParseCSV) into the named list and returns how many
// new items it added. It reads the input once, checking every row and keeping
// the items in a sorter (sort.go) whose memory does not grow with the input;
// if any row is bad it adds nothing. Then it hands the items, in Value order,
// to the store as one change (Store.ImportItems): an import that stops half
// way (an error, a crash) leaves the list as it was, a Value the list holds
// costs no write, and a header row does not count toward MaxCSVRows.
func (s *Service) Import(ctx context.Context, name string, r io.Reader) (int, error) {
	l, err := s.getList(ctx, name)
	if err != nil {
		return 0, err
	}
	srt := newSorter(l.Kind)
	defer srt.close()
	if err := scanCSV(l.Kind, r, defaultCSVLimits, srt.add); err != nil {
		return 0, err
	}
	next, err := srt.sorted()
	if err != nil {
		return 0, err
	}
	n, err := s.store.ImportItems(ctx, name, next)
	if err != nil {
		return 0, s.notFound(ctx, name, err)
	}
	return n, nil
}

// MaxListNameLen caps a list name in bytes.
const MaxListNameLen = 100

// CheckListName accepts names of 1 to 100 bytes without control
// characters or surrounding spaces.
func CheckListName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("invalid list name: empty")
	case len(name) > MaxListNameLen:
		return fmt.Errorf("invalid list name %.40q…: longer than %d bytes", name, MaxListNameLen)
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("invalid list name %q: leading or trailing space", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || !utf8.ValidString(name):
		return fmt.Errorf("invalid list name %q: control or invalid character", name)
	}
	return nil
}
