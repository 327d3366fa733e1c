package console_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestScreenshots writes the pictures of docs/console.md. It runs only when
// asked:
//
//	WF_SCREENSHOTS=docs/console go test ./service/console -run TestScreenshots -count=1
//
// (the folder is relative to the repository's root). It serves the
// examples folder with its fixtures, sends the example webhooks, starts a
// few API runs, and photographs the main pages.
func TestScreenshots(t *testing.T) {
	out := os.Getenv("WF_SCREENSHOTS")
	if out == "" {
		t.Skip("set WF_SCREENSHOTS=docs/console to write the console's screenshots")
	}
	root := repoRoot(t)
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	require.NoError(t, os.MkdirAll(out, 0o755))
	ts := startServerWith(t, filepath.Join(root, "examples"), filepath.Join(root, "examples", "fixtures.json"))
	events, err := filepath.Glob(filepath.Join(root, "examples", "events", "*.json"))
	require.NoError(t, err)
	for _, e := range events {
		body, err := os.ReadFile(e)
		require.NoError(t, err)
		ts.sendEvent(t, body, webhookSecret)
	}
	ts.sendEvent(t, inquiryEvent("evt_forged", "inq_Forged99", "192.0.2.1", "Eve"), "not-the-secret")
	kyb, _ := ts.apiRun(t, "kyb_checks", map[string]any{"business_name": "Sanctioned Trading LLC", "address": "1 Main St", "ein": "12-3456789"})
	ts.apiRun(t, "kyb_checks", map[string]any{"business_name": "Acme Corp", "address": "1 Main St", "ein": "12-3456789"})
	failed := ""
	runs, err := ts.Eng.Store.ListRuns(t.Context(), storeFilter("review_minors", "failed"))
	require.NoError(t, err)
	if len(runs) > 0 {
		failed = runs[0].ID
	}
	require.NotEmpty(t, failed, "the minor's review run fails for want of its Slack secret")

	ctx := newBrowser(t, 120*time.Second)
	do(t, ctx, login(ts))
	shots := []struct {
		name, path, wait string
		full             bool // the whole page, not only the window
	}{
		{"runs", "/runs", "#rows tr.run", false},
		{"run", "/runs/" + kyb, "#graph svg", true},
		{"run-failed", "/runs/" + failed, "#error", false},
		{"workflows", "/workflows", "table.workflows", false},
		{"workflow", "/workflows/screen_inquiry", ".graph svg", false},
		{"list", "/lists/blocked-ips", "table.items", false},
		{"events", "/events", "table.events", false},
		{"events-refused", "/events?show=refused", "table.refused", false},
	}
	for _, s := range shots {
		do(t, ctx, chromedp.Navigate(ts.URL+s.path), chromedp.WaitVisible(css(s.wait)))
		shot := chromedp.CaptureScreenshot()
		if s.full {
			shot = chromedp.FullScreenshot(100)
		}
		png := get(t, ctx, shot)
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
		require.NoError(t, os.WriteFile(filepath.Join(out, s.name+".png"), png, 0o644))
	}
}

// repoRoot is the folder of go.mod above the test's folder.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for !strings.HasSuffix(dir, string(filepath.Separator)) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		dir = filepath.Dir(dir)
	}
	t.Fatal("no go.mod above the test")
	return ""
}
