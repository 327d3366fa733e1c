package persona

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is what ObjectStore.GetObject returns for an unknown object.
var ErrNotFound = errors.New("persona: object not found")

// ObjectStore holds the local backend's Persona objects, normalized, by kind
// ("inquiry", "case", "report", "verification", "account", "transaction")
// and id. The runtime provides a SQLite implementation; NewMemObjectStore is
// an in-memory one.
type ObjectStore interface {
	// GetObject returns the object, or an error wrapping ErrNotFound.
	GetObject(ctx context.Context, kind, id string) (map[string]any, error)
	// PutObject inserts or replaces the object.
	PutObject(ctx context.Context, kind, id string, obj map[string]any) error
	// ListObjects returns every object of a kind.
	ListObjects(ctx context.Context, kind string) ([]map[string]any, error)
	// PutObjects inserts or replaces several objects at once: all of them
	// or, on an error, none (an object and the record of the idempotency
	// key that created it must not be split by a crash).
	PutObjects(ctx context.Context, objs []Object) error
}

// Object is one object for PutObjects.
type Object struct {
	Kind, ID string
	Data     map[string]any
}

// ListMatcher answers whether a value is on a named local List; an unknown
// list is not an error but matches nothing.
type ListMatcher interface {
	ListMatch(ctx context.Context, list, value string) (matched bool, err error)
}

// MemObjectStore is an ObjectStore in memory, safe for concurrent use. It
// copies objects in and out, so callers never share its state.
type MemObjectStore struct {
	mu      sync.Mutex
	objects map[string]map[string]map[string]any
}

// NewMemObjectStore returns an empty MemObjectStore.
func NewMemObjectStore() *MemObjectStore {
	return &MemObjectStore{objects: map[string]map[string]map[string]any{}}
}

// GetObject implements ObjectStore.
func (s *MemObjectStore) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	obj, ok := s.objects[kind][id]
	if !ok {
		return nil, ErrNotFound
	}
	return copyObject(obj), nil
}

// PutObject implements ObjectStore.
func (s *MemObjectStore) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects[kind] == nil {
		s.objects[kind] = map[string]map[string]any{}
	}
	s.objects[kind][id] = copyObject(obj)
	return nil
}

// PutObjects implements ObjectStore.
func (s *MemObjectStore) PutObjects(ctx context.Context, objs []Object) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range objs {
		if s.objects[o.Kind] == nil {
			s.objects[o.Kind] = map[string]map[string]any{}
		}
		s.objects[o.Kind][o.ID] = copyObject(o.Data)
	}
	return nil
}

// ListObjects implements ObjectStore; objects come sorted by id.
func (s *MemObjectStore) ListObjects(ctx context.Context, kind string) ([]map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.objects[kind]))
	for id := range s.objects[kind] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = copyObject(s.objects[kind][id])
	}
	return out, nil
}

// copyObject deep-copies a plain object.
func copyObject(obj map[string]any) map[string]any {
	c, _ := copyValue(obj).(map[string]any)
	return c
}

// copyValue deep-copies a plain value (maps and slices; scalars are shared).
func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = copyValue(e)
		}
		return out
	case []string:
		return strSliceToAny(t)
	default:
		return v
	}
}

// strSliceToAny converts a []string to a []any.
func strSliceToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// KindOf is the store kind of a Persona type: "report/watchlist" → "report".
func KindOf(typ string) string { return kindOf(typ) }

// kindOf is the store kind of a Persona type: "report/watchlist" → "report".
func kindOf(typ string) string {
	kind, _, _ := strings.Cut(typ, "/")
	return kind
}

// idPrefixKinds maps Persona id prefixes to store kinds.
var idPrefixKinds = map[string]string{
	"inq": "inquiry", "case": "case", "rep": "report", "ver": "verification",
	"act": "account", "txn": "transaction", "doc": "document",
}

// Kinds returns the kinds of object the local backend keeps (inquiry,
// account, case…), sorted.
func Kinds() []string {
	out := make([]string, 0, len(idPrefixKinds))
	for _, k := range idPrefixKinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// kindOfID is the store kind an id's prefix names ("inq_…" → "inquiry").
func kindOfID(id string) (string, bool) {
	prefix, _, ok := strings.Cut(id, "_")
	if !ok {
		return "", false
	}
	kind, ok := idPrefixKinds[prefix]
	return kind, ok
}

// timestampLayout is how the local backend writes times: Persona's format.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// timestamp formats t like Persona does, in UTC.
func timestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// stringList reads a list of strings from an object attribute, skipping
// anything else.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// addUnique appends s to list unless it is there already.
func addUnique(list []string, s ...string) []string {
	for _, e := range s {
		if !slices.Contains(list, e) {
			list = append(list, e)
		}
	}
	return list
}
