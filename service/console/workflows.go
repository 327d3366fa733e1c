package console

import (
	"context"
	"crypto/sha256"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// The workflows: every workflow of the version being served with its
// triggers and the outcomes of its recent runs, and one workflow with its
// highlighted source, its graph and the versions in which it changed.

// outcomeWindow is how many recent runs the outcome rates count.
const outcomeWindow = 100

// outcomes counts recent runs by status.
type outcomes struct {
	Total  int
	Counts []statusCount
	Last   *runtime.Record
}

type statusCount struct {
	Status string
	N      int
	X, W   float64 // the segment of the outcomes bar, in percent
}

func countOutcomes(runs []*runtime.Record) outcomes {
	o := outcomes{Total: len(runs)}
	if len(runs) > 0 {
		o.Last = runs[0]
	}
	by := map[string]int{}
	for _, r := range runs {
		by[r.Status]++
	}
	x := 0.0
	for _, s := range statuses {
		if n := by[s]; n > 0 {
			w := float64(n) * 100 / float64(len(runs))
			o.Counts = append(o.Counts, statusCount{Status: s, N: n, X: x, W: w})
			x += w
		}
	}
	return o
}

// workflowRow is one workflow on the workflows page.
type workflowRow struct {
	Info     workflowInfo
	Outcomes outcomes
}

func (c *Console) workflowsPage(w http.ResponseWriter, r *http.Request) {
	var wl workflowList
	if err := c.call(r, "GET", "/v1/workflows", nil, &wl); err != nil {
		c.failErr(w, r, err)
		return
	}
	rows := make([]workflowRow, 0, len(wl.Workflows))
	for _, info := range wl.Workflows {
		runs, err := c.recentRuns(r, info.Name, outcomeWindow)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		rows = append(rows, workflowRow{Info: info, Outcomes: countOutcomes(runs)})
	}
	c.render(w, r, http.StatusOK, "workflows", page{Title: "Workflows", Nav: "workflows",
		Data: map[string]any{"Version": wl.Version, "Rows": rows, "Window": outcomeWindow}})
}

func (c *Console) recentRuns(r *http.Request, workflow string, n int) ([]*runtime.Record, error) {
	var list runList
	err := c.call(r, "GET", "/v1/runs", url.Values{"workflow": {workflow}, "limit": {fmt.Sprint(n)}}, &list)
	return list.Runs, err
}

// workflowView is one workflow's page.
type workflowView struct {
	Name     string
	Info     *workflowInfo // nil when the current version has no such workflow
	Version  string        // the version shown
	Current  string        // the version being served
	File     string
	Source   []srcLine
	Graph    template.HTML
	Note     string
	Versions []versionRow
	Runs     []*runtime.Record
	Outcomes outcomes
}

// versionRow is a version that holds the workflow.
type versionRow struct {
	Hash      string
	CreatedAt time.Time
	Changed   bool // its source differs from the older version before it
	Shown     bool
}

func (c *Console) workflowPage(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var wl workflowList
	if err := c.call(r, "GET", "/v1/workflows", nil, &wl); err != nil {
		c.failErr(w, r, err)
		return
	}
	v := &workflowView{Name: name, Current: wl.Version, Version: wl.Version}
	for i := range wl.Workflows {
		if wl.Workflows[i].Name == name {
			v.Info = &wl.Workflows[i]
		}
	}
	if q := r.URL.Query().Get("version"); q != "" {
		v.Version = q
	}
	versions, err := c.workflowVersions(r.Context(), name, v.Version)
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	v.Versions = versions
	if v.Info == nil && len(versions) == 0 {
		c.fail(w, r, http.StatusNotFound, "There is no workflow "+name+".")
		return
	}
	if v.Info == nil && r.URL.Query().Get("version") == "" {
		v.Version = versions[0].Hash // gone from the files: show its newest version
	}
	c.workflowSource(r, v)
	runs, err := c.recentRuns(r, name, outcomeWindow)
	if err != nil {
		c.failErr(w, r, err)
		return
	}
	v.Outcomes = countOutcomes(runs)
	v.Runs = runs[:min(len(runs), 20)]
	c.render(w, r, http.StatusOK, "workflow", page{Title: "Workflow " + name, Nav: "workflows", Data: v})
}

// workflowSource fills in the source and graph of the version shown.
func (c *Console) workflowSource(r *http.Request, v *workflowView) {
	loaded, err := c.eng.Version(r.Context(), v.Version)
	if err != nil {
		v.Note = fmt.Sprintf("Version %s cannot be loaded: %v", short(v.Version), err)
		return
	}
	for _, f := range loaded.Files {
		for _, d := range f.Decls {
			if wd, ok := d.(*lang.WorkflowDecl); ok && wd.Name != nil && wd.Name.Name == v.Name {
				v.File = f.Path
				lines := highlight(string(f.Src), 1)
				lo, hi := wd.Sp.Start.Line, min(wd.Sp.End.Line, len(lines))
				if lo >= 1 && lo <= hi {
					v.Source = lines[lo-1 : hi]
				}
			}
		}
	}
	if v.File == "" {
		v.Note = "Version " + short(v.Version) + " has no workflow " + v.Name + "."
		return
	}
	g, err := graph.Build(loaded.Checked, v.Name)
	if err == nil {
		v.Graph, err = c.graphs.svg(r.Context(), "wf\x00"+v.Version+"\x00"+v.Name, g)
	}
	if err != nil {
		v.Note = "The graph cannot be drawn: " + err.Error()
	}
}

// workflowVersions lists the stored versions (the newest 100) that hold the
// workflow, newest first, marking those in which its source changed.
func (c *Console) workflowVersions(ctx context.Context, name, shown string) ([]versionRow, error) {
	vs, err := c.eng.Store.Versions(ctx, 100)
	if err != nil {
		return nil, err
	}
	var out []versionRow
	var sums []string
	for _, v := range vs {
		decls, err := c.decls.of(ctx, c.eng.Store, v.Hash)
		if err != nil {
			c.log.Warn("version could not be read", "version", v.Hash, "error", err)
			continue
		}
		sum, ok := decls[name]
		if !ok {
			continue
		}
		out = append(out, versionRow{Hash: v.Hash, CreatedAt: v.CreatedAt, Shown: v.Hash == shown})
		sums = append(sums, sum)
	}
	for i := range out {
		out[i].Changed = i == len(out)-1 || sums[i] != sums[i+1]
	}
	return out, nil
}

// declCache remembers, per version (which never changes), a hash of each
// workflow's source text, read with the parser only.
type declCache struct {
	mu sync.Mutex
	m  map[string]map[string]string
}

func newDeclCache() *declCache { return &declCache{m: map[string]map[string]string{}} }

func (dc *declCache) of(ctx context.Context, st store.Store, hash string) (map[string]string, error) {
	dc.mu.Lock()
	if d, ok := dc.m[hash]; ok {
		dc.mu.Unlock()
		return d, nil
	}
	dc.mu.Unlock()
	v, err := st.GetVersion(ctx, hash)
	if err != nil {
		return nil, err
	}
	files := v.Files
	if len(files) == 0 {
		if strings.Contains(v.Path, ",") {
			return nil, fmt.Errorf("version %s predates per-file storage", short(hash))
		}
		files = map[string]string{v.Path: v.Source}
	}
	out := map[string]string{}
	for path, src := range files {
		f, _ := lang.Parse(path, []byte(src)) // a stored version parsed when it was saved
		for _, d := range f.Decls {
			if wd, ok := d.(*lang.WorkflowDecl); ok && wd.Name != nil {
				sum := sha256.Sum256([]byte(src[wd.Sp.Start.Offset:wd.Sp.End.Offset]))
				out[wd.Name.Name] = string(sum[:])
			}
		}
	}
	dc.mu.Lock()
	if len(dc.m) > 10_000 {
		clear(dc.m)
	}
	dc.m[hash] = out
	dc.mu.Unlock()
	return out, nil
}
