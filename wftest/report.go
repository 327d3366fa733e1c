package wftest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Summary counts results.
type Summary struct {
	Tests, Failed int
}

// Summarize counts the results and the failed ones.
func Summarize(results []*Result) Summary {
	s := Summary{Tests: len(results)}
	for _, r := range results {
		if !r.Passed {
			s.Failed++
		}
	}
	return s
}

// columnWidth is the width of each column of expected and actual lines.
const columnWidth = 56

// WriteText prints the failures of results, each with its position and,
// where there are any, the expected and actual lines side by side; then a
// line per test file and a total. verbose lists passing tests too.
func WriteText(w io.Writer, results []*Result, verbose bool) {
	for _, r := range results {
		if r.Passed {
			if verbose {
				fmt.Fprintf(w, "--- ok: %s (%s:%d)\n", r.Name, r.File, r.Line)
			}
			continue
		}
		fmt.Fprintf(w, "--- FAIL: %s (%s:%d)\n", r.Name, r.File, r.Line)
		for _, f := range r.Failures {
			fmt.Fprintf(w, "    %s:%d:%d: %s\n", f.File, f.Pos.Line, f.Pos.Col, f.Message)
			if len(f.Expected)+len(f.Actual) > 0 {
				writeColumns(w, f)
			}
		}
	}
	var files []string
	byFile := map[string]*Summary{}
	for _, r := range results {
		s := byFile[r.File]
		if s == nil {
			s = &Summary{}
			byFile[r.File] = s
			files = append(files, r.File)
		}
		s.Tests++
		if !r.Passed {
			s.Failed++
		}
	}
	for _, f := range files {
		s := byFile[f]
		if s.Failed > 0 {
			fmt.Fprintf(w, "FAIL  %s  %d of %d %s failed\n", f, s.Failed, s.Tests, plural(s.Tests, "test"))
		} else {
			fmt.Fprintf(w, "ok    %s  %d %s\n", f, s.Tests, plural(s.Tests, "test"))
		}
	}
}

// writeColumns prints a failure's expected and actual lines side by side,
// each wrapped to columnWidth, ✗ marking the lines that differ.
func writeColumns(w io.Writer, f *Failure) {
	fmt.Fprintf(w, "        %-*s │ %s\n", columnWidth, "expected", "actual")
	for i := 0; i < max(len(f.Expected), len(f.Actual)); i++ {
		var e, a string
		if i < len(f.Expected) {
			e = f.Expected[i]
		}
		if i < len(f.Actual) {
			a = f.Actual[i]
		}
		mark := "✗"
		if i < len(f.Same) && f.Same[i] {
			mark = " "
		}
		el, al := wrap(e, columnWidth), wrap(a, columnWidth)
		for j := 0; j < max(len(el), len(al)); j++ {
			var x, y string
			if j < len(el) {
				x = el[j]
			}
			if j < len(al) {
				y = al[j]
			}
			m := mark
			if j > 0 {
				m = " "
			}
			pad := columnWidth - utf8.RuneCountInString(x)
			fmt.Fprintf(w, "      %s %s%s │ %s\n", m, x, strings.Repeat(" ", max(pad, 0)), y)
		}
	}
}

// wrap cuts s into lines of at most width characters, after a space when
// there is one in the second half of the line.
func wrap(s string, width int) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	r := []rune(s)
	for len(r) > width {
		cut := width
		for i := width; i > width/2; i-- {
			if r[i-1] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(r[:cut]), " "))
		r = r[cut:]
	}
	return append(out, string(r))
}

// jsonResult is a result as --json prints it.
type jsonResult struct {
	Name     string        `json:"name"`
	Test     string        `json:"test"`
	Row      string        `json:"row,omitempty"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Passed   bool          `json:"passed"`
	Status   string        `json:"status,omitempty"`
	Error    string        `json:"error,omitempty"`
	Failures []jsonFailure `json:"failures,omitempty"`
}

type jsonFailure struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Message  string   `json:"message"`
	Expected []string `json:"expected,omitempty"`
	Actual   []string `json:"actual,omitempty"`
}

// JSONReport is what wf test --json prints.
type JSONReport struct {
	Tests    []jsonResult    `json:"tests"`
	Passed   int             `json:"passed"`
	Failed   int             `json:"failed"`
	Coverage *CoverageReport `json:"coverage,omitempty"`
}

// NewJSONReport builds the --json report of results (coverage may be nil).
func NewJSONReport(results []*Result, cov *CoverageReport) *JSONReport {
	rep := &JSONReport{Tests: []jsonResult{}, Coverage: cov}
	for _, r := range results {
		jr := jsonResult{Name: r.Name, Test: r.Test, Row: r.RowName, File: r.File, Line: r.Line, Passed: r.Passed, Status: r.Status}
		if r.Error != nil {
			jr.Error = r.Error.Msg
		}
		for _, f := range r.Failures {
			jr.Failures = append(jr.Failures, jsonFailure{File: f.File, Line: f.Pos.Line, Column: f.Pos.Col,
				Message: f.Message, Expected: f.Expected, Actual: f.Actual})
		}
		if r.Passed {
			rep.Passed++
		} else {
			rep.Failed++
		}
		rep.Tests = append(rep.Tests, jr)
	}
	return rep
}

// Write prints the report as indented JSON.
func (r *JSONReport) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// JUnit XML, as CI systems read it: one testsuite per test file, one
// testcase per test (or row).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Failures  []junitDetail `xml:"failure"`
}

type junitDetail struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes results as JUnit XML.
func WriteJUnit(w io.Writer, results []*Result) error {
	out := junitSuites{Name: "wf test"}
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.File]
		if !ok {
			i = len(out.Suites)
			index[r.File] = i
			out.Suites = append(out.Suites, junitSuite{Name: r.File})
		}
		s := &out.Suites[i]
		tc := junitCase{Name: r.Name, Classname: strings.TrimSuffix(r.File, ".wf"), File: r.File, Line: r.Line}
		for _, f := range r.Failures {
			var b strings.Builder
			fmt.Fprintf(&b, "%s:%d:%d: %s\n", f.File, f.Pos.Line, f.Pos.Col, f.Message)
			if len(f.Expected)+len(f.Actual) > 0 {
				writeColumns(&b, f)
			}
			tc.Failures = append(tc.Failures, junitDetail{Message: f.Message, Type: "expectation", Text: b.String()})
		}
		s.Tests++
		out.Tests++
		if !r.Passed {
			s.Failures++
			out.Failures++
		}
		s.Cases = append(s.Cases, tc)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
