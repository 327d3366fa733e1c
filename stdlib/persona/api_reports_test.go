package persona

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reportCase runs one report type and expects one POST /reports.
func reportCase(typ string, query map[string]any, wantBody string) apiCase {
	return apiCase{"report." + typ, func(ctx context.Context, a *API) (map[string]any, error) {
		return a.ReportRun(ctx, ReportRequest{Type: typ, Query: query})
	}, []exchange{post("/reports", wantBody, obj("report/x", "rep_1", `{"status": "ready", "has_match": false}`))}}
}

func reportCases() []apiCase {
	return []apiCase{
		reportCase("watchlist", map[string]any{"name": "Jane Doe", "birthdate": "1990-01-01"},
			`{"data": {"type": "report/watchlist", "attributes": {"report_template_id": "rptp_wl",
			  "query": {"term": "Jane Doe", "birthdate": "1990-01-01"}}}}`),
		reportCase("politically_exposed_person", map[string]any{"nameFirst": "Jane", "name_last": "Doe", "country": "US"},
			`{"data": {"type": "report/politically-exposed-person", "attributes": {
			  "query": {"name_first": "Jane", "name_last": "Doe", "country_code": "US"}}}}`),
		reportCase("adverse_media", map[string]any{"term": "Jane Doe"},
			`{"data": {"type": "report/adverse-media", "attributes": {"query": {"term": "Jane Doe"}}}}`),
		reportCase("business_watchlist", map[string]any{"name": "Acme", "country": "US"},
			`{"data": {"type": "report/business-watchlist", "attributes": {"query": {"term": "Acme", "address_country_code": "US"}}}}`),
		reportCase("business_adverse_media", map[string]any{"name": "Acme"},
			`{"data": {"type": "report/business-adverse-media", "attributes": {"query": {"term": "Acme"}}}}`),
		reportCase("address_lookup", map[string]any{"address": "1 Main St", "city": "Springfield", "subdivision": "IL",
			"postal_code": "62701", "country": "US"},
			`{"data": {"type": "report/address-lookup", "attributes": {"query": {"address_street_1": "1 Main St",
			  "address_city": "Springfield", "address_subdivision": "IL", "address_postal_code": "62701", "address_country_code": "US"}}}}`),
		reportCase("email_address", map[string]any{"email": "a@x.com"},
			`{"data": {"type": "report/email-address", "attributes": {"query": {"email_address": "a@x.com"}}}}`),
		reportCase("phone_number", map[string]any{"phone": "+15550100"},
			`{"data": {"type": "report/phone-number", "attributes": {"query": {"phone_number": "+15550100"}}}}`),
		{"report.business_lookup", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.ReportRun(ctx, ReportRequest{Type: "business_lookup", TemplateID: "rptp_bl", AccountID: "act_1",
				Query: map[string]any{"name": "Acme", "address": "1 Main St", "ein": "12-3456789"}})
		}, []exchange{post("/reports", `{"data": {"type": "report/business-lookup", "attributes": {"report_template_id": "rptp_bl",
			"account_id": "act_1", "query": {"business_name": "Acme", "address_street_1": "1 Main St", "ein": "12-3456789"}}}}`,
			obj("report/business-lookup", "rep_1", `{"status": "ready"}`))}},
		{"report.get", func(ctx context.Context, a *API) (map[string]any, error) { return a.ReportGet(ctx, "rep_1") },
			[]exchange{get("/reports/rep_1", obj("report/watchlist", "rep_1", `{"status": "ready", "has_match": true}`))}},
		{"verification.run", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.VerificationRun(ctx, VerificationRequest{Type: "database_business", TemplateID: "vtmpl_b",
				Fields: map[string]any{"businessName": "Acme"}})
		}, []exchange{
			post("/verification/database-businesses", `{"data": {"type": "verification/database-business",
			  "attributes": {"business_name": "Acme", "verification_template_id": "vtmpl_b"}}}`,
				obj("verification/database-business", "ver_1", `{"status": "initiated"}`)),
			{method: "POST", path: "/verification/database-businesses/ver_1/submit", key: testKey + ":submit",
				reply: obj("verification/database-business", "ver_1", `{"status": "passed"}`)}}},
		{"verification.tin_check", func(ctx context.Context, a *API) (map[string]any, error) {
			return a.VerificationTinCheck(ctx, "12-3456789", "Acme")
		}, []exchange{
			post("/verification/database-tins", `{"data": {"type": "verification/database-tin",
			  "attributes": {"tin": "12-3456789", "name_business": "Acme", "verification_template_id": "vtmpl_tin"}}}`,
				obj("verification/database-tin", "ver_1", `{"status": "initiated"}`)),
			{method: "POST", path: "/verification/database-tins/ver_1/submit", key: testKey + ":submit",
				reply: obj("verification/database-tin", "ver_1", `{"status": "failed"}`)}}},
	}
}

func TestAPIReportResult(t *testing.T) {
	reply := obj("report/watchlist", "rep_1", `{"status": "ready", "has_match": true}`)
	a, _, _ := newTestAPI(t, Config{}, post("/reports", "", reply))
	got, err := a.ReportRun(WithIdempotencyKey(context.Background(), testKey),
		ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Jane"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"id": "rep_1", "type": "report/watchlist", "status": "ready", "has_match": true,
		"matched": true, "query": map[string]any{"term": "Jane"}}, got)
}

func TestAPIPollsPendingObjects(t *testing.T) {
	pending := obj("report/watchlist", "rep_1", `{"status": "pending"}`)
	ready := obj("report/watchlist", "rep_1", `{"status": "ready", "has_match": false, "query": {"term": "Jane"}}`)
	script := []exchange{post("/reports", `{"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Jane"}}}}`, pending),
		get("/reports/rep_1", pending), get("/reports/rep_1", ready)}
	a, fake, clock := newTestAPI(t, Config{PollInterval: 3 * time.Second}, script...)
	got, err := a.ReportRun(WithIdempotencyKey(context.Background(), testKey),
		ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Jane"}})
	require.NoError(t, err)
	checkExchanges(t, fake, script)
	assert.Equal(t, "ready", got["status"])
	assert.Equal(t, false, got["matched"])
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, clock.sleeps)

	script = []exchange{post("/verification/database-tins", "", obj("verification/database-tin", "ver_1", `{"status": "initiated"}`)),
		{method: "POST", path: "/verification/database-tins/ver_1/submit", key: testKey + ":submit",
			reply: obj("verification/database-tin", "ver_1", `{"status": "submitted"}`)},
		get("/verification/database-tins/ver_1", obj("verification/database-tin", "ver_1", `{"status": "passed"}`))}
	a, _, clock = newTestAPI(t, Config{}, script...)
	got, err = a.VerificationTinCheck(WithIdempotencyKey(context.Background(), testKey), "1", "Acme")
	require.NoError(t, err)
	assert.Equal(t, "passed", got["status"])
	assert.Equal(t, []time.Duration{2 * time.Second}, clock.sleeps, "default poll interval")
}

func TestAPIPollingGivesUp(t *testing.T) {
	pending := obj("report/watchlist", "rep_1", `{"status": "pending"}`)
	a, fake, _ := newTestAPI(t, Config{PollAttempts: 2}, post("/reports", "", pending), get("", pending), get("", pending))
	_, err := a.ReportRun(WithIdempotencyKey(context.Background(), testKey),
		ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Jane"}})
	assert.EqualError(t, err, `report.watchlist: report "rep_1" is still pending after 2 checks`)
	assert.Len(t, fake.got, 3)

	errored := obj("report/watchlist", "rep_2", `{"status": "errored"}`)
	a, _, _ = newTestAPI(t, Config{}, post("/reports", "", errored))
	_, err = a.ReportRun(WithIdempotencyKey(context.Background(), testKey),
		ReportRequest{Type: "watchlist", Query: map[string]any{"name": "Jane"}})
	assert.EqualError(t, err, `report.watchlist: report "rep_2" errored`)
}

func TestAPIRetriesHonourRetryAfter(t *testing.T) {
	limited := exchange{method: "GET", path: "/inquiries/inq_1", status: 429, header: map[string]string{"Retry-After": "7"},
		reply: `{"errors": [{"title": "Too Many Requests"}]}`}
	dated := limited
	dated.header = map[string]string{"Retry-After": testStart.Add(7*time.Second + 30*time.Second).Format(http.TimeFormat)}
	script := []exchange{limited, dated, get("/inquiries/inq_1", inqReply)}
	a, fake, clock := newTestAPI(t, Config{MaxAttempts: 3}, script...)
	got, err := a.InquiryGet(context.Background(), "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "approved", got["status"])
	checkExchanges(t, fake, script)
	assert.Equal(t, []time.Duration{7 * time.Second, 30 * time.Second}, clock.sleeps)
}

func TestAPIRetriesServerErrorsWithBackoff(t *testing.T) {
	unavailable := exchange{method: "POST", path: "/inquiries/inq_1/decline", body: `{"meta": {"comment": "x"}}`,
		key: testKey, status: 503, reply: `oops`}
	script := []exchange{unavailable, unavailable, post("/inquiries/inq_1/decline", `{"meta": {"comment": "x"}}`, inqReply)}
	a, fake, clock := newTestAPI(t, Config{MaxAttempts: 3}, script...)
	_, err := a.InquiryDecline(WithIdempotencyKey(context.Background(), testKey), "inq_1", "x")
	require.NoError(t, err)
	checkExchanges(t, fake, script) // every attempt carries the same Idempotency-Key
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second}, clock.sleeps)

	a, fake, clock = newTestAPI(t, Config{MaxAttempts: 3}, unavailable, unavailable, unavailable)
	_, err = a.InquiryDecline(WithIdempotencyKey(context.Background(), testKey), "inq_1", "x")
	assert.EqualError(t, err, "inquiry.decline: persona api 503: Service Unavailable (after 3 attempts)")
	assert.Len(t, fake.got, 3)
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second}, clock.sleeps)
}

func TestAPIErrorBodies(t *testing.T) {
	for _, tc := range []struct {
		status int
		reply  string
		want   string
	}{
		{422, `{"errors": [{"title": "Unprocessable Entity", "details": "data.attributes.x is missing"}]}`,
			"inquiry.decline: persona api 422: Unprocessable Entity: data.attributes.x is missing"},
		{400, `{"errors": [{"title": "Bad Request", "details": "a"}, {"details": "b"}]}`,
			"inquiry.decline: persona api 400: Bad Request: a; Bad Request: b"},
		{404, ``, "inquiry.decline: persona api 404: Not Found"},
		{401, `<html>nope</html>`, "inquiry.decline: persona api 401: Unauthorized"},
	} {
		ex := exchange{method: "POST", path: "/inquiries/inq_1/decline", body: `{"meta": {"comment": "x"}}`,
			key: testKey, status: tc.status, reply: tc.reply}
		a, fake, clock := newTestAPI(t, Config{MaxAttempts: 4}, ex)
		_, err := a.InquiryDecline(WithIdempotencyKey(context.Background(), testKey), "inq_1", "x")
		assert.EqualError(t, err, tc.want)
		var apiErr *APIError
		require.True(t, errors.As(err, &apiErr))
		assert.Equal(t, tc.status, apiErr.Status)
		assert.False(t, apiErr.Retryable())
		checkExchanges(t, fake, []exchange{ex}) // a 4xx is not retried
		assert.Empty(t, clock.sleeps)
	}
}

func TestAPIRefusals(t *testing.T) {
	a, fake, _ := newTestAPI(t, Config{})
	ctx := context.Background()
	_, err := a.InquiryDecline(ctx, "inq_1", "x")
	assert.EqualError(t, err, "inquiry.decline: no idempotency key in the context (see persona.WithIdempotencyKey)")
	ctx = WithIdempotencyKey(ctx, testKey)
	_, err = a.CaseAddComment(ctx, "case_1", "hello")
	assert.EqualError(t, err, "case.add_comment: the persona api has no endpoint for case comments (only the local backend supports them)")
	_, err = a.InquiryApprove(ctx, "", "")
	assert.EqualError(t, err, "inquiry.approve: inquiry id is empty")
	_, err = a.InquiryApprove(ctx, "..", "")
	assert.EqualError(t, err, `inquiry.approve: ".." is not a valid inquiry id`)
	_, err = a.AccountUpdate(ctx, ".", map[string]any{"a": 1})
	assert.EqualError(t, err, `account.update: "." is not a valid account id`)
	_, err = a.CaseCreate(ctx, CaseSpec{})
	assert.EqualError(t, err, "case.create: template is required")
	_, err = a.CaseAddObjects(ctx, "case_1", nil)
	assert.EqualError(t, err, "case.add_objects: give between 1 and 1000 object ids, got 0")
	_, err = a.ReportRun(ctx, ReportRequest{Type: "business_lookup"})
	assert.EqualError(t, err, "report.business_lookup: the query needs one of business_name, name")
	_, err = a.AccountFindOrCreate(ctx, "", nil)
	assert.EqualError(t, err, "account.find_or_create: reference_id is required")
	assert.Empty(t, fake.got, "refused calls make no request")
}

func TestAPIBadResponses(t *testing.T) {
	for _, tc := range []struct{ reply, want string }{
		{`[]`, "inquiry.get: persona api: response must be an object, got array"},
		{`{"data": []}`, "inquiry.get: persona api: response data must be an object, got array"},
		{`{"data": `, "inquiry.get: persona api: response: invalid json"},
	} {
		a, _, _ := newTestAPI(t, Config{}, get("/inquiries/inq_1", tc.reply))
		_, err := a.InquiryGet(context.Background(), "inq_1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func TestAPIStopsWhenContextEnds(t *testing.T) {
	limited := exchange{method: "GET", path: "/inquiries/inq_1", status: 429, header: map[string]string{"Retry-After": "60"}}
	a, fake, _ := newTestAPI(t, Config{MaxAttempts: 5}, limited, limited)
	ctx, cancel := context.WithCancel(context.Background())
	a.sleep = func(context.Context, time.Duration) error { cancel(); return ctx.Err() }
	_, err := a.InquiryGet(ctx, "inq_1")
	assert.EqualError(t, err, "inquiry.get: context canceled")
	assert.Len(t, fake.got, 1)
}

func TestAPIRateLimit(t *testing.T) {
	script := []exchange{get("/inquiries/inq_1", inqReply), get("/inquiries/inq_1", inqReply), get("/inquiries/inq_1", inqReply)}
	a, fake, clock := newTestAPI(t, Config{RateLimit: 2}, script...)
	for range 3 {
		_, err := a.InquiryGet(context.Background(), "inq_1")
		require.NoError(t, err)
	}
	checkExchanges(t, fake, script)
	assert.Equal(t, []time.Duration{time.Minute}, clock.sleeps, "the third request waits for the window")
}

func TestLimiter(t *testing.T) {
	clock := &fakeTime{now: testStart}
	l := newLimiter(300, time.Minute, clock.Now)
	ctx := context.Background()
	for range 300 {
		require.NoError(t, l.wait(ctx, clock.Sleep))
	}
	assert.Empty(t, clock.sleeps, "a burst up to the limit does not wait")
	require.NoError(t, l.wait(ctx, clock.Sleep))
	assert.Equal(t, []time.Duration{time.Minute}, clock.sleeps)
	clock.now = clock.now.Add(10 * time.Second)
	require.NoError(t, l.wait(ctx, clock.Sleep))
	assert.Len(t, clock.sleeps, 1, "after a minute the window has room again")
}

func TestRetryAfter(t *testing.T) {
	now := testStart
	for _, tc := range []struct {
		h    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"3", 3 * time.Second, true}, {"0", 0, true}, {"-1", 0, false}, {"soon", 0, false},
		{"86400", maxRetryAfter, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		got, ok := retryAfter(tc.h, now)
		assert.Equal(t, tc.ok, ok, tc.h)
		assert.Equal(t, tc.want, got, tc.h)
	}
}

func TestBackoff(t *testing.T) {
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, retryPlan{ok: true}.delay(n))
	}
	s := time.Second
	assert.Equal(t, []time.Duration{5 * s, 10 * s, 20 * s, 40 * s, 60 * s, 60 * s}, got)
	assert.Equal(t, 3*s, retryPlan{ok: true, told: true, after: 3 * s}.delay(4))
}
