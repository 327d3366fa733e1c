package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// Diagnostics for CI: GitHub Actions workflow commands, which show as
// annotations on the lines of a pull request, and SARIF 2.1.0, which code
// scanning tools read.

// writeGitHub writes one workflow command a diagnostic:
// ::error file=F,line=L,col=C,endLine=…,endColumn=…,title=wf CODE::MESSAGE
func writeGitHub(w io.Writer, ds lang.Diagnostics) {
	for _, d := range ds {
		level := levelName(d.Severity, "notice")
		props := []string{"file=" + ghProperty(filepath.ToSlash(d.File))}
		if d.Span.Start.IsValid() {
			props = append(props, fmt.Sprintf("line=%d", d.Span.Start.Line), fmt.Sprintf("col=%d", d.Span.Start.Col))
			if d.Span.End.IsValid() {
				props = append(props, fmt.Sprintf("endLine=%d", d.Span.End.Line), fmt.Sprintf("endColumn=%d", d.Span.End.Col))
			}
		}
		props = append(props, "title="+ghProperty("wf "+d.Code))
		fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(messageWithHints(d)))
	}
}

// levelName names a severity as GitHub and SARIF do; they differ on the
// lowest one only.
func levelName(s lang.Severity, notice string) string {
	switch s {
	case lang.Warning:
		return "warning"
	case lang.Notice:
		return notice
	}
	return "error"
}

// messageWithHints is a diagnostic's message, then its hints, a line each.
func messageWithHints(d *lang.Diagnostic) string {
	msg := d.Message
	for _, h := range d.Hints {
		msg += "\nhint: " + h
	}
	return msg
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// The parts of SARIF 2.1.0 the report uses.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID string `json:"id"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
		Related   []sarifLocation `json:"relatedLocations,omitempty"`
		Fixes     []sarifFix      `json:"fixes,omitempty"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifLocation struct {
		Physical sarifPhysical `json:"physicalLocation"`
		Message  *sarifMessage `json:"message,omitempty"`
	}
	sarifPhysical struct {
		Artifact sarifArtifact `json:"artifactLocation"`
		Region   *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifFix struct {
		Description sarifMessage          `json:"description"`
		Changes     []sarifArtifactChange `json:"artifactChanges"`
	}
	sarifArtifactChange struct {
		Artifact     sarifArtifact      `json:"artifactLocation"`
		Replacements []sarifReplacement `json:"replacements"`
	}
	sarifReplacement struct {
		Deleted  sarifRegion  `json:"deletedRegion"`
		Inserted sarifMessage `json:"insertedContent"`
	}
)

// writeSARIF writes the diagnostics as one SARIF run. Columns count
// characters (unicodeCodePoints), as WF's positions do.
func writeSARIF(w io.Writer, ds lang.Diagnostics) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "wf", Version: version,
			InformationURI: "https://github.com/wf-lang/wf", Rules: []sarifRule{}}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	rules := map[string]bool{}
	for _, d := range ds {
		if !rules[d.Code] {
			rules[d.Code] = true
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: d.Code})
		}
		level := levelName(d.Severity, "note")
		res := sarifResult{RuleID: d.Code, Level: level, Message: sarifMessage{Text: messageWithHints(d)},
			Locations: []sarifLocation{sarifLoc(d.File, d.Span, "")}}
		for _, r := range d.Related {
			res.Related = append(res.Related, sarifLoc(r.File, r.Span, r.Message))
		}
		for _, fx := range d.Fixes {
			deleted := sarifSpan(fx.Span)
			if deleted == nil {
				continue
			}
			res.Fixes = append(res.Fixes, sarifFix{Description: sarifMessage{Text: fx.Title},
				Changes: []sarifArtifactChange{{Artifact: sarifArtifact{URI: filepath.ToSlash(d.File)},
					Replacements: []sarifReplacement{{Deleted: *deleted, Inserted: sarifMessage{Text: fx.NewText}}}}}})
		}
		run.Results = append(run.Results, res)
	}
	sort.Slice(run.Tool.Driver.Rules, func(i, j int) bool { return run.Tool.Driver.Rules[i].ID < run.Tool.Driver.Rules[j].ID })
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifLoc(file string, sp lang.Span, msg string) sarifLocation {
	loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: filepath.ToSlash(file)}, Region: sarifSpan(sp)}}
	if msg != "" {
		loc.Message = &sarifMessage{Text: msg}
	}
	return loc
}

// sarifSpan converts a span, nil when it has no place.
func sarifSpan(sp lang.Span) *sarifRegion {
	if !sp.Start.IsValid() {
		return nil
	}
	r := &sarifRegion{StartLine: sp.Start.Line, StartColumn: sp.Start.Col}
	if sp.End.IsValid() {
		r.EndLine, r.EndColumn = sp.End.Line, sp.End.Col
	}
	return r
}
