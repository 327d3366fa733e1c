package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserReview is a reviewer's session in a real browser: log in, open
// the runs list, filter by an inquiry id, open a run and see its steps and
// graph, see a new run appear live, resume a failed run and watch it
// complete, add an item to a List and see a new run use it.
func TestBrowserReview(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t, 90*time.Second)
	for i, inq := range []string{"inq_Alpha01", "inq_Bravo02", "inq_Charlie03"} {
		ip := fmt.Sprintf("203.0.113.1%d", i)
		require.Equal(t, 200, ts.sendEvent(t, inquiryEvent(fmt.Sprintf("evt_%d", i), inq, ip, "Ann"), webhookSecret))
	}
	const rowsJS = `[...document.querySelectorAll("#rows tr.run")].map(tr => tr.innerText)`

	// The runs list, then filtered by an inquiry id.
	do(t, ctx, login(ts))
	assert.Len(t, js[[]string](t, ctx, rowsJS), 3)
	do(t, ctx,
		chromedp.SendKeys(css(`input[name="trigger_id"]`), "inq_Bravo02"),
		chromedp.Submit(css(`input[name="trigger_id"]`)),
		// The new page: typing sets the input's value, not its attribute.
		chromedp.WaitVisible(css(`input[name="trigger_id"][value="inq_Bravo02"]`)))
	rows := js[[]string](t, ctx, rowsJS)
	require.Len(t, rows, 1, "only the run of inq_Bravo02")
	assert.Contains(t, rows[0], "inq_Bravo02")
	assert.Contains(t, rows[0], "completed")

	// The run: its steps, its timeline and its graph with the path taken.
	do(t, ctx, chromedp.Click(css(`#rows tr.run a`)), chromedp.WaitVisible(css(`#graph svg`)))
	steps := js[[]string](t, ctx, `[...document.querySelectorAll("li.step .name")].map(e => e.innerText)`)
	assert.ElementsMatch(t, []string{"report.watchlist", "report.politically_exposed_person"}, steps)
	assert.Equal(t, 2, js[int](t, ctx, `document.querySelectorAll("#graph g.node.wf_completed").length`),
		"both report steps are drawn completed")
	assert.Equal(t, 2, js[int](t, ctx, `document.querySelectorAll("svg.timeline rect.bar").length`))

	// A step clicked on the graph opens below.
	do(t, ctx, chromedp.Click(css(`#graph g.node.wf_completed`)),
		chromedp.WaitVisible(css(`li.step.picked details[open] .json`)))

	// The runs list updates live: a new event's run appears without a reload.
	do(t, ctx, chromedp.Navigate(ts.URL+"/runs"), chromedp.WaitVisible(css(`#live-note.on`)))
	ts.sendEvent(t, inquiryEvent("evt_live", "inq_Delta04", "203.0.113.44", "Dee"), webhookSecret)
	do(t, ctx, chromedp.WaitVisible(`//tr[contains(@class, "run")]/td[contains(., "inq_Delta04")]`))

	// A failed run is resumed and completes before our eyes.
	runID, status := ts.apiRun(t, "risk", map[string]any{"account": "acct_1"})
	require.Equal(t, "failed", status)
	do(t, ctx, chromedp.Navigate(ts.URL+"/runs/"+runID), chromedp.WaitVisible(css(`#error`)))
	assert.Equal(t, "failed", get(t, ctx, chromedp.Text(css(`#run-status`))))
	assert.Contains(t, get(t, ctx, chromedp.Text(css(`#error`))), "503")
	ts.RiskDown.Store(false)
	do(t, ctx, chromedp.Click(css(`#resume`)), chromedp.WaitVisible(css(`#run-status.s-completed`)))
	assert.Equal(t, []string{"score 42"}, js[[]string](t, ctx, `[...document.querySelectorAll("li.log .log-msg")].map(e => e.innerText)`))

	// An item added to a List is used by the next run.
	before, _ := ts.apiRun(t, "check_ip", map[string]any{"ip": "192.0.2.200"})
	do(t, ctx,
		chromedp.Navigate(ts.URL+"/lists/blocked-ips"),
		chromedp.WaitVisible(css(`#add-item`)),
		chromedp.SendKeys(css(`#add-item input[name="value"]`), "192.0.2.200"),
		chromedp.Submit(css(`#add-item input[name="value"]`)),
		chromedp.WaitVisible(css(`.flash`)))
	assert.Equal(t, "Added 192.0.2.200 to blocked-ips.", strings.TrimSpace(get(t, ctx, chromedp.Text(css(`.flash`)))))
	after, _ := ts.apiRun(t, "check_ip", map[string]any{"ip": "192.0.2.200"})
	do(t, ctx, chromedp.Navigate(ts.URL+"/runs/"+before), chromedp.WaitVisible(css(`.outputs`)))
	assert.Contains(t, get(t, ctx, chromedp.Text(css(`.outputs`))), `"approved"`)
	do(t, ctx, chromedp.Navigate(ts.URL+"/runs/"+after), chromedp.WaitVisible(css(`.outputs`)))
	assert.Contains(t, get(t, ctx, chromedp.Text(css(`.outputs`))), `"declined"`)
}
