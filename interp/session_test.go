package interp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// replState is a minimal REPL: names and values carried between entries.
type replState struct {
	names  []string
	values map[string]interp.Value
	files  []*lang.File
	n      int
}

func newReplState() *replState { return &replState{values: map[string]interp.Value{}} }

// eval runs one entry with host, then carries the entry's names over.
func (r *replState) eval(t *testing.T, src string, host *interp.MemHost) *interp.SessionResult {
	t.Helper()
	r.n++
	entry, pd := lang.ParseEntry("in", src)
	require.Empty(t, pd)
	f := &lang.File{Path: "in", Src: []byte(src), Decls: entry.Decls}
	var vars []lang.SessionVar
	var vals []interp.Value
	for _, n := range r.names {
		vars = append(vars, lang.SessionVar{Name: n, Type: lang.TAny})
		vals = append(vals, r.values[n])
	}
	checked, si, diags := lang.CheckSession(append(r.files, f), f, entry.Stmts, vars, testLibrary())
	require.False(t, diags.HasErrors(), "%s", diags.Err())
	sess, cd := interp.CompileSession(checked, si, testLibrary(), interp.Options{})
	require.False(t, cd.HasErrors(), "%s", cd.Err())
	if host == nil {
		host = &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
	}
	res := sess.Run(context.Background(), interp.RunRequest{Host: host, Clock: host.Clock,
		Env: newEnv(), RunID: "repl", Seed: 1, Start: epoch}, vals)
	if len(entry.Decls) > 0 {
		r.files = append(r.files, f)
	}
	for n, v := range res.Vars {
		if _, ok := r.values[n]; !ok {
			r.names = append(r.names, n)
		}
		r.values[n] = v
	}
	return res
}

func values(res *interp.SessionResult) []interp.Value {
	out := []interp.Value{}
	for _, v := range res.Values {
		out = append(out, v.Value)
	}
	return out
}

func TestSessionCarriesNamesBetweenEntries(t *testing.T) {
	r := newReplState()
	res := r.eval(t, "let x = 20", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, interp.StatusCompleted, res.Status)
	assert.Empty(t, res.Values, "a let prints nothing")
	assert.Equal(t, int64(20), res.Vars["x"])

	res = r.eval(t, "x * 2 + 2", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, []interp.Value{int64(42)}, values(res))

	res = r.eval(t, "x = x + 1", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, int64(21), r.values["x"], "assignment updates the session's value")

	res = r.eval(t, `let x = "shadowed"`, nil)
	require.Nil(t, res.Err)
	assert.Equal(t, "shadowed", r.values["x"])
	assert.Len(t, r.names, 1)
}

func TestSessionLambdasAndFnsCarryOver(t *testing.T) {
	r := newReplState()
	require.Nil(t, r.eval(t, "let inc = n -> n + 1", nil).Err)
	res := r.eval(t, "inc(41)", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, []interp.Value{int64(42)}, values(res))

	require.Nil(t, r.eval(t, "fn twice(n) {\n  return n * 2\n}", nil).Err)
	res = r.eval(t, "twice(inc(1))", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, []interp.Value{int64(4)}, values(res))
}

func TestSessionEveryExpressionStatementIsKept(t *testing.T) {
	r := newReplState()
	res := r.eval(t, "{\n  let a = 1\n}\n1 + 1\n\"two\"", nil)
	require.Nil(t, res.Err)
	assert.Equal(t, []interp.Value{int64(2), "two"}, values(res))
	require.Len(t, res.Values, 2)
	assert.Equal(t, 4, res.Values[0].Stmt.X.Span().Start.Line)
}

func TestSessionFailureKeepsWhatRan(t *testing.T) {
	r := newReplState()
	res := r.eval(t, "let before = 1\n1\nlet after = null.field\n3", nil)
	assert.Equal(t, interp.StatusFailed, res.Status)
	require.NotNil(t, res.Err)
	assert.Equal(t, interp.KindNull, res.Err.Kind)
	assert.Equal(t, "in", res.Err.File)
	assert.Equal(t, 3, res.Err.Pos.Line)
	assert.Equal(t, []interp.Value{int64(1)}, values(res), "3 never ran")
	assert.Equal(t, int64(1), res.Vars["before"], "names bound before the error are kept")
	assert.NotContains(t, res.Vars, "after", "a let that failed binds nothing")
}

func TestSessionStepsGoThroughTheHost(t *testing.T) {
	r := newReplState()
	host := &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
	res := r.eval(t, `run test.echo("hi")`, host)
	require.Nil(t, res.Err)
	assert.Equal(t, []interp.Value{"hi"}, values(res))
	require.Len(t, host.Steps, 1)
	assert.Equal(t, interp.StepCompleted, host.Steps[0].Status)
	assert.Equal(t, "test.echo", host.Steps[0].Name)

	dry := &interp.MemHost{Clock: interp.NewFakeClock(epoch), DryRun: true}
	res = r.eval(t, `let r = run test.echo("hi")`, dry)
	require.Nil(t, res.Err)
	require.Len(t, dry.Steps, 1)
	assert.Equal(t, interp.StepDryRun, dry.Steps[0].Status)
	assert.Nil(t, r.values["r"])
}

func TestSessionOutputsLogsAndStop(t *testing.T) {
	r := newReplState()
	host := &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
	res := r.eval(t, "output { a: 1 }\nlog \"hello\"\nstop\n2", host)
	require.Nil(t, res.Err)
	assert.Equal(t, interp.StatusCompleted, res.Status)
	v, ok := res.Outputs.Get("a")
	assert.True(t, ok)
	assert.Equal(t, int64(1), v)
	require.Len(t, host.Logs, 1)
	assert.Equal(t, "hello", host.Logs[0].Message)
	assert.Empty(t, res.Values, "nothing runs after stop")
}

func TestSessionRunWithoutHostRefusesSteps(t *testing.T) {
	entry, _ := lang.ParseEntry("in", `run test.echo(1)`)
	f := &lang.File{Path: "in", Src: []byte(`run test.echo(1)`)}
	checked, si, diags := lang.CheckSession([]*lang.File{f}, f, entry.Stmts, nil, testLibrary())
	require.False(t, diags.HasErrors())
	sess, cd := interp.CompileSession(checked, si, testLibrary(), interp.Options{})
	require.False(t, cd.HasErrors())
	assert.NotNil(t, sess.Program())
	res := sess.Run(context.Background(), interp.RunRequest{}, nil)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "steps cannot run here")
}
