package console

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/wf-lang/wf/graph"
	"github.com/wf-lang/wf/runtime"
)

// One run: its timeline, its steps and log lines in the order they
// happened, its error with the source, its path on the workflow graph, and
// the resume / rerun / cancel buttons.

// runView is the run page's data.
type runView struct {
	Rec      *runtime.Record
	Err      *runtime.ErrorRecord
	Excerpt  *excerpt // where the run failed, when it failed at a place
	Timeline *timeline
	Items    []runItem
	Graph    template.HTML
	// GraphNote says why there is no graph, or which steps are on no node.
	GraphNote string
	// GraphSteps maps a graph node's id to the anchors of its steps, for
	// the script that jumps from the graph to the steps.
	GraphSteps map[string][]string
	CanResume  bool
	CanRerun   bool
	CanCancel  bool
	Print      string
}

// runItem is a step or a log line, in the run's shared sequence.
type runItem struct {
	Seq  int64
	Step *runtime.StepRecord
	Log  *runtime.LogRecord
}

// stepAnchor is the id of a step's element on the run page.
func stepAnchor(seq int64) string { return "step-" + strconv.FormatInt(seq, 10) }

func (c *Console) runPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var rec runtime.Record
	if err := c.call(r, "GET", "/v1/runs/"+url.PathEscape(id), nil, &rec); err != nil {
		c.failErr(w, r, err)
		return
	}
	v := c.runView(r, &rec)
	c.render(w, r, http.StatusOK, "run", page{Title: "Run " + rec.ID, Nav: "runs", Data: v})
}

func (c *Console) runView(r *http.Request, rec *runtime.Record) *runView {
	v := &runView{Rec: rec, Err: rec.ParsedError(), Print: runPrint(rec)}
	switch rec.Status {
	case "failed", "cancelled", "interrupted":
		v.CanResume = true
	case "queued", "running", "parked":
		v.CanCancel = true
	}
	v.CanRerun = rec.Status != "queued" && rec.Status != "running" && len(rec.Trigger) > 0 && string(rec.Trigger) != "null"
	for i := range rec.Steps {
		v.Items = append(v.Items, runItem{Seq: rec.Steps[i].Seq, Step: &rec.Steps[i]})
	}
	for i := range rec.Logs {
		v.Items = append(v.Items, runItem{Seq: rec.Logs[i].Seq, Log: &rec.Logs[i]})
	}
	sort.SliceStable(v.Items, func(i, j int) bool { return v.Items[i].Seq < v.Items[j].Seq })
	v.Timeline = newTimeline(rec, c.eng.Clock().Now())
	loaded, err := c.eng.Version(r.Context(), rec.Version)
	if err != nil {
		v.GraphNote = fmt.Sprintf("The version this run ran (%s) cannot be loaded: %v", short(rec.Version), err)
		return v
	}
	if v.Err != nil && v.Err.Pos != "" {
		if p, ok := graph.ParsePlace(v.Err.Pos); ok {
			v.Excerpt = newExcerpt(string(loaded.Source(p.File)), p.File, p.Line, p.Col, 3)
		}
	}
	c.runGraph(r, v, loaded)
	return v
}

// runGraph draws the run's path on its workflow's graph.
func (c *Console) runGraph(r *http.Request, v *runView, loaded *runtime.Loaded) {
	rec := v.Rec
	g, err := graph.Build(loaded.Checked, rec.Workflow)
	if err != nil {
		v.GraphNote = "The graph cannot be drawn: " + err.Error()
		return
	}
	if unmatched := g.Apply(RunInfo(rec)); len(unmatched) > 0 {
		v.GraphNote = fmt.Sprintf("%d step(s) of this run are on no node of the graph.", len(unmatched))
	}
	v.GraphSteps = map[string][]string{}
	for _, n := range g.Nodes {
		if n.Key == "" {
			continue
		}
		for _, s := range rec.Steps {
			if graph.StepKeyPlace(s.Key) == n.Key {
				v.GraphSteps[n.ID] = append(v.GraphSteps[n.ID], stepAnchor(s.Seq))
			}
		}
	}
	svg, err := c.graphs.svg(r.Context(), "run\x00"+rec.ID+"\x00"+v.Print, g)
	if err != nil {
		v.GraphNote = "The graph cannot be drawn: " + err.Error()
		return
	}
	v.Graph = svg
}

// RunInfo is what the graph overlay (graph.Graph.Apply) needs of a run
// record: its steps' statuses and the places of its error and log lines.
func RunInfo(rec *runtime.Record) *graph.RunInfo {
	info := &graph.RunInfo{ID: rec.ID, Status: rec.Status, Steps: map[string]string{}}
	for _, s := range rec.Steps {
		info.Steps[s.Key] = s.Status
	}
	if e := rec.ParsedError(); e != nil {
		if p, ok := graph.ParsePlace(e.Pos); ok {
			info.Error = &p
		}
	}
	for _, l := range rec.Logs {
		if p, ok := graph.ParsePlace(l.Pos); ok {
			info.Logs = append(info.Logs, p)
		}
	}
	return info
}

// runPrint identifies the state of a run the page shows: its status and
// every step's status and attempts, and how many log lines it has.
func runPrint(rec *runtime.Record) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", rec.Status, len(rec.Logs))
	for _, s := range rec.Steps {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00", s.Key, s.Status, s.Attempts)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// runActions are the buttons of a run page, by the API call they make.
var runActions = map[string]string{"resume": "resumed", "rerun": "started again on the newest version", "cancel": "cancelled"}

// runAction is POST /runs/{id}/{resume|rerun|cancel}: the API call, then
// back to the run (the new one for a rerun) with what happened.
func (c *Console) runAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	did, ok := runActions[action]
	if !ok {
		c.fail(w, r, http.StatusNotFound, "There is no run action "+action+".")
		return
	}
	var ans runAnswer
	err := c.call(r, "POST", "/v1/runs/"+url.PathEscape(id)+"/"+action, nil, &ans)
	s := sessionOf(r)
	if err != nil {
		ae, isAPI := err.(*apiError)
		if !isAPI || ae.Status == http.StatusUnauthorized || ae.Status >= 500 {
			c.failErr(w, r, err)
			return
		}
		s.say("", "The run could not be "+did+": "+ae.Message)
		http.Redirect(w, r, "/runs/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	target := id
	if ans.ID != "" {
		target = ans.ID
	}
	msg := "Run " + id + " " + did + "."
	if action == "rerun" {
		msg = "Run " + target + " re-runs " + id + " on the newest version."
	}
	c.log.Info("console run action", "action", action, "run", id, "user", s.user)
	s.say(msg, "")
	http.Redirect(w, r, "/runs/"+url.PathEscape(target), http.StatusSeeOther)
}
