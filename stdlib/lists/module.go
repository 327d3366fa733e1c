package lists

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// This file declares the WF functions over a Service: list(name) and
// match(list, value), pure reads, and the actions lists.add and
// lists.remove.
//
// Resolving list(name): a run resolves each List once and keeps the handle
// for handleTTL on the run's clock, so `x in list("blocked-ips")` in a loop
// costs a map lookup instead of a store read. The cache is keyed by Service,
// run id and list name, never by time alone, so a run always sees every
// change made before it started; lists.add and lists.remove drop the run's
// handle at once, so a run sees its own changes; changes by others while it
// runs are seen within handleTTL. Runs without an id are not cached.
//
// On top of that cache, each list(…) call site keeps the last handle it
// returned in its memo (interp.Memo), with the run, Service and name it is
// for, the module's change count and a flag a timer on the run's clock sets
// once handleTTL has passed. A call that finds its memo still valid returns
// the handle with no lock, map lookup, clock read or allocation: the hot
// path of a rule evaluated over and over (an interp.Evaluator is one long
// run).

// Provider is what a run's environment provides for the list functions.
type Provider interface {
	// Lists returns the Lists engine; nil when none is configured.
	Lists() *Service
}

const (
	// handleTTL is how long a run reuses a resolved List.
	handleTTL = 10 * time.Second
	// maxCachedHandles bounds the cache; when full, expired handles go,
	// and if none has expired, all go.
	maxCachedHandles = 1024
	// listTypeName is what a List handle is called in WF messages.
	listTypeName = "List"
)

// Module returns the list functions: list, match, lists.add, lists.remove.
// Each Module has its own handle cache.
func Module() *builtin.Module {
	c := &handleCache{m: map[handleKey]cachedHandle{}}
	return &builtin.Module{
		Name: "lists",
		Doc: "Lists are named, typed sets of values kept by WF (as Persona's Lists are): ip_address " +
			"(addresses and CIDR ranges), email_address (addresses and domains), name, phone_number, " +
			"country, government_id_number, browser_fingerprint, device_fingerprint, geolocation (a " +
			"point and a radius in meters) and string. `x in list(\"name\")` tests membership, " +
			"canonicalizing x by the List's kind (case, spaces, accents, CIDR ranges, radii); `match` " +
			"returns the item matched. Reading a List is pure; changing one is an action. A run sees " +
			"each List as it was when the run first used it (refreshed every 10s) and its own changes at once.",
		Builtins: []*interp.Builtin{
			builtin.Pure("list(name: string) -> handle", "Returns the List with that name, for `x in "+
				"list(name)` and `match`. Numbers are looked up as text; null is in no List; a map looks up a "+
				"name ({name_first, name_last}), a point ({latitude, longitude}) or an id ({id_number, id_class}). "+
				"An unknown name is an error that suggests the nearest List.",
				`trigger.ip_address in list("blocked-ips")`, c.list),
			builtin.Pure("match(list: handle, value: any) -> map|null", "Returns the item of list that "+
				"value matches, as {value, kind, id, list, …data} (data such as match_type or radius_meters), "+
				"or null. For an IP address the item may be the range containing it.",
				`list("blocked-emails").match(trigger.email_address)?.match_type`, match),
			builtin.Action("lists.add(list: string, value: any, **) -> map", "Adds value to the named List "+
				"and returns the item. Extra named arguments become the item's data, such as match_type: "+
				"\"domain\" for an email List or radius_meters for a geolocation. A map value gives the item's "+
				"attributes (latitude, longitude, radius_meters; name_first, name_last). Adding a value the "+
				"List holds already is not an error.",
				`run lists.add("blocked-ips", trigger.ip_address, reason: "chargeback")`, c.add),
			builtin.Action("lists.remove(list: string, value: any) -> bool", "Removes value from the named "+
				"List, reporting whether the List held it.",
				`run lists.remove("blocked-emails", trigger.email_address)`, c.remove),
		},
	}
}

// wfList is a resolved List as a WF value (an interp.Handle).
type wfList struct {
	name string
	h    *Handle
}

// TypeName implements interp.Handle.
func (l *wfList) TypeName() string { return listTypeName }

// Contains implements interp.Handle: `v in list(…)`. A string lookup does
// not allocate.
func (l *wfList) Contains(v interp.Value) (bool, error) {
	if s, ok := v.(string); ok {
		return l.ContainsString(s), nil
	}
	it, err := l.match(v)
	return it != nil, err
}

// ContainsString implements interp.StringContainer: Contains for a string.
func (l *wfList) ContainsString(s string) bool { return l.h.ContainsString(s) }

// match finds the item v matches, or nil.
func (l *wfList) match(v interp.Value) (*Item, error) {
	var (
		it *Item
		ok bool
	)
	switch x := v.(type) {
	case string:
		it, ok = l.h.MatchString(x)
	case nil:
	case int64:
		it, ok = l.h.MatchString(strconv.FormatInt(x, 10))
	case float64:
		it, ok = l.h.MatchString(interp.ToString(x))
	case *interp.Map:
		it, ok = l.h.Match(interp.ToGo(x))
	default:
		return nil, interp.Errorf(interp.KindType, "list %q holds %s values, cannot look up a %s",
			l.name, l.h.List().Kind, interp.TypeName(v))
	}
	if !ok {
		return nil, nil
	}
	return it, nil
}

// handleCache holds the Lists runs have resolved; see the file comment.
type handleCache struct {
	mu sync.Mutex
	m  map[handleKey]cachedHandle
	// changes counts the module's changes to Lists, which void every memo.
	changes atomic.Uint64
}

// siteList is what list(name) keeps in its call site's memo. It is not
// changed once stored, but for expired, which a timer sets.
type siteList struct {
	cache   *handleCache
	svc     *Service
	run     string
	name    string
	changes uint64
	list    *wfList
	expired atomic.Bool
	stop    func() bool // stops the timer
}

// Reuse implements interp.Reusable: list("…") with a constant name is
// answered from the memo without unpacking its argument.
// It checks what valid checks but the name (the call site's constant),
// the cheapest first.
func (s *siteList) Reuse(th *interp.Thread) (interp.Value, bool) {
	if s.changes != s.cache.changes.Load() || s.expired.Load() || !sameString(s.run, th.RunID()) {
		return nil, false
	}
	p, ok := th.Env().(Provider)
	return s.list, ok && p.Lists() == s.svc
}

// sameString is a == b, without comparing the bytes of two headers of the
// same string (a run's id, which the memo copied).
func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// valid reports whether the memo applies to this call.
func (s *siteList) valid(svc *Service, run, name string, changes uint64) bool {
	return s.svc == svc && s.run == run && s.name == name && s.changes == changes && !s.expired.Load()
}

type handleKey struct {
	svc  *Service
	run  string
	name string
}

type cachedHandle struct {
	list *wfList
	at   time.Time
}

// serviceOf returns the run's Lists engine.
func serviceOf(th *interp.Thread) (*Service, error) {
	if p, ok := th.Env().(Provider); ok {
		if s := p.Lists(); s != nil {
			return s, nil
		}
	}
	return nil, interp.Permanent(interp.Errorf(interp.KindValue, "no Lists are configured for this run"))
}

// list implements list(name).
func (c *handleCache) list(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	name, err := a.String(0)
	if err != nil {
		return nil, err
	}
	svc, err := serviceOf(th)
	if err != nil {
		return nil, err
	}
	run, memo := th.RunID(), a.Memo()
	changes := c.changes.Load()
	if memo != nil && run != "" {
		if s, ok := memo.Load().(*siteList); ok && s.valid(svc, run, name, changes) {
			return s.list, nil
		}
	}
	l, left, err := c.resolve(th, handleKey{svc: svc, run: run, name: name})
	if err != nil {
		return nil, err
	}
	if memo != nil && run != "" && left > 0 {
		remember(th, memo, &siteList{cache: c, svc: svc, run: run, name: name, changes: changes, list: l}, left)
	}
	return l, nil
}

// resolve returns the run's handle of a List from the cache, or resolves
// it, and how long it stays fresh.
func (c *handleCache) resolve(th *interp.Thread, key handleKey) (*wfList, time.Duration, error) {
	now := th.Clock().Now()
	if key.run != "" {
		c.mu.Lock()
		e, ok := c.m[key]
		c.mu.Unlock()
		if ok && !now.Before(e.at) && now.Sub(e.at) < handleTTL {
			return e.list, handleTTL - now.Sub(e.at), nil
		}
	}
	h, err := key.svc.Handle(th.Context(), key.name)
	if err != nil {
		return nil, 0, classify(err)
	}
	l := &wfList{name: key.name, h: h}
	if key.run != "" {
		c.put(key, cachedHandle{list: l, at: now})
	}
	return l, handleTTL, nil
}

// remember stores s in a call site's memo, with a timer on the run's clock
// that voids it once left has passed, and stops the timer of the one it
// replaces.
func remember(th *interp.Thread, memo *interp.Memo, s *siteList, left time.Duration) {
	s.stop = th.Clock().AfterFunc(left, func() { s.expired.Store(true) })
	old, _ := memo.Load().(*siteList)
	memo.Store(s)
	if old != nil {
		old.stop()
	}
}

// put stores a handle, making room when the cache is full.
func (c *handleCache) put(key handleKey, e cachedHandle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedHandles {
		for k, old := range c.m {
			if e.at.Sub(old.at) >= handleTTL || e.at.Before(old.at) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedHandles {
			clear(c.m)
		}
	}
	c.m[key] = e
}

// forget drops a run's handle of a List it just changed, and voids every
// call site's memo.
func (c *handleCache) forget(svc *Service, run, name string) {
	c.mu.Lock()
	delete(c.m, handleKey{svc: svc, run: run, name: name})
	c.mu.Unlock()
	c.changes.Add(1)
}

// match implements match(list, value).
func match(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	l, ok := a.Value(0).(*wfList)
	if !ok {
		return nil, interp.Permanent(interp.Errorf(interp.KindType, "list must be a List, got %s", interp.TypeName(a.Value(0))))
	}
	it, err := l.match(a.Value(1))
	if err != nil || it == nil {
		return nil, err
	}
	return itemValue(l.name, it), nil
}

// itemValue is an item as WF sees it: {value, kind, id, list, …data}.
func itemValue(list string, it *Item) *interp.Map {
	m := interp.NewMap(4 + len(it.Data))
	m.Set("value", it.Value)
	m.Set("kind", it.Kind.String())
	m.Set("id", it.ID)
	m.Set("list", list)
	for _, k := range slices.Sorted(maps.Keys(it.Data)) {
		if _, taken := m.Get(k); !taken {
			m.Set(k, it.Data[k])
		}
	}
	return m
}

// add implements lists.add(list, value, **).
func (c *handleCache) add(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	name, _ := a.String(0)
	raw, data, err := itemInput(a.Value(1), a.Extra())
	if err != nil {
		return nil, err
	}
	svc, err := serviceOf(th)
	if err != nil {
		return nil, err
	}
	if err := validate(th.Context(), svc, name, raw, data); err != nil {
		return nil, err
	}
	it, err := svc.Add(th.Context(), name, raw, data)
	c.forget(svc, th.RunID(), name)
	if err != nil {
		return nil, classify(err)
	}
	return itemValue(name, &it), nil
}

// remove implements lists.remove(list, value).
func (c *handleCache) remove(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	name, _ := a.String(0)
	raw, data, err := itemInput(a.Value(1), nil)
	if err != nil {
		return nil, err
	}
	svc, err := serviceOf(th)
	if err != nil {
		return nil, err
	}
	if err := validate(th.Context(), svc, name, raw, data); err != nil {
		return nil, err
	}
	ok, err := svc.Remove(th.Context(), name, raw)
	c.forget(svc, th.RunID(), name)
	if err != nil {
		return nil, classify(err)
	}
	return ok, nil
}

// validate checks a value against the List's kind before it is changed,
// so a bad value is reported as such (and not retried).
func validate(ctx context.Context, svc *Service, name, raw string, data map[string]string) error {
	l, err := svc.getList(ctx, name)
	if err != nil {
		return classify(err)
	}
	if _, err := NewItem(l.Kind, raw, data); err != nil {
		return interp.Permanent(interp.Errorf(interp.KindValue, "list %q holds %s values: %v", name, l.Kind, err))
	}
	return nil
}

// itemInput turns a WF value and named arguments into a raw value and data.
func itemInput(v interp.Value, extra *interp.Map) (string, map[string]string, error) {
	var raw string
	data := map[string]string{}
	switch x := v.(type) {
	case string:
		raw = x
	case int64, float64:
		raw = interp.ToString(x)
	case *interp.Map:
		if err := addData(data, x); err != nil {
			return "", nil, err
		}
	default:
		return "", nil, interp.Permanent(interp.Errorf(interp.KindType,
			"value must be a string, a number or a map, got %s", interp.TypeName(v)))
	}
	if extra != nil {
		if err := addData(data, extra); err != nil {
			return "", nil, err
		}
	}
	if len(data) == 0 {
		data = nil
	}
	return raw, data, nil
}

// addData copies scalar entries of m into data as text.
func addData(data map[string]string, m *interp.Map) error {
	for i := range m.Keys() {
		k, v := m.At(i)
		switch v.(type) {
		case nil:
			continue
		case string, int64, float64, bool:
			data[k] = interp.ToString(v)
		default:
			return interp.Permanent(interp.Errorf(interp.KindType, "%s must be a string, a number or a bool, got %s",
				k, interp.TypeName(v)))
		}
	}
	return nil
}

// classify marks errors retrying cannot fix: an unknown List.
func classify(err error) error {
	if errors.Is(err, ErrNotFound) {
		return interp.Permanent(err)
	}
	return err
}

// ListMatch reports whether value is on the named List; an unknown List
// matches nothing. It makes a Service a persona.ListMatcher, so the local
// Persona backend decides reports with the same Lists workflows use.
func (s *Service) ListMatch(ctx context.Context, list, value string) (bool, error) {
	h, err := s.Handle(ctx, list)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, ok := h.MatchString(value)
	return ok, nil
}
