package persona_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// env is a run environment with the local Persona backend over a memory
// store, deciding reports with a Lists engine over a memory store.
type env struct {
	client persona.Client
	lists  *lists.Service
}

func (e *env) Persona() persona.Client { return e.client }
func (e *env) Lists() *lists.Service   { return e.lists }

func library() *builtin.Library {
	mods := append([]*builtin.Module{core.Module(), lists.Module()}, persona.Modules()...)
	return builtin.NewLibrary(mods...)
}

// seqIDs makes ids prefix_1, prefix_2, … per prefix; parallel steps share it.
func seqIDs() func(string) string {
	var mu sync.Mutex
	n := map[string]int{}
	return func(prefix string) string {
		mu.Lock()
		defer mu.Unlock()
		n[prefix]++
		return fmt.Sprintf("%s_%d", prefix, n[prefix])
	}
}

// newEnv builds the backends, with empty Lists watchlist (names) and
// failed-tins (strings), and the inquiries given as id → status.
func newEnv(t *testing.T, inquiries map[string]string) (*env, *persona.Local) {
	t.Helper()
	ctx := context.Background()
	svc := lists.NewService(lists.NewMemStore(lists.WithClock(func() time.Time { return wftest.Epoch })))
	for name, kind := range map[string]lists.Kind{"watchlist": lists.KindName, "failed-tins": lists.KindString,
		"business-watchlist": lists.KindName} {
		_, err := svc.Create(ctx, name, kind)
		require.NoError(t, err)
	}
	local, err := persona.NewLocal(persona.Config{Store: persona.NewMemObjectStore(), Lists: svc,
		Now: func() time.Time { return wftest.Epoch }, NewID: seqIDs()})
	require.NoError(t, err)
	for id, status := range inquiries {
		_, err := local.Upsert(ctx, map[string]any{"id": id, "type": "inquiry", "status": status,
			"fields": map[string]any{"name_first": "Jane"}})
		require.NoError(t, err)
	}
	return &env{client: local, lists: svc}, local
}

func TestInquiryDecisions(t *testing.T) {
	cases := []struct {
		action, from, want string
	}{
		{"approve", "completed", "approved"},
		{"decline", "needs_review", "declined"},
		{"mark_for_review", "failed", "needs_review"},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			e, local := newEnv(t, map[string]string{"inq_1": c.from})
			p := wftest.Load(t, library(), `
workflow decide {
  on event "inquiry.completed"

  let r = run inquiry.`+c.action+`(trigger.id, comment: "because")
  output {status: r.status, id: r.id}
}`)
			res, _ := wftest.Run(p, "decide", wftest.Trigger(map[string]any{"id": "inq_1"}), e)
			assert.Equal(t, c.want, wftest.Output(t, res, "status"))
			assert.Equal(t, "inq_1", wftest.Output(t, res, "id"))
			stored, err := local.InquiryGet(context.Background(), "inq_1")
			require.NoError(t, err)
			assert.Equal(t, c.want, stored["status"], "the decision reached the backend")
			decisions, _ := stored["decisions"].([]any)
			require.Len(t, decisions, 1)
			assert.Equal(t, "because", decisions[0].(map[string]any)["comment"])
		})
	}
}

func TestWatchlistCleanThenMatchedAfterListAdd(t *testing.T) {
	e, _ := newEnv(t, nil)
	p := wftest.Load(t, library(), `
workflow screen {
  on manual(name: string)

  let before = run report.watchlist(name: name)
  run lists.add("watchlist", name)
  let after = run report.watchlist(name: name)
  let generic = run report.run("watchlist", name: "JANE  doe")
  output {before: before.matched, after: after.matched, generic: generic.matched,
          status: after.status, distinct: before.id != after.id}
}`)
	res, _ := wftest.Run(p, "screen", wftest.Trigger(map[string]any{"name": "Jane Doe"}), e)
	assert.Equal(t, false, wftest.Output(t, res, "before"))
	assert.Equal(t, true, wftest.Output(t, res, "after"))
	assert.Equal(t, true, wftest.Output(t, res, "generic"), "names match case- and space-insensitively")
	assert.Equal(t, "ready", wftest.Output(t, res, "status"))
	assert.Equal(t, true, wftest.Output(t, res, "distinct"))
}

// Seed example 3, run end to end against the local backend: a TIN on
// failed-tins opens a case linked to the four results.
func TestSeedKYBChecks(t *testing.T) {
	src := `
workflow kyb_checks {
  on api(business_name: string, address: string, ein: string)

  parallel {
    let watchlist = run report.business_watchlist(name: business_name)
    let media     = run report.business_adverse_media(name: business_name)
    let lookup    = run report.business_lookup(name: business_name, address: address)
    let tin       = run verification.tin_check(tin: ein, name: business_name)
  }

  when watchlist.matched or media.matched or tin.status != "passed" {
    let c = run case.create(template: "kyb-review", objects: [watchlist.id, media.id, lookup.id, tin.id])
    output {case: c.id, objects: c.objects.map(o -> o.id)}
  }
  output { watchlist: watchlist.matched, adverse_media: media.matched, tin: tin.status }
}`
	for _, failed := range []bool{false, true} {
		t.Run(fmt.Sprintf("failed-tin=%v", failed), func(t *testing.T) {
			e, _ := newEnv(t, nil)
			if failed {
				_, err := e.lists.Add(context.Background(), "failed-tins", "12-3456789", nil)
				require.NoError(t, err)
			}
			p := wftest.Load(t, library(), src)
			res, host := wftest.Run(p, "kyb_checks", wftest.Trigger(map[string]any{
				"business_name": "Acme Corp", "address": "1 Main St", "ein": "12-3456789"}), e)
			require.Nil(t, res.Err)
			assert.Equal(t, false, wftest.Output(t, res, "watchlist"))
			assert.Equal(t, false, wftest.Output(t, res, "adverse_media"))
			_, hasCase := res.Outputs.Get("case")
			if !failed {
				assert.Equal(t, "passed", wftest.Output(t, res, "tin"))
				assert.False(t, hasCase)
				assert.Len(t, host.Steps, 4)
				return
			}
			assert.Equal(t, "failed", wftest.Output(t, res, "tin"))
			objects := interp.ToGo(wftest.Output(t, res, "objects")).([]any)
			assert.Len(t, objects, 4)
			assert.Contains(t, objects, "ver_1")
			assert.Equal(t, "case_1", wftest.Output(t, res, "case"))
		})
	}
}

// A tour calls every Persona function once, through run, against the
// local backend.
func TestEveryFunctionRuns(t *testing.T) {
	e, _ := newEnv(t, map[string]string{"inq_a": "completed", "inq_b": "created", "inq_c": "expired",
		"inq_d": "completed", "inq_e": "failed"})
	p := wftest.Load(t, library(), `
workflow tour {
  on manual()

  let i = run inquiry.get("inq_a")
  run inquiry.add_tag(i.id, "one")
  run inquiry.add_tag(i.id, "two")
  run inquiry.remove_tag(i.id, "one")
  let tagged = run inquiry.get(i.id)
  run inquiry.set_tags(i.id, ["x", "y"])
  run inquiry.approve(i.id)
  let redacted = run inquiry.redact(i.id)
  let expired = run inquiry.expire("inq_b")
  let resumed = run inquiry.resume("inq_c")
  let declined = run inquiry.decline("inq_d")
  let reviewed = run inquiry.mark_for_review("inq_e", comment: "look")

  let w = run report.watchlist(name: "Jane Doe", birthdate: date("1990-01-31"))
  let pep = run report.politically_exposed_person(name_first: "Jane", name_last: "Doe")
  let am = run report.adverse_media(name: "Jane Doe")
  let bw = run report.business_watchlist(name: "Acme")
  let bam = run report.business_adverse_media(name: "Acme")
  let bl = run report.business_lookup(name: "Acme", address: "1 Main St")
  let al = run report.address_lookup(address: "1 Main St", city: "Springfield", subdivision: "IL", postal_code: "62701", country: "US")
  let em = run report.email_address(email: "jane@example.com")
  let ph = run report.phone_number(phone: "+1 555 010 0000")
  let generic = run report.run("adverse_media", name: "Jane Doe", account_id: "act_9")
  let v = run verification.run("database_business", name_business: "Acme", template_id: "vtmpl_1")
  let tin = run verification.tin_check(tin: "12-3456789", name: "Acme")

  let c = run case.create(template: "review", objects: [i, w], queue: "q1", sla: 2d, fields: {note: "x"})
  run case.assign(c.id, "analyst@example.com")
  run case.set_status(c.id, "pending")
  run case.add_objects(c.id, [pep.id, am])
  run case.add_tag(c.id, "a")
  run case.add_tag(c.id, "b")
  run case.remove_tag(c.id, "a")
  run case.add_comment(c.id, "looked at it")
  let c2 = run case.get(c.id)

  let a = run account.find_or_create("user-7", fields: {tier: "gold"})
  let same = run account.find_or_create("user-7")
  run account.update(a.id, {risk: "high"})
  run account.add_tag(a.id, "vip")
  run account.add_tag(a.id, "watch")
  run account.remove_tag(a.id, "vip")
  let a2 = run account.get(a.id)

  let t = run transaction.create("withdrawal", fields: {amount: 5000}, reference_id: "user-7")
  run transaction.set_status(t.id, "approved")
  let t2 = run transaction.add_label(t.id, "large")

  output {
    tags: tagged.tags, redacted: redacted.fields, expired: expired.status, resumed: resumed.status,
    birthdate: w.query.birthdate, reports: [w, pep, am, bw, bam, bl, al, em, ph].map(r -> r.status),
    decided: [declined.status, reviewed.status], generic: generic.account.id,
    verification: [v.status, tin.status], case_status: c2.status, case_objects: len(c2.objects), case_tags: c2.tags,
    same_account: same.id == a.id, account_fields: a2.fields, account_tags: a2.tags,
    transaction: t2.status, labels: t2.labels
  }
}`)
	res, host := wftest.Run(p, "tour", nil, e)
	require.Nil(t, res.Err, "%v", res.Err)
	out := interp.ToGo(res.Outputs).(map[string]any)
	assert.Equal(t, []any{"two"}, out["tags"])
	assert.Equal(t, map[string]any{}, out["redacted"])
	assert.Equal(t, "expired", out["expired"])
	assert.Equal(t, "pending", out["resumed"])
	assert.Equal(t, "1990-01-31", out["birthdate"], "a date is sent as YYYY-MM-DD")
	assert.Equal(t, []any{"ready", "ready", "ready", "ready", "ready", "ready", "ready", "ready", "ready"}, out["reports"])
	assert.Equal(t, []any{"declined", "needs_review"}, out["decided"])
	assert.Equal(t, "act_9", out["generic"], "account_id attaches the report")
	assert.Equal(t, []any{"passed", "passed"}, out["verification"])
	assert.Equal(t, "pending", out["case_status"])
	assert.EqualValues(t, 4, out["case_objects"])
	assert.Equal(t, []any{"b"}, out["case_tags"])
	assert.Equal(t, true, out["same_account"])
	assert.Equal(t, map[string]any{"tier": "gold", "risk": "high"}, out["account_fields"])
	assert.Equal(t, []any{"watch"}, out["account_tags"])
	assert.Equal(t, "approved", out["transaction"])
	assert.Equal(t, []any{"large"}, out["labels"])

	called := map[string]bool{}
	for _, s := range host.Steps {
		called[s.Name] = true
	}
	for _, m := range persona.Modules() {
		for _, b := range m.Builtins {
			assert.True(t, called[b.Decl.Name], "%s is not in the tour", b.Decl.Name)
		}
	}
}

// A replayed attempt of the same step (same run id and step key) gets the
// object the first attempt created: the idempotency key is on the context.
func TestCreatesUseTheStepIdempotencyKey(t *testing.T) {
	e, _ := newEnv(t, nil)
	p := wftest.Load(t, library(), `
workflow open {
  on manual()

  let c = run case.create(template: "review")
  output {id: c.id}
}`)
	first, _ := wftest.Run(p, "open", nil, e)
	second, _ := wftest.Run(p, "open", nil, e)
	assert.Equal(t, "case_1", wftest.Output(t, first, "id"))
	assert.Equal(t, "case_1", wftest.Output(t, second, "id"), "the same run and step create one case")
}

func TestRunErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
		trigger          map[string]any
	}{
		{"type", `run inquiry.decline(trigger.id)`, "inquiry.decline: id must be string, got int", map[string]any{"id": 42}},
		{"null", `run inquiry.decline(trigger.missing)`, "inquiry.decline: trigger.missing is null", nil},
		{"not found", `run inquiry.decline("inq_x", comment: "no")`, `inquiry.decline: inquiry "inq_x" not found`, nil},
		{"lifecycle", `run inquiry.decline("inq_1")`, `inquiry.decline: inquiry "inq_1" is created, want completed, failed or needs_review`, nil},
		{"tags", `run inquiry.set_tags("inq_1", ["a", 2])`, "inquiry.set_tags: tags[1] must be string, got int", nil},
		{"objects", `run case.create(template: "t", objects: ["rep_1", ""])`, "case.create: objects[1] must be an id or an object with an id, got an empty string", nil},
		{"sla", `run case.create(template: "t", sla: 0s)`, "case.create: sla must be positive, got 0s", nil},
		{"report type", `run report.run("credit", name: "x")`, `report.run: unknown report type "credit"`, nil},
		{"report query", `run report.watchlist(birthdate: "1990-01-01")`, "report.watchlist: the query needs one of", nil},
		{"option type", `run report.watchlist(name: "x", template_id: 7)`, "report.watchlist: template_id must be string, got int", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _ := newEnv(t, map[string]string{"inq_1": "created"})
			p := wftest.Load(t, library(), "workflow w {\n  on manual()\n\n  "+c.body+"\n}")
			var trig interp.Value
			if c.trigger != nil {
				trig = wftest.Trigger(c.trigger)
			}
			res, _ := wftest.Run(p, "w", trig, e)
			require.NotNil(t, res.Err)
			assert.Contains(t, res.Err.Msg, c.want)
			assert.Equal(t, 1, strings.Count(res.Err.Msg, strings.SplitN(c.want, ":", 2)[0]+":"), "one prefix: %s", res.Err.Msg)
		})
	}
}

func TestCheckErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`inquiry.decline(trigger.id)`, "inquiry.decline is an action: call it with run"},
		{`let r = report.watchlist(name: "x")`, "report.watchlist is an action: call it with run"},
		{`run inquiry.decline(42)`, "inquiry.decline: id must be string, got int"},
		{`run inquiry.decline()`, "inquiry.decline: missing argument id"},
		{`run inquiry.decline("a", reason: "b")`, "inquiry.decline has no parameter reason"},
		{`run case.create(objects: [])`, "case.create: missing argument template"},
		{`run inquiry.declin("a")`, "module inquiry has no function declin"},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			diags := wftest.Check(library(), "workflow w {\n  on manual()\n\n  "+c.body+"\n}")
			require.True(t, diags.HasErrors(), "no error for %s", c.body)
			assert.Contains(t, diags.Err().Error(), c.want)
		})
	}
}

func TestMissingBackendIsAClearError(t *testing.T) {
	p := wftest.Load(t, library(), "workflow w {\n  on manual()\n\n  run inquiry.get(\"inq_1\")\n}")
	res, host := wftest.Run(p, "w", nil, struct{}{})
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "inquiry.get: no Persona backend is configured for this run")
	assert.Equal(t, 1, host.Steps[0].Attempts)
}

// failingClient answers inquiry.get with an API error of a status.
type failingClient struct {
	persona.Client
	status int
	calls  int
}

func (f *failingClient) InquiryGet(ctx context.Context, id string) (map[string]any, error) {
	f.calls++
	return nil, fmt.Errorf("inquiry.get: %w", &persona.APIError{Status: f.status, Messages: []string{"Nope: no"}})
}

// Persona's 4xx answers are not retried by `with {retries: …}`; 429 and
// 5xx are.
func TestAPIErrorsRetryOnlyWhenRetryable(t *testing.T) {
	for status, calls := range map[int]int{422: 1, 404: 1, 503: 3, 429: 3} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			fc := &failingClient{status: status}
			p := wftest.Load(t, library(), "workflow w {\n  on manual()\n\n  run inquiry.get(\"inq_1\") with {retries: 2, backoff: 1s}\n}")
			res, _ := wftest.Run(p, "w", nil, &env{client: fc})
			require.NotNil(t, res.Err)
			assert.Contains(t, res.Err.Msg, fmt.Sprintf("inquiry.get: persona api %d", status))
			assert.Equal(t, calls, fc.calls)
		})
	}
}
