package stdlib

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// The three seed examples of the language design, verbatim.
const seeds = `
# Decline inquiries whose IP address is on the "blocked-ips" list (seed example 1).
workflow decline_blocked_ip {
  on event "inquiry.completed"

  when trigger.ip_address in list("blocked-ips") {
    run inquiry.decline(trigger.id, comment: "IP ${trigger.ip_address} is on blocked-ips")
  }
}

# Mark under-18 applicants for review and tell the team (seed example 2).
workflow review_minors {
  on event "inquiry.completed" where trigger.template_id == "itmpl_kyc"

  let age = years_since(date(trigger.fields.birthdate))
  when age < 18 {
    run inquiry.mark_for_review(trigger.id, comment: "applicant is ${age}")
    run slack.post(secret("SLACK_REVIEW_WEBHOOK"), "Inquiry ${trigger.id} marked for review: under 18")
  }
}

# Run four KYB checks at once when called through the API (seed example 3).
workflow kyb_checks {
  on api(business_name: string, address: string, ein: string)

  parallel {
    let watchlist = run report.business_watchlist(name: business_name)
    let media     = run report.business_adverse_media(name: business_name)
    let lookup    = run report.business_lookup(name: business_name, address: address)
    let tin       = run verification.tin_check(tin: ein, name: business_name)
  }

  when watchlist.matched or media.matched or tin.status != "passed" {
    run case.create(template: "kyb-review", objects: [watchlist.id, media.id, lookup.id, tin.id])
  }
  output { watchlist: watchlist.matched, adverse_media: media.matched, tin: tin.status }
}
`

// secrets is a fixed SecretSource.
type secrets map[string]string

func (s secrets) Secret(name string) (string, bool) { v, ok := s[name]; return v, ok }

// webhook is a loopback Slack incoming webhook that records messages.
type webhook struct {
	*httptest.Server
	mu    sync.Mutex
	texts []string
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &m)
		w.mu.Lock()
		w.texts = append(w.texts, m["text"].(string))
		w.mu.Unlock()
		_, _ = io.WriteString(rw, "ok")
	}))
	t.Cleanup(w.Close)
	return w
}

// seedEnv is an Env over the local Persona backend, Lists in memory and a
// loopback-allowed HTTP client, with the Lists the seeds use.
func seedEnv(t *testing.T, hook *webhook) (*Env, *persona.Local) {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return wftest.Epoch }
	svc := lists.NewService(lists.NewMemStore(lists.WithClock(now)))
	fill := []struct {
		name string
		kind lists.Kind
		item string
	}{
		{"blocked-ips", lists.KindIPAddress, "198.51.100.0/24"},
		{"business-watchlist", lists.KindName, "Sanctioned Trading LLC"},
		{"business-adverse-media", lists.KindName, "Shady Imports Ltd"},
		{"failed-tins", lists.KindGovernmentIDNumber, "00-0000000"},
	}
	for _, f := range fill {
		_, err := svc.Create(ctx, f.name, f.kind)
		require.NoError(t, err)
		_, err = svc.Add(ctx, f.name, f.item, nil)
		require.NoError(t, err)
	}
	n := 0
	var mu sync.Mutex
	local, err := persona.NewLocal(persona.Config{Store: persona.NewMemObjectStore(), Lists: svc, Now: now,
		NewID: func(p string) string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("%s_%d", p, n) }})
	require.NoError(t, err)
	e := &Env{PersonaClient: local, ListService: svc,
		HTTPClient: httpx.New(httpx.Config{AllowLoopback: true, Now: now}),
		Secrets:    secrets{"SLACK_REVIEW_WEBHOOK": hook.URL + "/services/T/B/secret"}}
	return e, local
}

func upsertInquiry(t *testing.T, local *persona.Local, id string) {
	_, err := local.Upsert(context.Background(), map[string]any{"id": id, "type": "inquiry", "status": "completed"})
	require.NoError(t, err)
}

func TestSeedDeclineBlockedIP(t *testing.T) {
	hook := newWebhook(t)
	e, local := seedEnv(t, hook)
	p := wftest.Load(t, Default(), seeds)
	for ip, want := range map[string]string{"198.51.100.23": "declined", "203.0.113.11": "completed"} {
		upsertInquiry(t, local, "inq_"+ip)
		res, _ := wftest.Run(p, "decline_blocked_ip", wftest.Trigger(map[string]any{"id": "inq_" + ip, "ip_address": ip}), e)
		require.Nil(t, res.Err, "%v", res.Err)
		got, err := local.InquiryGet(context.Background(), "inq_"+ip)
		require.NoError(t, err)
		assert.Equal(t, want, got["status"], ip)
	}
}

func TestSeedReviewMinors(t *testing.T) {
	hook := newWebhook(t)
	e, local := seedEnv(t, hook)
	p := wftest.Load(t, Default(), seeds)
	for id, birthdate := range map[string]string{"inq_minor": "2010-09-30", "inq_adult": "1990-01-01"} {
		upsertInquiry(t, local, id)
		res, _ := wftest.Run(p, "review_minors", wftest.Trigger(map[string]any{"id": id, "template_id": "itmpl_kyc",
			"fields": map[string]any{"birthdate": birthdate}}), e)
		require.Nil(t, res.Err, "%v", res.Err)
	}
	minor, _ := local.InquiryGet(context.Background(), "inq_minor")
	adult, _ := local.InquiryGet(context.Background(), "inq_adult")
	assert.Equal(t, "needs_review", minor["status"])
	assert.Equal(t, "completed", adult["status"])
	assert.Equal(t, []string{"Inquiry inq_minor marked for review: under 18"}, hook.texts)
}

func TestSeedKYBChecks(t *testing.T) {
	cases := []struct {
		name, ein                string
		watchlist, media, opened bool
		tin                      string
	}{
		{"Acme Corp", "12-3456789", false, false, false, "passed"},
		{"Sanctioned Trading LLC", "12-3456789", true, false, true, "passed"},
		{"Shady Imports Ltd", "12-3456789", false, true, true, "passed"},
		{"Acme Corp", "00-0000000", false, false, true, "failed"},
	}
	for _, c := range cases {
		t.Run(c.name+" "+c.ein, func(t *testing.T) {
			e, _ := seedEnv(t, newWebhook(t))
			p := wftest.Load(t, Default(), seeds)
			res, host := wftest.Run(p, "kyb_checks", wftest.Trigger(map[string]any{
				"business_name": c.name, "address": "1 Main St", "ein": c.ein}), e)
			assert.Equal(t, c.watchlist, wftest.Output(t, res, "watchlist"))
			assert.Equal(t, c.media, wftest.Output(t, res, "adverse_media"))
			assert.Equal(t, c.tin, wftest.Output(t, res, "tin"))
			opened := false
			for _, s := range host.Steps {
				opened = opened || s.Name == "case.create"
			}
			assert.Equal(t, c.opened, opened)
		})
	}
}

// With no services configured, each module says what is missing.
func TestEnvWithoutServices(t *testing.T) {
	cases := map[string]string{
		`run inquiry.get("inq_1")`:               "inquiry.get: no Persona backend is configured for this run",
		`let x = "a" in list("ids")`:             "list: no Lists are configured for this run",
		`run lists.add("ids", "a")`:              "lists.add: no Lists are configured for this run",
		`run http.get("https://example.com")`:    "http.get: no HTTP client is configured for this run",
		`run slack.message("#c", "t")`:           "slack.message: no HTTP client is configured for this run",
		`run workflow.start("w")`:                "workflow.start: no workflow runner is configured for this run",
		`let s = secret("SLACK_REVIEW_WEBHOOK")`: "secret: secret SLACK_REVIEW_WEBHOOK is not set",
	}
	for body, want := range cases {
		p := wftest.Load(t, Default(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
		res, _ := wftest.Run(p, "w", nil, &Env{})
		if assert.NotNil(t, res.Err, body) {
			assert.Contains(t, res.Err.Msg, want)
		}
	}
}

func TestEnvProvidesItsFields(t *testing.T) {
	local, err := persona.NewLocal(persona.Config{Store: persona.NewMemObjectStore()})
	require.NoError(t, err)
	svc := lists.NewService(lists.NewMemStore())
	hc := httpx.New(httpx.Config{})
	e := &Env{PersonaClient: local, ListService: svc, HTTPClient: hc, Secrets: secrets{"A": "1"}}
	e.Slack.Token = "xoxb-1"
	assert.Same(t, local, e.Persona().(*persona.Local))
	assert.Same(t, svc, e.Lists())
	assert.Same(t, hc, e.HTTP())
	assert.Equal(t, "xoxb-1", e.SlackBot().Token)
	assert.Nil(t, e.Workflows())
	v, ok := e.Secret("A")
	assert.True(t, ok)
	assert.Equal(t, "1", v)
	_, ok = (&Env{}).Secret("A")
	assert.False(t, ok)
}
