package console_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// BenchmarkRunsPage measures the runs page with 100,000 runs in the store,
// on the server: the console's handler from request to rendered HTML (the
// in-process API call, its JSON both ways, the template). Pages are keyset
// pages (no OFFSET), so a page deep in the history costs what the first
// does. Baselines: the store's query alone (the floor), and the deep page
// fetched with OFFSET, as a skeptic would write it.
//
//	go test ./service/console -run '^$' -bench RunsPage -benchtime 200x -count 3
func BenchmarkRunsPage(b *testing.B) {
	const total = 100_000
	ts := startServer(b)
	ctx := context.Background()
	fillRuns(b, ts.Eng.Store, total)
	c, _ := ts.client(b)
	cookies := c.Jar.Cookies(mustURL(b, ts.URL))
	handler := ts.Svc.Handler()
	page := func(b *testing.B, path string) {
		req := httptest.NewRequest("GET", path, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<tr class="run"`) {
			b.Fatalf("%s: %d\n%s", path, rec.Code, rec.Body.String())
		}
	}
	// A cursor about 1,000 pages deep, from the store.
	deep, err := ts.Eng.Store.ListRuns(ctx, store.RunFilter{Limit: 1000, Since: time.Time{}, Before: benchStart.Add(50_000 * time.Second)})
	require.NoError(b, err)
	deepCursor := apiCursor(b, ts, deep[0].StartedAt)

	for _, bc := range []struct{ name, path string }{
		{"first", "/runs"},
		{"trigger_id", "/runs?trigger_id=inq_077777"},
		{"status", "/runs?status=failed"},
		{"workflow+range", "/runs?workflow=screen&since=2026-01-01T10:00&until=2026-01-02T10:00"},
		{"page_1000", "/runs?cursor=" + deepCursor},
	} {
		b.Run("console/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page(b, bc.path)
			}
		})
	}
	b.Run("store_floor/first", func(b *testing.B) {
		for b.Loop() {
			runs, err := ts.Eng.Store.ListRuns(ctx, store.RunFilter{Limit: 50})
			if err != nil || len(runs) != 50 {
				b.Fatal(err)
			}
		}
	})
	b.Run("offset_baseline/page_1000", func(b *testing.B) {
		db := openRaw(b, ts)
		for b.Loop() {
			rows, err := db.QueryContext(ctx, `SELECT id, workflow, status, started_at FROM runs
				ORDER BY started_at DESC, id DESC LIMIT 50 OFFSET 50000`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			_ = rows.Close()
			if n != 50 {
				b.Fatal(n)
			}
		}
	})
}

var benchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fillRuns records n ended runs, one a second from benchStart: three
// workflows, one in ten failed, each with its own inquiry id.
func fillRuns(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	workflows := []string{"screen", "check_ip", "risk"}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				at := benchStart.Add(time.Duration(i) * time.Second)
				status, errJSON := store.StatusCompleted, json.RawMessage(nil)
				if i%10 == 0 {
					status, errJSON = store.StatusFailed, json.RawMessage(`{"kind":"value","message":"no such field"}`)
				}
				inq := fmt.Sprintf("inq_%06d", i)
				r := &store.Run{ID: fmt.Sprintf("run_%08d", i), Workflow: workflows[i%3], Version: "v1", Status: status,
					Trigger: json.RawMessage(`{"id":"` + inq + `","ip_address":"203.0.113.9"}`), TriggerID: inq,
					Outputs: json.RawMessage(`{"decision":"approved"}`), Error: errJSON, StartedAt: at, FinishedAt: at.Add(40 * time.Millisecond)}
				if err := st.CreateRun(ctx, r); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	require.NoError(b, <-errs)
}

func mustURL(b *testing.B, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(b, err)
	return u
}

// apiCursor is the API's cursor that continues after the run started at.
func apiCursor(b *testing.B, ts *testServer, at time.Time) string {
	req, err := http.NewRequest("GET", ts.URL+"/v1/runs?limit=1&until="+url.QueryEscape(at.Add(time.Nanosecond).Format(time.RFC3339Nano)), nil)
	require.NoError(b, err)
	req.Header.Set("Authorization", "Bearer "+ts.Token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(b, err)
	defer res.Body.Close()
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	require.NoError(b, json.NewDecoder(res.Body).Decode(&page))
	require.NotEmpty(b, page.NextCursor)
	return page.NextCursor
}

// openRaw opens the store's file read-only with plain database/sql.
func openRaw(b *testing.B, ts *testServer) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+ts.Eng.Store.Location()+"?mode=ro")
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	return db
}
