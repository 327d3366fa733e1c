package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/service/console"
)

// coverWF uses every construct the overlay has to work out: a when whose
// route left no trace, a caught failure, a loop, parallel branches, a log
// line and a fail statement.
const coverWF = `workflow coverWF {
  on manual()

  let n = 2
  when n > 5 {
    wait 1s
  }
  try {
    run inquiry.decline("inq_missing", comment: "no such inquiry")
  } catch err {
    log "caught: ${err.message}"
  }
  for i in [1, 2, 3] {
    wait 1s
  }
  parallel {
    wait 2s
    {
      let y = n + 1
      wait 3s
    }
  }
  when n == 2 {
    fail "stopped at ${n}"
  }
  output {n: n}
}
`

// recordGraph runs workflow name of src through the runtime and returns the
// graph of the workflow with the run laid over it.
func recordGraph(t *testing.T, src, name string, opts runtime.RunOptions) (*graph.Graph, *runtime.Record) {
	t.Helper()
	dir := t.TempDir()
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: filepath.Join(dir, "wf.db"),
		Clock: interp.NewFakeClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	t.Cleanup(func() { eng.Close() })
	path := filepath.Join(dir, name+".wf")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
	l, err := eng.Load([]string{path})
	require.NoError(t, err)
	require.NoError(t, l.Diags.Err())
	opts.Workflow, opts.SkipWaits = name, true
	rec, err := eng.Run(context.Background(), l, opts)
	require.NoError(t, err)
	g, err := graph.Build(l.Checked, name)
	require.NoError(t, err)
	require.Empty(t, g.Apply(console.RunInfo(rec)), "every recorded step is on a node")
	return g, rec
}

// nodeLabelled finds the node whose first label line is label.
func nodeLabelled(t *testing.T, g *graph.Graph, label string) *graph.Node {
	t.Helper()
	for _, n := range g.Nodes {
		if len(n.Label) > 0 && n.Label[0] == label {
			return n
		}
	}
	require.Failf(t, "no node", "no node labelled %q", label)
	return nil
}

// edgeLabelled finds the edge from a node with the given label.
func edgeLabelled(t *testing.T, g *graph.Graph, from *graph.Node, label string) *graph.Edge {
	t.Helper()
	for _, e := range g.Edges {
		if e.From == from && e.Label == label {
			return e
		}
	}
	require.Failf(t, "no edge", "no edge %q from %v", label, from.Label)
	return nil
}

func whenNodes(g *graph.Graph) []*graph.Node {
	var out []*graph.Node
	for _, n := range g.Nodes {
		if n.Kind == graph.KindWhen {
			out = append(out, n)
		}
	}
	return out
}

func TestOverlayOfARecordedRun(t *testing.T) {
	g, rec := recordGraph(t, coverWF, "coverWF", runtime.RunOptions{})
	require.Equal(t, interp.StatusFailed, rec.Status)

	w := whenNodes(g)
	require.Len(t, w, 2)
	// No step of the first when's route was recorded and the run went on:
	// no route matched.
	assert.True(t, edgeLabelled(t, g, w[0], "no route matched").Taken)
	assert.False(t, edgeLabelled(t, g, w[0], "n > 5").Taken)
	assert.False(t, nodeLabelled(t, g, "wait 1s").Reached, "the route's wait did not run")

	// The failed step was caught: the error edge and the catch were taken.
	decline := nodeLabelled(t, g, "inquiry.decline")
	assert.Equal(t, "failed", decline.Status())
	assert.True(t, edgeLabelled(t, g, decline, "error").Taken)
	assert.True(t, nodeLabelled(t, g, `log "caught: ${err.message}"`).Reached)

	// Three iterations of the loop, both parallel branches.
	var loopWait *graph.Node
	for _, n := range g.Nodes {
		if n.Kind == graph.KindWait && n.Statuses["completed"] == 3 {
			loopWait = n
		}
	}
	require.NotNil(t, loopWait, "the loop's wait counts three iterations")
	assert.Equal(t, "3 completed", loopWait.StatusSummary())
	assert.Equal(t, "completed", nodeLabelled(t, g, "wait 2s").Status())
	assert.Equal(t, "completed", nodeLabelled(t, g, "wait 3s").Status())
	assert.True(t, nodeLabelled(t, g, "let y = n + 1").Reached)
	for _, n := range g.Nodes {
		if n.Kind == graph.KindJoin {
			assert.True(t, n.Reached, "the parallel block finished")
		}
	}

	// The run failed at the fail statement: nothing after it ran.
	f := nodeLabelled(t, g, `fail "stopped at ${n}"`)
	assert.True(t, f.Reached)
	assert.Equal(t, "failed", f.Status())
	assert.True(t, edgeLabelled(t, g, w[1], "n == 2").Taken)
	assert.False(t, edgeLabelled(t, g, w[1], "no route matched").Taken)
	assert.False(t, nodeLabelled(t, g, "output {n}").Reached)
	assert.False(t, nodeLabelled(t, g, "end").Reached)
}

func TestOverlayOfADryRunThatFailed(t *testing.T) {
	src, err := os.ReadFile("../../examples/review_minors.wf")
	require.NoError(t, err)
	ev, err := runtime.DecodeEvent([]byte(`{"name": "inquiry.completed", "id": "evt_1", "payload": {"id": "inq_1",
		"inquiry_template": {"id": "itmpl_kyc"}, "fields": {"birthdate": "2015-01-01"}}}`))
	require.NoError(t, err)
	g, rec := recordGraph(t, string(src), "review_minors", runtime.RunOptions{DryRun: true, Event: ev})
	// The secret for slack.post is not set: the run fails evaluating the
	// step's arguments, after the first step.
	require.Equal(t, interp.StatusFailed, rec.Status)
	assert.Contains(t, string(rec.Error), "SLACK_REVIEW_WEBHOOK is not set")
	mark := nodeLabelled(t, g, "inquiry.mark_for_review")
	assert.Equal(t, "dry-run", mark.Status())
	assert.Equal(t, "failed", nodeLabelled(t, g, "slack.post").Status(), "the error's position marks the step")
	assert.True(t, edgeLabelled(t, g, mark, "").Taken)
	assert.True(t, edgeLabelled(t, g, whenNodes(g)[0], "age < 18").Taken)
	assert.False(t, edgeLabelled(t, g, whenNodes(g)[0], "no route matched").Taken)
	assert.False(t, nodeLabelled(t, g, "end").Reached)
	dot := string(graph.DOT([]*graph.Graph{g}))
	assert.Contains(t, dot, `class="wf_step wf_dry_run"`)
	assert.Contains(t, dot, `label="inquiry.mark_for_review\ndry-run"`)
}
