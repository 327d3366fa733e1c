package lang_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// Error files: each testdata/errors/*.wf is parsed and checked against
// stdlib.Default(), and every diagnostic must be expected by a comment on
// the line it is reported on (the line of its start):
//
//	let age = years_since(birthdat)  # ERROR "undefined name birthdat" HINT "did you mean birthdate?"
//
// An expectation is a kind followed by a pattern:
//
//   - ERROR and WARN expect an error or a warning whose message matches;
//   - HINT and FIX refine the ERROR or WARN before them: one of that
//     diagnostic's hints, or one of its fixes (as "title => new text"), must
//     match too.
//
// A pattern in double quotes ("…", with Go escapes) is a substring; a
// pattern between slashes (/…/) is a regular expression. `ERROR@+1` puts an
// expectation on the next line (or @-1 on the previous one), for lines that
// cannot carry a comment, such as an unterminated string. Expectations are
// found by scanning the text for `# ERROR`, `# WARN` and so on, so they also
// work where the lexer would not see a comment.
//
// The test fails on a diagnostic no expectation matches, and on an
// expectation no diagnostic matches.

// expectation is one ERROR or WARN, with its refinements.
type expectation struct {
	line     int
	severity lang.Severity
	pattern  matcher
	hints    []matcher
	fixes    []matcher
	text     string // as written, for failure messages
}

type matcher struct {
	substr string
	re     *regexp.Regexp
}

func (m matcher) match(s string) bool {
	if m.re != nil {
		return m.re.MatchString(s)
	}
	return strings.Contains(s, m.substr)
}

var (
	// expectStart finds the first expectation in a line.
	expectStart = regexp.MustCompile(`#\s*(ERROR|WARN)\b`)
	// expectItem reads one KIND[@±N] PATTERN.
	expectItem = regexp.MustCompile(`^\s*(ERROR|WARN|HINT|FIX)(@[+-]\d+)?\s+("(?:[^"\\]|\\.)*"|/(?:[^/\\]|\\.)*/)`)
)

// parseExpectations reads the expectations in src.
func parseExpectations(t *testing.T, src string) []*expectation {
	var out []*expectation
	for i, line := range strings.Split(src, "\n") {
		loc := expectStart.FindStringIndex(line)
		if loc == nil {
			continue
		}
		rest := line[loc[0]+1:]
		var cur *expectation
		for strings.TrimSpace(rest) != "" {
			m := expectItem.FindStringSubmatch(rest)
			require.NotNil(t, m, "line %d: cannot read expectation %q", i+1, rest)
			rest = rest[len(m[0]):]
			pat := readPattern(t, i+1, m[3])
			switch m[1] {
			case "ERROR", "WARN":
				cur = &expectation{line: i + 1, severity: lang.Error, pattern: pat, text: strings.TrimSpace(m[0])}
				if m[1] == "WARN" {
					cur.severity = lang.Warning
				}
				if m[2] != "" {
					n, _ := strconv.Atoi(m[2][1:])
					cur.line += n
				}
				out = append(out, cur)
			case "HINT", "FIX":
				require.NotNil(t, cur, "line %d: %s must follow an ERROR or WARN", i+1, m[1])
				if m[1] == "HINT" {
					cur.hints = append(cur.hints, pat)
				} else {
					cur.fixes = append(cur.fixes, pat)
				}
				cur.text += " " + strings.TrimSpace(m[0])
			}
		}
	}
	return out
}

func readPattern(t *testing.T, line int, p string) matcher {
	if p[0] == '/' {
		re, err := regexp.Compile(p[1 : len(p)-1])
		require.NoError(t, err, "line %d", line)
		return matcher{re: re}
	}
	s, err := strconv.Unquote(p)
	require.NoError(t, err, "line %d", line)
	return matcher{substr: s}
}

// matches reports whether d satisfies e.
func (e *expectation) matches(d *lang.Diagnostic) bool {
	if d.Span.Start.Line != e.line || d.Severity != e.severity || !e.pattern.match(d.Message) {
		return false
	}
	for _, h := range e.hints {
		if !anyMatch(h, d.Hints) {
			return false
		}
	}
	for _, f := range e.fixes {
		var fixes []string
		for _, fx := range d.Fixes {
			fixes = append(fixes, fx.Title+" => "+fx.NewText)
		}
		if !anyMatch(f, fixes) {
			return false
		}
	}
	return true
}

func anyMatch(m matcher, list []string) bool {
	for _, s := range list {
		if m.match(s) {
			return true
		}
	}
	return false
}

// checkSource parses and checks one file against the standard library.
func checkSource(path string, src []byte) lang.Diagnostics {
	f, diags := lang.Parse(path, src)
	_, cdiags := lang.Check([]*lang.File{f}, stdlib.Default())
	diags = append(diags, cdiags...)
	diags.Normalize()
	return diags
}

func describe(d *lang.Diagnostic) string {
	s := fmt.Sprintf("%s: %s", d.Severity, d.Error())
	for _, h := range d.Hints {
		s += "\n    = hint: " + h
	}
	for _, f := range d.Fixes {
		s += "\n    = fix: " + f.Title + " => " + f.NewText
	}
	return s
}

func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.wf")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".wf"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			require.NoError(t, err)
			want := parseExpectations(t, string(src))
			require.NotEmpty(t, want, "an error file must expect at least one diagnostic")
			unexpected, unmatched := verify(want, checkSource(path, src))
			for _, msg := range append(unexpected, unmatched...) {
				t.Error(msg)
			}
		})
	}
}

// verify matches diagnostics with expectations, returning a message for each
// diagnostic nothing expected and for each expectation nothing matched.
func verify(want []*expectation, diags lang.Diagnostics) (unexpected, unmatched []string) {
	matched := make([]bool, len(want))
	for _, d := range diags {
		found := false
		for i, e := range want {
			if e.matches(d) {
				matched[i], found = true, true
			}
		}
		if !found {
			unexpected = append(unexpected, "unexpected diagnostic:\n"+describe(d))
		}
	}
	for i, e := range want {
		if !matched[i] {
			unmatched = append(unmatched, fmt.Sprintf("line %d: no diagnostic matches %s; got on that line:\n%s",
				e.line, e.text, onLine(diags, e.line)))
		}
	}
	return unexpected, unmatched
}

// TestErrorExpectations shows the error-file checker can fail: a missing
// diagnostic, an extra one, a wrong hint or severity, and the @+N offset.
func TestErrorExpectations(t *testing.T) {
	tests := []struct {
		name                  string
		src                   string
		unexpected, unmatched int
	}{
		{"match", "workflow w {\n  on manual()\n  log nam # ERROR \"undefined name nam\"\n}\n", 0, 0},
		{"regex", "workflow w {\n  on manual()\n  log nam # ERROR /^undefined name n.m$/\n}\n", 0, 0},
		{"offset", "workflow w {\n  on manual()\n  # ERROR@+1 \"undefined\"\n  log nam\n}\n", 0, 0},
		{"missing", "workflow w {\n  on manual()\n  log 1 # ERROR \"undefined\"\n}\n", 0, 1},
		{"extra", "workflow w {\n  on manual()\n  log nam\n  log 1 # ERROR \"x\"\n}\n", 1, 1},
		{"wrong line", "workflow w {\n  on manual() # ERROR \"undefined\"\n  log nam\n}\n", 1, 1},
		{"wrong hint", "workflow w {\n  on manual(name: string)\n  log nam # ERROR \"undefined\" HINT \"did you mean x?\"\n}\n", 1, 1},
		{"wrong severity", "workflow w {\n  on manual()\n  log nam # WARN \"undefined\"\n}\n", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := parseExpectations(t, tt.src)
			unexpected, unmatched := verify(want, checkSource("t.wf", []byte(tt.src)))
			assert.Len(t, unexpected, tt.unexpected, "%v", unexpected)
			assert.Len(t, unmatched, tt.unmatched, "%v", unmatched)
		})
	}
}

func onLine(diags lang.Diagnostics, line int) string {
	var out []string
	for _, d := range diags {
		if d.Span.Start.Line == line {
			out = append(out, describe(d))
		}
	}
	if len(out) == 0 {
		return "(nothing)"
	}
	return strings.Join(out, "\n")
}
