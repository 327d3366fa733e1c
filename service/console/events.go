package console

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/runtime/store"
)

// The events: each recorded event with its signature verdict and what it
// did to each workflow listening (the run it started, or why not), and the
// webhook requests the service refused (bad or stale signature, a body that
// is not an event) with the reason. The API has no listing of events, so
// the lists come from the store a page at a time; one event comes from
// GET /v1/events/{id}.

// verdicts say how an event came in, by its stored status.
var verdicts = map[string]string{
	"received":   "signature verified",
	"dispatched": "sent locally (wf run --event), not signed",
	"emitted":    "emitted by a run, not signed",
}

func verdictOf(status string) string {
	if v, ok := verdicts[status]; ok {
		return v
	}
	return status
}

// eventRow is one event of the events page.
type eventRow struct {
	Event      store.Event
	Verdict    string
	Verified   bool
	Deliveries []store.Delivery
}

// eventsView is the events page's data.
type eventsView struct {
	Show       string // "events" or "refused"
	Name       string // the name filter
	Events     []eventRow
	Refused    []store.Rejection
	Next       template.URL
	MaxRefused int
}

func (c *Console) eventsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &eventsView{Show: "events", Name: strings.TrimSpace(q.Get("name")), MaxRefused: store.MaxRejections}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64) // a bad cursor starts from the newest
	next := func(seq int64) {
		nv := url.Values{"before": {strconv.FormatInt(seq, 10)}}
		if v.Show == "refused" {
			nv.Set("show", "refused")
		}
		if v.Name != "" {
			nv.Set("name", v.Name)
		}
		v.Next = pageURL("/events", nv)
	}
	const perPage = 50
	if q.Get("show") == "refused" {
		v.Show = "refused"
		rs, err := c.eng.Store.Rejections(r.Context(), before, perPage)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		v.Refused = rs
		if len(rs) == perPage {
			next(rs[len(rs)-1].Seq)
		}
	} else {
		evs, err := c.eng.Store.ListEvents(r.Context(), store.EventFilter{Name: v.Name, Before: before, Limit: perPage})
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		ids := make([]string, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		ds, err := c.eng.Store.DeliveriesOf(r.Context(), ids)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		for _, e := range evs {
			v.Events = append(v.Events, eventRow{Event: e, Verdict: verdictOf(e.Status),
				Verified: e.Status == "received", Deliveries: ds[e.ID]})
		}
		if len(evs) == perPage {
			next(evs[len(evs)-1].Seq)
		}
	}
	c.render(w, r, http.StatusOK, "events", page{Title: "Events", Nav: "events", Data: v})
}

func (c *Console) eventPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var ev eventInfo
	if err := c.call(r, "GET", "/v1/events/"+url.PathEscape(id), nil, &ev); err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			c.fail(w, r, http.StatusNotFound, "There is no event "+id+".")
			return
		}
		c.failErr(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "event", page{Title: "Event " + ev.ID, Nav: "events",
		Data: map[string]any{"Event": ev, "Verdict": verdictOf(ev.Status), "Verified": ev.Status == "received"}})
}
