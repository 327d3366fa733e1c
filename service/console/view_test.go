package console

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib"
)

func TestJSONViewer(t *testing.T) {
	got := string(jsonHTML(json.RawMessage(`{"b": 1, "a": ["<script>", true, null], "e": {}}`)))
	assert.Equal(t, `<div class="json"><details open><summary>{ <span class="j-count">3 keys</span></summary><ul>`+
		`<li><span class="j-key">b</span>: <span class="j-num">1</span></li>`+
		`<li><span class="j-key">a</span>: <details open><summary>[ <span class="j-count">3 items</span></summary><ul>`+
		`<li><span class="j-str">"&lt;script&gt;"</span></li><li><span class="j-bool">true</span></li>`+
		`<li><span class="j-null">null</span></li></ul>]</details></li>`+
		`<li><span class="j-key">e</span>: <span class="j-empty">{}</span></li></ul>}</details></div>`, got,
		"keys keep their order, strings are escaped")

	deep := `{"a": {"b": {"c": {"d": 1, "e": 2, "f": 3, "g": 4, "h": 5}}}}`
	assert.Contains(t, string(jsonHTML(json.RawMessage(deep))), `<details><summary>{ <span class="j-count">5 keys</span>`,
		"a large container deep down starts folded")
	assert.Equal(t, `<pre class="json-raw">{&#34;a&#34;: </pre>`, string(jsonHTML(json.RawMessage(`{"a": `))),
		"broken JSON is shown as escaped text")
	assert.Equal(t, `<span class="j-null">—</span>`, string(jsonHTML(nil)))
	big := `"` + strings.Repeat("x", maxViewBytes) + `"`
	assert.True(t, strings.HasPrefix(string(jsonHTML(json.RawMessage(big))), `<pre class="json-raw">`))
}

func TestTimeline(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	ptr := func(x time.Time) *time.Time { return &x }
	attempts, _ := json.Marshal([]attempt{
		{N: 1, Status: "failed", Error: "503", Started: at(100), Finished: at(200)},
		{N: 2, Status: "completed", Started: at(400), Finished: at(500)},
	})
	rec := &runtime.Record{StartedAt: t0, FinishedAt: ptr(at(1000)), Steps: []runtime.StepRecord{
		{Seq: 3, Key: "b", Name: "report.pep", Status: "completed", StartedAt: at(0), FinishedAt: ptr(at(500))},
		{Seq: 2, Key: "a", Name: "report.watchlist", Status: "completed", StartedAt: at(0), FinishedAt: ptr(at(250))},
		{Seq: 4, Key: "c", Name: "http.get", Status: "completed", StartedAt: at(100), FinishedAt: ptr(at(500)), AttemptLog: attempts},
		{Seq: 5, Key: "d", Name: "wait", Status: "waiting", StartedAt: at(500)},
	}}
	tl := newTimeline(rec, at(2000))
	require.Len(t, tl.Rows, 4)
	var labels []string
	for _, r := range tl.Rows {
		labels = append(labels, r.Label)
	}
	assert.Equal(t, []string{"report.watchlist", "report.pep", "http.get", "wait"}, labels,
		"rows in the order the steps started (then by seq)")
	assert.Equal(t, 2*time.Second, tl.Total, "an unfinished step runs to now")
	x := func(ms int) float64 { return tlLabelW + float64(ms)/2000*tlBarsW }
	assert.InDelta(t, x(0), tl.Rows[0].Segments[0].X, 1e-9)
	assert.InDelta(t, x(250)-x(0), tl.Rows[0].Segments[0].W, 1e-9)
	assert.InDelta(t, x(0), tl.Rows[1].Segments[0].X, 1e-9, "parallel steps start side by side")
	require.Len(t, tl.Rows[2].Segments, 2, "one segment per attempt")
	assert.Equal(t, "failed", tl.Rows[2].Segments[0].Status)
	assert.InDelta(t, x(400), tl.Rows[2].Segments[1].X, 1e-9, "the backoff is a gap")
	assert.Contains(t, tl.Rows[2].Segments[0].Title, "attempt 1 failed: 503")
	assert.InDelta(t, x(2000)-x(500), tl.Rows[3].Segments[0].W, 1e-9)
	assert.Equal(t, "0", tl.Ticks[0].Label)
	assert.Equal(t, "2.0s", tl.Ticks[4].Label)

	assert.Empty(t, newTimeline(&runtime.Record{StartedAt: t0}, t0).Rows)
}

func TestHighlightAndExcerpt(t *testing.T) {
	src := "workflow w {\n  on api(x: int)\n  log \"a\n  \"\"\"raw\nstill raw\"\"\" # note\n}\n"
	lines := highlight(src, 1)
	require.Len(t, lines, 6)
	assert.Equal(t, `<span class="hl-keyword">workflow</span> w {`, string(lines[0].HTML))
	assert.Equal(t, `  <span class="hl-string">&#34;&#34;&#34;raw</span>`, string(lines[3].HTML))
	assert.Equal(t, `<span class="hl-string">still raw&#34;&#34;&#34;</span> <span class="hl-comment"># note</span>`,
		string(lines[4].HTML), "a span over two lines is closed and opened again")

	ex := newExcerpt("a\n\tb  c\nd\ne\n", "f.wf", 2, 5, 1)
	require.NotNil(t, ex)
	assert.Equal(t, []int{1, 2, 3}, []int{ex.Lines[0].N, ex.Lines[1].N, ex.Lines[2].N})
	assert.True(t, ex.Lines[1].Mark)
	assert.Equal(t, "\t   ", ex.Caret, "a tab stays a tab under the caret")
	assert.Nil(t, newExcerpt("a\n", "f.wf", 9, 1, 3), "a line beyond the file has no excerpt")
}

// TestGraphSVGIsInert checks that what a workflow says cannot become markup
// on the page: Graphviz escapes labels, and the SVG holds no script.
func TestGraphSVGIsInert(t *testing.T) {
	src := `workflow w {
  on api(x: string)
  when x == "</text><script>alert(1)</script><!-- -->" {
    log "<img src=x onerror=alert(2)>"
  }
}
`
	l := runtime.LoadSource("w.wf", []byte(src), stdlib.Default(), interp.Options{})
	require.False(t, l.Diags.HasErrors(), "%v", l.Diags)
	g, err := graph.Build(l.Checked, "w")
	require.NoError(t, err)
	svg, err := newGraphCache().svg(context.Background(), "k", g)
	require.NoError(t, err)
	s := string(svg)
	assert.True(t, strings.HasPrefix(s, "<svg"), "no prolog")
	assert.NotContains(t, strings.ToLower(s), "<script")
	assert.NotContains(t, s, "<img")
}
