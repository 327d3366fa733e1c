package persona

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Local is the local backend: Persona actions applied to objects in an
// ObjectStore, with reports and verifications decided by local Lists. It
// needs no Persona account and, given a fixed clock and id generator, is
// deterministic. Decisions follow Persona's lifecycle:
//
//   - approve and decline apply to completed, failed and needs_review
//     inquiries; mark_for_review to completed and failed ones. Repeating the
//     decision an inquiry already has is a no-op (retries are safe); any
//     other change, such as declining an approved inquiry, is an error.
//   - resume reopens an expired inquiry (status pending) and leaves created
//     and pending ones as they are; expire applies to created and pending
//     inquiries and is a no-op on expired ones.
//   - redact keeps only ids, status, tags and timestamps, empties fields,
//     turns related objects into {id, type} references and sets
//     redacted_at; redacting twice is a no-op.
//
// Reports match when their subject is on a List: watchlist → `watchlist`,
// politically_exposed_person → `pep`, adverse_media → `adverse-media`
// (subject: term or name, else name_first name_middle name_last),
// business_watchlist → `business-watchlist`, business_adverse_media →
// `business-adverse-media` (term or name), email_address → `risky-emails`,
// phone_number → `risky-phones`; business_lookup and address_lookup are
// always ready and unmatched. verification.tin_check (and verification.run
// of type database_tin) fails when the TIN is on `failed-tins`; every other
// verification passes. Creates (case, report, verification, transaction)
// with an idempotency key in the context return the object the key created
// before instead of a new one.
type Local struct {
	mu sync.Mutex // serializes read-modify-write of objects
	// keysMu guards keys, a lock per idempotency key in use (see Once).
	keysMu sync.Mutex
	keys   map[string]*keyLock
	store  ObjectStore
	lists  ListMatcher
	now    func() time.Time
	newID  func(prefix string) string
}

// NewLocal returns a local backend over cfg.Store, using cfg.Lists,
// cfg.Now and cfg.NewID (defaults: no lists, time.Now, random ids).
func NewLocal(cfg Config) (*Local, error) {
	if cfg.Store == nil {
		return nil, errors.New("persona: the local backend needs an object store")
	}
	l := &Local{store: cfg.Store, lists: cfg.Lists, now: cfg.Now, newID: cfg.NewID}
	if l.now == nil {
		l.now = time.Now
	}
	if l.newID == nil {
		l.newID = randomID
	}
	return l, nil
}

// randomID makes a Persona-style id: prefix, "_", 24 random characters.
func randomID(prefix string) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + "_" + string(b)
}

// Upsert saves obj, a normalized object such as an event's trigger, so
// actions can find it; its kind comes from its type. An object the store
// already holds is replaced only when obj's updated_at is later than the
// stored one's (or the stored one has none), so state changed by earlier
// actions is not lost when a run is replayed. It returns what is stored.
func (l *Local) Upsert(ctx context.Context, obj map[string]any) (map[string]any, error) {
	id, typ := str(obj["id"]), str(obj["type"])
	if id == "" || typ == "" {
		return nil, errors.New("persona: upsert needs an object with a string id and type")
	}
	kind := kindOf(typ)
	l.mu.Lock()
	defer l.mu.Unlock()
	cur, err := l.store.GetObject(ctx, kind, id)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("persona: upsert %s %q: %w", kind, id, err)
	case !newer(obj["updated_at"], cur["updated_at"]):
		return cur, nil
	}
	if err := l.store.PutObject(ctx, kind, id, obj); err != nil {
		return nil, fmt.Errorf("persona: upsert %s %q: %w", kind, id, err)
	}
	return copyObject(obj), nil
}

// newer reports whether timestamp a is later than b, or b is not a time.
func newer(a, b any) bool {
	tb, err := time.Parse(time.RFC3339Nano, str(b))
	if err != nil {
		return true
	}
	ta, err := time.Parse(time.RFC3339Nano, str(a))
	return err == nil && ta.After(tb)
}

// load reads an object for an action, with a clear error when it is missing.
func (l *Local) load(ctx context.Context, op, kind, id string) (map[string]any, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("%s: %s id is empty", op, kind)
	}
	obj, err := l.store.GetObject(ctx, kind, id)
	if errors.Is(err, ErrNotFound) {
		return nil, &notFoundError{msg: fmt.Sprintf("%s: %s %q not found", op, kind, id)}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return obj, nil
}

// save stamps updated_at and writes obj back (with the record of the
// action under way, see Once).
func (l *Local) save(ctx context.Context, op string, obj map[string]any) (map[string]any, error) {
	obj["updated_at"] = timestamp(l.now())
	objs := l.withApplied(ctx, []Object{{Kind: kindOf(str(obj["type"])), ID: str(obj["id"]), Data: obj}}, obj)
	if err := l.store.PutObjects(ctx, objs); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return obj, nil
}

// update loads an object, applies change and saves it.
func (l *Local) update(ctx context.Context, op, kind, id string, change func(map[string]any) error) (map[string]any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	obj, err := l.load(ctx, op, kind, id)
	if err != nil {
		return nil, err
	}
	if err := change(obj); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return l.save(ctx, op, obj)
}

// inquiryDecisions are the decision actions: target status and the
// statuses they apply to.
var inquiryDecisions = map[string]struct {
	status string
	from   []string
}{
	"approve":         {"approved", []string{"completed", "failed", "needs_review"}},
	"decline":         {"declined", []string{"completed", "failed", "needs_review"}},
	"mark_for_review": {"needs_review", []string{"completed", "failed"}},
}

// InquiryGet implements Client.
func (l *Local) InquiryGet(ctx context.Context, id string) (map[string]any, error) {
	return l.load(ctx, "inquiry.get", "inquiry", id)
}

// InquiryApprove implements Client.
func (l *Local) InquiryApprove(ctx context.Context, id, comment string) (map[string]any, error) {
	return l.decide(ctx, "approve", id, comment)
}

// InquiryDecline implements Client.
func (l *Local) InquiryDecline(ctx context.Context, id, comment string) (map[string]any, error) {
	return l.decide(ctx, "decline", id, comment)
}

// InquiryMarkForReview implements Client.
func (l *Local) InquiryMarkForReview(ctx context.Context, id, comment string) (map[string]any, error) {
	return l.decide(ctx, "mark_for_review", id, comment)
}

// decide applies a decision action and records it under `decisions`.
func (l *Local) decide(ctx context.Context, action, id, comment string) (map[string]any, error) {
	op := "inquiry." + action
	d := inquiryDecisions[action]
	l.mu.Lock()
	defer l.mu.Unlock()
	obj, err := l.load(ctx, op, "inquiry", id)
	if err != nil {
		return nil, err
	}
	status := str(obj["status"])
	if status == d.status {
		return obj, nil
	}
	if !slices.Contains(d.from, status) {
		return nil, &stateError{msg: fmt.Sprintf("%s: inquiry %q is %s, want %s", op, id, orNone(status), orList(d.from))}
	}
	now := timestamp(l.now())
	obj["status"] = d.status
	entry := map[string]any{"action": action, "status": d.status, "comment": comment, "created_at": now}
	obj["decisions"] = append(listOf(obj["decisions"]), entry)
	if action != "mark_for_review" {
		obj["decisioned_at"] = now
	}
	return l.save(ctx, op, obj)
}

// InquiryResume implements Client.
func (l *Local) InquiryResume(ctx context.Context, id string) (map[string]any, error) {
	return l.update(ctx, "inquiry.resume", "inquiry", id, func(obj map[string]any) error {
		switch status := str(obj["status"]); status {
		case "created", "pending":
			return nil
		case "expired":
			obj["status"] = "pending"
			obj["expired_at"] = nil
			return nil
		default:
			return fmt.Errorf("inquiry %q is %s, want created, pending or expired", id, orNone(status))
		}
	})
}

// InquiryExpire implements Client.
func (l *Local) InquiryExpire(ctx context.Context, id string) (map[string]any, error) {
	return l.update(ctx, "inquiry.expire", "inquiry", id, func(obj map[string]any) error {
		switch status := str(obj["status"]); status {
		case "expired":
			return nil
		case "created", "pending":
			obj["status"] = "expired"
			obj["expired_at"] = timestamp(l.now())
			return nil
		default:
			return fmt.Errorf("inquiry %q is %s, want created or pending", id, orNone(status))
		}
	})
}

// InquiryAddTag implements Client.
func (l *Local) InquiryAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "inquiry.add_tag", "inquiry", id, tag, true)
}

// InquiryRemoveTag implements Client.
func (l *Local) InquiryRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "inquiry.remove_tag", "inquiry", id, tag, false)
}

// InquirySetTags implements Client.
func (l *Local) InquirySetTags(ctx context.Context, id string, tags []string) (map[string]any, error) {
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			return nil, errors.New("inquiry.set_tags: tags must not be empty")
		}
	}
	return l.update(ctx, "inquiry.set_tags", "inquiry", id, func(obj map[string]any) error {
		obj["tags"] = strSliceToAny(addUnique(nil, tags...))
		return nil
	})
}

// tag adds or removes one tag on any kind of object.
func (l *Local) tag(ctx context.Context, op, kind, id, tag string, add bool) (map[string]any, error) {
	if strings.TrimSpace(tag) == "" {
		return nil, fmt.Errorf("%s: tag is empty", op)
	}
	return l.update(ctx, op, kind, id, func(obj map[string]any) error {
		tags := stringList(obj["tags"])
		if add {
			tags = addUnique(tags, tag)
		} else {
			tags = slices.DeleteFunc(tags, func(t string) bool { return t == tag })
		}
		obj["tags"] = strSliceToAny(tags)
		return nil
	})
}

// redactKeep are the attributes redaction keeps: nothing personal.
var redactKeep = []string{
	"id", "type", "status", "tags", "reference_id", "created_at", "updated_at", "started_at",
	"completed_at", "failed_at", "decisioned_at", "expired_at", "redacted_at",
}

// InquiryRedact implements Client.
func (l *Local) InquiryRedact(ctx context.Context, id string) (map[string]any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	obj, err := l.load(ctx, "inquiry.redact", "inquiry", id)
	if err != nil {
		return nil, err
	}
	if obj["redacted_at"] != nil {
		return obj, nil
	}
	red := redacted(obj)
	red["redacted_at"] = timestamp(l.now())
	return l.save(ctx, "inquiry.redact", red)
}

// redacted is obj without personal data: kept attributes, an empty fields
// map, related objects as references and decisions without comments.
func redacted(obj map[string]any) map[string]any {
	out := map[string]any{"fields": map[string]any{}}
	for k, v := range obj {
		switch {
		case slices.Contains(redactKeep, k):
			out[k] = v
		case k == "decisions":
			out[k] = decisionsWithoutComments(v)
		case refOf(v) != nil:
			out[k] = refOf(v)
		}
	}
	return out
}

// decisionsWithoutComments copies a decisions list, dropping comments.
func decisionsWithoutComments(v any) []any {
	var out []any
	for _, e := range listOf(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, withoutKeys(m, "comment"))
		}
	}
	return out
}

// refOf is the {id, type} reference of a related object, or list of them;
// nil when v is not one.
func refOf(v any) any {
	switch t := v.(type) {
	case map[string]any:
		id, typ := str(t["id"]), str(t["type"])
		if id == "" || typ == "" {
			return nil
		}
		return map[string]any{"id": id, "type": typ}
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			r := refOf(e)
			if r == nil {
				return nil
			}
			out = append(out, r)
		}
		return out
	default:
		return nil
	}
}

// listOf is v as a list, nil when it is not one.
func listOf(v any) []any {
	list, _ := v.([]any)
	return list
}

// orNone is status, or "without a status" when empty.
func orNone(status string) string {
	if status == "" {
		return "without a status"
	}
	return status
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// notFoundError reads like "inquiry.decline: inquiry "inq_x" not found"
// and is an ErrNotFound.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// ErrState marks an action the object's current status does not allow
// (declining an approved inquiry); retrying cannot help.
var ErrState = errors.New("not allowed in the object's status")

type stateError struct{ msg string }

func (e *stateError) Error() string        { return e.msg }
func (e *stateError) Is(target error) bool { return target == ErrState }

// appliedKind is the store kind of the record of an action applied under
// an idempotency key.
const appliedKind = "applied_action"

// Once applies an action at most once per idempotency key: the first call
// with key performs f and records its result; a later call with the same key
// (a step performed again after a crash, the run resumed) returns that
// first result without performing anything. Errors are not recorded, so a
// failed action may be tried again.
//
// The record is written with the action's own write (the object it saves),
// in one transaction, so an action costs one write; an action that writes
// nothing (a decision the inquiry already has) gets the record alone. With
// FreshKey in ctx the caller knows the key was never used before, and the
// lookup is skipped.
func (l *Local) Once(ctx context.Context, key string, f func(ctx context.Context) (map[string]any, error)) (map[string]any, error) {
	unlock := l.lockKey(key)
	defer unlock()
	if fresh, _ := ctx.Value(freshKey{}).(bool); !fresh {
		rec, err := l.store.GetObject(ctx, appliedKind, key)
		switch {
		case err == nil:
			res, _ := rec["result"].(map[string]any)
			return res, nil
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	p := &pendingApplied{key: key}
	res, err := f(context.WithValue(ctx, pendingKey{}, p))
	if err != nil || p.written {
		return res, err
	}
	if err := l.store.PutObject(ctx, appliedKind, key, l.appliedRecord(key, res)); err != nil {
		return nil, fmt.Errorf("recording the action applied under %s: %w", key, err)
	}
	return res, nil
}

// FreshKey marks ctx as carrying an idempotency key never used before (the
// first attempt of a step that was not in the journal), so Once need not
// look for an earlier result.
func FreshKey(ctx context.Context) context.Context { return context.WithValue(ctx, freshKey{}, true) }

type freshKey struct{}

// pendingApplied is the record Once wants written with the action's write.
type pendingApplied struct {
	key     string
	written bool
}

type pendingKey struct{}

func (l *Local) appliedRecord(key string, res map[string]any) map[string]any {
	return map[string]any{"id": key, "type": appliedKind, "result": res, "applied_at": timestamp(l.now())}
}

// withApplied adds the record of the action under way (see Once) to the
// objects its final write saves; obj is what the action returns.
func (l *Local) withApplied(ctx context.Context, objs []Object, obj map[string]any) []Object {
	p, _ := ctx.Value(pendingKey{}).(*pendingApplied)
	if p == nil || p.written {
		return objs
	}
	p.written = true
	return append(objs, Object{Kind: appliedKind, ID: p.key, Data: l.appliedRecord(p.key, obj)})
}

// lockKey serialises actions under one idempotency key.
func (l *Local) lockKey(key string) func() {
	l.keysMu.Lock()
	if l.keys == nil {
		l.keys = map[string]*keyLock{}
	}
	k := l.keys[key]
	if k == nil {
		k = &keyLock{}
		l.keys[key] = k
	}
	k.users++
	l.keysMu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.keysMu.Lock()
		if k.users--; k.users == 0 {
			delete(l.keys, key)
		}
		l.keysMu.Unlock()
	}
}

// keyLock is the lock of one idempotency key and how many wait for it.
type keyLock struct {
	mu    sync.Mutex
	users int
}
