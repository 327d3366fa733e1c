package wftest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// loadDir loads the tests of one folder.
func loadDir(t *testing.T, dir string) *Suite {
	t.Helper()
	pkgs, err := Packages([]string{dir})
	require.NoError(t, err)
	require.Len(t, pkgs, 1)
	s, err := Load(pkgs[0], nil)
	require.NoError(t, err)
	require.NotNil(t, s.Loaded.Program, "%v", s.Loaded.Diags.Err())
	return s
}

// copyExamples copies examples/ (workflows, tests, events, fixtures) to a
// temporary folder, applying edits (file → old → new) to it.
func copyExamples(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir("../examples", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("../examples", path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if e, ok := edits[rel]; ok {
			require.Contains(t, string(b), e[0], "edit of %s", rel)
			b = []byte(strings.Replace(string(b), e[0], e[1], 1))
		}
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755))
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	require.NoError(t, err)
	return dir
}

func failed(results []*Result) []string {
	var out []string
	for _, r := range results {
		if !r.Passed {
			out = append(out, r.Name)
		}
	}
	return out
}

// The examples' tests pass and reach every route of every example
// workflow: 100% decision coverage.
func TestExamplesPassWithFullCoverage(t *testing.T) {
	s := loadDir(t, "../examples")
	results := Run(context.Background(), []*Suite{s}, Options{})
	require.NotEmpty(t, results)
	assert.Empty(t, failed(results))
	rep := Coverage([]*Suite{s})
	for _, f := range rep.Files {
		for _, e := range f.Entries {
			assert.NotZero(t, e.Hits, "%s:%d: %s %s is never reached", f.File, e.Line, e.Owner, e.Label)
		}
	}
	assert.Equal(t, 100.0, rep.Percent)
	assert.Len(t, rep.Files, 4)
	assert.Greater(t, rep.Routes, 40)
}

// A route broken on purpose is caught by the tests, each at the
// expectation that no longer holds.
func TestABrokenRouteIsCaught(t *testing.T) {
	for name, c := range map[string]struct {
		file, old, new string
		// fails maps each test that must fail to the start of its first
		// failure's message.
		fails map[string]string
	}{
		"the age limit": {"review_minors.wf", "when age < 18", "when age <= 18", map[string]string{
			"the age threshold/18 today": "expect no run: 1 step matched inquiry.mark_for_review"}},
		"the blocked IP route": {"decline_blocked_ip.wf", `in list("blocked-ips")`, `not in list("blocked-ips")`, map[string]string{
			"an inquiry from a blocked IP is declined": "expect steps: the steps differ",
			"an inquiry from another IP is left alone": "inquiry.decline ran, and this test does not mock it",
			"the decline happens on the local backend": `expect run: no step matched inquiry.decline("inq_1")`}},
		"the review band": {"showcase.wf", `else when band(score) == "high"`, `else when band(score) == "medium"`, map[string]string{
			"screen: the outside score may fail, and adverse media is retried":                     "inquiry.approve ran, and this test does not mock it",
			"screen: the risk score decides/adverse media from a high-risk country goes to review": "expect run: no step matched inquiry.mark_for_review",
			"screen: the risk score decides/a disposable email alone is cleared":                   "expect run: no step matched inquiry.approve"}},
		"the escalation": {"showcase.wf", "timeout 3d", "timeout 6d", map[string]string{
			"review: escalated after three days, then declined": "expect steps: the steps differ",
			"review: never resolved fails after ten days":       "case.get ran, and this test does not mock it"}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := copyExamples(t, map[string][2]string{c.file: {c.old, c.new}})
			results := Run(context.Background(), []*Suite{loadDir(t, dir)}, Options{})
			got := map[string]string{}
			for _, r := range results {
				if !r.Passed {
					require.NotEmpty(t, r.Failures)
					f := r.Failures[0]
					got[r.Name] = f.Message[:min(len(f.Message), len(c.fails[r.Name]))]
					assert.True(t, strings.HasSuffix(f.File, "_test.wf"))
					assert.Positive(t, f.Pos.Line)
				}
			}
			assert.Equal(t, c.fails, got)
		})
	}
}

// Removing the only test of a route leaves it unreached in the coverage
// report, which then says where it is.
func TestCoverageShowsARouteWhoseTestIsRemoved(t *testing.T) {
	s := loadDir(t, "../examples")
	var kept []*Test
	for _, tc := range s.Tests {
		if tc.Name != "screen: a blocked IP is declined and nothing else runs" {
			kept = append(kept, tc)
		}
	}
	require.Len(t, kept, len(s.Tests)-1)
	s.Tests = kept
	assert.Empty(t, failed(Run(context.Background(), []*Suite{s}, Options{})))
	rep := Coverage([]*Suite{s})
	var unreached []RouteCoverage
	for _, f := range rep.Files {
		for _, e := range f.Entries {
			if e.Hits == 0 {
				assert.Equal(t, "showcase.wf", filepath.Base(f.File))
				unreached = append(unreached, e)
			}
		}
	}
	require.Len(t, unreached, 1)
	assert.Equal(t, RouteCoverage{Owner: "workflow screen_inquiry", Kind: interp.RouteWhen,
		Label: `when trigger.ip_address in list("blocked-ips")`, Line: 47, Column: 8}, unreached[0].public())
	assert.Less(t, rep.Percent, 100.0)
	var out strings.Builder
	rep.WriteSummary(&out)
	assert.Contains(t, out.String(), `showcase.wf:47:8: workflow screen_inquiry: when trigger.ip_address in list("blocked-ips") never reached`)
}

// public is the entry without its span, for comparisons.
func (e RouteCoverage) public() RouteCoverage {
	e.span = lang.Span{}
	return e
}
