package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

func TestStateChangesNeedTheCSRFToken(t *testing.T) {
	ts := startServer(t)
	c, csrf := ts.client(t)
	for _, tc := range []struct {
		name string
		form url.Values
		site string
	}{
		{"no token", url.Values{"value": {"10.1.1.1"}}, "same-origin"},
		{"a wrong token", url.Values{"value": {"10.1.1.1"}, "csrf": {strings.Repeat("ab", 32)}}, "same-origin"},
		{"another site", url.Values{"value": {"10.1.1.1"}, "csrf": {csrf}}, "cross-site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", ts.URL+"/lists/blocked-ips/add", strings.NewReader(tc.form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", tc.site)
			res, err := c.Do(req)
			require.NoError(t, err)
			_ = res.Body.Close()
			assert.Equal(t, http.StatusForbidden, res.StatusCode)
		})
	}
	items, err := ts.Eng.Store.ListItems(context.Background(), "blocked-ips")
	require.NoError(t, err)
	assert.Len(t, items, 1, "nothing was added")

	res := ts.post(t, c, "/lists/blocked-ips/add", url.Values{"value": {"10.1.1.1"}, "csrf": {csrf}})
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	items, err = ts.Eng.Store.ListItems(context.Background(), "blocked-ips")
	require.NoError(t, err)
	assert.Len(t, items, 2, "with the token it is")
}

func TestListActions(t *testing.T) {
	ts := startServer(t)
	c, csrf := ts.client(t)
	flash := func() string {
		page := ts.get(t, c, "/lists/blocked-ips")
		for _, cls := range []string{`class="flash" role="status">`, `class="problem" role="alert">`} {
			if i := strings.Index(page, cls); i >= 0 {
				rest := page[i+len(cls):]
				return rest[:strings.Index(rest, "</p>")]
			}
		}
		return ""
	}
	post := func(path string, kv ...string) {
		form := url.Values{"csrf": {csrf}}
		for i := 0; i < len(kv); i += 2 {
			form.Set(kv[i], kv[i+1])
		}
		res := ts.post(t, c, path, form)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
	}

	post("/lists/blocked-ips/add", "value", " 192.0.2.5 ")
	assert.Equal(t, "Added 192.0.2.5 to blocked-ips.", flash())
	post("/lists/blocked-ips/add", "value", "not an ip")
	assert.Contains(t, flash(), "Could not add not an ip:")
	post("/lists/blocked-ips/add", "value", "192.0.2.6", "attrs", "reason")
	assert.Contains(t, flash(), "attributes are key=value pairs")
	post("/lists/blocked-ips/add", "value", "192.0.2.6", "attrs", "reason=chargeback")
	assert.Equal(t, "Added 192.0.2.6 to blocked-ips.", flash())

	page := ts.get(t, c, "/lists/blocked-ips?q=192.0.2")
	assert.Contains(t, page, "192.0.2.5")
	assert.Contains(t, page, "reason=chargeback")
	assert.NotContains(t, page, "198.51.100.0/24", "the search keeps only matching items")

	post("/lists/blocked-ips/remove", "value", "192.0.2.5")
	assert.Equal(t, "Removed 192.0.2.5 from blocked-ips.", flash())
	post("/lists/blocked-ips/remove", "value", "192.0.2.5")
	assert.Equal(t, "192.0.2.5 is not on blocked-ips.", flash())

	// A CSV with a bad row imports nothing and names the row; a good one imports.
	upload := func(csv string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		require.NoError(t, mw.WriteField("csrf", csrf))
		fw, err := mw.CreateFormFile("file", "ips.csv")
		require.NoError(t, err)
		_, _ = io.WriteString(fw, csv)
		require.NoError(t, mw.Close())
		req, err := http.NewRequest("POST", ts.URL+"/lists/blocked-ips/import", &body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := c.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
	}
	upload("value\n10.9.9.1\nbogus\n")
	msg := flash()
	assert.Contains(t, msg, "Nothing was imported: ")
	assert.Contains(t, msg, "line 3")
	upload("value\n10.9.9.1\n10.9.9.2\n")
	assert.Equal(t, "Imported 2 new item(s) into blocked-ips.", flash())

	post("/lists", "name", "vip-emails", "kind", "email_address")
	assert.Contains(t, ts.get(t, c, "/lists/vip-emails"), "Created the List vip-emails (email_address).")
	post("/lists", "name", "vip-emails", "kind", "email_address")
	assert.Contains(t, ts.get(t, c, "/lists"), "a List named vip-emails already exists")

	res, err := c.Get(ts.URL + "/lists/nope")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res = ts.post(t, c, "/lists/nope/add", url.Values{"csrf": {csrf}, "value": {"10.0.0.1"}})
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestRunActions(t *testing.T) {
	ts := startServer(t)
	c, csrf := ts.client(t)
	id, status := ts.apiRun(t, "risk", map[string]any{"account": "acct_9"})
	require.Equal(t, "failed", status)

	page := ts.get(t, c, "/runs/"+id)
	assert.Contains(t, page, `id="resume"`)
	assert.NotContains(t, page, `id="cancel"`, "an ended run cannot be cancelled")
	assert.Contains(t, page, `<span class="line mark">`, "the error's source line is shown")
	assert.Contains(t, page, `<span class="hl-keyword">run</span> http.get(RISK_URL`)
	assert.Contains(t, page, `2 attempts`, "the retried step shows its attempts")

	// Cancelling an ended run is refused with the API's reason.
	res := ts.post(t, c, "/runs/"+id+"/cancel", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Contains(t, ts.get(t, c, "/runs/"+id), "The run could not be cancelled: run "+id+" has already failed")

	ts.RiskDown.Store(false)
	res = ts.post(t, c, "/runs/"+id+"/resume", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/runs/"+id, res.Header.Get("Location"))
	ts.drain(t)
	page = ts.get(t, c, "/runs/"+id)
	assert.Contains(t, page, "Run "+id+" resumed.")
	assert.Contains(t, page, `<span class="status s-completed" id="run-status">completed</span>`)

	res = ts.post(t, c, "/runs/"+id+"/rerun", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	newID := strings.TrimPrefix(res.Header.Get("Location"), "/runs/")
	require.NotEqual(t, id, newID)
	ts.drain(t)
	page = ts.get(t, c, "/runs/"+newID)
	assert.Contains(t, page, "re-runs "+id)
	assert.Contains(t, page, fmt.Sprintf(`<a href="/runs/%s">%s</a>`, id, id), "the new run links to the old")

	// A parked run shows what it waits for, and can be cancelled.
	parked := ts.startRun(t, "hold", map[string]any{"account": "acct_7"})
	page = ts.get(t, c, "/runs/"+parked)
	assert.Contains(t, page, `<span class="status s-parked" id="run-status">parked</span>`)
	assert.Contains(t, page, "<h2>Waiting for</h2>")
	assert.Contains(t, page, `id="cancel"`)
	assert.NotContains(t, page, `id="resume"`)
	res = ts.post(t, c, "/runs/"+parked+"/cancel", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	page = ts.get(t, c, "/runs/"+parked)
	assert.Contains(t, page, "Run "+parked+" cancelled.")
	assert.Contains(t, page, `<span class="status s-cancelled" id="run-status">cancelled</span>`)

	res = ts.post(t, c, "/runs/"+id+"/explode", url.Values{"csrf": {csrf}})
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res, err := c.Get(ts.URL + "/runs/run_missing")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestRunsFilters(t *testing.T) {
	ts := startServer(t)
	c, _ := ts.client(t)
	for i := range 3 {
		ts.sendEvent(t, inquiryEvent(fmt.Sprintf("evt_f%d", i), fmt.Sprintf("inq_F%d", i), "203.0.113.7", "Fay"), webhookSecret)
	}
	ts.apiRun(t, "check_ip", map[string]any{"ip": "198.51.100.9"})

	rows := func(query string) int { return strings.Count(ts.get(t, c, "/runs?"+query), `<tr class="run"`) }
	assert.Equal(t, 4, rows(""))
	assert.Equal(t, 1, rows("trigger_id=inq_F1"))
	assert.Equal(t, 3, rows("workflow=screen"))
	assert.Equal(t, 1, rows("workflow=check_ip&status=completed"))
	assert.Equal(t, 0, rows("status=failed"))
	assert.Equal(t, 0, rows("since=2199-01-01T00:00"))
	assert.Equal(t, 4, rows("until=2199-01-01T00:00"))
	assert.Equal(t, 0, rows("until=2000-01-01T00:00"))

	res, err := c.Get(ts.URL + "/runs?since=yesterday")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, string(body), "From is not a date and time")
	res, err = c.Get(ts.URL + "/runs?until=2999-01-01T00:00")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, "beyond what the store's times hold")
	res, err = c.Get(ts.URL + "/runs?status=exploded")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, string(body), `status=&#34;exploded&#34; is not one of`)

	// Pages follow the API's keyset cursor, newest first, without overlap.
	small := startSmallPages(t, ts)
	first := small.get(t, "/runs")
	assert.Equal(t, 2, strings.Count(first, `<tr class="run"`))
	next := hrefOf(t, first, `class="next"`)
	second := small.get(t, next)
	assert.Equal(t, 2, strings.Count(second, `<tr class="run"`))
	assert.NotContains(t, second, "data-live", "only the first page updates live")
	for _, r := range regexp.MustCompile(`data-id="(run_\w+)"`).FindAllStringSubmatch(second, -1) {
		assert.NotContains(t, first, r[1], "pages do not overlap")
	}
	// A full last page links to an empty one (keyset pages do not count).
	third := small.get(t, hrefOf(t, second, `class="next"`))
	assert.Equal(t, 0, strings.Count(third, `<tr class="run"`))
	assert.Contains(t, third, "No runs match.")
	assert.NotContains(t, third, `class="next"`)
}

func TestEventsPage(t *testing.T) {
	ts := startServer(t)
	c, _ := ts.client(t)
	ts.sendEvent(t, inquiryEvent("evt_ok", "inq_Ok1", "198.51.100.3", "Bo"), webhookSecret)
	assert.Equal(t, http.StatusUnauthorized, ts.sendEvent(t, inquiryEvent("evt_forged", "inq_Forged1", "1.2.3.4", "Eve"), "wrong-secret"))

	page := ts.get(t, c, "/events")
	assert.Contains(t, page, "evt_ok")
	assert.Contains(t, page, `<td class="verdict good">signature verified</td>`)
	assert.NotContains(t, page, "evt_forged", "a refused webhook records no event")
	runs, err := ts.Eng.Store.ListRuns(context.Background(), storeFilter("screen", ""))
	require.NoError(t, err)
	require.Len(t, runs, 1)
	assert.Contains(t, page, `screen: <a href="/runs/`+runs[0].ID+`">`, "the run the event started")

	refused := ts.get(t, c, "/events?show=refused")
	assert.Contains(t, refused, "signature: no signature matches")
	assert.Contains(t, refused, "evt_forged inquiry.completed", "the event the forged body claimed")

	detail := ts.get(t, c, "/events/evt_ok")
	assert.Contains(t, detail, `<span class="j-str">"inq_Ok1"</span>`)
	assert.Contains(t, detail, "/runs/"+runs[0].ID)
}

func TestWorkflowPages(t *testing.T) {
	ts := startServer(t)
	c, _ := ts.client(t)
	ts.sendEvent(t, inquiryEvent("evt_w1", "inq_W1", "198.51.100.4", "Al"), webhookSecret)
	ts.apiRun(t, "check_ip", map[string]any{"ip": "192.0.2.1"})
	ts.apiRun(t, "risk", map[string]any{"account": "a"}) // fails: the risk service is down

	list := ts.get(t, c, "/workflows")
	for _, w := range []string{"screen", "check_ip", "risk", "hold"} {
		assert.Contains(t, list, `<a href="/workflows/`+w+`">`+w+`</a>`)
	}
	assert.Contains(t, list, `<span class="tag">event</span> <span class="mono">inquiry.completed</span>`)
	assert.Contains(t, list, `<span class="status s-failed">failed</span> 100%`, "risk's one run failed")

	// A newer stored version in which screen changed and check_ip did not.
	ctx := context.Background()
	cur := ts.Svc.Program()
	paths, _, files := cur.Bundle()
	pathList := strings.Split(paths, ",")
	for p, src := range files {
		files[p] = strings.Replace(src, `log "approved ${trigger.id}"`, `log "approved ${trigger.id}!"`, 1)
	}
	next := runtime.LoadSources(pathList, files, ts.Eng.Lib, interp.Options{})
	require.False(t, next.Diags.HasErrors(), "%v", next.Diags)
	require.NoError(t, ts.Eng.SaveVersion(ctx, next))
	newV, oldV := next.Program.Version, cur.Program.Version

	page := ts.get(t, c, "/workflows/screen")
	assert.Contains(t, page, `<span class="hl-keyword">workflow</span> screen {`, "the source, highlighted")
	assert.Contains(t, page, `<div class="graph"><svg`)
	assert.Contains(t, page, "Outcomes of the last 1 runs")
	assert.Regexp(t, `(?s)`+newV[:12]+`.*this workflow's source changed.*`+oldV[:12]+`.*this workflow's source changed`, page)
	assert.Contains(t, ts.get(t, c, "/workflows/screen?version="+newV), `approved ${trigger.id}!`)
	assert.NotContains(t, page, `approved ${trigger.id}!`, "the version served is shown by default")
	assert.Regexp(t, `(?s)`+newV[:12]+`.*same source.*`+oldV[:12], ts.get(t, c, "/workflows/check_ip"))

	res, err := c.Get(ts.URL + "/workflows/nope")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}
