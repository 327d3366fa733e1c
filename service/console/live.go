package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wf-lang/wf/runtime"
)

// Live updates with server-sent events. A page that updates live (the
// first page of the runs list, a run) carries a print of what it shows; its
// stream works the print out again whenever the service says runs changed
// (and every few seconds, for changes made by other processes) and sends
// "changed" when it differs. The page's script then fetches the new rows or
// the new page.

const (
	maxLive      = 200 // streams open at once, for all sessions
	livePoll     = 2 * time.Second
	liveCoalesce = 150 * time.Millisecond
	liveKeep     = 15 * time.Second
)

// liveLimit counts the open streams; done ends them when the service
// stops.
type liveLimit struct {
	n    atomic.Int64
	once sync.Once
	done chan struct{}
}

// Close ends the live streams (call it when the HTTP server shuts down, so
// that they do not hold the shutdown up: http.Server.RegisterOnShutdown).
func (c *Console) Close() { c.live.once.Do(func() { close(c.live.done) }) }

func (c *Console) runsLive(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	f.Cursor = ""
	q, problems := f.apiQuery(c.opts.PageSize)
	if len(problems) > 0 {
		http.Error(w, problems[0], http.StatusBadRequest)
		return
	}
	c.stream(w, r, func() (string, error) {
		var list runList
		if err := c.call(r, "GET", "/v1/runs", q, &list); err != nil {
			return "", err
		}
		return runsPrint(list.Runs), nil
	})
}

func (c *Console) runLive(w http.ResponseWriter, r *http.Request) {
	path := "/v1/runs/" + url.PathEscape(r.PathValue("id"))
	c.stream(w, r, func() (string, error) {
		var rec runtime.Record
		if err := c.call(r, "GET", path, nil, &rec); err != nil {
			return "", err
		}
		return runPrint(&rec), nil
	})
}

// errStreamEnd ends a stream whose session is over.
var errStreamEnd = errors.New("the session is over")

// stream sends "changed" events while print's answer moves away from the
// print the page was rendered with (?fp=).
func (c *Console) stream(w http.ResponseWriter, r *http.Request, print func() (string, error)) {
	if c.live.n.Add(1) > maxLive {
		c.live.n.Add(-1)
		http.Error(w, "too many live views are open; reload later", http.StatusServiceUnavailable)
		return
	}
	defer c.live.n.Add(-1)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the server's write timeout would cut the stream
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 3000\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	changes, stop := c.svc.Changes()
	defer stop()
	s := sessionOf(r)
	last := r.URL.Query().Get("fp")
	check := func() error {
		if c.sessions.get(s.id, time.Now()) == nil {
			return errStreamEnd
		}
		cur, err := print()
		var ae *apiError
		if errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusNotFound) {
			return errStreamEnd
		}
		if err != nil || cur == last {
			return nil // a failed check is tried again at the next change or poll
		}
		last = cur
		if _, err := fmt.Fprintf(w, "event: changed\ndata: %s\n\n", cur); err != nil {
			return err
		}
		return rc.Flush()
	}
	if check() != nil {
		return
	}
	poll, keep := time.NewTicker(livePoll), time.NewTicker(liveKeep)
	defer poll.Stop()
	defer keep.Stop()
	var coalesce <-chan time.Time
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-c.live.done:
			return
		case <-changes:
			if coalesce == nil {
				coalesce = time.After(liveCoalesce)
			}
		case <-coalesce:
			coalesce = nil
			err = check()
		case <-poll.C:
			err = check()
		case <-keep.C:
			if _, err = fmt.Fprint(w, ": keep-alive\n\n"); err == nil {
				err = rc.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}
