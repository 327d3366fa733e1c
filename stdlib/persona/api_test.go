package persona

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is the idempotency key API tests put in the context.
const testKey = "run_1/step_2"

// exchange is one expected request and the reply the server gives it.
type exchange struct {
	method, path, query string
	body                string // expected JSON body, "" for none
	key                 string // expected Idempotency-Key, "" for none
	status              int    // reply status, 0 for 200
	reply               string // reply body
	header              map[string]string
}

// seen is a request as the server received it.
type seen struct {
	method, path, query, body string
	header                    http.Header
}

// fakeAPI is a loopback Persona that replays scripted replies.
type fakeAPI struct {
	mu       sync.Mutex
	script   []exchange
	got      []seen
	fallback exchange
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	n := len(f.got)
	f.got = append(f.got, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(body), r.Header.Clone()})
	ex := f.fallback
	if n < len(f.script) {
		ex = f.script[n]
	}
	f.mu.Unlock()
	for k, v := range ex.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(cmp.Or(ex.status, http.StatusOK))
	_, _ = io.WriteString(w, ex.reply)
}

// fakeTime is a clock that only moves when something sleeps.
type fakeTime struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeTime) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeTime) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

// newTestAPI starts a fake Persona serving script and returns an API on it.
func newTestAPI(t *testing.T, cfg Config, script ...exchange) (*API, *fakeAPI, *fakeTime) {
	t.Helper()
	fake := &fakeAPI{script: script, fallback: exchange{status: 500, reply: `{"errors":[{"title":"unscripted request"}]}`}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	clock := &fakeTime{now: testStart}
	cfg.Backend, cfg.APIKey, cfg.BaseURL, cfg.Version = "api", "sk_test_123", srv.URL+"/api/v1/", "1.2.3"
	cfg.HTTPClient, cfg.Now, cfg.Sleep = srv.Client(), clock.Now, clock.Sleep
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 1)
	c, err := New(cfg)
	require.NoError(t, err)
	return c.(*API), fake, clock
}

// checkExchanges asserts that the server saw exactly the scripted requests.
func checkExchanges(t *testing.T, fake *fakeAPI, want []exchange) {
	t.Helper()
	fake.mu.Lock()
	defer fake.mu.Unlock()
	require.Len(t, fake.got, len(want), "number of requests")
	for i, w := range want {
		g := fake.got[i]
		assert.Equal(t, w.method, g.method, "request %d method", i)
		assert.Equal(t, "/api/v1"+w.path, g.path, "request %d path", i)
		assert.Equal(t, w.query, g.query, "request %d query", i)
		if w.body == "" {
			assert.Empty(t, g.body, "request %d body", i)
			assert.Empty(t, g.header.Get("Content-Type"), "request %d content type", i)
		} else {
			assert.JSONEq(t, w.body, g.body, "request %d body", i)
			assert.Equal(t, "application/json", g.header.Get("Content-Type"), "request %d content type", i)
		}
		assert.Equal(t, w.key, g.header.Get("Idempotency-Key"), "request %d idempotency key", i)
		assert.Equal(t, "Bearer sk_test_123", g.header.Get("Authorization"), "request %d", i)
		assert.Equal(t, "2023-01-05", g.header.Get("Persona-Version"), "request %d", i)
		assert.Equal(t, "snake", g.header.Get("Key-Inflection"), "request %d", i)
		assert.Equal(t, "wf/1.2.3", g.header.Get("User-Agent"), "request %d", i)
		assert.Equal(t, "application/json", g.header.Get("Accept"), "request %d", i)
	}
}

// obj is a JSON:API reply holding one resource.
func obj(typ, id, attrs string) string {
	return `{"data": {"type": "` + typ + `", "id": "` + id + `", "attributes": ` + attrs + `}}`
}

// post, get, patch and del build expected exchanges.
func post(path, body, reply string) exchange {
	return exchange{method: "POST", path: path, body: body, key: testKey, reply: reply}
}
func get(path, reply string) exchange { return exchange{method: "GET", path: path, reply: reply} }
func patch(path, body, reply string) exchange {
	return exchange{method: "PATCH", path: path, body: body, key: testKey, reply: reply}
}

var (
	inqReply  = obj("inquiry", "inq_1", `{"status": "approved", "tags": ["a"]}`)
	caseReply = obj("case", "case_1", `{"status": "open"}`)
	actReply  = obj("account", "act_1", `{"reference_id": "user-7"}`)
	txnReply  = obj("transaction", "txn_1", `{"status": "created"}`)
)

// apiCase is one action and the requests it must make.
type apiCase struct {
	name string
	call func(context.Context, *API) (map[string]any, error)
	want []exchange
}

func inquiryCases() []apiCase {
	return []apiCase{
		{"inquiry.get", func(ctx context.Context, a *API) (map[string]any, error) { return a.InquiryGet(ctx, "inq_1") },
			[]exchange{get("/inquiries/inq_1", inqReply)}},
		{"inquiry.get escapes ids", func(ctx context.Context, a *API) (map[string]any, error) { return a.InquiryGet(ctx, "inq/../x") },
			[]exchange{get("/inquiries/inq%2F..%2Fx", inqReply)}},
		{"inquiry.approve", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryApprove(ctx, "inq_1", "looks good")
		}, []exchange{post("/inquiries/inq_1/approve", `{"meta": {"comment": "looks good"}}`, inqReply)}},
		{"inquiry.approve without comment", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryApprove(ctx, "inq_1", "")
		}, []exchange{post("/inquiries/inq_1/approve", `{"meta": {}}`, inqReply)}},
		{"inquiry.decline", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryDecline(ctx, "inq_1", "IP blocked")
		}, []exchange{post("/inquiries/inq_1/decline", `{"meta": {"comment": "IP blocked"}}`, inqReply)}},
		{"inquiry.mark_for_review", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryMarkForReview(ctx, "inq_1", "under 18")
		}, []exchange{post("/inquiries/inq_1/mark-for-review", `{"meta": {"comment": "under 18"}}`, inqReply)}},
		{"inquiry.resume", func(ctx context.Context, a *API) (map[string]any, error) { return a.InquiryResume(ctx, "inq_1") },
			[]exchange{post("/inquiries/inq_1/resume", "", inqReply)}},
		{"inquiry.expire", func(ctx context.Context, a *API) (map[string]any, error) { return a.InquiryExpire(ctx, "inq_1") },
			[]exchange{post("/inquiries/inq_1/expire", "", inqReply)}},
		{"inquiry.add_tag", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryAddTag(ctx, "inq_1", "risky")
		},
			[]exchange{post("/inquiries/inq_1/add-tag", `{"meta": {"tag_name": "risky"}}`, inqReply)}},
		{"inquiry.remove_tag", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquiryRemoveTag(ctx, "inq_1", "risky")
		}, []exchange{post("/inquiries/inq_1/remove-tag", `{"meta": {"tag_name": "risky"}}`, inqReply)}},
		{"inquiry.set_tags", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.InquirySetTags(ctx, "inq_1", []string{"a", "b", "a"})
		}, []exchange{post("/inquiries/inq_1/set-tags", `{"meta": {"tag_name": ["a", "b"]}}`, inqReply)}},
		{"inquiry.redact", func(ctx context.Context, a *API) (map[string]any, error) { return a.InquiryRedact(ctx, "inq_1") },
			[]exchange{{method: "DELETE", path: "/inquiries/inq_1", key: testKey, reply: inqReply}}},
	}
}

func caseCases() []apiCase {
	return []apiCase{
		{"case.create", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseCreate(ctx, CaseSpec{Template: "kyb-review", Objects: []string{"rep_1", "ver_1"}, Queue: "cq_1",
				SLA: 48 * time.Hour, Fields: map[string]any{"riskLevel": "high"}})
		}, []exchange{post("/cases", `{"data": {"attributes": {"case_template_id": "ctmpl_kyb", "case_queue_id": "cq_1",
			"fields": {"risk_level": "high"}}}, "meta": {"object_ids": ["rep_1", "ver_1"], "sla_expires_in_seconds": 172800}}`, caseReply)}},
		{"case.create minimal", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseCreate(ctx, CaseSpec{Template: "ctmpl_direct"})
		}, []exchange{post("/cases", `{"data": {"attributes": {"case_template_id": "ctmpl_direct"}}}`, caseReply)}},
		{"case.get", func(ctx context.Context, a *API) (map[string]any, error) { return a.CaseGet(ctx, "case_1") },
			[]exchange{get("/cases/case_1", caseReply)}},
		{"case.assign", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseAssign(ctx, "case_1", "ann@example.com")
		}, []exchange{post("/cases/case_1/assign", `{"meta": {"user_email_address": "ann@example.com"}}`, caseReply)}},
		{"case.set_status", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseSetStatus(ctx, "case_1", "approved")
		}, []exchange{post("/cases/case_1/set-status", `{"meta": {"status": "approved"}}`, caseReply)}},
		{"case.add_objects", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseAddObjects(ctx, "case_1", []string{"inq_1", "rep_1"})
		}, []exchange{post("/cases/case_1/add-objects", `{"meta": {"object_ids": ["inq_1", "rep_1"]}}`, caseReply)}},
		{"case.add_tag", func(ctx context.Context, a *API) (map[string]any, error) { return a.CaseAddTag(ctx, "case_1", "kyb") },
			[]exchange{post("/cases/case_1/add-tag", `{"meta": {"tag_name": "kyb"}}`, caseReply)}},
		{"case.remove_tag", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.CaseRemoveTag(ctx, "case_1", "kyb")
		},
			[]exchange{post("/cases/case_1/remove-tag", `{"meta": {"tag_name": "kyb"}}`, caseReply)}},
	}
}

func accountAndTransactionCases() []apiCase {
	const find = "filter%5Breference-id%5D=user-7&page%5Bsize%5D=1"
	return []apiCase{
		{"account.get", func(ctx context.Context, a *API) (map[string]any, error) { return a.AccountGet(ctx, "act_1") },
			[]exchange{get("/accounts/act_1", actReply)}},
		{"account.find_or_create finds", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.AccountFindOrCreate(ctx, "user-7", map[string]any{"name_first": "Jane"})
		}, []exchange{{method: "GET", path: "/accounts", query: find,
			reply: `{"data": [{"type": "account", "id": "act_1", "attributes": {"reference_id": "user-7"}}]}`}}},
		{"account.find_or_create creates", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.AccountFindOrCreate(ctx, "user-7", map[string]any{"nameFirst": "Jane"})
		}, []exchange{{method: "GET", path: "/accounts", query: find, reply: `{"data": []}`},
			post("/accounts", `{"data": {"attributes": {"reference_id": "user-7", "fields": {"name_first": "Jane"}}}}`, actReply)}},
		{"account.find_or_create after a race", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.AccountFindOrCreate(ctx, "user-7", nil)
		}, []exchange{{method: "GET", path: "/accounts", query: find, reply: `{"data": []}`},
			{method: "POST", path: "/accounts", body: `{"data": {"attributes": {"reference_id": "user-7"}}}`, key: testKey,
				status: 409, reply: `{"errors": [{"title": "Conflict"}]}`},
			{method: "GET", path: "/accounts", query: find,
				reply: `{"data": [{"type": "account", "id": "act_1", "attributes": {"reference_id": "user-7"}}]}`}}},
		{"account.update", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.AccountUpdate(ctx, "act_1", map[string]any{"name_last": "Doe"})
		}, []exchange{patch("/accounts/act_1", `{"data": {"attributes": {"fields": {"name_last": "Doe"}}}}`, actReply)}},
		{"account.add_tag", func(ctx context.Context, a *API) (map[string]any, error) { return a.AccountAddTag(ctx, "act_1", "vip") },
			[]exchange{post("/accounts/act_1/add-tag", `{"meta": {"tag_name": "vip"}}`, actReply)}},
		{"account.remove_tag", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.AccountRemoveTag(ctx, "act_1", "vip")
		}, []exchange{post("/accounts/act_1/remove-tag", `{"meta": {"tag_name": "vip"}}`, actReply)}},
		{"transaction.create", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.TransactionCreate(ctx, TransactionSpec{Type: "txntp_1", Fields: map[string]any{"amount": int64(500)}, ReferenceID: "user-7"})
		}, []exchange{post("/transactions", `{"data": {"attributes": {"transaction_type_id": "txntp_1",
			"fields": {"amount": 500}, "reference_id": "user-7"}}}`, txnReply)}},
		{"transaction.set_status", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.TransactionSetStatus(ctx, "txn_1", "approved")
		}, []exchange{patch("/transactions/txn_1", `{"data": {"attributes": {"status": "approved"}}}`, txnReply)}},
		{"transaction.add_label", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.TransactionAddLabel(ctx, "txn_1", "fraud")
		}, []exchange{post("/transactions/txn_1/label", `{"meta": {"label": "fraud"}}`, txnReply)}},
	}
}

// apiTestConfig maps template names as a deployment would.
var apiTestConfig = Config{
	CaseTemplates:         map[string]string{"kyb-review": "ctmpl_kyb"},
	ReportTemplates:       map[string]string{"watchlist": "rptp_wl"},
	VerificationTemplates: map[string]string{"database_tin": "vtmpl_tin"},
}

func TestAPIRequests(t *testing.T) {
	var cases []apiCase
	cases = append(cases, inquiryCases()...)
	cases = append(cases, caseCases()...)
	cases = append(cases, reportCases()...)
	cases = append(cases, accountAndTransactionCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, fake, _ := newTestAPI(t, apiTestConfig, tc.want...)
			got, err := tc.call(WithIdempotencyKey(context.Background(), testKey), a)
			require.NoError(t, err)
			checkExchanges(t, fake, tc.want)
			assert.NotEmpty(t, got["id"])
			assert.NotContains(t, got, "attributes", "results are normalized")
		})
	}
}
