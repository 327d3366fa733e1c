package stdlib

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
	"github.com/wf-lang/wf/stdlib/js"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
	"github.com/wf-lang/wf/stdlib/slack"
)

// unstated are the pure functions whose value a reader could not check:
// it comes from the run's seed or clock, a secret or the project's Lists.
// Their examples run but state no value (a remark may follow "# ").
var unstated = map[string]bool{
	"random": true, "uuid": true, "id": true, "idempotency_key": true, // the run's seed
	"now": true, "years_since": true, // the run's clock
	"secret": true, "list": true, "match": true, // the project's secrets and Lists
}

// exampleStatus is the status of the trigger's inquiry for the examples
// of actions that need another one than completed.
var exampleStatus = map[string]string{"inquiry.resume": "pending", "inquiry.expire": "pending"}

// Every line of every declaration's example runs, as a step of a workflow
// started by an inquiry.completed event, against the local Persona backend,
// Lists in memory and HTTP answered in-process; a line ending in
// `  # value` gives that value. Every pure function states at least one
// value (those in unstated excepted), so the reference cannot drift
// from what the functions do.
func TestExamplesGiveTheirResults(t *testing.T) {
	lib := Default()
	for _, d := range lib.Funcs() {
		t.Run(d.Name, func(t *testing.T) {
			lines := exampleLines(d.Example)
			require.NotEmpty(t, lines, "%s has no example", d.Name)
			stated := 0
			for _, ex := range lines {
				got, want, ok := runExample(t, lib, d, ex)
				if !ok {
					continue
				}
				if ex.result == "" || unstated[d.Name] {
					continue
				}
				stated++
				assert.True(t, interp.Equal(got, want), "%s\n  gives  %s\n  stated %s", ex.expr, interp.ToString(got), ex.result)
			}
			if !d.Effect && !unstated[d.Name] {
				assert.Positive(t, stated, "%s: no line of the example states its value (`expr  # value`)", d.Name)
			}
		})
	}
}

// example is one line of a declaration's example: an expression and, after
// "  # ", the value it gives (or a remark, for unstated).
type example struct{ expr, result string }

func exampleLines(src string) []example {
	var out []example
	for _, line := range strings.Split(strings.TrimSpace(src), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		expr, result, _ := strings.Cut(line, "  # ")
		out = append(out, example{strings.TrimSpace(expr), strings.TrimSpace(result)})
	}
	return out
}

// exampleFixture binds the names examples use besides trigger, which is
// exampleTrigger. A line gets the bindings of the names it mentions, in
// this order (later ones may use earlier ones).
var exampleFixture = []struct{ name, value string }{
	{"xs", `[1, 2, 3]`},
	{"accounts", `[{id: "act_1", status: "active"}, {id: "act_2", status: "closed"}]`},
	{"cases", `[{id: "case_1", status: "open"}, {id: "case_2", status: "approved"}]`},
	{"reports", `[{id: "rep_1", matched: false, created_at: "2026-02-03"}, {id: "rep_2", matched: true, created_at: "2026-02-01"}]`},
	{"checks", `[{name: "id_expired", status: "passed"}, {name: "selfie_mismatch", status: "failed"}]`},
	{"inquiries", `[{id: "inq_0", created_at: "2025-11-02T09:00:00Z"}, {id: "inq_1", created_at: "2026-02-01T12:00:00Z"}]`},
	{"defaults", `{tier: "standard", notify: true}`},
	{"overrides", `{tier: "gold"}`},
	{"business_name", `"Acme Trading LLC"`},
	{"n", `"Acme Trading LLC"`},
	{"address", `"1 Main St, Springfield, IL 62701"`},
	{"ein", `"12-3456789"`},
	{"url", `"https://api.example.com/score"`},
	{"body", `"{\"id\": \"inq_1\"}"`},
	{"r", `run http.get("https://api.example.com/score")`},
	{"watchlist", `run report.business_watchlist(name: "Acme Trading LLC")`},
	{"media", `run report.business_adverse_media(name: "Acme Trading LLC")`},
	{"c", `run case.create(template: "kyb-review", objects: [trigger.id])`},
	{"a", `run account.find_or_create("ref_1")`},
	{"t", `run transaction.create("withdrawal", fields: {amount: 5000})`},
}

// exampleTrigger is an inquiry.completed event's object as wf run binds
// trigger: Persona's JSON normalized (times stay strings).
var exampleTrigger = map[string]any{
	"id": "inq_1", "type": "inquiry", "status": "completed", "template_id": "itmpl_kyc",
	"reference_id": "ref_1", "created_at": "2026-01-20T09:30:00.000Z", "name": "Jane Doe",
	"ip_address": "198.51.100.23", "email_address": "jane@mailinator.com", "session_id": "ses_1",
	"failed_checks": []any{"id_expired", "selfie_mismatch"}, "scores": []any{0.2, 0.9, 0.4},
	"account": map[string]any{"id": "act_1", "type": "account"},
	"fields": map[string]any{"birthdate": "2010-09-30", "name_first": "Jane", "name_last": "Doe",
		"name_full": "Jane Doe", "email_address": "jane@example.com", "phone_number": "+15555550100",
		"middle_name": ""},
}

// runExample runs one line and returns its value and the stated value
// (null without one); it reports a failure and returns ok false when the
// line does not check or run.
func runExample(t *testing.T, lib interp.Library, d *lang.FuncDecl, ex example) (got, want interp.Value, ok bool) {
	t.Helper()
	parsed, diags := lang.ParseExpr("example", ex.expr)
	if !assert.False(t, diags.HasErrors(), "%s: %s", ex.expr, diags.Err()) {
		return nil, nil, false
	}
	used := map[string]bool{}
	lang.Inspect(parsed, func(n lang.Node) bool {
		if id, ok := n.(*lang.Ident); ok {
			used[id.Name] = true
		}
		return true
	})
	var src strings.Builder
	src.WriteString("workflow example {\n  on event \"inquiry.completed\"\n\n")
	for _, f := range exampleFixture {
		if used[f.name] {
			fmt.Fprintf(&src, "  let %s = %s\n", f.name, f.value)
		}
	}
	fmt.Fprintf(&src, "  let got = %s\n", ex.expr)
	wantExpr := "null"
	if ex.result != "" && !unstated[d.Name] {
		wantExpr = ex.result
	}
	fmt.Fprintf(&src, "  let want = %s\n  output {got: got, want: want}\n}\n", wantExpr)
	f, diags := lang.Parse("example.wf", []byte(src.String()))
	checked, cd := lang.Check([]*lang.File{f}, lib)
	if diags = append(diags, cd...); !assert.False(t, diags.HasErrors(), "%s:\n%s", ex.expr, diags.Err()) {
		return nil, nil, false
	}
	p, cd := interp.Compile(checked, lib, interp.Options{})
	require.False(t, cd.HasErrors(), "%s", cd.Err())
	trigger := maps.Clone(exampleTrigger)
	if st, ok := exampleStatus[d.Name]; ok {
		trigger["status"] = st
	}
	objs := persona.NewMemObjectStore()
	res, _ := wftest.Run(p, "example", wftest.Trigger(trigger), exampleEnv(t, trigger, objs))
	if !assert.Nil(t, res.Err, "%s fails: %v", ex.expr, res.Err) {
		return nil, nil, false
	}
	// Every Persona action goes through the local backend's Once, which
	// records it under its idempotency key with its change: the durable host
	// relies on that to write no intent for them (persona.IsAction).
	actions := 0
	for _, m := range runCall.FindAllStringSubmatch(src.String(), -1) {
		if persona.IsAction(m[1]) {
			actions++
		}
	}
	applied, err := objs.ListObjects(context.Background(), "applied_action")
	require.NoError(t, err)
	assert.Len(t, applied, actions, "%s: a record of each Persona action performed", ex.expr)
	got, _ = res.Outputs.Get("got")
	want, _ = res.Outputs.Get("want")
	return got, want, true
}

// runCall finds the actions a workflow's source runs.
var runCall = regexp.MustCompile(`\brun ([a-z_]+\.[a-z_]+)\(`)

// exampleEnv is the services examples run against: the local Persona
// backend holding the trigger's inquiry and account, Lists in memory, and
// an HTTP transport that answers every request in-process.
func exampleEnv(t *testing.T, trigger map[string]any, objs *persona.MemObjectStore) *Env {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return wftest.Epoch }
	svc := lists.NewService(lists.NewMemStore(lists.WithClock(now)))
	for _, l := range []struct {
		name string
		kind lists.Kind
		item string
	}{
		{"blocked-ips", lists.KindIPAddress, "198.51.100.0/24"},
		{"blocked-emails", lists.KindEmailAddress, "jane@mailinator.com"},
	} {
		_, err := svc.Create(ctx, l.name, l.kind)
		require.NoError(t, err)
		_, err = svc.Add(ctx, l.name, l.item, nil)
		require.NoError(t, err)
	}
	var mu sync.Mutex
	n := 0
	local, err := persona.NewLocal(persona.Config{Store: objs, Lists: svc, Now: now,
		NewID: func(p string) string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("%s_%d", p, n) }})
	require.NoError(t, err)
	for _, obj := range []map[string]any{trigger, {"id": "act_1", "type": "account", "reference_id": "ref_1"}} {
		_, err := local.Upsert(ctx, obj)
		require.NoError(t, err)
	}
	return &Env{
		PersonaClient: local,
		ListService:   svc,
		HTTPClient:    httpx.New(httpx.Config{Transport: exampleTransport{}, Now: now}),
		Slack:         slack.BotConfig{Token: "xoxb-example"},
		Runner:        exampleRunner{},
		JSEngine:      js.NewEngine(),
		Secrets: secrets{"SLACK_REVIEW_WEBHOOK": "https://hooks.slack.com/services/T0/B0/x",
			"SIGNING_KEY": "k", "HOOK_SECRET": "h"},
	}
}

// exampleTransport answers as the services in the examples would: Slack's
// webhooks "ok", its Web API {"ok": true}, any other API a JSON score.
type exampleTransport struct{}

func (exampleTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	body := `{"score": 0.2}`
	switch {
	case r.URL.Host == "hooks.slack.com":
		body = "ok"
	case r.URL.Host == "slack.com":
		body = `{"ok": true, "channel": "C1", "ts": "1.2"}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// exampleRunner stands for the engine's workflow runner.
type exampleRunner struct{}

func (exampleRunner) Call(_ context.Context, name string, _ *interp.Map) (*interp.Map, error) {
	m := interp.NewMap(1)
	m.Set("workflow", name)
	return m, nil
}

func (exampleRunner) Start(context.Context, string, *interp.Map) (string, error) {
	return "run_2", nil
}

func (exampleRunner) Schedule(context.Context, string, time.Time, *interp.Map) (string, error) {
	return "run_3", nil
}
