package lists

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/core"
	"github.com/wf-lang/wf/stdlib/internal/wftest"
)

// wfEnv provides a Service to runs.
type wfEnv struct{ svc *Service }

func (e *wfEnv) Lists() *Service { return e.svc }

// behind is a test action that changes a List directly, as another process
// sharing the store would.
func behind() *builtin.Module {
	empty := interp.NewList([]interp.Value{})
	return &builtin.Module{Name: "test", Builtins: []*interp.Builtin{
		builtin.Pure("test.empty(name: string) -> list", "Returns the same empty list.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) { return empty, nil }),
		builtin.Action("test.add_behind(list: string, value: string) -> null", "Adds behind the run's back.", "",
			func(th *interp.Thread, a *interp.Args) (interp.Value, error) {
				l, _ := a.String(0)
				v, _ := a.String(1)
				_, err := th.Env().(*wfEnv).svc.Add(th.Context(), l, v, nil)
				return nil, err
			}),
	}}
}

func wfLibrary() *builtin.Library { return builtin.NewLibrary(core.Module(), Module(), behind()) }

// newWFEnv makes a Service with a few Lists, filled in order (so item ids
// are fixed).
func newWFEnv(t testing.TB) *wfEnv {
	t.Helper()
	ctx := context.Background()
	svc := NewService(NewMemStore(WithClock(func() time.Time { return wftest.Epoch })))
	fill := []struct {
		name  string
		kind  Kind
		items []string
	}{
		{"blocked-ips", KindIPAddress, []string{"10.0.0.0/8", "192.0.2.1"}},
		{"blocked-emails", KindEmailAddress, []string{"fraud@example.com"}},
		{"ids", KindString, []string{"12345"}},
		{"names", KindName, []string{"José Núñez"}},
		{"geo", KindGeolocation, nil},
	}
	for _, l := range fill {
		_, err := svc.Create(ctx, l.name, l.kind)
		require.NoError(t, err)
		for _, v := range l.items {
			_, err := svc.Add(ctx, l.name, v, nil)
			require.NoError(t, err)
		}
	}
	_, err := svc.Add(ctx, "geo", "", map[string]string{AttrLatitude: "52.52", AttrLongitude: "13.405", AttrRadiusMeters: "1000"})
	require.NoError(t, err)
	return &wfEnv{svc: svc}
}

// eval runs `output {v: <expr>}` and returns v, or the run's error.
func eval(t *testing.T, e *wfEnv, expr string) (interp.Value, *interp.Error) {
	t.Helper()
	p := wftest.Load(t, wfLibrary(), "workflow w {\n  on manual()\n\n  output {v: "+expr+"}\n}")
	res, _ := wftest.Run(p, "w", nil, e)
	if res.Err != nil {
		return nil, res.Err
	}
	v, _ := res.Outputs.Get("v")
	return v, nil
}

func TestMembership(t *testing.T) {
	e := newWFEnv(t)
	cases := []struct {
		expr string
		want bool
	}{
		{`"10.1.2.3" in list("blocked-ips")`, true},
		{`"192.0.2.1" in list("blocked-ips")`, true},
		{`"192.0.2.2" in list("blocked-ips")`, false},
		{`"8.8.8.8" not in list("blocked-ips")`, true},
		{`"not an ip" in list("blocked-ips")`, false},
		{`"FRAUD@example.com " in list("blocked-emails")`, true},
		{`12345 in list("ids")`, true},
		{`12346 in list("ids")`, false},
		{`null in list("ids")`, false},
		{`"jose nunez" in list("names")`, true},
		{`{name_first: "JOSÉ", name_last: "nuñez"} in list("names")`, true},
		{`{latitude: 52.521, longitude: 13.406} in list("geo")`, true},
		{`"48.85,2.35" in list("geo")`, false},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			v, err := eval(t, e, c.expr)
			require.Nil(t, err, "%v", err)
			assert.Equal(t, c.want, v)
		})
	}
}

func TestMatch(t *testing.T) {
	e := newWFEnv(t)
	v, err := eval(t, e, `list("blocked-ips").match("10.9.9.9")`)
	require.Nil(t, err, "%v", err)
	assert.Equal(t, map[string]any{"value": "10.0.0.0/8", "kind": "ip_address", "id": "li_1", "list": "blocked-ips"},
		interp.ToGo(v), "the range containing the address")
	v, err = eval(t, e, `match(list("blocked-ips"), "8.8.8.8")`)
	require.Nil(t, err)
	assert.Nil(t, v)
	v, err = eval(t, e, `list("geo").match("52.52,13.405").radius_meters`)
	require.Nil(t, err)
	assert.Equal(t, "1000", v, "item data comes along")
	v, err = eval(t, e, `str(list("ids"))`)
	require.Nil(t, err)
	assert.Equal(t, "<List>", v)
}

func TestListErrors(t *testing.T) {
	e := newWFEnv(t)
	cases := []struct{ expr, want string }{
		{`"1.2.3.4" in list("blocked-ipz")`, `list: list "blocked-ipz" does not exist (did you mean "blocked-ips"?)`},
		{`true in list("blocked-ips")`, `list "blocked-ips" holds ip_address values, cannot look up a bool`},
		{`[1] in list("ids")`, `list "ids" holds string values, cannot look up a list`},
		{`match(json.parse("{}"), "x")`, `match: list must be handle, got map`},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			_, err := eval(t, e, c.expr)
			require.NotNil(t, err)
			assert.Contains(t, err.Msg, c.want)
		})
	}
	_, err := eval(t, &wfEnv{}, `"x" in list("ids")`)
	require.NotNil(t, err)
	assert.Contains(t, err.Msg, "list: no Lists are configured for this run")
}

func TestAddRemoveAreSeenByTheRun(t *testing.T) {
	e := newWFEnv(t)
	p := wftest.Load(t, wfLibrary(), `
workflow w {
  on manual()

  let before = "a@gmail.com" in list("blocked-emails")
  let item = run lists.add("blocked-emails", "gmail.com", match_type: "domain", reason: "free mail")
  let after = list("blocked-emails").match("b@GMAIL.com")
  let removed = run lists.remove("blocked-emails", "@gmail.com")
  let again = run lists.remove("blocked-emails", "gmail.com")
  let gone = "a@gmail.com" in list("blocked-emails")
  let ip = run lists.add("blocked-ips", "2001:db8::1")
  let geo = run lists.add("geo", {latitude: 48.85, longitude: 2.35, radius_meters: 500})
  output {before: before, item: item, after: after.match_type, removed: removed, again: again, gone: gone,
          ip: ip.value, geo: "48.851,2.351" in list("geo")}
}`)
	res, host := wftest.Run(p, "w", nil, e)
	require.Nil(t, res.Err, "%v", res.Err)
	out := interp.ToGo(res.Outputs).(map[string]any)
	assert.Equal(t, false, out["before"])
	assert.Equal(t, map[string]any{"value": "@gmail.com", "kind": "email_address", "id": "li_7", "list": "blocked-emails",
		"match_type": "domain", "reason": "free mail"}, out["item"])
	assert.Equal(t, "domain", out["after"], "the run sees its own add at once")
	assert.Equal(t, true, out["removed"])
	assert.Equal(t, false, out["again"])
	assert.Equal(t, false, out["gone"], "and its own remove")
	assert.Equal(t, "2001:db8::1", out["ip"])
	assert.Equal(t, true, out["geo"])
	assert.Len(t, host.Steps, 5, "add and remove are steps; list and match are not")
}

func TestActionErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`run lists.add("blocked-ips", "nope") with {retries: 3}`, `lists.add: list "blocked-ips" holds ip_address values: invalid IP address "nope"`},
		{`run lists.add("nope", "x") with {retries: 3}`, `lists.add: list "nope" does not exist`},
		{`run lists.add("ids", [1])`, "lists.add: value must be a string, a number or a map, got list"},
		{`run lists.add("ids", "x", tags: ["a"])`, "lists.add: tags must be a string, a number or a bool, got list"},
		{`run lists.remove("blocked-emails", "not an email") with {retries: 3}`, `lists.remove: list "blocked-emails" holds email_address values: malformed email domain`},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			p := wftest.Load(t, wfLibrary(), "workflow w {\n  on manual()\n\n  "+c.body+"\n}")
			res, host := wftest.Run(p, "w", nil, newWFEnv(t))
			require.NotNil(t, res.Err)
			assert.Contains(t, res.Err.Msg, c.want)
			assert.Equal(t, 1, host.Steps[0].Attempts, "a bad value is not retried")
		})
	}
}

func TestCheckRules(t *testing.T) {
	ok := `
fn blocked(ip) {
  return ip in list("blocked-ips")
}
workflow w {
  on manual()

  let hit = blocked("1.2.3.4") or list("ids").match("x") != null
}`
	assert.False(t, wftest.Check(wfLibrary(), ok).HasErrors(), "list and match are pure, even in a fn")
	bad := map[string]string{
		`lists.add("ids", "x")`:         "lists.add is an action: call it with run",
		`run lists.remove("ids")`:       "lists.remove: missing argument value",
		`let l = list(1)`:               "list: name must be string, got int",
		`let m = match("ids", "x")`:     "match: list must be handle, got string",
		`let x = "a" in list("ids", 2)`: "list takes",
	}
	for body, want := range bad {
		diags := wftest.Check(wfLibrary(), "workflow w {\n  on manual()\n\n  "+body+"\n}")
		if assert.True(t, diags.HasErrors(), body) {
			assert.Contains(t, diags.Err().Error(), want)
		}
	}
}

// A run resolves a List once: a change made behind its back shows after
// handleTTL on the run's clock.
func TestRunSeesListAsResolvedUntilTTL(t *testing.T) {
	e := newWFEnv(t)
	p := wftest.Load(t, wfLibrary(), `
workflow w {
  on manual()

  let first = "99999" in list("ids")
  run test.add_behind("ids", "99999")
  let cached = "99999" in list("ids")
  wait 11s
  let later = "99999" in list("ids")
  output {first: first, cached: cached, later: later}
}`)
	res, _ := wftest.Run(p, "w", nil, e)
	assert.Equal(t, false, wftest.Output(t, res, "first"))
	assert.Equal(t, false, wftest.Output(t, res, "cached"), "the run keeps the List it resolved")
	assert.Equal(t, true, wftest.Output(t, res, "later"), "until handleTTL has passed")
}

// A new run (another run id) sees changes made before it started, even
// with the same module and Service.
func TestNewRunSeesEarlierChanges(t *testing.T) {
	e := newWFEnv(t)
	lib := wfLibrary()
	p := wftest.Load(t, lib, "workflow n {\n  on manual()\n\n  output {v: \"777\" in list(\"ids\")}\n}")
	runAs := func(id string) interp.Value {
		host := &interp.MemHost{Clock: interp.NewFakeClock(wftest.Epoch)}
		res := p.Run(context.Background(), interp.RunRequest{Workflow: "n", Trigger: interp.NewMap(0), Host: host,
			Clock: host.Clock, Env: e, RunID: id, Start: wftest.Epoch})
		return wftest.Output(t, res, "v")
	}
	assert.Equal(t, false, runAs("run_a"))
	_, err := e.svc.Add(context.Background(), "ids", "777", nil)
	require.NoError(t, err)
	assert.Equal(t, true, runAs("run_b"))
	assert.Equal(t, false, runAs("run_a"), "while run_a's handle is fresh it keeps it")
}

func TestServiceListMatch(t *testing.T) {
	e := newWFEnv(t)
	ctx := context.Background()
	ok, err := e.svc.ListMatch(ctx, "names", "JOSE NUNEZ")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = e.svc.ListMatch(ctx, "no-such-list", "x")
	require.NoError(t, err, "an unknown List matches nothing")
	assert.False(t, ok)
}

// A string lookup through the List handle does not allocate.
func TestHandleContainsDoesNotAllocate(t *testing.T) {
	e := newWFEnv(t)
	for _, c := range []struct{ list, value string }{
		{"blocked-ips", "10.1.2.3"}, {"blocked-ips", "8.8.8.8"}, {"blocked-ips", "2001:db8::5"},
		{"blocked-emails", "fraud@example.com"}, {"blocked-emails", "x@y.org"},
	} {
		h, err := e.svc.Handle(context.Background(), c.list)
		require.NoError(t, err)
		var l interp.Handle = &wfList{name: c.list, h: h}
		var v interp.Value = strings.Clone(c.value)
		allocs := testing.AllocsPerRun(100, func() { _, _ = l.Contains(v) })
		assert.Zero(t, allocs, "%s in %s", c.value, c.list)
	}
}

// lookupProgram runs `x in <target>` for every address of trigger.ips.
func lookupProgram(tb testing.TB, target string) *interp.Program {
	tb.Helper()
	return wftest.Load(tb, wfLibrary(), `
workflow look {
  on manual(ips: list)

  for ip in ips {
    let hit = ip in `+target+`
  }
}`)
}

// manyIPs is n addresses, every seventh one in 10.0.0.0/8.
func manyIPs(n int) *interp.Map {
	ips := make([]any, n)
	for i := range ips {
		if i%7 == 0 {
			ips[i] = "10.0." + itoa(i%250) + ".1"
		} else {
			ips[i] = "203.0." + itoa(i%250) + ".9"
		}
	}
	return wftest.Trigger(map[string]any{"ips": ips})
}

func itoa(i int) string { return interp.ToString(int64(i)) }

// runAllocs counts the allocations of one run of p.
func runAllocs(p *interp.Program, trigger *interp.Map, e *wfEnv) float64 {
	host := &interp.MemHost{Clock: interp.NewFakeClock(wftest.Epoch)}
	req := interp.RunRequest{Workflow: "look", Trigger: trigger, Host: host, Clock: host.Clock, Env: e,
		RunID: "run_alloc", Start: wftest.Epoch}
	p.Run(context.Background(), req) // resolve and cache the handle first
	return testing.AllocsPerRun(5, func() { p.Run(context.Background(), req) })
}

// `ip in list("blocked-ips")` through the interpreter allocates no more
// than any call of a one-argument builtin does, and the resolution and
// lookup nothing: a thousand lookups cost no more than a thousand
// `ip in test.empty("…")`, a builtin returning a fixed empty list.
func TestInListThroughInterpAllocatesNothingForTheLookup(t *testing.T) {
	e := newWFEnv(t)
	trigger := manyIPs(1000)
	list := runAllocs(lookupProgram(t, `list("blocked-ips")`), trigger, e)
	baseline := runAllocs(lookupProgram(t, `test.empty("blocked-ips")`), trigger, e)
	assert.LessOrEqual(t, list, baseline+2, "allocations for 1000 lookups: list %v, baseline %v", list, baseline)
}

func BenchmarkHandleContainsIP(b *testing.B) {
	e := newWFEnv(b)
	h, err := e.svc.Handle(context.Background(), "blocked-ips")
	require.NoError(b, err)
	var l interp.Handle = &wfList{name: "blocked-ips", h: h}
	var v interp.Value = "10.1.2.3"
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := l.Contains(v); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkInListProgram runs a workflow doing 1000 lookups per op.
func BenchmarkInListProgram(b *testing.B) {
	e := newWFEnv(b)
	p := lookupProgram(b, `list("blocked-ips")`)
	host := &interp.MemHost{Clock: interp.NewFakeClock(wftest.Epoch)}
	req := interp.RunRequest{Workflow: "look", Trigger: manyIPs(1000), Host: host, Clock: host.Clock, Env: e,
		RunID: "run_bench", Start: wftest.Epoch}
	b.ReportAllocs()
	for b.Loop() {
		if res := p.Run(context.Background(), req); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
}

// One list(…) call site evaluated again and again keeps its handle in its
// memo: a change behind the run's back shows once handleTTL has passed on
// the run's clock, the run's own change at once.
func TestCallSiteKeepsItsListUntilTTLOrAChange(t *testing.T) {
	e := newWFEnv(t)
	p := wftest.Load(t, wfLibrary(), `
workflow w {
  on manual()

  let behind = []
  for i in [1, 2, 3] {
    behind = behind + ["99999" in list("ids")]
    when i == 1 {
      run test.add_behind("ids", "99999")
    } else when i == 2 {
      wait 11s
    }
  }
  let own = []
  for i in [1, 2] {
    own = own + ["88888" in list("ids")]
    when i == 1 {
      run lists.add("ids", "88888")
    }
  }
  output {behind: behind, own: own}
}`)
	res, _ := wftest.Run(p, "w", nil, e)
	require.Nil(t, res.Err, "%v", res.Err)
	assert.Equal(t, []any{false, false, true}, interp.ToGo(wftest.Output(t, res, "behind")), "kept until handleTTL")
	assert.Equal(t, []any{false, true}, interp.ToGo(wftest.Output(t, res, "own")), "the run's own add at once")
}

// A rule over a List evaluated by an interp.Evaluator allocates nothing:
// the call site's memo holds the handle.
func TestEvaluatorListRuleAllocatesNothing(t *testing.T) {
	e := newWFEnv(t)
	ev, diags := interp.NewEvaluator("rule.wf", `fn r(ip) { return ip in list("blocked-ips") }`, "r", wfLibrary(), interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	ev.SetEnv(e)
	for ip, want := range map[string]bool{"10.1.2.3": true, "192.0.2.1": true, "8.8.8.8": false} {
		var arg interp.Value = ip
		v, err := ev.Eval(arg)
		require.NoError(t, err)
		assert.Equal(t, want, v, ip)
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ev.Eval(arg) }), ip)
	}
	other := newWFEnv(t)
	_, err := other.svc.Add(context.Background(), "blocked-ips", "8.8.8.8", nil)
	require.NoError(t, err)
	ev.SetEnv(other)
	v, err := ev.Eval("8.8.8.8")
	require.NoError(t, err)
	assert.Equal(t, true, v, "a memo is for one Service")
}

// A List hands `s in list(…)` of a string straight to its index (the
// optimization pass calls ContainsString).
var _ interp.StringContainer = (*wfList)(nil)
