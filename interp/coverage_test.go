package interp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

const routesSrc = `
fn band(score) {
  when score >= 70 {
    return "high"
  }
  return "low"
}

workflow routes {
  on manual(score: int, items: list)

  when score > 50 {
    log "big"
  } else when score > 10 {
    log "medium"
  } else {
    log "small"
  }
  when score == 0 {
    log "zero"
  }
  try {
    when score < 0 {
      fail "negative"
    }
  } catch err {
    log err.message
  }
  parallel {
    log "a"
    {
      log "b"
    }
  }
  for x in items {
    log x
  }
  parallel for y in items {
    log y
  }
  output {band: band(score)}
}
`

// routesTaken runs the workflow with each input and returns the routes
// taken at least once, as "kind path (owner)".
func routesTaken(t *testing.T, p *interp.Program, inputs ...map[string]any) (map[string]int64, *interp.Coverage) {
	t.Helper()
	cov := p.NewCoverage()
	for _, in := range inputs {
		trigger, err := p.BindInputs("routes", interp.FromGo(in).(*interp.Map))
		require.NoError(t, err)
		host := &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
		res := p.Run(context.Background(), interp.RunRequest{Workflow: "routes", Trigger: trigger, Host: host,
			Clock: host.Clock, Env: newEnv(), Start: epoch, Coverage: cov})
		require.Equal(t, interp.StatusCompleted, res.Status, "%v", res.Err)
	}
	out := map[string]int64{}
	for _, r := range p.Routes() {
		out[fmt.Sprintf("%s %s (%s)", r.Kind, r.Path, r.Owner)] = cov.Hits(r.ID)
	}
	return out, cov
}

// Every decision of a workflow and of the fns it calls is a route; a run
// given a Coverage counts the routes it takes, including the ones that
// record no step (a when without steps, "no route matched").
func TestCoverageCountsEveryRoute(t *testing.T) {
	p := load(t, "routes.wf", []byte(routesSrc))
	got, _ := routesTaken(t, p, map[string]any{"score": 80, "items": []any{"a", "b"}})
	assert.Equal(t, map[string]int64{
		"when 0.w0 (fn band)": 1, "no route matched 0.none (fn band)": 0,
		"when 0.w0 (workflow routes)": 1, "when 0.w1 (workflow routes)": 0, "else 0.e (workflow routes)": 0,
		"when 1.w0 (workflow routes)": 0, "no route matched 1.none (workflow routes)": 1,
		"when 2.t.0.w0 (workflow routes)": 0, "no route matched 2.t.0.none (workflow routes)": 1,
		"catch 2.c (workflow routes)":            0,
		"parallel branch 3.p0 (workflow routes)": 1, "parallel branch 3.p1 (workflow routes)": 1,
		"loop body 4.f (workflow routes)": 1, "loop body 5.f (workflow routes)": 1,
	}, got)

	got, _ = routesTaken(t, p, map[string]any{"score": 0, "items": []any{}}, map[string]any{"score": -5, "items": []any{}},
		map[string]any{"score": 20, "items": []any{}})
	assert.Equal(t, int64(1), got["when 0.w1 (workflow routes)"])
	assert.Equal(t, int64(2), got["else 0.e (workflow routes)"])
	assert.Equal(t, int64(1), got["when 1.w0 (workflow routes)"])
	assert.Equal(t, int64(1), got["catch 2.c (workflow routes)"])
	assert.Equal(t, int64(3), got["no route matched 0.none (fn band)"])
	assert.Equal(t, int64(0), got["loop body 4.f (workflow routes)"], "an empty loop does not reach its body")
}

// A route's span is what the coverage report marks: the condition, the
// else block, the when's closing brace for "no route matched".
func TestRouteSpans(t *testing.T) {
	p := load(t, "routes.wf", []byte(routesSrc))
	text := func(sp lang.Span) string { return routesSrc[sp.Start.Offset:sp.End.Offset] }
	byPath := map[string]interp.Route{}
	for _, r := range p.Routes() {
		if strings.HasPrefix(r.Owner, "workflow") {
			byPath[r.Path] = r
		}
	}
	assert.Equal(t, "score > 50", text(byPath["0.w0"].Span))
	assert.True(t, strings.HasPrefix(text(byPath["0.e"].Span), "{\n    log \"small\""))
	assert.Equal(t, "}", text(byPath["1.none"].Span))
	assert.Equal(t, 21, byPath["1.none"].Span.Start.Line)
	assert.Equal(t, "routes.wf", byPath["0.w0"].File)
}

// Runs without a Coverage, and the Add of two coverages.
func TestCoverageAdd(t *testing.T) {
	p := load(t, "routes.wf", []byte(routesSrc))
	_, a := routesTaken(t, p, map[string]any{"score": 80, "items": []any{}})
	_, b := routesTaken(t, p, map[string]any{"score": 80, "items": []any{}})
	a.Add(b)
	assert.Equal(t, int64(2), a.Hits(p.Routes()[0].ID))
	host := &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
	trigger, err := p.BindInputs("routes", interp.FromGo(map[string]any{"score": 1, "items": []any{}}).(*interp.Map))
	require.NoError(t, err)
	res := p.Run(context.Background(), interp.RunRequest{Workflow: "routes", Trigger: trigger, Host: host, Clock: host.Clock, Env: newEnv(), Start: epoch})
	assert.Equal(t, interp.StatusCompleted, res.Status)
}

// BenchmarkRunRoutes runs a workflow of decisions without and with a
// Coverage: what counting routes costs a run (go test ./interp -bench
// RunRoutes -count 5).
func BenchmarkRunRoutes(b *testing.B) {
	p := load(b, "routes.wf", []byte(routesSrc))
	trigger, err := p.BindInputs("routes", interp.FromGo(map[string]any{"score": 20, "items": []any{"a", "b", "c"}}).(*interp.Map))
	require.NoError(b, err)
	for _, covered := range []bool{false, true} {
		name := "plain"
		if covered {
			name = "covered"
		}
		b.Run(name, func(b *testing.B) {
			cov := p.NewCoverage()
			host := &interp.MemHost{Clock: interp.NewFakeClock(epoch)}
			env := newEnv()
			b.ReportAllocs()
			for b.Loop() {
				req := interp.RunRequest{Workflow: "routes", Trigger: trigger, Host: host, Clock: host.Clock, Env: env, Start: epoch}
				if covered {
					req.Coverage = cov
				}
				host.Logs = host.Logs[:0]
				if res := p.Run(context.Background(), req); res.Status != interp.StatusCompleted {
					b.Fatal(res.Err)
				}
			}
		})
	}
}
