package persona

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLocalReportFlipsWhenNameIsListed(t *testing.T) {
	ctx := context.Background()
	lists := fakeLists{}
	l, _ := newTestLocal(t, lists)

	clean, err := l.ReportRun(ctx, ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Ivan Petrov"}})
	require.NoError(t, err)
	assert.Equal(t, false, clean["matched"])
	assert.Equal(t, "ready", clean["status"])
	assert.Equal(t, "report/watchlist", clean["type"])
	assert.Equal(t, map[string]any{"term": "Ivan Petrov"}, clean["query"])

	lists["watchlist"] = []string{"Ivan Petrov"}
	hit, err := l.ReportRun(ctx, ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Ivan Petrov"}})
	require.NoError(t, err)
	assert.Equal(t, true, hit["matched"])
	assert.Equal(t, true, hit["has_match"])
	assert.Equal(t, []any{"watchlist"}, hit["matched_lists"])
	assert.NotEqual(t, clean["id"], hit["id"])

	stored, err := l.ReportGet(ctx, hit["id"].(string))
	require.NoError(t, err)
	assert.Equal(t, hit, stored)
}

func TestLocalReportTypesUseTheirLists(t *testing.T) {
	for _, tc := range []struct {
		typ, list, value string
		query            map[string]any
	}{
		{"watchlist", "watchlist", "Jane Q Doe", map[string]any{"name_first": "Jane", "name_middle": "Q", "name_last": "Doe"}},
		{"politically_exposed_person", "pep", "Jane Doe", map[string]any{"name": "Jane Doe"}},
		{"adverse_media", "adverse-media", "Jane Doe", map[string]any{"term": "Jane Doe"}},
		{"business_watchlist", "business-watchlist", "Acme", map[string]any{"name": "Acme"}},
		{"business_adverse_media", "business-adverse-media", "Acme", map[string]any{"name": "Acme"}},
		{"email_address", "risky-emails", "a@x.com", map[string]any{"email": "a@x.com"}},
		{"phone_number", "risky-phones", "+15550100", map[string]any{"phone_number": "+15550100"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			ctx := context.Background()
			assert.Equal(t, tc.list, LocalReportList(tc.typ))
			l, _ := newTestLocal(t, fakeLists{tc.list: {tc.value}})
			got, err := l.ReportRun(ctx, ReportRequest{Type: tc.typ, Query: tc.query})
			require.NoError(t, err)
			assert.Equal(t, true, got["matched"])
			other, _ := newTestLocal(t, fakeLists{"some-other-list": {tc.value}})
			got, err = other.ReportRun(ctx, ReportRequest{Type: tc.typ, Query: tc.query})
			require.NoError(t, err)
			assert.Equal(t, false, got["matched"])
		})
	}
}

func TestLocalLookupReportsAreReady(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, fakeLists{"watchlist": {"Acme"}})
	got, err := l.ReportRun(ctx, ReportRequest{Type: "business_lookup",
		Query: map[string]any{"name": "Acme", "address": "1 Main St"}, AccountID: "act_1", TemplateID: "rptp_1"})
	require.NoError(t, err)
	assert.Equal(t, "ready", got["status"])
	assert.Equal(t, false, got["matched"])
	assert.Equal(t, map[string]any{"business_name": "Acme", "address_street_1": "1 Main St"}, got["query"])
	assert.Equal(t, map[string]any{"id": "act_1", "type": "account"}, got["account"])
	assert.Equal(t, "rptp_1", got["report_template_id"])
}

func TestLocalReportErrors(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, fakeLists{})
	for _, tc := range []struct {
		req  ReportRequest
		want string
	}{
		{ReportRequest{Type: "watchlists"}, `report.run: unknown report type "watchlists", want one of address_lookup, ` +
			`adverse_media, business_adverse_media, business_lookup, business_watchlist, email_address, phone_number, ` +
			`politically_exposed_person, watchlist`},
		{ReportRequest{Type: "watchlist", Query: map[string]any{"birthdate": "1990-01-01"}},
			"report.watchlist: the query needs one of name, name_first, name_last, term"},
		{ReportRequest{Type: "business_watchlist", Query: map[string]any{"term": " "}},
			"report.business_watchlist: the query needs one of name, term"},
		{ReportRequest{Type: "email_address"}, "report.email_address: the query needs one of email, email_address"},
		{ReportRequest{Type: "address_lookup", Query: map[string]any{"address": "1 Main", "city": "X"}},
			"report.address_lookup: the query needs one of address_subdivision, subdivision"},
		{ReportRequest{Type: "watchlist", Query: map[string]any{"name": "A", "term": "B"}},
			"report.watchlist: give name or term, not both"},
	} {
		_, err := l.ReportRun(ctx, tc.req)
		assert.EqualError(t, err, tc.want)
	}
	broken, _ := newTestLocal(t, fakeLists{})
	broken.lists = brokenLists{}
	_, err := broken.ReportRun(ctx, ReportRequest{Type: "pep", Query: map[string]any{"name": "x"}})
	assert.ErrorContains(t, err, "unknown report type")
	_, err = broken.ReportRun(ctx, ReportRequest{Type: "politically_exposed_person", Query: map[string]any{"name": "x"}})
	assert.EqualError(t, err, `report.politically_exposed_person: list "pep": list store is down`)
}

// brokenLists fails every lookup.
type brokenLists struct{}

func (brokenLists) ListMatch(ctx context.Context, _, value string) (bool, error) {
	return fakeLists{}.ListMatch(ctx, "broken", value)
}

func TestLocalVerifications(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, fakeLists{"failed-tins": {"12-3456789"}})

	ok, err := l.VerificationTinCheck(ctx, "98-7654321", "Acme Inc")
	require.NoError(t, err)
	assert.Equal(t, "passed", ok["status"])
	assert.Equal(t, "verification/database-tin", ok["type"])
	assert.Equal(t, "Acme Inc", ok["name_business"])
	assert.True(t, strings.HasPrefix(ok["id"].(string), "ver_"))

	bad, err := l.VerificationTinCheck(ctx, "12-3456789", "Acme Inc")
	require.NoError(t, err)
	assert.Equal(t, "failed", bad["status"])

	viaRun, err := l.VerificationRun(ctx, VerificationRequest{Type: "database_tin", Fields: map[string]any{"tin": "12-3456789"}})
	require.NoError(t, err)
	assert.Equal(t, "failed", viaRun["status"])

	other, err := l.VerificationRun(ctx, VerificationRequest{Type: "database_business", Fields: map[string]any{"businessName": "Acme", "id": "spoof"}})
	require.NoError(t, err)
	assert.Equal(t, "passed", other["status"])
	assert.Equal(t, "verification/database-business", other["type"])
	assert.Equal(t, "Acme", other["business_name"])
	assert.NotEqual(t, "spoof", other["id"], "fields cannot override the id")

	_, err = l.VerificationTinCheck(ctx, "", "Acme")
	assert.EqualError(t, err, "verification.tin_check: tin is required")
	_, err = l.VerificationRun(ctx, VerificationRequest{Type: "Government ID"})
	assert.EqualError(t, err, `verification.run: invalid verification type "Government ID", want snake_case such as database_tin`)
}

func TestLocalAccounts(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	a, err := l.AccountFindOrCreate(ctx, "user-7", map[string]any{"nameFirst": "Jane"})
	require.NoError(t, err)
	assert.Equal(t, "act_1", a["id"])
	assert.Equal(t, map[string]any{"name_first": "Jane"}, a["fields"])

	again, err := l.AccountFindOrCreate(ctx, "user-7", map[string]any{"name_first": "Other"})
	require.NoError(t, err)
	assert.Equal(t, "act_1", again["id"])
	assert.Equal(t, map[string]any{"name_first": "Jane"}, again["fields"], "finding does not update")

	_, err = l.AccountUpdate(ctx, "act_1", map[string]any{"name_last": "Doe"})
	require.NoError(t, err)
	_, err = l.AccountAddTag(ctx, "act_1", "kyc-done")
	require.NoError(t, err)
	_, err = l.AccountAddTag(ctx, "act_1", "vip")
	require.NoError(t, err)
	_, err = l.AccountRemoveTag(ctx, "act_1", "kyc-done")
	require.NoError(t, err)
	got, err := l.AccountGet(ctx, "act_1")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"name_first": "Jane", "name_last": "Doe"}, got["fields"])
	assert.Equal(t, []any{"vip"}, got["tags"])

	_, err = l.AccountFindOrCreate(ctx, " ", nil)
	assert.EqualError(t, err, "account.find_or_create: reference_id is required")
}

func TestLocalTransactions(t *testing.T) {
	ctx := context.Background()
	l, _ := newTestLocal(t, nil)
	tx, err := l.TransactionCreate(ctx, TransactionSpec{Type: "withdrawal", Fields: map[string]any{"amount": int64(500)}, ReferenceID: "user-7"})
	require.NoError(t, err)
	assert.Equal(t, "txn_1", tx["id"])
	assert.Equal(t, "created", tx["status"])
	assert.Equal(t, "withdrawal", tx["transaction_type"])

	_, err = l.TransactionSetStatus(ctx, "txn_1", "needs_review")
	require.NoError(t, err)
	_, err = l.TransactionAddLabel(ctx, "txn_1", "fraud")
	require.NoError(t, err)
	got, err := l.store.GetObject(ctx, "transaction", "txn_1")
	require.NoError(t, err)
	assert.Equal(t, "needs_review", got["status"])
	assert.Equal(t, "fraud", got["label"])
	assert.Equal(t, []any{"fraud"}, got["labels"])
	assert.Equal(t, map[string]any{"amount": int64(500)}, got["fields"])

	_, err = l.TransactionCreate(ctx, TransactionSpec{})
	assert.EqualError(t, err, "transaction.create: type is required")
	_, err = l.TransactionAddLabel(ctx, "txn_1", "")
	assert.EqualError(t, err, "transaction.add_label: label is empty")
}

// script runs a fixed sequence of actions and returns every result.
func script(t *testing.T, l *Local) []map[string]any {
	ctx := context.Background()
	putInquiry(t, l, "inq_1", "completed")
	var out []map[string]any
	add := func(m map[string]any, err error) {
		require.NoError(t, err)
		out = append(out, m)
	}
	add(l.ReportRun(ctx, ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Jane Doe"}}))
	add(l.VerificationTinCheck(ctx, "12-3456789", "Acme"))
	add(l.CaseCreate(ctx, CaseSpec{Template: "kyb-review", Objects: []string{"rep_1", "ver_1"}}))
	add(l.InquiryDecline(ctx, "inq_1", "watchlist hit"))
	add(l.AccountFindOrCreate(ctx, "user-7", nil))
	add(l.TransactionCreate(ctx, TransactionSpec{Type: "payout"}))
	return out
}

func TestLocalIsDeterministic(t *testing.T) {
	lists := fakeLists{"watchlist": {"Jane Doe"}}
	a, _ := newTestLocal(t, lists)
	b, _ := newTestLocal(t, lists)
	first := script(t, a)
	assert.Equal(t, first, script(t, b))
	assert.Equal(t, "rep_1", first[0]["id"])
	assert.Equal(t, true, first[0]["matched"])
	assert.Equal(t, "case_1", first[2]["id"])
}

func TestNewBackends(t *testing.T) {
	_, err := New(Config{})
	assert.EqualError(t, err, "persona: the local backend needs an object store")
	_, err = New(Config{Backend: "sandbox"})
	assert.EqualError(t, err, `persona: unknown backend "sandbox", want "local" or "api"`)
	_, err = New(Config{Backend: "api"})
	assert.EqualError(t, err, "persona: the api backend needs an api key (PERSONA_API_KEY)")
	c, err := New(Config{Backend: "api", APIKey: "k"})
	require.NoError(t, err)
	assert.IsType(t, &API{}, c)
	c, err = New(Config{Store: NewMemObjectStore()})
	require.NoError(t, err)
	assert.IsType(t, &Local{}, c)
}

func TestRandomIDs(t *testing.T) {
	l, err := NewLocal(Config{Store: NewMemObjectStore()})
	require.NoError(t, err)
	a, b := l.newID("inq"), l.newID("inq")
	assert.Regexp(t, `^inq_[1-9A-HJ-NP-Za-km-z]{24}$`, a)
	assert.NotEqual(t, a, b)
}
