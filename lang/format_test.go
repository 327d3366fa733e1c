package lang

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// posRE matches the positions Dump prints: 3:5-3:9 spans and @3:7 points.
var posRE = regexp.MustCompile(`\d+:\d+-\d+:\d+|@\d+:\d+`)

// shape is a file's tree without positions, plus its comments: what
// formatting must not change.
func shape(f *File) string {
	var b strings.Builder
	b.WriteString(posRE.ReplaceAllString(Dump(f), ""))
	for _, c := range f.Comments {
		b.WriteString(strings.TrimRight(c.Text, " \t\r"))
		b.WriteByte('\n')
	}
	return b.String()
}

// formatChecked formats src and checks that the output parses to the same
// tree and formats to itself.
func formatChecked(t testing.TB, path string, src []byte) []byte {
	t.Helper()
	f, diags := Parse(path, src)
	require.False(t, diags.HasErrors(), "input has errors: %v", diags.Err())
	out, err := Format(f)
	require.NoError(t, err)
	g, diags := Parse(path, out)
	require.False(t, diags.HasErrors(), "output has errors: %v\n%s", diags.Err(), out)
	require.Equal(t, shape(f), shape(g), "formatting changed the tree:\n%s", out)
	again, err := Format(g)
	require.NoError(t, err)
	require.Equal(t, string(out), string(again), "formatting is not idempotent")
	return out
}

func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/format/*.input")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			got := formatChecked(t, in, src)
			golden := strings.TrimSuffix(in, ".input") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

func TestFormatLayout(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", ""},
		{"only comments", "\n\n# a\n\n\n# b   \n", "# a\n\n# b\n"},
		{"crlf", "const A = 1 # x\r\n\r\nconst B = [\r\n  1]\r\n", "const A = 1 # x\n\nconst B = [\n  1,\n]\n"},
		{"blank lines inside blocks", "fn f() {\n\n  let a = 1\n\n\n  let b = 2\n  let c = 3\n\n}\n",
			"fn f() {\n  let a = 1\n\n  let b = 2\n  let c = 3\n}\n"},
		{"one blank line between declarations", "fn f() {\n  stop\n}\nfn g() {\n  stop\n}\n\n\n\nconst A = 1\n",
			"fn f() {\n  stop\n}\n\nfn g() {\n  stop\n}\n\nconst A = 1\n"},
		{"consecutive consts keep their spacing", "const A = 1\nconst B = 2\n\n\nconst C = 3\n",
			"const A = 1\nconst B = 2\n\nconst C = 3\n"},
		{"one blank line after the on clauses", "workflow w {\n  on every 1h\n  on every 2h\n  stop\n}\n",
			"workflow w {\n  on every 1h\n  on every 2h\n\n  stop\n}\n"},
		{"statements on one line are split", "fn f() { let a = 1 let b = 2 return a }\n",
			"fn f() {\n  let a = 1\n  let b = 2\n  return a\n}\n"},
		{"a statement across lines is joined", "fn f() {\n  return a +\n    b\n}\n", "fn f() {\n  return a + b\n}\n"},
		{"trailing commas go when a list joins", "const A = f(1, 2,)\n", "const A = f(1, 2)\n"},
		{"lambda parentheses", "const A = [(x) -> x, (a, b) -> a, () -> 1]\n", "const A = [x -> x, (a, b) -> a, () -> 1]\n"},
		{"user parentheses stay", "const A = ((a)) + (b * c)\n", "const A = ((a)) + (b * c)\n"},
		{"hug refused when a comment sits before the last argument",
			"const A = f(a, # c\n  {\n    b: 1,\n  })\n", "const A = f(\n  a, # c\n  {\n    b: 1,\n  },\n)\n"},
		{"hug refused when the argument starts on a later line",
			"const A = f(a,\n  {\n    b: 1,\n  })\n", "const A = f(\n  a,\n  {\n    b: 1,\n  },\n)\n"},
		{"lists inside interpolation stay on one line", "const A = \"${f(\"item_0\", \"item_1\", \"item_2\", \"item_3\", \"item_4\", \"item_5\", \"item_6\", \"item_7\", \"item_8\", \"item_9\", \"item_10\", \"item_11\")}\"\n", "const A = \"${f(\"item_0\", \"item_1\", \"item_2\", \"item_3\", \"item_4\", \"item_5\", \"item_6\", \"item_7\", \"item_8\", \"item_9\", \"item_10\", \"item_11\")}\"\n"},
		{"source escapes are kept", `const A = "\u00e9 é \$ \u{1F600}"` + "\n", `const A = "\u00e9 é \$ \u{1F600}"` + "\n"},
		{"raw control characters are escaped", "const A = \"a\tb\rc\x01d\x7f\"\n", `const A = "a\tb\rc\u{1}d\u{7f}"` + "\n"},
		{"quoted keys keep their escapes", `const A = {"a\"b": 1, "": 2}` + "\n", `const A = {"a\"b": 1, "": 2}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatChecked(t, "test.wf", []byte(tt.in))
			assert.Equal(t, tt.want, string(got))
		})
	}
}

func TestFormatSourceReturnsSyntaxErrors(t *testing.T) {
	out, diags := FormatSource("bad.wf", []byte("workflow w {\n  let = 1\n}\n"))
	assert.Nil(t, out)
	require.True(t, diags.HasErrors())
	assert.Equal(t, "bad.wf", diags[0].File)

	out, diags = FormatSource("good.wf", []byte("const  A=1"))
	assert.Empty(t, diags)
	assert.Equal(t, "const A = 1\n", string(out))
}

func TestFormatRefusesFileWithDroppedDeclaration(t *testing.T) {
	f, diags := Parse("x.wf", []byte("const A = 1\n\nfn broken( {\n}\n\nconst B = 2\n"))
	require.True(t, diags.HasErrors())
	require.Len(t, f.Decls, 2, "parse keeps the declarations around the broken one")
	_, err := Format(f)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "x.wf:3: text outside any declaration")
}

func TestFormatRefusesBadTrees(t *testing.T) {
	tests := []struct {
		name string
		decl Decl
		want string
	}{
		{"bad expression", &ConstDecl{Name: &Ident{Name: "A"}, Value: &BadExpr{Sp: Span{Start: Pos{Line: 2, Col: 3}}}},
			"format: 2:3: the file has a syntax error"},
		{"missing expression", &ConstDecl{Name: &Ident{Name: "A"}}, "format: missing expression"},
		{"missing name", &ConstDecl{Value: &NullLit{}}, "format: missing name"},
		{"run without call", &ConstDecl{Name: &Ident{Name: "A"}, Value: &RunExpr{}}, "format: run without a call"},
		{"negative int", &ConstDecl{Name: &Ident{Name: "A"}, Value: &IntLit{Value: -1}}, "format: 0:0: cannot print number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Format(&File{Decls: []Decl{tt.decl}})
			assert.Nil(t, out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := Format(nil)
	assert.Error(t, err)
	// A typed nil node is no tree Parse makes but a programmer's error in a
	// tree built in code: like go/printer, Format does not hide it as an
	// error about the input.
	assert.Panics(t, func() {
		_, _ = Format(&File{Decls: []Decl{&ConstDecl{Name: &Ident{Name: "A"}, Value: &ListLit{Elems: []Expr{(*Ident)(nil)}}}}})
	})
}

// TestFormatWithoutSource prints a tree built in code: no source to copy
// escapes from, no Raw text for numbers.
func TestFormatWithoutSource(t *testing.T) {
	text := func(s string) StringPart { return StringPart{Text: s} }
	str := &StringLit{Parts: []StringPart{text("q\" b\\ ${ $x nl\n tab\t ctl\x02 "), {Expr: &Ident{Name: "v"}}, text("$")}}
	f := &File{Decls: []Decl{
		&ConstDecl{Name: &Ident{Name: "S"}, Value: str},
		&ConstDecl{Name: &Ident{Name: "N"}, Value: &ListLit{Elems: []Expr{
			&IntLit{Value: 42}, &FloatLit{Value: 2}, &FloatLit{Value: 0.5},
			&DurationLit{Value: 90 * time.Minute}, &DurationLit{Value: 1500 * time.Millisecond},
		}}},
		&ConstDecl{Name: &Ident{Name: "M"}, Value: &MapLit{Entries: []*MapEntry{
			{Key: "plain", Value: &NullLit{}}, {Key: "needs-quotes", Value: &BoolLit{Value: true}},
		}}},
	}}
	out, err := Format(f)
	require.NoError(t, err)
	want := `const S = "q\" b\\ \${ $x nl\n tab\t ctl\u{2} ${v}$"` + "\n" +
		"const N = [42, 2.0, 0.5, 1h30m, 1s500ms]\n" +
		`const M = {plain: null, "needs-quotes": true}` + "\n"
	assert.Equal(t, want, string(out))

	g, diags := Parse("x.wf", out)
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	assert.Equal(t, shape(f), shape(g))
}

// benchScript generates a script of about lines lines that uses most
// constructs, comments and broken lists.
func benchScript(lines int) []byte {
	const unit = `# Workflow %[1]d: review risky inquiries.
workflow review_%[1]d {
  on event "inquiry.completed" where trigger.template_id == "itmpl_%[1]d"

  let age = years_since(date(trigger.fields.birthdate)) # years
  let country = trigger.fields?.address?.country_code ?? "US"
  when age < 18 or country in HIGH_RISK {
    run inquiry.mark_for_review(trigger.id, comment: "applicant is ${age} in ${country}")
  } else when trigger.ip_address in list("blocked-ips") {
    run inquiry.decline(trigger.id) with {retries: 3, backoff: 2s}
  } else {
    log "ok ${trigger.id}"
  }
  parallel {
    let watchlist = run report.watchlist(name: trigger.fields.name, birthdate: trigger.fields.dob)
    let media = run report.adverse_media(name: trigger.fields.name)
  }
  run http.post("https://example.com/hook", body: {
    id: trigger.id,
    # the match flags
    watchlist: watchlist.matched,
    media: media.matched,
  })
  output {watchlist: watchlist.matched, media: media.matched, age: age}
}

`
	var b strings.Builder
	for i := 0; strings.Count(b.String(), "\n") < lines; i++ {
		fmt.Fprintf(&b, unit, i)
	}
	return []byte(b.String())
}

func BenchmarkFormat(b *testing.B) {
	src := benchScript(1000)
	f, diags := Parse("bench.wf", src)
	require.False(b, diags.HasErrors(), "%v", diags.Err())
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Format(f); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFormatBenchScript(t *testing.T) {
	src := benchScript(1000)
	out := formatChecked(t, "bench.wf", src)
	assert.Equal(t, string(src[:len(src)-1]), string(out), "the generated script is already formatted")
}

// TestFormatLargeInput formats inputs that would take quadratic time if
// every list measured all of its contents.
func TestFormatLargeInput(t *testing.T) {
	wide := "const WIDE = [" + strings.Repeat("aaaa, ", 5000) + "1]\n"
	deep := "const DEEP = " + strings.Repeat("[x, ", 150) + "1" + strings.Repeat("]", 150) + "\n"
	for name, src := range map[string]string{"wide": wide, "deep": deep} {
		t.Run(name, func(t *testing.T) {
			out := formatChecked(t, name+".wf", []byte(src))
			assert.Greater(t, strings.Count(string(out), "\n"), 150)
		})
	}
}
