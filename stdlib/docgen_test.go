package stdlib

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

var update = flag.Bool("update", false, "rewrite docs/stdlib.md from the declarations")

// TestStdlibDocsCurrent fails when docs/stdlib.md is not what the
// declarations generate; -update rewrites it.
func TestStdlibDocsCurrent(t *testing.T) {
	path := filepath.Join("..", filepath.FromSlash(DocsPath))
	got := Docs(Default())
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "%s is missing: run go test ./stdlib -run Docs -update", DocsPath)
	if string(want) != string(got) {
		t.Fatalf("%s is stale (the stdlib declarations changed): run go test ./stdlib -run Docs -update and commit it\n%s",
			DocsPath, firstDiff(string(want), string(got)))
	}
}

// firstDiff describes the first line where two texts differ.
func firstDiff(committed, generated string) string {
	a, b := strings.Split(committed, "\n"), strings.Split(generated, "\n")
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := at(a, i), at(b, i)
		if x != y {
			return fmt.Sprintf("first difference, line %d:\n  committed: %q\n  generated: %q", i+1, x, y)
		}
	}
	return "no line differs"
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end of file>"
}

func TestFirstDiffNamesTheLine(t *testing.T) {
	assert.Contains(t, firstDiff("a\nb\nc", "a\nx\nc"), `line 2:`)
	assert.Contains(t, firstDiff("a", "a\nb"), `"<end of file>"`)
}

// The generated reference has a section per module and an entry per
// function, saying which functions need run.
func TestDocsListEveryFunctionWithItsKind(t *testing.T) {
	lib := Default()
	doc := string(Docs(lib))
	for _, m := range lib.Modules() {
		assert.Contains(t, doc, "\n## "+moduleTitle(m)+"\n")
		for _, b := range m.Builtins {
			entry := "\n### " + b.Decl.Name + "\n\n```\n" + b.Decl.Signature() + "\n```\n\n"
			require.Contains(t, doc, entry)
			rest := doc[strings.Index(doc, entry)+len(entry):]
			if b.Decl.Effect {
				assert.True(t, strings.HasPrefix(rest, "*action (use with `run`)*. "), b.Decl.Name)
			} else {
				assert.True(t, strings.HasPrefix(rest, "*pure*. "), b.Decl.Name)
			}
		}
	}
	assert.Contains(t, doc, "- [`inquiry`](#inquiry)")
	assert.Contains(t, doc, "- [Core functions](#core-functions)")
}

// Every line of every example parses as a WF expression, one line at least
// calls the function it illustrates, and an action's lines use run
// (TestExamplesGiveTheirResults runs them).
func TestExamplesParse(t *testing.T) {
	for _, d := range Default().Funcs() {
		t.Run(d.Name, func(t *testing.T) {
			lines := exampleLines(d.Example)
			require.NotEmpty(t, lines, "every function has an example")
			calls := false
			for _, ex := range lines {
				_, diags := lang.ParseExpr(d.Name+" example", ex.expr)
				require.False(t, diags.HasErrors(), "%s", diags.Err())
				calls = calls || strings.Contains(ex.expr, d.Short()+"(")
				if d.Effect {
					assert.True(t, strings.HasPrefix(ex.expr, "run "), "an action's example uses run: %s", ex.expr)
				}
			}
			assert.True(t, calls, "no line of the example calls %s", d.Name)
		})
	}
}

// Every function has a doc written as a sentence.
func TestDeclarationsAreDocumented(t *testing.T) {
	for _, d := range Default().Funcs() {
		assert.NotEmpty(t, d.Doc, d.Name)
		assert.True(t, strings.HasSuffix(strings.TrimSpace(d.Doc), "."), "%s: the doc ends with a period", d.Name)
	}
}

// The names the language design fixes as the public API all exist, with
// the effect the design gives them.
func TestPublicNames(t *testing.T) {
	lib := Default()
	actions := map[string][]string{
		"inquiry":      {"get", "approve", "decline", "mark_for_review", "resume", "expire", "add_tag", "remove_tag", "set_tags", "redact"},
		"case":         {"create", "get", "assign", "set_status", "add_objects", "add_tag", "remove_tag", "add_comment"},
		"report":       {"run", "watchlist", "politically_exposed_person", "adverse_media", "business_watchlist", "business_adverse_media", "business_lookup", "address_lookup", "email_address", "phone_number"},
		"verification": {"run", "tin_check"},
		"account":      {"get", "find_or_create", "update", "add_tag", "remove_tag"},
		"transaction":  {"create", "set_status", "add_label"},
		"lists":        {"add", "remove"},
		"http":         {"get", "post", "put", "patch", "delete", "request"},
		"slack":        {"post", "message"},
		"workflow":     {"call", "start", "schedule"},
	}
	for mod, names := range actions {
		for _, n := range names {
			d := lib.Func(mod + "." + n)
			if assert.NotNil(t, d, "%s.%s", mod, n) {
				assert.True(t, d.Effect, "%s.%s is an action", mod, n)
			}
		}
	}
	for _, n := range []string{"list", "match"} {
		d := lib.Func(n)
		if assert.NotNil(t, d, n) {
			assert.False(t, d.Effect, "%s is pure", n)
		}
	}
	assert.Empty(t, lib.Modules()[0].Name, "core comes first")
}

// The seed examples' calls check against the library as written.
func TestSeedCallsCheck(t *testing.T) {
	src := `
workflow seeds {
  on api(business_name: string, address: string, ein: string, id: string)

  run inquiry.decline(id, comment: "IP is on blocked-ips")
  run inquiry.mark_for_review(id, comment: "applicant is 17")
  parallel {
    let w = run report.business_watchlist(name: business_name)
    let m = run report.business_adverse_media(name: business_name)
    let l = run report.business_lookup(name: business_name, address: address)
    let tin = run verification.tin_check(tin: ein, name: business_name)
  }
  when w.matched or m.matched or tin.status != "passed" {
    run case.create(template: "kyb-review", objects: [w.id, m.id, l.id, tin.id])
  }
  when "1.2.3.4" in list("blocked-ips") {
    run slack.post(secret("SLACK_REVIEW_WEBHOOK"), "Inquiry ${id} marked for review: under 18")
  }
}
`
	f, diags := lang.Parse("seeds.wf", []byte(src))
	_, cd := lang.Check([]*lang.File{f}, Default())
	diags = append(diags, cd...)
	assert.False(t, diags.HasErrors(), "%s", diags.Err())
}
