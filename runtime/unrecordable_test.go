package runtime_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// A step whose result cannot be recorded (JSON nested deeper than a record
// holds) fails the run: the journal would replay something else than the
// step returned, so the run does not go on as if it were recorded.
func TestAStepResultThatCannotBeRecordedFailsTheRun(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(deep))
	}))
	defer srv.Close()
	eng := open(t)
	l := load(t, eng, `
workflow deep {
  on manual(url: string)

  let r = run http.get(url)
  output {n: len(r.body)}
}
`)
	in := interp.NewMap(1)
	in.Set("url", srv.URL)
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "deep", Inputs: in})
	require.NoError(t, err)
	assert.Equal(t, "failed", rec.Status)
	require.NotNil(t, rec.ParsedError())
	assert.Contains(t, rec.ParsedError().Message, "cannot be recorded")
}
