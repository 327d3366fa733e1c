package repl

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

func newTestSession(t *testing.T) *Session {
	t.Helper()
	eng, clock := newEngine(t, "")
	return NewSession(eng, nil, clock, false, "repl_test")
}

func eval(t *testing.T, s *Session, src string) *Outcome {
	t.Helper()
	return s.Eval(context.Background(), fmt.Sprintf("in[%d]", len(s.sources)+1), src)
}

func valuesOf(o *Outcome) []interp.Value {
	out := []interp.Value{}
	for _, v := range o.Values {
		out = append(out, v.Value)
	}
	return out
}

func TestSessionRedefinitionReplaces(t *testing.T) {
	s := newTestSession(t)
	require.False(t, eval(t, s, "fn f(n) {\n  return n + 1\n}").Failed())
	assert.Equal(t, []interp.Value{int64(2)}, valuesOf(eval(t, s, "f(1)")))

	out := eval(t, s, "fn f(n) {\n  return n * 10\n}")
	require.False(t, out.Failed(), "%v", out.Diags)
	assert.Equal(t, []interp.Value{int64(10)}, valuesOf(eval(t, s, "f(1)")))
	assert.Equal(t, []string{"f"}, s.Globals(), "the old f is gone")

	require.False(t, eval(t, s, "const LIMIT = 18").Failed())
	require.False(t, eval(t, s, "const LIMIT = 21").Failed())
	assert.Equal(t, []interp.Value{int64(21)}, valuesOf(eval(t, s, "LIMIT")))
}

func TestSessionRejectedEntryChangesNothing(t *testing.T) {
	s := newTestSession(t)
	require.False(t, eval(t, s, "let x = 1").Failed())
	require.False(t, eval(t, s, "fn f(n) {\n  return n\n}").Failed())

	out := eval(t, s, "fn f(n) {\n  return nope\n}\nlet x = 2")
	require.True(t, out.Diags.HasErrors())
	assert.Empty(t, out.Values)
	v, _ := s.Value("x")
	assert.Equal(t, int64(1), v, "the let did not run")
	assert.Equal(t, []interp.Value{int64(5)}, valuesOf(eval(t, s, "f(5)")), "the old f is still in force")
}

func TestSessionNamesGetTheTypeOfTheirValue(t *testing.T) {
	s := newTestSession(t)
	require.False(t, eval(t, s, `let name = "Ada"`).Failed())
	out := eval(t, s, "name - 1")
	require.True(t, out.Diags.HasErrors(), "a string name is checked as a string")
	assert.Equal(t, "type", out.Diags[0].Code)

	require.False(t, eval(t, s, "let later = null").Failed())
	assert.False(t, eval(t, s, "later = 3\nlater + 1").Failed(), "a null name is open to any use")
}

func TestSessionWarningsOnlyForTheNewEntry(t *testing.T) {
	s := newTestSession(t)
	out := eval(t, s, `workflow w {
  on event "inquiry.complete"
  log "x"
}`)
	require.False(t, out.Failed())
	require.Len(t, out.Diags, 1)
	assert.Equal(t, lang.Warning, out.Diags[0].Severity)
	assert.Empty(t, eval(t, s, "1").Diags, "the old warning is not repeated")
}

func TestSessionLoadReplacesAFileLoadedAgain(t *testing.T) {
	s := newTestSession(t)
	path := filepath.Join(t.TempDir(), "h.wf")
	load := func(src string) lang.Diagnostics {
		require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
		f, pd := lang.Parse(path, []byte(src))
		require.Empty(t, pd)
		return s.Load([]*lang.File{f})
	}
	require.Empty(t, load("fn a() {\n  return 1\n}\nfn b() {\n  return 2\n}\n"))
	assert.Equal(t, []string{"a", "b"}, s.Globals())
	require.Empty(t, load("fn a() {\n  return 10\n}\n"))
	assert.Equal(t, []string{"a"}, s.Globals(), "b went with the old version")
	assert.Equal(t, []interp.Value{int64(10)}, valuesOf(eval(t, s, "a()")))

	diags := load("fn a() {\n  return missing\n}\n")
	require.True(t, diags.HasErrors())
	assert.Equal(t, []interp.Value{int64(10)}, valuesOf(eval(t, s, "a()")), "a file with errors loads nothing")
}

func TestSessionFireErrors(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	_, err := s.Fire(ctx, "nope", nil)
	assert.EqualError(t, err, "no workflow named nope: declare one, or :load a file")

	require.False(t, eval(t, s, "workflow flag {\n  on event \"inquiry.completed\"\n  log \"x\"\n}").Failed())
	_, err = s.Fire(ctx, "flg", nil)
	assert.EqualError(t, err, "no workflow named flg (did you mean flag?)")
	_, err = s.Fire(ctx, "flag", nil)
	assert.EqualError(t, err, "flag starts on events: bind one first with :event FILE.json")

	rec, err := s.Fire(ctx, "flag", interp.NewMap(0))
	require.NoError(t, err)
	assert.Equal(t, interp.StatusCompleted, rec.Status)
}

func TestSessionBindEventSavesTheObjectLocally(t *testing.T) {
	s := newTestSession(t)
	body, err := os.ReadFile("testdata/inquiry.json")
	require.NoError(t, err)
	ev, err := runtime.DecodeEvent(body)
	require.NoError(t, err)
	require.NoError(t, s.BindEvent(context.Background(), ev))
	out := eval(t, s, "let inq = run inquiry.get(trigger.id)\ninq.name_first\nevent.name")
	require.False(t, out.Failed(), "%v %v", out.Diags, out.Err)
	assert.Equal(t, []interp.Value{"Sam", "inquiry.completed"}, valuesOf(out))
	require.Len(t, out.Trace, 1)
	assert.Equal(t, "inquiry.get", out.Trace[0].Step.Name)
}

func TestSessionTypeOf(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	require.False(t, eval(t, s, `let m = {a: [1, 2]}`).Failed())
	tests := []struct {
		src   string
		want  lang.Type
		known interp.Value
	}{
		{`"x" + "y"`, lang.TString, nil},
		{`m`, lang.TMap, nil},
		{`m.a`, lang.TAny, interp.NewList([]interp.Value{int64(1), int64(2)})},
	}
	for _, tt := range tests {
		typ, v, known, diags := s.TypeOf(ctx, "in", tt.src)
		require.Empty(t, diags, tt.src)
		assert.Equal(t, tt.want, typ, tt.src)
		assert.Equal(t, tt.known != nil, known, tt.src)
		if tt.known != nil {
			assert.True(t, interp.Equal(tt.known, v), tt.src)
		}
	}
	typ, _, known, diags := s.TypeOf(ctx, "in", `run inquiry.get(m.a)`)
	assert.Empty(t, diags)
	assert.Equal(t, lang.TMap, typ)
	assert.False(t, known, "an expression with a step is not evaluated")
	_, _, _, diags = s.TypeOf(ctx, "in", "let y = 1")
	require.True(t, diags.HasErrors())
	assert.Equal(t, ":type takes one expression", diags[0].Message)
	_, ok := s.Value("y")
	assert.False(t, ok)
}

func TestSecretsAreRedactedEverywhere(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets.env")
	require.NoError(t, os.WriteFile(path, []byte("API_TOKEN=tok-0123456789\n"), 0o600))
	secrets, err := runtime.LoadSecrets(path, true)
	require.NoError(t, err)
	clock := interp.NewFakeClock(epoch)
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: filepath.Join(dir, "wf.db"), Clock: clock, Secrets: secrets})
	require.NoError(t, err)
	defer eng.Close()
	var out bytes.Buffer
	r := New(Config{Engine: eng, Clock: clock, Out: &out})
	got, _ := runScript(t, r, &out, `let t = secret("API_TOKEN")
t
"Bearer ${t}"
log "token ${t}"
fail "bad ${t}"
`)
	assert.NotContains(t, got, "tok-0123456789")
	assert.Contains(t, got, `"[secret API_TOKEN]"`)
	assert.Contains(t, got, `"Bearer [secret API_TOKEN]"`)
	assert.Contains(t, got, "log token [secret API_TOKEN]")
	assert.Contains(t, got, "bad [secret API_TOKEN]")
}

// fakeJS compiles every js fn to a function that returns its parameter
// names joined, so a test can see the REPL hands js fn bodies to Config.JS.
type fakeJS struct{}

type fakeJSFunc struct{ params []string }

func (fakeJS) Compile(name string, params []string, code string, file string, pos lang.Pos) (interp.JSFunc, error) {
	return fakeJSFunc{params}, nil
}

func (f fakeJSFunc) Call(th *interp.Thread, args []interp.Value) (interp.Value, error) {
	return fmt.Sprint(f.params, args), nil
}

func TestSessionJsFnsUseTheConfiguredEngine(t *testing.T) {
	eng, clock := newEngine(t, "")
	s := NewSession(eng, fakeJS{}, clock, false, "repl_test")
	out := eval(t, s, "js fn pick(a, b) \"\"\"\n  return a\n\"\"\"")
	require.False(t, out.Failed(), "%v", out.Diags)
	assert.Equal(t, []interp.Value{"[a b] [1 2]"}, valuesOf(eval(t, s, "pick(1, 2)")))

	s = newTestSession(t)
	out = eval(t, s, "js fn pick(a) \"\"\"return a\"\"\"")
	require.True(t, out.Failed())
	assert.Contains(t, out.Diags[0].Message, "no JavaScript engine is configured")
}
