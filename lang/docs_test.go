package lang_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// The code blocks of docs/language.md are checked:
//
//   - ```wf blocks must parse and check against stdlib.Default() with no
//     error and no warning. A block that does not start with a declaration
//     is a fragment: it is wrapped in `workflow example { on manual() … }`,
//     and may leave names unused. A fragment that calls assert() is also
//     run, on a fake clock, and must complete.
//   - ```wf-error blocks must fail: they need at least one error, and when
//     they carry `# ERROR "…"` expectations (as in testdata/errors) those
//     must match exactly.
//   - ```wf-warn blocks must check with no error and at least one warning,
//     and their `# WARN "…"` expectations must match exactly.

// docBlock is one fenced code block.
type docBlock struct {
	lang string
	line int // the line of the opening fence
	code string
}

var fenceRE = regexp.MustCompile("(?m)^```([a-z-]*)[ \t]*$")

// docBlocks returns the fenced blocks of a Markdown text.
func docBlocks(t *testing.T, md string) []docBlock {
	var out []docBlock
	locs := fenceRE.FindAllStringSubmatchIndex(md, -1)
	require.True(t, len(locs)%2 == 0, "unbalanced code fences")
	for i := 0; i < len(locs); i += 2 {
		open, close := locs[i], locs[i+1]
		out = append(out, docBlock{
			lang: md[open[2]:open[3]],
			line: strings.Count(md[:open[0]], "\n") + 1,
			code: md[open[1]+1 : close[0]],
		})
	}
	return out
}

var declStart = regexp.MustCompile(`^(workflow|fn|js fn|const|fields)\b`)

// isFragment reports whether a block is statements rather than a file.
func isFragment(code string) bool {
	for _, line := range strings.Split(code, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		return !declStart.MatchString(line)
	}
	return true
}

// fragmentPrefix wraps a fragment; expectations and positions in the
// wrapped text are two lines further down.
const fragmentPrefix = "workflow example {\n  on manual()\n"

func source(b docBlock) (src string, fragment bool) {
	if isFragment(b.code) {
		return fragmentPrefix + b.code + "}\n", true
	}
	return b.code, false
}

func TestDocsLanguage(t *testing.T) {
	md, err := os.ReadFile("../docs/language.md")
	require.NoError(t, err)
	blocks := docBlocks(t, string(md))
	counts := map[string]int{}
	for _, b := range blocks {
		if b.lang != "wf" && b.lang != "wf-error" && b.lang != "wf-warn" {
			continue
		}
		counts[b.lang]++
		name := fmt.Sprintf("line_%d", b.line)
		t.Run(name, func(t *testing.T) {
			src, fragment := source(b)
			path := fmt.Sprintf("docs/language.md#L%d", b.line)
			diags := checkSource(path, []byte(src))
			if b.lang == "wf-error" || b.lang == "wf-warn" {
				if b.lang == "wf-error" {
					require.True(t, diags.HasErrors(), "a wf-error block must fail to check:\n%s", b.code)
				} else {
					_, warns := diags.Count()
					require.False(t, diags.HasErrors(), "a wf-warn block must check without errors:\n%s", b.code)
					require.Positive(t, warns, "a wf-warn block must have warnings:\n%s", b.code)
				}
				if want := parseExpectations(t, src); len(want) > 0 {
					unexpected, unmatched := verify(want, diags)
					for _, msg := range append(unexpected, unmatched...) {
						t.Error(msg)
					}
				}
				return
			}
			for _, d := range diags {
				if fragment && d.Code == "unused" {
					continue
				}
				t.Errorf("%s\n%s", describe(d), b.code)
			}
			if fragment && strings.Contains(b.code, "assert(") && !t.Failed() {
				runFragment(t, path, src)
			}
		})
	}
	assert.Greater(t, counts["wf"], 20, "the reference should show the language in examples")
	assert.Greater(t, counts["wf-error"], 2)
}

// runFragment runs the wrapped fragment's workflow on a fake clock.
func runFragment(t *testing.T, path, src string) {
	lib := stdlib.Default()
	f, _ := lang.Parse(path, []byte(src))
	checked, _ := lang.Check([]*lang.File{f}, lib)
	prog, diags := interp.Compile(checked, lib, interp.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := interp.NewFakeClock(start)
	host := &interp.MemHost{Clock: clock, Rand: func() float64 { return 0.5 }}
	res := prog.Run(context.Background(), interp.RunRequest{
		Workflow: "example", Trigger: interp.NewMap(0), Host: host, Clock: clock,
		RunID: "run_docs", Seed: 1, Start: start,
	})
	require.Nil(t, res.Err, "the example failed when run:\n%s", src)
	assert.Equal(t, interp.StatusCompleted, res.Status)
}

// The keywords docs/language.md lists are the lexer's.
func TestDocsListTheKeywords(t *testing.T) {
	md, err := os.ReadFile("../docs/language.md")
	require.NoError(t, err)
	text := string(md)
	i := strings.Index(text, "**Keywords** are reserved")
	require.Positive(t, i)
	blocks := docBlocks(t, text[i:])
	require.NotEmpty(t, blocks)
	documented := strings.Fields(blocks[0].code)
	keywords := lang.Keywords()
	sort.Strings(keywords)
	assert.Equal(t, keywords, documented, "docs/language.md lists the keywords in alphabetical order")
}
