package js

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedNow is the clock every test call sees.
func fixedNow() time.Time { return time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC) }

// seqRand returns a random source yielding vals in turn, then 0.
func seqRand(vals ...float64) func() float64 {
	return func() float64 {
		if len(vals) == 0 {
			return 0
		}
		v := vals[0]
		vals = vals[1:]
		return v
	}
}

// testEnv is a deterministic Env on sb, with a time limit generous enough
// for a busy machine or the race detector; tests of the limit set their own.
func testEnv(sb *Sandbox) Env {
	return Env{Now: fixedNow, Rand: seqRand(0.25, 0.75), Sandbox: sb, Timeout: 5 * time.Second}
}

// mustCompile compiles body as f(params…) at review.wf:12:1.
func mustCompile(t testing.TB, name, body string, params ...string) *Program {
	t.Helper()
	p, err := Compile(name, params, body, riskPos)
	require.NoError(t, err)
	return p
}

// callErr calls p and returns the *Error it must fail with.
func callErr(t *testing.T, p *Program, env Env, args ...any) *Error {
	t.Helper()
	_, err := p.Call(context.Background(), env, args)
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

// inquiry is a Persona-like inquiry with twenty keys.
func inquiry() map[string]any {
	m := map[string]any{
		"id": "inq_123", "status": "completed", "country_code": "DE",
		"fields": map[string]any{"selfie_similarity": 0.5, "name_first": "Ada", "birthdate": "1990-01-02"},
		"tags":   []any{"kyc", "eu"},
	}
	for i := len(m); i < 20; i++ {
		m["extra_"+string(rune('a'+i))] = int64(i)
	}
	return m
}

func TestCallRiskScore(t *testing.T) {
	p := mustCompile(t, "risk_score", riskBody, "inquiry")
	sb := NewSandbox(Options{})
	tests := []struct {
		country string
		sim     float64
		want    int64
	}{{"US", 0.9, 0}, {"DE", 0.9, 20}, {"US", 0.5, 50}, {"DE", 0.5, 70}}
	for _, tt := range tests {
		in := inquiry()
		in["country_code"] = tt.country
		in["fields"].(map[string]any)["selfie_similarity"] = tt.sim
		v, err := p.Call(context.Background(), testEnv(sb), []any{in})
		require.NoError(t, err)
		assert.Equal(t, tt.want, v)
	}
}

func TestCallExceptionsMapToBodyAndWFLines(t *testing.T) {
	tests := []struct {
		name, body, msg string
		line            int
	}{
		{"thrown Error", "let a = 1\nlet b = 2\n\nthrow new Error(\"bad\")",
			"risk_score: Error: bad (js line 4)", 4},
		{"TypeError from the VM", "let x = inquiry.missing\nreturn x.y",
			"risk_score: TypeError: Cannot read property 'y' of undefined (js line 2)", 2},
		{"thrown string", "\nthrow \"no country\"", "risk_score: no country (js line 2)", 2},
		{"thrown number", "throw 42", "risk_score: uncaught 42 (js line 1)", 1},
		{"thrown object", "throw {code: 7}", `risk_score: uncaught {"code":7} (js line 1)`, 1},
		{"error made in a helper", "function check(x) {\n  if (!x) throw new RangeError(\"empty\")\n}\ncheck(inquiry.name)",
			"risk_score: RangeError: empty (js line 2)", 2},
		{"native builtin throws", "\n\nreturn JSON.parse(\"{\")",
			"risk_score: SyntaxError: Unexpected end of JSON input (EOF) (js line 3)", 3},
		{"renamed error", "const e = new Error(\"late\")\ne.name = \"LateError\"\nthrow e",
			"risk_score: LateError: late (js line 1)", 1},
		{"error subclass", "class VError extends Error {\n  constructor(m) { super(m); this.name = \"VError\" }\n}\nthrow new VError(\"no\")",
			"risk_score: VError: no (js line 2)", 2},
	}
	sb := NewSandbox(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, "risk_score", tt.body, "inquiry")
			e := callErr(t, p, testEnv(sb), map[string]any{})
			assert.Equal(t, tt.msg, e.Error())
			assert.ErrorIs(t, e, ErrThrown)
			assert.Equal(t, tt.line, e.JSLine)
			assert.Equal(t, riskPos.Line+tt.line-1, e.WFLine())
		})
	}
}

func TestCallStackOverflowIsRefused(t *testing.T) {
	p := mustCompile(t, "f", "function f(n) { return f(n + 1) }\nreturn f(0)")
	env := testEnv(NewSandbox(Options{}))
	env.Timeout = 5 * time.Second
	e := callErr(t, p, env)
	assert.ErrorIs(t, e, ErrLimit)
	assert.Equal(t, "f: RangeError: call stack over the limit of 4096 frames (js line 1)", e.Error())
}

func TestCallTimesOutOnInfiniteLoop(t *testing.T) {
	p := mustCompile(t, "risk_score", "let n = 0\nwhile (true) { n++ }", "inquiry")
	env := testEnv(NewSandbox(Options{}))
	env.Timeout = 20 * time.Millisecond
	e := callErr(t, p, env, nil)
	assert.ErrorIs(t, e, ErrTimeout)
	assert.True(t, strings.HasPrefix(e.Error(), "risk_score: timed out after 20ms"), e.Error())
	if e.JSLine != 0 {
		assert.Equal(t, 2, e.JSLine)
	}
	// try/catch cannot swallow the interrupt
	p = mustCompile(t, "risk_score", "try { while (true) {} } catch (e) { return 'caught' }", "inquiry")
	e = callErr(t, p, env, nil)
	assert.ErrorIs(t, e, ErrTimeout)
}

func TestCallPromiseJobsRunInsideTheLimit(t *testing.T) {
	sb := NewSandbox(Options{})
	p := mustCompile(t, "f", "const seen = []\nPromise.resolve().then(() => seen.push(1))\nreturn seen")
	v, err := p.Call(context.Background(), testEnv(sb), nil)
	require.NoError(t, err)
	assert.Equal(t, []any{int64(1)}, v, "promise jobs run before the result is decoded")

	p = mustCompile(t, "f", "function again() { Promise.resolve().then(again) }\nagain()")
	env := testEnv(sb)
	env.Timeout = 20 * time.Millisecond
	e := callErr(t, p, env)
	assert.ErrorIs(t, e, ErrTimeout)
}

func TestCallStopsWhenContextCancelled(t *testing.T) {
	p := mustCompile(t, "f", "Date.now()\nwhile (true) {}")
	sb := NewSandbox(Options{})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Call(ctx, testEnv(sb), nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualError(t, err, "f: context canceled")

	// cancelled while running: the clock call cancels, the loop must end
	// long before the ten-second time limit
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	env := testEnv(sb)
	env.Timeout = 10 * time.Second
	env.Now = func() time.Time { cancel(); return fixedNow() }
	_, err = p.Call(ctx, env, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "f: context canceled")
}

func TestCallDateAndRandomComeFromEnv(t *testing.T) {
	p := mustCompile(t, "f", "return [Date.now(), new Date().toISOString(), Date(), Math.random(), Math.random()]")
	sb := NewSandbox(Options{})
	want := []any{fixedNow().UnixMilli(), "2024-05-01T12:30:00.000Z", nil, 0.25, 0.75}
	for range 2 {
		v, err := p.Call(context.Background(), testEnv(sb), nil)
		require.NoError(t, err)
		got := v.([]any)
		want[2] = got[2] // Date() renders local time; checked below
		assert.Equal(t, want, got)
	}
	p = mustCompile(t, "f", "return new Date().getTime() === Date.parse(Date())  || Date()")
	_, err := p.Call(context.Background(), testEnv(sb), nil)
	require.NoError(t, err)
}

func TestCallWithoutClockOrRandomThrows(t *testing.T) {
	sb := NewSandbox(Options{})
	env := Env{Sandbox: sb}
	e := callErr(t, mustCompile(t, "f", "return Date.now()"), env)
	assert.Equal(t, "f: TypeError: Date: this call has no clock (Env.Now is nil) (js line 1)", e.Error())
	e = callErr(t, mustCompile(t, "f", "\nreturn Math.random()"), env)
	assert.Equal(t, "f: TypeError: Math.random: this call has no random source (Env.Rand is nil) (js line 2)", e.Error())
	v, err := mustCompile(t, "f", "return new Date(86400000).toISOString()").Call(context.Background(), env, nil)
	require.NoError(t, err)
	assert.Equal(t, "1970-01-02T00:00:00.000Z", v)
}

func TestCallRefusesBadEnvAndArity(t *testing.T) {
	p := mustCompile(t, "f", "return x", "x")
	tests := []struct {
		env  Env
		args []any
		msg  string
	}{
		{Env{Timeout: -time.Second}, []any{1}, "f: timeout must be positive, got -1s"},
		{Env{MaxInputBytes: -1}, []any{1}, "f: input limit must be positive, got -1"},
		{Env{MaxOutputBytes: -1}, []any{1}, "f: output limit must be positive, got -1"},
		{Env{}, nil, "f: takes 1 argument, got 0"},
		{Env{}, []any{1, 2}, "f: takes 1 argument, got 2"},
	}
	for _, tt := range tests {
		_, err := p.Call(context.Background(), tt.env, tt.args)
		assert.EqualError(t, err, tt.msg)
	}
}

func TestCallWithoutSandboxUsesProgramsOwn(t *testing.T) {
	p := mustCompile(t, "f", "return x + 1", "x")
	for i := range int64(3) {
		v, err := p.Call(context.Background(), Env{}, []any{i})
		require.NoError(t, err)
		assert.Equal(t, i+1, v)
	}
	require.NotNil(t, p.own)
	assert.Len(t, p.own.idle, 1)
}
