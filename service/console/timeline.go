package console

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/wf-lang/wf/runtime"
)

// The timeline: a Gantt chart of a run's steps, one row per step in the
// order they started, each bar from the step's start to its end (a step
// still going runs to now). Steps of parallel branches overlap in time, so
// their bars stand side by side. A step that was retried shows each
// attempt as its own segment, with the backoff between them as a gap.

const (
	tlLabelW = 240.0 // the labels' column, in SVG units
	tlBarsW  = 760.0 // the bars' area
	tlRowH   = 22.0
	tlTop    = 20.0 // room for the time axis
	tlMaxRow = 400  // rows drawn; a longer run's later steps are listed below only
)

// timeline is the chart's geometry, ready for the template's SVG.
type timeline struct {
	Width, Height float64
	LabelW        float64
	Rows          []tlRow
	Ticks         []tlTick
	Total         time.Duration
	Omitted       int // steps not drawn (beyond tlMaxRow)
}

type tlRow struct {
	Y, TextY float64
	Label    string
	Anchor   string
	Segments []tlSeg
}

type tlSeg struct {
	X, W   float64
	Status string
	Title  string
}

type tlTick struct {
	X      float64
	Label  string
	Anchor string // the label's text-anchor, so the first and last stay inside
}

// newTimeline lays a run's steps out; now ends the bars of steps that have
// not finished.
func newTimeline(rec *runtime.Record, now time.Time) *timeline {
	t := &timeline{Width: tlLabelW + tlBarsW + 10, LabelW: tlLabelW}
	if len(rec.Steps) == 0 {
		return t
	}
	steps := make([]*runtime.StepRecord, len(rec.Steps))
	for i := range rec.Steps {
		steps[i] = &rec.Steps[i]
	}
	sort.SliceStable(steps, func(i, j int) bool {
		if !steps[i].StartedAt.Equal(steps[j].StartedAt) {
			return steps[i].StartedAt.Before(steps[j].StartedAt)
		}
		return steps[i].Seq < steps[j].Seq
	})
	start := rec.StartedAt
	end := start
	if rec.FinishedAt != nil {
		end = *rec.FinishedAt
	}
	for _, s := range steps {
		if s.StartedAt.Before(start) && !s.StartedAt.IsZero() {
			start = s.StartedAt
		}
		e := stepEnd(s, now)
		if e.After(end) {
			end = e
		}
	}
	total := end.Sub(start)
	if total <= 0 {
		total = time.Millisecond
	}
	t.Total = total
	x := func(at time.Time) float64 {
		return tlLabelW + float64(at.Sub(start))/float64(total)*tlBarsW
	}
	if len(steps) > tlMaxRow {
		t.Omitted = len(steps) - tlMaxRow
		steps = steps[:tlMaxRow]
	}
	for i, s := range steps {
		y := tlTop + float64(i)*tlRowH
		row := tlRow{Y: y + 4, TextY: y + 15, Label: s.Name, Anchor: stepAnchor(s.Seq)}
		for _, seg := range segments(s, now) {
			x0, x1 := x(seg.from), x(seg.to)
			row.Segments = append(row.Segments, tlSeg{X: x0, W: max(x1-x0, 1.5), Status: seg.status, Title: seg.title})
		}
		t.Rows = append(t.Rows, row)
	}
	t.Height = tlTop + float64(len(t.Rows))*tlRowH + 6
	for i := 0; i <= 4; i++ {
		tick := tlTick{X: tlLabelW + tlBarsW*float64(i)/4, Label: durationText(total * time.Duration(i) / 4), Anchor: "middle"}
		switch i {
		case 0:
			tick.Label, tick.Anchor = "0", "start"
		case 4:
			tick.Anchor = "end"
		}
		t.Ticks = append(t.Ticks, tick)
	}
	return t
}

// stepEnd is when a step ended, or now if it has not.
func stepEnd(s *runtime.StepRecord, now time.Time) time.Time {
	if s.FinishedAt != nil {
		return *s.FinishedAt
	}
	return now
}

// attempt is one entry of a step's attempt log (interp.Attempt as JSON).
type attempt struct {
	N        int       `json:"n"`
	Status   string    `json:"status"`
	Error    string    `json:"error"`
	Started  time.Time `json:"started_at"`
	Finished time.Time `json:"finished_at"`
}

type span struct {
	from, to time.Time
	status   string
	title    string
}

// segments are a step's bars: one per attempt when it was tried more than
// once, else one for the whole step.
func segments(s *runtime.StepRecord, now time.Time) []span {
	var as []attempt
	if len(s.AttemptLog) > 0 && json.Unmarshal(s.AttemptLog, &as) == nil && len(as) > 1 {
		out := make([]span, 0, len(as))
		for _, a := range as {
			title := s.Name + ": attempt " + strconv.Itoa(a.N) + " " + a.Status
			if a.Error != "" {
				title += ": " + a.Error
			}
			to := a.Finished
			if to.IsZero() {
				to = now
			}
			out = append(out, span{from: a.Started, to: to, status: a.Status, title: title})
		}
		return out
	}
	end := stepEnd(s, now)
	title := s.Name + ": " + s.Status + ", " + durationText(end.Sub(s.StartedAt))
	if s.Error != nil {
		title += ": " + *s.Error
	}
	return []span{{from: s.StartedAt, to: end, status: s.Status, title: title}}
}
