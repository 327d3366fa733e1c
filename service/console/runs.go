package console

import (
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime"
)

// The runs list: filtered by workflow, status, time range and trigger id,
// keyset-paginated through GET /v1/runs, updated live (live.go).

// runFilter is the runs list's query, as the form and links carry it.
type runFilter struct {
	Workflow  string
	Status    string
	TriggerID string
	Since     string // datetime-local, UTC
	Until     string
	Cursor    string
}

// localLayout is the value of an <input type="datetime-local">; the
// console reads and shows it as UTC.
const localLayout = "2006-01-02T15:04"

func filterOf(r *http.Request) runFilter {
	q := r.URL.Query()
	return runFilter{Workflow: strings.TrimSpace(q.Get("workflow")), Status: q.Get("status"),
		TriggerID: strings.TrimSpace(q.Get("trigger_id")), Since: q.Get("since"), Until: q.Get("until"),
		Cursor: q.Get("cursor")}
}

// values is the filter as query parameters (without the cursor).
func (f runFilter) values() url.Values {
	v := url.Values{}
	for _, p := range [][2]string{{"workflow", f.Workflow}, {"status", f.Status}, {"trigger_id", f.TriggerID},
		{"since", f.Since}, {"until", f.Until}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	return v
}

// apiQuery is the filter as GET /v1/runs wants it; a time that does not
// parse is a problem for the form.
func (f runFilter) apiQuery(limit int) (url.Values, []string) {
	q := url.Values{}
	var problems []string
	for _, p := range [][2]string{{"workflow", f.Workflow}, {"status", f.Status}, {"trigger_id", f.TriggerID}, {"cursor", f.Cursor}} {
		if p[1] != "" {
			q.Set(p[0], p[1])
		}
	}
	for _, p := range [][3]string{{"since", f.Since, "From"}, {"until", f.Until, "To"}} {
		if p[1] == "" {
			continue
		}
		t, err := parseLocal(p[1])
		if err != nil || t.Year() < 1970 || t.Year() > 2200 {
			problems = append(problems, p[2]+" is not a date and time from 1970 to 2200 (YYYY-MM-DDTHH:MM, UTC).")
			continue
		}
		q.Set(p[0], t.Format(time.RFC3339Nano))
	}
	q.Set("limit", strconv.Itoa(limit))
	return q, problems
}

func parseLocal(s string) (time.Time, error) {
	if t, err := time.Parse(localLayout, s); err == nil {
		return t, nil
	}
	return time.Parse(localLayout+":05", s)
}

// runsData is the runs page's data.
type runsData struct {
	Filter    runFilter
	Workflows []string
	Statuses  []string
	Runs      []*runtime.Record
	First     bool // the first page (the only one that updates live)
	// Next is the next page ("" on the last), Newest the first; Live is the
	// live stream of the first page and Refresh its rows.
	Next, Newest, Live, Refresh template.URL
}

var statuses = []string{"queued", "running", "parked", "completed", "failed", "cancelled", "interrupted"}

func (c *Console) runsPage(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	d, problems, err := c.loadRuns(r, f)
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	if r.URL.Query().Get("fragment") == "rows" {
		c.fragment(w, r, "runs", "rows", page{Data: d})
		return
	}
	p := page{Title: "Runs", Nav: "runs", Data: d, Problem: strings.Join(problems, " ")}
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	c.render(w, r, status, "runs", p)
}

// loadRuns asks the API for one page of runs. Problems with the filter
// are returned for the form (with an empty list), not as an error.
func (c *Console) loadRuns(r *http.Request, f runFilter) (*runsData, []string, error) {
	d := &runsData{Filter: f, Statuses: statuses, First: f.Cursor == ""}
	var wl workflowList
	if err := c.call(r, "GET", "/v1/workflows", nil, &wl); err != nil {
		return nil, nil, err
	}
	for _, w := range wl.Workflows {
		d.Workflows = append(d.Workflows, w.Name)
	}
	q, problems := f.apiQuery(c.opts.PageSize)
	if len(problems) > 0 {
		return d, problems, nil
	}
	var list runList
	if err := c.call(r, "GET", "/v1/runs", q, &list); err != nil {
		if ae, ok := err.(*apiError); ok && ae.Status == http.StatusBadRequest {
			return d, append(problems, ae.Message+": "+detailText(ae.Details)), nil
		}
		return nil, nil, err
	}
	d.Runs = list.Runs
	fv := f.values()
	d.Newest = pageURL("/runs", fv)
	if list.NextCursor != "" {
		d.Next = pageURL("/runs", fv, "cursor", list.NextCursor)
	}
	d.Live = pageURL("/runs/live", fv, "fp", runsPrint(d.Runs))
	d.Refresh = pageURL("/runs", fv, "fragment", "rows")
	return d, nil, nil
}

// runsPrint identifies what a page of runs shows, so the live stream can
// tell when it changed.
func runsPrint(runs []*runtime.Record) string {
	h := sha256.New()
	for _, r := range runs {
		h.Write([]byte(r.ID + "\x00" + r.Status + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// fragment writes one block of a page (no layout), for live updates.
func (c *Console) fragment(w http.ResponseWriter, r *http.Request, name, block string, p page) {
	if s := sessionOf(r); s != nil {
		p.User, p.CSRF = s.user, s.csrf
	}
	body, err := c.executeBlock(name, block, p)
	if err != nil {
		c.log.Error("console fragment could not be rendered", "page", name, "error", err)
		http.Error(w, "the fragment could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(body)
}

// detailText renders an API error's details (a list of problems) as text.
func detailText(d any) string {
	switch d := d.(type) {
	case []any:
		var parts []string
		for _, x := range d {
			if s, ok := x.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case string:
		return d
	}
	return ""
}

// pageURL is a link to path with the values and more key, value pairs
// (url.Values encodes every part, so the link is safe as it is).
func pageURL(path string, v url.Values, kv ...string) template.URL {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	if len(out) == 0 {
		return template.URL(path) //nolint:gosec // a constant path
	}
	return template.URL(path + "?" + out.Encode()) //nolint:gosec // encoded by url.Values
}
