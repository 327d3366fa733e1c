package runtime_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/httpx"
	"github.com/wf-lang/wf/stdlib/persona"
)

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func open(t *testing.T) *runtime.Engine {
	t.Helper()
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.env")
	require.NoError(t, os.WriteFile(secrets, []byte("API_TOKEN=tok-very-secret-123\n"), 0o600))
	s, err := runtime.LoadSecrets(secrets, true)
	require.NoError(t, err)
	eng, err := runtime.Open(context.Background(), runtime.Config{
		Store: filepath.Join(dir, ".wf", "wf.db"), Secrets: s,
		HTTP:  httpx.Config{AllowLoopback: true, Sleep: func(context.Context, time.Duration) error { return nil }},
		Clock: interp.NewFakeClock(t0),
	})
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	return eng
}

func load(t *testing.T, eng *runtime.Engine, src string) *runtime.Loaded {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flow.wf")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	l, err := eng.Load([]string{path})
	require.NoError(t, err)
	require.False(t, l.Diags.HasErrors(), "%v", l.Diags.Err())
	return l
}

// counter is a loopback server that counts requests per path and fails the
// first two requests to /flaky with a 400.
func counter(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	var first, flaky atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/first":
			first.Add(1)
			w.Write([]byte(`{"ok": true}`))
		case "/flaky":
			if flaky.Add(1) <= 2 {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"ok": true}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &first, &flaky
}

const resumable = `
workflow twostep {
  on manual(base: string)

  let a = run http.post("${base}/first", json: {n: 1})
  let b = run http.post("${base}/flaky", json: {n: 2}, retries: 1, retry_on: [400])
  output {a: a.status, b: b.status}
}
`

func TestResumeReplaysFinishedStepsFromTheStore(t *testing.T) {
	eng := open(t)
	l := load(t, eng, resumable)
	srv, first, flaky := counter(t)
	in := interp.NewMap(1)
	in.Set("base", srv.URL)

	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "twostep", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "failed", rec.Status)
	assert.Contains(t, string(rec.Error), "status 400 after 2 attempts")
	assert.Equal(t, int64(1), first.Load())
	assert.Equal(t, "failed", rec.Steps[1].Status)

	again, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "twostep", Inputs: in, Resume: rec.ID})
	require.NoError(t, err)
	require.Equal(t, "completed", again.Status, "%s", again.Error)
	assert.Equal(t, int64(1), first.Load(), "the finished first step is replayed, not sent again")
	assert.Equal(t, int64(3), flaky.Load(), "the failed step is performed again")
	require.Len(t, again.Steps, 2)
	assert.Equal(t, "replayed", again.Steps[0].Status)
	assert.Equal(t, "completed", again.Steps[1].Status)
	assert.Equal(t, rec.Steps[0].Key, again.Steps[0].Key)
}

func TestSecretsNeverReachTheRecord(t *testing.T) {
	eng := open(t)
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"echo": "` + r.Header.Get("Authorization") + `"}`))
	}))
	defer srv.Close()
	l := load(t, eng, `
workflow s {
  on manual(url: string)

  let token = secret("API_TOKEN")
  let r = run http.get(url, headers: {Authorization: "Bearer ${token}"})
  log "sent ${token}"
  output {echo: r.json.echo, tail: token}
}
`)
	in := interp.NewMap(1)
	in.Set("url", srv.URL)
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "s", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	assert.Equal(t, "Bearer tok-very-secret-123", got.Load(), "the secret is used")
	stored, err := eng.Store.GetRun(context.Background(), rec.ID)
	require.NoError(t, err)
	all, _ := json.Marshal(runtime.RecordOf(stored))
	assert.NotContains(t, string(all), "tok-very-secret-123", "no trace of the secret in the record")
	assert.Contains(t, string(all), "[redacted]")
}

func TestEventRunsSaveTheTriggerAndRecordTheEvent(t *testing.T) {
	eng := open(t)
	l := load(t, eng, `
workflow tagger {
  on event "inquiry.completed" where trigger.status == "completed"

  run inquiry.add_tag(trigger.id, "seen")
  output {event: event.name}
}
`)
	body, err := os.ReadFile("../examples/events/inquiry_adult.json")
	require.NoError(t, err)
	ev, err := runtime.DecodeEvent(body)
	require.NoError(t, err)
	assert.Equal(t, "inquiry.completed", ev.Name)
	ok, err := l.Program.Matches("tagger", ev.Name, ev.Object, ev.Map())
	require.NoError(t, err)
	require.True(t, ok)
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "tagger", Event: ev})
	require.NoError(t, err)
	require.Equal(t, "completed", rec.Status, "%s", rec.Error)
	assert.Contains(t, string(rec.Event), `"name":"inquiry.completed"`)
	assert.Contains(t, string(rec.Outputs), `"event":"inquiry.completed"`)
	obj, err := eng.Store.GetObject(context.Background(), "inquiry", "inq_Adult0001")
	require.NoError(t, err)
	assert.Contains(t, obj["tags"], "seen")
}

// The trigger's object is saved for the local backend from its decoded value
// as JSON: what the backend reads back is what encoding its Go form gave,
// for every example event and for one with floats, nulls, nested lists and
// text that needs escaping.
func TestTriggerObjectSavedAsItsGoForm(t *testing.T) {
	eng := open(t)
	ctx := context.Background()
	files, err := filepath.Glob("../examples/events/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var bodies [][]byte
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		bodies = append(bodies, body)
	}
	bodies = append(bodies, []byte(`{"name": "case.created", "id": "evt_x", "payload": {"type": "case", "id": "case_x",
		"score": 0.5, "whole": 2.0, "big": 12345678901, "none": null, "nested": [[1, {"a": []}], "\"<é>\u2028\ttab"]}}`))
	for _, body := range bodies {
		ev, err := runtime.DecodeEvent(body)
		require.NoError(t, err)
		require.NoError(t, eng.SaveTriggerObject(ctx, ev))
		typ, _ := ev.Object.Get("type")
		id, _ := ev.Object.Get("id")
		kind := persona.KindOf(typ.(string))
		texts, err := store.EncodeObjects([]store.Object{{Kind: kind, ID: id.(string), Data: interp.ToGo(ev.Object).(map[string]any)}})
		require.NoError(t, err)
		want, err := store.DecodeObject(kind, id.(string), []byte(texts.Data[0]))
		texts.Release()
		require.NoError(t, err)
		got, err := eng.Store.GetObject(ctx, kind, id.(string))
		require.NoError(t, err)
		assert.Equal(t, want, got, "%s", body)
	}
}

// A body with a Persona event's shape that Persona's decoder refuses gets
// Persona's error, not the plain event's; the shape is found as
// encoding/json finds a struct's fields (ignoring case).
func TestDecodeEventPersonaShapes(t *testing.T) {
	_, err := runtime.DecodeEvent([]byte(`{"data": {"type": "event", "id": "evt_1", "attributes": {"name": "inquiry.completed",
		"payload": {"data": {"type": "inquiry", "id": "inq_1", "attributes": {"n": 1e400}}}}}}`))
	assert.EqualError(t, err, "persona event: invalid json: number 1e400 is out of range")
	deep := `{"data": {"type": "event", "x": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}`
	_, err = runtime.DecodeEvent([]byte(deep))
	assert.EqualError(t, err, "persona event: invalid json: nested deeper than 64 levels")
	ev, err := runtime.DecodeEvent([]byte(`{"Data": {"Type": "event", "id": "evt_2", "attributes": {"name": "inquiry.approved",
		"payload": {"data": {"type": "inquiry", "id": "inq_2", "attributes": {"status": "approved"}}}}}}`))
	require.NoError(t, err)
	assert.Equal(t, "inquiry.approved", ev.Name)
	st, _ := ev.Object.Get("status")
	assert.Equal(t, "approved", st)
	// data.type other than "event": a plain event, which needs a name.
	_, err = runtime.DecodeEvent([]byte(`{"data": {"type": "inquiry"}}`))
	assert.ErrorContains(t, err, `the event has no "name"`)
}

func TestDecodeEventForms(t *testing.T) {
	ev, err := runtime.DecodeEvent([]byte(`{"name": "case.created", "id": "evt_9", "payload": {"id": "case_1", "status": "open"}}`))
	require.NoError(t, err)
	assert.Equal(t, "case.created", ev.Name)
	st, _ := ev.Object.Get("status")
	assert.Equal(t, "open", st)
	ev, err = runtime.DecodeEvent([]byte(`{"name": "inquiry.approved", "payload": {"data": {"type": "inquiry", "id": "inq_1", "attributes": {"name-first": "Ana"}}}}`))
	require.NoError(t, err)
	nf, _ := ev.Object.Get("name_first")
	assert.Equal(t, "Ana", nf, "a JSON:API payload is normalized")
	for _, bad := range []string{``, `[]`, `{"payload": {}}`, `{"name": "x"}`, `{"name": "x", "payload": 3}`, `{"data": {"type": "event"}}`} {
		_, err := runtime.DecodeEvent([]byte(bad))
		assert.Error(t, err, "%s", bad)
	}
}

func TestParseAndAPIInputs(t *testing.T) {
	params := []interp.Param{{Name: "ein", Type: 1 << 4}, {Name: "count", Type: 1 << 2}}
	m, err := runtime.ParseInputs([]string{"ein=0123", "count=3", "flags=[1,2]"}, params)
	require.NoError(t, err)
	ein, _ := m.Get("ein")
	assert.Equal(t, "0123", ein, "a string parameter keeps its text")
	n, _ := m.Get("count")
	assert.Equal(t, int64(3), n)
	_, err = runtime.ParseInputs([]string{"nokey"}, nil)
	assert.Error(t, err)

	in, err := runtime.APIInputs([]byte(`{"data": {"attributes": {"fields": {"business_name": "Acme"}}}}`))
	require.NoError(t, err)
	bn, _ := in.Get("business_name")
	assert.Equal(t, "Acme", bn)
	in, err = runtime.APIInputs([]byte(`{"business_name": "Plain"}`))
	require.NoError(t, err)
	bn, _ = in.Get("business_name")
	assert.Equal(t, "Plain", bn)
}

func TestExpandPaths(t *testing.T) {
	files, err := runtime.ExpandPaths([]string{"../examples"})
	require.NoError(t, err)
	assert.NotEmpty(t, files)
	for _, f := range files {
		assert.True(t, strings.HasSuffix(f, ".wf"))
	}
	_, err = runtime.ExpandPaths([]string{"../nope"})
	assert.Error(t, err)
}

// Engine.Run builds the record it returns from what it wrote; it must be
// the record the store gives back.
func TestReturnedRecordIsTheStoredOne(t *testing.T) {
	eng := open(t)
	l := load(t, eng, `
workflow w {
  on manual()

  log "one"
  parallel {
    let a = run inquiry.add_tag("inq_x", "a") with {continue_on_error: true}
    let b = run http.get("http://127.0.0.1:9") with {continue_on_error: true}
  }
  log "two"
  output {done: true}
}
`)
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "w"})
	require.NoError(t, err)
	stored, err := eng.Store.GetRun(context.Background(), rec.ID)
	require.NoError(t, err)
	want, _ := json.Marshal(runtime.RecordOf(stored))
	got, _ := json.Marshal(rec)
	assert.JSONEq(t, string(want), string(got))
	assert.Len(t, rec.Steps, 2)
	assert.Len(t, rec.Logs, 2)
}
