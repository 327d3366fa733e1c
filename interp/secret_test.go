package interp_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

const tokenText = "s3cr3t-token-value"

// A step's action gets the text of a secret; the step's record, the log
// and the outputs keep markers, with the plain parts of a joined string
// readable. What the action echoes back is a secret too. An event cannot
// carry a secret.
func TestSecretsAtTheBoundaries(t *testing.T) {
	p := load(t, "s.wf", []byte(`
workflow s {
  on manual()

  let t = secret("TEST_TOKEN")
  let echoed = run test.echo({auth: "Bearer ${t}", loud: upper(t), n: 1})
  log "sent ${echoed.auth}"
  output {auth: echoed.auth, loud: echoed.loud, n: echoed.n, plain: "ok"}
  emit "sent" {auth: echoed.auth}
}
`))
	emitted := false
	host := &interp.MemHost{EmitFunc: func(context.Context, string, string, *interp.Map) error {
		emitted = true
		return nil
	}}
	res := runWith(p, "s", host, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	assert.Contains(t, res.Err.Msg, "emit sent: the payload holds a secret")
	assert.False(t, emitted)

	require.Len(t, host.Steps, 1)
	args, err := interp.MarshalJSON(host.Steps[0].Args)
	require.NoError(t, err)
	assert.JSONEq(t, `{"x": {"auth": "Bearer [secret TEST_TOKEN]", "loud": "[secret TEST_TOKEN]", "n": 1}}`, string(args))

	require.Len(t, host.Logs, 1)
	assert.Equal(t, "sent Bearer [secret TEST_TOKEN]", host.Logs[0].Message)

	out, err := interp.MarshalJSON(res.Outputs)
	require.NoError(t, err)
	assert.JSONEq(t, `{"auth": "Bearer [secret TEST_TOKEN]", "loud": "[secret TEST_TOKEN]", "n": 1, "plain": "ok"}`, string(out),
		"what the action returned holds the secret's text, so it is a secret")

}

// A run whose trigger holds a secret (the names of a REPL session) keeps
// it secret and can use it.
func TestARunGivenASecretKeepsIt(t *testing.T) {
	p := load(t, "c.wf", []byte(`
workflow child {
  on workflow(token: string)

  let r = run test.echo(token)
  log "got ${token}"
  output {r: r}
}
`))
	in := interp.NewMap(1)
	in.Set("token", interp.NewSecret("TEST_TOKEN", tokenText))
	host := &interp.MemHost{}
	res := p.Run(context.Background(), interp.RunRequest{Workflow: "child", Trigger: in, Host: host,
		Env: newEnv(), RunID: "run_c", Start: epoch, Clock: interp.NewFakeClock(epoch)})
	require.Nil(t, res.Err)
	require.Len(t, host.Steps, 1)
	r, _ := res.Outputs.Get("r")
	assert.IsType(t, &interp.Secret{}, r, "the echo of a secret is a secret")
	assert.Equal(t, "got [secret TEST_TOKEN]", host.Logs[0].Message)
	assert.Equal(t, []string{tokenText}, res.Secrets)
}

// The text of a secret that a failing action puts in its error is
// scrubbed from the error.
func TestStepErrorsAreScrubbed(t *testing.T) {
	p := load(t, "f.wf", []byte(`
workflow f {
  on manual()

  run test.fail("refused ${lower(secret("TEST_TOKEN"))}")
}
`))
	res := runWith(p, "f", &interp.MemHost{}, newEnv(), 1, nil)
	require.NotNil(t, res.Err)
	assert.NotContains(t, res.Err.Error(), tokenText)
	assert.Contains(t, res.Err.Msg, "refused [redacted]")
}
