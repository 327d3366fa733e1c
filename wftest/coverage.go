package wftest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Decision coverage: for each workflow file of the suites, which routes
// (when routes, else, "no route matched", catch handlers, parallel
// branches, loop bodies) the tests' runs took, and which they never did.

// CoverageReport is the decision coverage of a set of suites.
type CoverageReport struct {
	Routes  int            `json:"routes"`
	Reached int            `json:"reached"`
	Percent float64        `json:"percent"`
	Files   []FileCoverage `json:"files"`
}

// FileCoverage is the coverage of one workflow file.
type FileCoverage struct {
	File    string          `json:"file"`
	Routes  int             `json:"routes"`
	Reached int             `json:"reached"`
	Percent float64         `json:"percent"`
	Entries []RouteCoverage `json:"entries"`
	source  []byte
}

// RouteCoverage is one route and how many test runs took it.
type RouteCoverage struct {
	Owner  string           `json:"owner"`
	Kind   interp.RouteKind `json:"kind"`
	Label  string           `json:"label"`
	Line   int              `json:"line"`
	Column int              `json:"column"`
	Hits   int64            `json:"hits"`
	span   lang.Span
}

// Coverage builds the coverage report of suites that ran.
func Coverage(suites []*Suite) *CoverageReport {
	rep := &CoverageReport{Files: []FileCoverage{}}
	byFile := map[string]*FileCoverage{}
	var order []string
	for _, s := range suites {
		prog := s.Loaded.Program
		if prog == nil {
			continue
		}
		for _, r := range prog.Routes() {
			if lang.IsTestFile(r.File) {
				continue
			}
			fc := byFile[r.File]
			if fc == nil {
				fc = &FileCoverage{File: r.File, source: s.Loaded.Source(r.File)}
				byFile[r.File] = fc
				order = append(order, r.File)
			}
			rc := RouteCoverage{Owner: r.Owner, Kind: r.Kind, Line: r.Span.Start.Line, Column: r.Span.Start.Col,
				Hits: s.Coverage.Hits(r.ID), span: r.Span}
			rc.Label = routeLabel(fc.source, r)
			fc.Entries = append(fc.Entries, rc)
		}
	}
	sort.Strings(order)
	for _, f := range order {
		fc := byFile[f]
		sort.SliceStable(fc.Entries, func(i, j int) bool {
			a, b := fc.Entries[i], fc.Entries[j]
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		for _, e := range fc.Entries {
			fc.Routes++
			if e.Hits > 0 {
				fc.Reached++
			}
		}
		fc.Percent = percent(fc.Reached, fc.Routes)
		rep.Routes += fc.Routes
		rep.Reached += fc.Reached
		rep.Files = append(rep.Files, *fc)
	}
	rep.Percent = percent(rep.Reached, rep.Routes)
	return rep
}

func percent(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return float64(int(float64(n)*1000/float64(of))) / 10 // rounded down to a tenth: 99.96 is not 100.0
}

// routeLabel describes a route for people: "when age < 18", "else", "no
// route matched", "catch", "branch let x = run …", "loop body".
func routeLabel(src []byte, r interp.Route) string {
	text := func(sp lang.Span) string {
		if sp.End.Offset > len(src) || sp.Start.Offset > sp.End.Offset {
			return ""
		}
		s := strings.Join(strings.Fields(string(src[sp.Start.Offset:sp.End.Offset])), " ")
		if len(s) > 60 {
			s = s[:57] + "…"
		}
		return s
	}
	switch r.Kind {
	case interp.RouteWhen:
		return "when " + text(r.Span)
	case interp.RouteBranch:
		return "branch " + text(r.Span)
	case interp.RouteNoMatch:
		return fmt.Sprintf("no route matched (of the when at line %d)", r.Stmt.Start.Line)
	case interp.RouteElse:
		return fmt.Sprintf("else (of the when at line %d)", r.Stmt.Start.Line)
	}
	return string(r.Kind)
}

// WriteSummary prints the coverage per file, the routes never reached, and
// the total.
func (rep *CoverageReport) WriteSummary(w io.Writer) {
	width := 0
	for _, f := range rep.Files {
		width = max(width, len(f.File))
	}
	for _, f := range rep.Files {
		fmt.Fprintf(w, "coverage  %-*s  %5.1f%%  %d of %d routes\n", width, f.File, f.Percent, f.Reached, f.Routes)
		for _, e := range f.Entries {
			if e.Hits == 0 {
				fmt.Fprintf(w, "    %s:%d:%d: %s: %s never reached\n", f.File, e.Line, e.Column, e.Owner, e.Label)
			}
		}
	}
	fmt.Fprintf(w, "coverage  %.1f%% of %d routes\n", rep.Percent, rep.Routes)
}

// WriteJSON writes the report to a file, as indented JSON.
func (rep *CoverageReport) WriteJSON(path string) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
