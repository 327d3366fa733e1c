package console

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// assets serves the embedded static files. Pages link them with a hash of
// their content in the query (?v=…), so they can be cached for long and a
// new build is never served stale ones.
type assets struct {
	fs      fs.FS
	version map[string]string // file → content hash
}

func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{fs: fsys, version: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.version[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// url is the link to an asset.
func (a *assets) url(name string) (string, error) {
	v, ok := a.version[name]
	if !ok {
		return "", fmt.Errorf("no asset %s", name)
	}
	return "/static/" + name + "?v=" + v, nil
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if _, ok := a.version[name]; !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == a.version[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	http.ServeFileFS(w, r, a.fs, name)
}

// parsePages parses each page template together with the layout.
func parsePages(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":    a.url,
		"short":    short,
		"when":     formatTime,
		"since":    sinceText,
		"duration": durationText,
		"json":     jsonHTML,
		"pct":      percent,
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// execute renders a page to memory.
func (c *Console) execute(name string, p page) ([]byte, error) {
	t, ok := c.pages[name]
	if !ok {
		return nil, fmt.Errorf("no page template %s", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// executeBlock renders one named block of a page (a fragment for live
// updates).
func (c *Console) executeBlock(name, block string, p page) ([]byte, error) {
	var b bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&b, block, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// short cuts a version hash or a long id for display.
func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

const timeLayout = "2006-01-02 15:04:05Z"

// formatTime shows a time in UTC to the second (a zero time is "—").
func formatTime(t any) string {
	switch t := t.(type) {
	case time.Time:
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format(timeLayout)
	case *time.Time:
		if t == nil || t.IsZero() {
			return "—"
		}
		return t.UTC().Format(timeLayout)
	}
	return fmt.Sprint(t)
}

// sinceText is how long a run took (or has taken so far).
func sinceText(start time.Time, end *time.Time) string {
	if end == nil {
		return "…"
	}
	return durationText(end.Sub(start))
}

// durationText shows a duration short: 420µs, 2.5ms, 850ms, 12.3s, 4m05s, 2h10m.
func durationText(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return (n*100 + of/2) / of
}
