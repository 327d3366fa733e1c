package runtime_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// secretFlow uses a secret, and values computed from it, in every way a
// script can: steps' arguments, a log line, outputs, and a failure message;
// it tries to give it to a run it calls, starts or schedules and to an
// event (each refused: those runs start from their records, which keep only
// markers); a called run and a listener that read the secret themselves use
// it too.
const secretFlow = `
workflow parent {
  on manual(url: string)

  let token = secret("API_TOKEN")
  let loud = upper(token)
  let quiet = lower(loud)
  let part = substring(token, 4)
  let swapped = replace(token, "-", "_")
  let joined = "x" + token + "y"
  log "token ${token} ${loud} ${part} ${swapped}"
  run http.post(url, headers: {authorization: "Bearer ${token}"}, json: {loud: loud, quiet: quiet, part: part, joined: joined})
  try {
    run workflow.call("child", {url: url, token: token})
  } catch e {
    log "call: ${e.message}"
  }
  try {
    run workflow.start("child", {url: url, token: part})
  } catch e {
    log "start: ${e.message}"
  }
  try {
    run workflow.schedule("child", at: 1d, input: {url: url, token: loud})
  } catch e {
    log "schedule: ${e.message}"
  }
  try {
    emit "token.used" {url: url, token: joined}
  } catch e {
    log "emit: ${e.message}"
  }
  let child = run workflow.call("child", {url: url, token: "plain"})
  emit "token.used" {url: url, token: "plain"}
  output {token: token, loud: loud, child: child}
  fail "done with ${swapped}"
}

workflow child {
  on workflow(url: string, token: string)

  let own = secret("API_TOKEN")
  run http.post(url, json: {token: token, own: own})
  log "child got ${token} and ${own}"
  output {echo: own}
}

workflow listener {
  on event "token.used"

  run http.post(trigger.url, json: {heard: trigger.token, own: secret("API_TOKEN")})
  log "heard ${trigger.token}"
}
`

// Nothing computed from a secret reaches the store file, whichever way it
// goes, while every effect gets the real text.
func TestSecretsStayOutOfTheStoreFile(t *testing.T) {
	const token = "tok-very-secret-123"
	forms := []string{token, strings.ToUpper(token), "very-secret-123", "tok_very_secret_123"}

	var mu sync.Mutex
	var sent bytes.Buffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		sent.WriteString(r.Header.Get("Authorization") + " " + string(body) + "\n")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok": true}`))
	}))
	defer srv.Close()

	eng := open(t)
	l := load(t, eng, secretFlow)
	in := interp.NewMap(1)
	in.Set("url", srv.URL)
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "parent", Inputs: in})
	require.NoError(t, err)
	require.Equal(t, "failed", rec.Status)
	path := eng.Store.Location()
	require.NoError(t, eng.Close()) // waits for the listener

	mu.Lock()
	effects := sent.String()
	mu.Unlock()
	assert.Contains(t, effects, "Bearer "+token, "the header was sent with the secret")
	for _, f := range []string{strings.ToUpper(token), strings.ToLower(token), "very-secret-123", "x" + token + "y"} {
		assert.Contains(t, effects, f, "the effects got the real text")
	}
	assert.Equal(t, 2, strings.Count(effects, `"own":"`+token+`"`), "the called run and the listener read the secret themselves")
	assert.Equal(t, 3, strings.Count(effects, "\n"), "parent, the called child, the listener; nothing refused started")
	assert.NotContains(t, effects, "[secret", "no effect got a marker for a value")

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	var busy, logFrames, checkpointed int
	require.NoError(t, db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed))
	var runs, scheduled int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM runs").Scan(&runs))
	require.NoError(t, db.QueryRow("SELECT count(*) FROM scheduled").Scan(&scheduled))
	require.NoError(t, db.Close())
	assert.Equal(t, 3, runs, "parent, child, listener")
	assert.Equal(t, 0, scheduled)

	files, err := filepath.Glob(path + "*")
	require.NoError(t, err)
	var all []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all = append(all, b...)
	}
	require.NotEmpty(t, all)
	for _, f := range forms {
		assert.Falsef(t, bytes.Contains(all, []byte(f)), "the store file holds %q", f)
	}
	for _, marker := range []string{"Bearer [secret API_TOKEN]", "done with [secret API_TOKEN]",
		"child got plain and [secret API_TOKEN]", "call: workflow.call: the input holds a secret",
		"start: workflow.start: the input holds a secret", "schedule: workflow.schedule: the input holds a secret",
		"emit: emit token.used: the payload holds a secret"} {
		assert.Truef(t, bytes.Contains(all, []byte(marker)), "the store file shows %q", marker)
	}
}

// secret() reads the secrets file and WF_SECRET_* variables only: not the
// process's own credentials.
func TestSecretReadsOnlyItsSources(t *testing.T) {
	t.Setenv("PERSONA_API_KEY", "persona-key-123")
	t.Setenv("WF_SECRET_HOOK", "hook-secret-456")
	eng := open(t)
	l := load(t, eng, `
workflow env {
  on manual(name: string)

  let s = secret(name)
  output {n: len(s)}
}
`)
	for name, want := range map[string]string{"API_TOKEN": "completed", "HOOK": "completed", "PERSONA_API_KEY": "failed", "WF_SECRET_HOOK": "failed"} {
		in := interp.NewMap(1)
		in.Set("name", name)
		rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "env", Inputs: in})
		require.NoError(t, err)
		assert.Equal(t, want, rec.Status, name)
		if want == "failed" {
			assert.Contains(t, string(rec.Error), "secret "+name+" is not set")
		}
	}
}
