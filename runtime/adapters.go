package runtime

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// objectStore adapts the store to the local Persona backend.
type objectStore struct{ s store.ObjectStore }

func (o objectStore) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	obj, err := o.s.GetObject(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s %q: %w", kind, id, persona.ErrNotFound)
	}
	return obj, err
}

func (o objectStore) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	return o.s.PutObject(ctx, kind, id, obj)
}

func (o objectStore) PutObjects(ctx context.Context, objs []persona.Object) error {
	in := make([]store.Object, len(objs))
	for i, ob := range objs {
		in[i] = store.Object{Kind: ob.Kind, ID: ob.ID, Data: ob.Data}
	}
	return o.s.PutObjects(ctx, in)
}

func (o objectStore) ListObjects(ctx context.Context, kind string) ([]map[string]any, error) {
	return o.s.ListObjects(ctx, kind)
}

// listStore adapts the store to the Lists engine.
type listStore struct{ s store.ListStore }

// IndexDir keeps the Lists' index files in lists/ beside the file of a
// store that has one (SQLite); other stores keep none.
func (l listStore) IndexDir() string {
	if f, ok := l.s.(interface{ Path() string }); ok {
		return filepath.Join(filepath.Dir(f.Path()), "lists")
	}
	return ""
}

// listErr gives a store error the Lists engine's meaning (lists.ErrNotFound,
// lists.ErrExists) and keeps the store's error in the chain and message.
func listErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", lists.ErrNotFound, err)
	case errors.Is(err, store.ErrExists):
		return fmt.Errorf("%w: %w", lists.ErrExists, err)
	}
	return err
}

func toList(li store.ListInfo) (lists.List, error) {
	k, err := lists.ParseKind(li.Kind)
	if err != nil {
		return lists.List{}, err
	}
	return lists.List{Name: li.Name, Kind: k, Version: li.Version, Count: li.Count, CreatedAt: li.CreatedAt}, nil
}

func (l listStore) CreateList(ctx context.Context, name string, kind lists.Kind) (lists.List, error) {
	li, err := l.s.CreateList(ctx, name, kind.String())
	if err != nil {
		return lists.List{}, listErr(err)
	}
	return toList(li)
}

func (l listStore) GetList(ctx context.Context, name string) (lists.List, error) {
	li, err := l.s.GetList(ctx, name)
	if err != nil {
		return lists.List{}, listErr(err)
	}
	return toList(li)
}

func (l listStore) Lists(ctx context.Context) ([]lists.List, error) {
	all, err := l.s.Lists(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]lists.List, 0, len(all))
	for _, li := range all {
		x, err := toList(li)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

func (l listStore) DeleteList(ctx context.Context, name string) error {
	return listErr(l.s.DeleteList(ctx, name))
}

func (l listStore) AddItems(ctx context.Context, list string, items []lists.Item) (int, error) {
	in := make([]store.ListItem, len(items))
	for i, it := range items {
		in[i] = store.ListItem{ID: it.ID, Value: it.Value, Data: it.Data, CreatedAt: it.CreatedAt}
	}
	n, err := l.s.AddListItems(ctx, list, in)
	if err != nil {
		return 0, listErr(err)
	}
	for i := range items {
		items[i].ID, items[i].CreatedAt = in[i].ID, in[i].CreatedAt
	}
	return n, nil
}

func (l listStore) ImportItems(ctx context.Context, list string, next func() (lists.Item, bool, error)) (int, error) {
	n, err := l.s.ImportListItems(ctx, list, func() (store.ListItem, bool, error) {
		it, ok, err := next()
		return store.ListItem{Value: it.Value, Data: it.Data}, ok, err
	})
	return n, listErr(err)
}

func (l listStore) RemoveItem(ctx context.Context, list, value string) (bool, error) {
	ok, err := l.s.RemoveListItem(ctx, list, value)
	return ok, listErr(err)
}

func (l listStore) Items(ctx context.Context, list string) ([]lists.Item, error) {
	items, _, err := l.Snapshot(ctx, list)
	return items, err
}

func (l listStore) Snapshot(ctx context.Context, list string) ([]lists.Item, lists.Mark, error) {
	kind, err := l.kind(ctx, list)
	if err != nil {
		return nil, lists.Mark{}, err
	}
	items, mark, err := l.s.ListSnapshot(ctx, list)
	if err != nil {
		return nil, lists.Mark{}, listErr(err)
	}
	return toItems(kind, items), lists.Mark(mark), nil
}

func (l listStore) Changes(ctx context.Context, list string, since lists.Mark) ([]lists.Item, []string, lists.Mark, error) {
	kind, err := l.kind(ctx, list)
	if err != nil {
		return nil, nil, lists.Mark{}, err
	}
	added, removed, now, err := l.s.ListChanges(ctx, list, store.ListMark(since))
	if err != nil {
		return nil, nil, lists.Mark{}, listErr(err)
	}
	return toItems(kind, added), removed, lists.Mark(now), nil
}

func (l listStore) Scan(ctx context.Context, list string, fn func(lists.Item) error) (lists.Mark, error) {
	kind, err := l.kind(ctx, list)
	if err != nil {
		return lists.Mark{}, err
	}
	mark, err := l.s.ListScan(ctx, list, func(it store.ListItem) error {
		return fn(lists.Item{ID: it.ID, Kind: kind, Value: it.Value, Data: it.Data, CreatedAt: it.CreatedAt})
	})
	return lists.Mark(mark), listErr(err)
}

// kind reads a List's kind.
func (l listStore) kind(ctx context.Context, list string) (lists.Kind, error) {
	li, err := l.s.GetList(ctx, list)
	if err != nil {
		return 0, listErr(err)
	}
	return lists.ParseKind(li.Kind)
}

func toItems(kind lists.Kind, items []store.ListItem) []lists.Item {
	out := make([]lists.Item, len(items))
	for i, it := range items {
		out[i] = lists.Item{ID: it.ID, Kind: kind, Value: it.Value, Data: it.Data, CreatedAt: it.CreatedAt}
	}
	return out
}

// listMatcher lets the local Persona backend's reports consult Lists.
type listMatcher struct{ svc *lists.Service }

// NewListMatcher lets a local Persona backend's reports consult the Lists
// of svc (a name on the watchlist List makes report.watchlist match…).
func NewListMatcher(svc *lists.Service) persona.ListMatcher { return listMatcher{svc} }

func (m listMatcher) ListMatch(ctx context.Context, list, value string) (bool, error) {
	h, err := m.svc.Handle(ctx, list)
	if errors.Is(err, lists.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return h.Contains(value), nil
}
