package wftest

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
)

// WriteHTML renders the report in dir: index.html lists the files, and
// one page per file shows its source with each line that holds a route
// coloured (green: every route there was reached; red: one was not) and
// the routes named beside it with their counts.
func (rep *CoverageReport) WriteHTML(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	type fileLink struct {
		FileCoverage
		Page string
	}
	var links []fileLink
	for i, f := range rep.Files {
		page := fmt.Sprintf("file%d.html", i+1)
		links = append(links, fileLink{f, page})
		if err := writeFilePage(filepath.Join(dir, page), &f); err != nil {
			return err
		}
	}
	out, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	err = indexPage.Execute(out, map[string]any{"Report": rep, "Files": links})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// htmlLine is one source line of a file page.
type htmlLine struct {
	N      int
	Text   string
	Class  string // "", "reached" or "unreached"
	Routes []string
}

func writeFilePage(path string, f *FileCoverage) error {
	lines := strings.Split(string(f.source), "\n")
	out := make([]htmlLine, len(lines))
	for i, l := range lines {
		out[i] = htmlLine{N: i + 1, Text: l}
	}
	for _, e := range f.Entries {
		i := e.Line - 1
		if i < 0 || i >= len(out) {
			continue
		}
		l := &out[i]
		if e.Hits == 0 {
			l.Class = "unreached"
			l.Routes = append(l.Routes, fmt.Sprintf("✗ %s: never", e.Label))
			continue
		}
		if l.Class == "" {
			l.Class = "reached"
		}
		l.Routes = append(l.Routes, fmt.Sprintf("✓ %s: %d×", e.Label, e.Hits))
	}
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	err = filePage.Execute(w, map[string]any{"File": f, "Lines": out})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

const pageStyle = `<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
td { padding: 0 .6em; vertical-align: top; }
td.n { color: #999; text-align: right; user-select: none; }
td.src { font-family: ui-monospace, monospace; white-space: pre; }
td.routes { font-size: .85em; color: #555; }
tr.reached td.src { background: #dff5df; }
tr.unreached td.src { background: #fbdada; }
.pct { font-variant-numeric: tabular-nums; }
</style>`

var indexPage = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>WF decision coverage</title>` + pageStyle + `</head>
<body><h1>Decision coverage: {{printf "%.1f" .Report.Percent}}%</h1>
<p>{{.Report.Reached}} of {{.Report.Routes}} routes reached by the tests.</p>
<table>{{range .Files}}<tr><td><a href="{{.Page}}">{{.File}}</a></td>
<td class="pct">{{printf "%.1f" .Percent}}%</td><td>{{.Reached}} of {{.Routes}} routes</td></tr>{{end}}</table>
</body></html>
`))

var filePage = template.Must(template.New("file").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.File.File}}: decision coverage</title>` + pageStyle + `</head>
<body><p><a href="index.html">all files</a></p>
<h1>{{.File.File}}: {{printf "%.1f" .File.Percent}}%</h1>
<p>{{.File.Reached}} of {{.File.Routes}} routes reached. Green lines hold routes the tests took; red lines a route they never took.</p>
<table>{{range .Lines}}<tr class="{{.Class}}"><td class="n">{{.N}}</td><td class="src">{{.Text}}</td>
<td class="routes">{{range $i, $r := .Routes}}{{if $i}}<br>{{end}}{{$r}}{{end}}</td></tr>
{{end}}</table>
</body></html>
`))
