package graph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/graph"
)

func TestParsePlace(t *testing.T) {
	p, ok := graph.ParsePlace("C:/flows/a.wf:12:5")
	require.True(t, ok)
	assert.Equal(t, graph.Place{File: "C:/flows/a.wf", Line: 12, Col: 5}, p)
	for _, bad := range []string{"", "a.wf", "a.wf:3", "a.wf:x:1", "a.wf:0:1"} {
		_, ok := graph.ParsePlace(bad)
		assert.False(t, ok, bad)
	}
}

func TestStepKeyPlace(t *testing.T) {
	assert.Equal(t, "0.w0.0~0", graph.StepKeyPlace("dec8f1719fb1:0.w0.0~0"))
	assert.Equal(t, "3.f.1~0", graph.StepKeyPlace("dec8f1719fb1:3.f.1~0[2]"))
	assert.Equal(t, "2.p1.f.0~1", graph.StepKeyPlace("dec8f1719fb1:2.p1.f.0~1[0][4]"))
}

const loops = `workflow loops {
  on manual()

  for i in [1, 2] {
    parallel for j in [1, 2] {
      let r = run lists.add("seen", "${i}/${j}")
    }
  }
  parallel {
    wait 1s
    {
      wait 2s
      wait 3s
    }
  }
}
`

// Apply counts a step of every iteration on its node and reports keys that
// are on no node.
func TestApplyCountsIterationsAndReportsUnknownKeys(t *testing.T) {
	g, err := graph.Build(check(t, "loops.wf", []byte(loops)), "loops")
	require.NoError(t, err)
	unmatched := g.Apply(&graph.RunInfo{ID: "run_1", Status: "running", Steps: map[string]string{
		"aaaaaaaaaaaa:0.f.0.f.0~0[0][0]": "completed",
		"aaaaaaaaaaaa:0.f.0.f.0~0[0][1]": "replayed",
		"aaaaaaaaaaaa:0.f.0.f.0~0[1][0]": "failed",
		"aaaaaaaaaaaa:1.p0~0":            "completed",
		"aaaaaaaaaaaa:7~0":               "completed",
	}})
	assert.Equal(t, []string{"aaaaaaaaaaaa:7~0"}, unmatched)
	var add, w1, w2, w3 *graph.Node
	for _, n := range g.Nodes {
		if len(n.Label) == 0 {
			continue // a join
		}
		switch n.Label[0] {
		case "lists.add":
			add = n
		case "wait 1s":
			w1 = n
		case "wait 2s":
			w2 = n
		case "wait 3s":
			w3 = n
		}
	}
	require.NotNil(t, add)
	assert.Equal(t, "failed", add.Status(), "the most severe status colours the node")
	assert.Equal(t, "1 failed, 1 replayed, 1 completed", add.StatusSummary())
	assert.Equal(t, "completed", w1.StatusSummary())
	assert.False(t, w2.Reached, "the run is still waiting at wait 2s: no record yet")
	assert.False(t, w3.Reached)
}

const stops = `workflow stops {
  on manual()

  when trigger.blocked ?? false {
    wait 1s
    stop
  }
  wait 2s
  output {done: true}
}
`

// A completed run whose only stop is in a route it did not take ran to the
// end; one that took the stop's route did not.
func TestApplyRulesOutAStopOnARouteNotTaken(t *testing.T) {
	g, err := graph.Build(check(t, "stops.wf", []byte(stops)), "stops")
	require.NoError(t, err)
	labelled := func(label string) *graph.Node {
		for _, n := range g.Nodes {
			if len(n.Label) > 0 && n.Label[0] == label {
				return n
			}
		}
		require.Failf(t, "no node", label)
		return nil
	}
	g.Apply(&graph.RunInfo{ID: "run_1", Status: "completed", Steps: map[string]string{"v:1~0": "completed"}})
	assert.True(t, labelled("output {done}").Reached, "no stop ran: the run went to the end")
	assert.False(t, labelled("stop").Reached)

	g.Apply(&graph.RunInfo{ID: "run_2", Status: "completed", Steps: map[string]string{"v:0.w0.0~0": "completed"}})
	assert.False(t, labelled("wait 2s").Reached)
	assert.False(t, labelled("output {done}").Reached, "the run may have stopped")
}
