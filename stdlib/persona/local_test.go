package persona

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testStart is the fixed clock of local tests.
var testStart = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// fakeLists is a ListMatcher over exact values.
type fakeLists map[string][]string

func (f fakeLists) ListMatch(_ context.Context, list, value string) (bool, error) {
	if list == "broken" {
		return false, errors.New("list store is down")
	}
	return slices.Contains(f[list], value), nil
}

// seqIDs returns an id generator giving prefix_1, prefix_2, … per prefix.
func seqIDs() func(string) string {
	n := map[string]int{}
	return func(prefix string) string {
		n[prefix]++
		return fmt.Sprintf("%s_%d", prefix, n[prefix])
	}
}

// newTestLocal is a Local over a fresh memory store with a clock that moves
// one second per reading.
func newTestLocal(t *testing.T, lists fakeLists) (*Local, *MemObjectStore) {
	t.Helper()
	store := NewMemObjectStore()
	tick := 0
	now := func() time.Time { tick++; return testStart.Add(time.Duration(tick) * time.Second) }
	c, err := New(Config{Store: store, Lists: lists, Now: now, NewID: seqIDs()})
	require.NoError(t, err)
	return c.(*Local), store
}

// putInquiry stores an inquiry trigger with the given status.
func putInquiry(t *testing.T, l *Local, id, status string) {
	t.Helper()
	_, err := l.Upsert(context.Background(), map[string]any{
		"id": id, "type": "inquiry", "status": status, "tags": []any{"vip"},
		"name_first": "Jane", "birthdate": "1994-12-30", "reference_id": "user-7",
		"fields":  map[string]any{"name_first": "Jane"},
		"account": map[string]any{"id": "act_1", "type": "account", "name_first": "Jane"},
	})
	require.NoError(t, err)
}

func TestLocalDeclinePersists(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	putInquiry(t, l, "inq_1", "completed")

	got, err := l.InquiryDecline(ctx, "inq_1", "IP is on blocked-ips")
	require.NoError(t, err)
	assert.Equal(t, "declined", got["status"])

	stored, err := l.InquiryGet(ctx, "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "declined", stored["status"])
	assert.Equal(t, []any{map[string]any{
		"action": "decline", "status": "declined", "comment": "IP is on blocked-ips", "created_at": "2025-03-04T05:06:08.000Z",
	}}, stored["decisions"])
	assert.Equal(t, "2025-03-04T05:06:08.000Z", stored["decisioned_at"])
	assert.Equal(t, "2025-03-04T05:06:09.000Z", stored["updated_at"])
}

func TestLocalInquiryTransitions(t *testing.T) {
	type step func(*Local, context.Context) (map[string]any, error)
	approve := func(l *Local, ctx context.Context) (map[string]any, error) {
		return l.InquiryApprove(ctx, "inq_1", "ok")
	}
	decline := func(l *Local, ctx context.Context) (map[string]any, error) {
		return l.InquiryDecline(ctx, "inq_1", "no")
	}
	review := func(l *Local, ctx context.Context) (map[string]any, error) {
		return l.InquiryMarkForReview(ctx, "inq_1", "?")
	}
	resume := func(l *Local, ctx context.Context) (map[string]any, error) { return l.InquiryResume(ctx, "inq_1") }
	expire := func(l *Local, ctx context.Context) (map[string]any, error) { return l.InquiryExpire(ctx, "inq_1") }
	for _, tc := range []struct {
		name, from string
		do         step
		want       string // status after, or the error
		decisions  int
	}{
		{"approve completed", "completed", approve, "approved", 1},
		{"approve failed", "failed", approve, "approved", 1},
		{"decline needs_review", "needs_review", decline, "declined", 1},
		{"approve again is a no-op", "approved", approve, "approved", 0},
		{"decline approved", "approved", decline, `inquiry.decline: inquiry "inq_1" is approved, want completed, failed or needs_review`, 0},
		{"approve pending", "pending", approve, `inquiry.approve: inquiry "inq_1" is pending, want completed, failed or needs_review`, 0},
		{"approve without status", "", approve, `inquiry.approve: inquiry "inq_1" is without a status, want completed, failed or needs_review`, 0},
		{"review completed", "completed", review, "needs_review", 1},
		{"review again is a no-op", "needs_review", review, "needs_review", 0},
		{"review declined", "declined", review, `inquiry.mark_for_review: inquiry "inq_1" is declined, want completed or failed`, 0},
		{"resume expired", "expired", resume, "pending", 0},
		{"resume pending", "pending", resume, "pending", 0},
		{"resume approved", "approved", resume, `inquiry.resume: inquiry "inq_1" is approved, want created, pending or expired`, 0},
		{"expire pending", "pending", expire, "expired", 0},
		{"expire expired", "expired", expire, "expired", 0},
		{"expire completed", "completed", expire, `inquiry.expire: inquiry "inq_1" is completed, want created or pending`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			l, _ := newTestLocal(t, nil)
			putInquiry(t, l, "inq_1", tc.from)
			got, err := tc.do(l, ctx)
			stored, gerr := l.InquiryGet(ctx, "inq_1")
			require.NoError(t, gerr)
			if err != nil {
				assert.EqualError(t, err, tc.want)
				assert.Equal(t, tc.from, stored["status"], "a refused action changes nothing")
				return
			}
			assert.Equal(t, tc.want, got["status"])
			assert.Equal(t, tc.want, stored["status"])
			assert.Len(t, listOf(stored["decisions"]), tc.decisions)
		})
	}
}

func TestLocalMissingObjects(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	_, err := l.InquiryDecline(ctx, "inq_x", "no")
	assert.EqualError(t, err, `inquiry.decline: inquiry "inq_x" not found`)
	_, err = l.InquiryGet(ctx, "")
	assert.EqualError(t, err, `inquiry.get: inquiry id is empty`)
	_, err = l.CaseAssign(ctx, "case_x", "ann@example.com")
	assert.EqualError(t, err, `case.assign: case "case_x" not found`)
	_, err = l.ReportGet(ctx, "rep_x")
	assert.EqualError(t, err, `report.get: report "rep_x" not found`)
	_, err = l.AccountAddTag(ctx, "act_x", "t")
	assert.EqualError(t, err, `account.add_tag: account "act_x" not found`)
	_, err = l.TransactionSetStatus(ctx, "txn_x", "approved")
	assert.EqualError(t, err, `transaction.set_status: transaction "txn_x" not found`)
}

func TestLocalTags(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	putInquiry(t, l, "inq_1", "completed")
	_, err := l.InquiryAddTag(ctx, "inq_1", "risky")
	require.NoError(t, err)
	_, err = l.InquiryAddTag(ctx, "inq_1", "risky")
	require.NoError(t, err)
	got, err := l.InquiryGet(ctx, "inq_1")
	require.NoError(t, err)
	assert.Equal(t, []any{"vip", "risky"}, got["tags"])

	_, err = l.InquiryRemoveTag(ctx, "inq_1", "vip")
	require.NoError(t, err)
	got, _ = l.InquiryGet(ctx, "inq_1")
	assert.Equal(t, []any{"risky"}, got["tags"])

	_, err = l.InquirySetTags(ctx, "inq_1", []string{"a", "b", "a"})
	require.NoError(t, err)
	got, _ = l.InquiryGet(ctx, "inq_1")
	assert.Equal(t, []any{"a", "b"}, got["tags"])

	_, err = l.InquiryAddTag(ctx, "inq_1", " ")
	assert.EqualError(t, err, "inquiry.add_tag: tag is empty")
	_, err = l.InquirySetTags(ctx, "inq_1", []string{"ok", ""})
	assert.EqualError(t, err, "inquiry.set_tags: tags must not be empty")
}

func TestLocalRedact(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	putInquiry(t, l, "inq_1", "completed")
	_, err := l.InquiryDecline(ctx, "inq_1", "Jane is 17")
	require.NoError(t, err)

	_, err = l.InquiryRedact(ctx, "inq_1")
	require.NoError(t, err)
	got, err := l.InquiryGet(ctx, "inq_1")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"id": "inq_1", "type": "inquiry", "status": "declined", "tags": []any{"vip"}, "reference_id": "user-7",
		"fields":        map[string]any{},
		"account":       map[string]any{"id": "act_1", "type": "account"},
		"decisions":     []any{map[string]any{"action": "decline", "status": "declined", "created_at": "2025-03-04T05:06:08.000Z"}},
		"decisioned_at": "2025-03-04T05:06:08.000Z",
		"redacted_at":   "2025-03-04T05:06:10.000Z",
		"updated_at":    "2025-03-04T05:06:11.000Z",
	}, got)

	again, err := l.InquiryRedact(ctx, "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "2025-03-04T05:06:10.000Z", again["redacted_at"], "redacting twice keeps the first time")
}

func TestLocalUpsertKeepsNewerState(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	putInquiry(t, l, "inq_1", "completed")
	_, err := l.InquiryApprove(ctx, "inq_1", "")
	require.NoError(t, err)

	// A replayed run saves the original trigger again: the approval stays.
	putInquiry(t, l, "inq_1", "completed")
	got, _ := l.InquiryGet(ctx, "inq_1")
	assert.Equal(t, "approved", got["status"])

	// A later version from Persona replaces it.
	later := map[string]any{"id": "inq_1", "type": "inquiry", "status": "declined", "updated_at": "2030-01-01T00:00:00Z"}
	stored, err := l.Upsert(ctx, later)
	require.NoError(t, err)
	assert.Equal(t, "declined", stored["status"])
	got, _ = l.InquiryGet(ctx, "inq_1")
	assert.Equal(t, later, got)

	_, err = l.Upsert(ctx, map[string]any{"id": "inq_2"})
	assert.EqualError(t, err, "persona: upsert needs an object with a string id and type")
}

func TestLocalCases(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, fakeLists{"business-watchlist": {"Acme"}})
	putInquiry(t, l, "inq_1", "completed")
	rep, err := l.ReportRun(ctx, ReportRequest{Type: "business_watchlist", Query: map[string]any{"name": "Acme"}})
	require.NoError(t, err)

	c, err := l.CaseCreate(ctx, CaseSpec{Template: "kyb-review", Objects: []string{rep["id"].(string), "inq_1"},
		Queue: "cq_1", SLA: 48 * time.Hour, Fields: map[string]any{"riskLevel": "high"}})
	require.NoError(t, err)
	assert.Equal(t, "case_1", c["id"])
	assert.Equal(t, "open", c["status"])
	assert.Equal(t, "kyb-review", c["template"])
	assert.Equal(t, map[string]any{"risk_level": "high"}, c["fields"])
	assert.Equal(t, []any{
		map[string]any{"id": "rep_1", "type": "report/business-watchlist"},
		map[string]any{"id": "inq_1", "type": "inquiry"},
	}, c["objects"])
	assert.Equal(t, "2025-03-06T05:06:10.000Z", c["sla_expires_at"])

	_, err = l.CaseAssign(ctx, "case_1", "ann@example.com")
	require.NoError(t, err)
	_, err = l.CaseSetStatus(ctx, "case_1", "declined")
	require.NoError(t, err)
	_, err = l.CaseAddObjects(ctx, "case_1", []string{"inq_1", "rep_1"})
	require.NoError(t, err)
	_, err = l.CaseAddTag(ctx, "case_1", "kyb")
	require.NoError(t, err)
	_, err = l.CaseAddComment(ctx, "case_1", "looked at it")
	require.NoError(t, err)

	got, err := l.CaseGet(ctx, "case_1")
	require.NoError(t, err)
	assert.Equal(t, "ann@example.com", got["assignee"])
	assert.Equal(t, "declined", got["status"])
	assert.NotNil(t, got["resolved_at"])
	assert.Len(t, got["objects"], 2, "adding linked objects again changes nothing")
	assert.Equal(t, []any{"kyb"}, got["tags"])
	assert.Equal(t, "looked at it", listOf(got["comments"])[0].(map[string]any)["text"])
}

func TestLocalCaseErrors(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	for _, tc := range []struct {
		spec CaseSpec
		want string
	}{
		{CaseSpec{}, "case.create: template is required"},
		{CaseSpec{Template: "t", SLA: 91 * 24 * time.Hour}, "case.create: sla must be between 0 and 90d, got 2184h0m0s"},
		{CaseSpec{Template: "t", Objects: make([]string, 1001)}, "case.create: 1001 objects, at most 1000"},
		{CaseSpec{Template: "t", Objects: []string{"rep_404"}}, `case.create: report "rep_404" not found`},
		{CaseSpec{Template: "t", Objects: []string{"mystery"}}, `case.create: cannot tell what kind of object "mystery" is`},
	} {
		_, err := l.CaseCreate(ctx, tc.spec)
		assert.EqualError(t, err, tc.want)
	}
	c, err := l.CaseCreate(ctx, CaseSpec{Template: "t"})
	require.NoError(t, err)
	_, err = l.CaseAssign(ctx, c["id"].(string), "nobody")
	assert.EqualError(t, err, `case.assign: invalid email address "nobody"`)
	_, err = l.CaseAddObjects(ctx, c["id"].(string), []string{"inq_404"})
	assert.EqualError(t, err, `case.add_objects: inquiry "inq_404" not found`)
	_, err = l.CaseSetStatus(ctx, c["id"].(string), "")
	assert.EqualError(t, err, "case.set_status: status is empty")
}

func TestLocalCreateIsIdempotent(t *testing.T) {
	l, store := newTestLocal(t, nil)
	ctx := WithIdempotencyKey(context.Background(), "run_1/step_3")
	first, err := l.CaseCreate(ctx, CaseSpec{Template: "t"})
	require.NoError(t, err)
	again, err := l.CaseCreate(ctx, CaseSpec{Template: "t"})
	require.NoError(t, err)
	assert.Equal(t, first["id"], again["id"])
	other, err := l.CaseCreate(WithIdempotencyKey(ctx, "run_1/step_4"), CaseSpec{Template: "t"})
	require.NoError(t, err)
	assert.NotEqual(t, first["id"], other["id"])
	cases, err := store.ListObjects(ctx, "case")
	require.NoError(t, err)
	assert.Len(t, cases, 2)

	_, err = l.ReportRun(ctx, ReportRequest{Type: "watchlist", Query: map[string]any{"name": "x"}})
	assert.EqualError(t, err, `report.watchlist: idempotency key "run_1/step_3" was already used to create a case`)
}

func TestLocalConcurrentUpdatesAreNotLost(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	putInquiry(t, l, "inq_1", "completed")
	l.now = func() time.Time { return testStart } // the test clock is not safe for concurrent use
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.InquiryAddTag(ctx, "inq_1", fmt.Sprint("t", i))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := l.InquiryGet(ctx, "inq_1")
	require.NoError(t, err)
	assert.Len(t, got["tags"], 21)
}

// countingStore counts the writes of a MemObjectStore.
type countingStore struct {
	*MemObjectStore
	puts, multi int
}

func (c *countingStore) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	c.puts++
	return c.MemObjectStore.PutObject(ctx, kind, id, obj)
}

func (c *countingStore) PutObjects(ctx context.Context, objs []Object) error {
	c.multi++
	return c.MemObjectStore.PutObjects(ctx, objs)
}

// An action is applied once per idempotency key: the same key again answers
// with the first result and changes nothing; the record of the key is
// written with the action's own write.
func TestOnceAppliesAnActionOncePerKey(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{MemObjectStore: NewMemObjectStore()}
	l, err := NewLocal(Config{Store: st, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	_, err = l.Upsert(ctx, map[string]any{"id": "inq_1", "type": "inquiry", "status": "completed"})
	require.NoError(t, err)
	st.puts, st.multi = 0, 0

	decline := func(ctx context.Context) (map[string]any, error) { return l.InquiryDecline(ctx, "inq_1", "first") }
	first, err := l.Once(FreshKey(ctx), "run_1:k", decline)
	require.NoError(t, err)
	assert.Equal(t, "declined", first["status"])
	assert.Equal(t, 0, st.puts, "no separate write for the record")
	assert.Equal(t, 1, st.multi, "the decision and its record in one write")

	// Someone approves it meanwhile; the step performed again under the same
	// key answers with its first result and performs nothing.
	obj, err := st.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	obj["status"] = "approved"
	require.NoError(t, st.PutObject(ctx, "inquiry", "inq_1", obj))
	again, err := l.Once(ctx, "run_1:k", func(ctx context.Context) (map[string]any, error) {
		t.Fatal("the action was performed again")
		return nil, nil
	})
	require.NoError(t, err)
	assert.Equal(t, "declined", again["status"])
	assert.Equal(t, "first", again["decisions"].([]any)[0].(map[string]any)["comment"])

	// An action that writes nothing (the decision it already has) still
	// gets its record.
	st.puts = 0
	_, err = l.Once(ctx, "run_2:k", func(ctx context.Context) (map[string]any, error) { return l.InquiryApprove(ctx, "inq_1", "") })
	require.NoError(t, err)
	assert.Equal(t, 1, st.puts)
	_, err = st.GetObject(ctx, appliedKind, "run_2:k")
	assert.NoError(t, err)
}
