package lsp

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

// parseDump prints everything Parse returns that the server reads: each
// declaration's tree with positions, comments, diagnostics with their
// spans, related positions and fixes, and the end of file.
func parseDump(f *lang.File, diags lang.Diagnostics) string {
	var b strings.Builder
	for _, d := range f.Decls {
		b.WriteString(lang.Dump(d))
	}
	for _, c := range f.Comments {
		fmt.Fprintf(&b, "comment %v %q\n", c.Sp, c.Text)
	}
	for _, d := range diags {
		fmt.Fprintf(&b, "diag %v %s %s %q hints=%q related=%v fixes=%v\n", d.Span, d.Severity, d.Code, d.Message, d.Hints, d.Related, d.Fixes)
	}
	fmt.Fprintf(&b, "eof %+v\n", f.EOF)
	return b.String()
}

func sampleSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, _ := filepath.Glob("testdata/*.wf")
	more, _ := filepath.Glob("../lang/testdata/format/*.input")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out[p] = string(b)
	}
	require.NotEmpty(t, out)
	out["empty"] = ""
	out["comment only"] = "# nothing here\n"
	out["junk first"] = "let x = 1\nworkflow a {\n  on manual()\n}\n"
	out["two on a line"] = "workflow a { on manual() } workflow b { on manual() }\nfn f() { return 1 }\n"
	out["é before a declaration on its line"] = "workflow a { log \"é😀\" } workflow b { let = }\n"
	out["decl keyword before the next declaration"] = "workflow a {\n  on manual()\n  let x = \n}fn \n\nworkflow b {\n  on manual()\n}\n"
	out["broken middle"] = "workflow a {\n  on manual()\n  let x = \n}\n\nworkflow b {\n  on manual()\n  log \"ok\"\n}\n"
	out["unclosed"] = "workflow a {\n  on manual()\n  when x {\n\nfn f(a) {\n  return a\n}\n"
	out["unterminated raw"] = "fn f() {\n  return 1\n}\njs fn g() \"\"\"\n  return 1\n\nworkflow c {}\n"
	out["crlf"] = "workflow a {\r\n  on manual()\r\n  log \"é\"\r\n}\r\nfn f() {\r\n  return 1\r\n}\r\n"
	out["interp across lines"] = "workflow a {\n  on manual()\n  log \"${ f(\nworkflow b {} ) }\"\n}\n"
	return out
}

func TestIncParserMatchesParse(t *testing.T) {
	for name, src := range sampleSources(t) {
		t.Run(name, func(t *testing.T) {
			wantFile, wantDiags := lang.Parse("x.wf", []byte(src))
			want := parseDump(wantFile, wantDiags)
			p := newIncParser()
			assert.Equal(t, want, parseDump(p.parse("x.wf", src)), "first parse")
			f, diags := p.parse("x.wf", src)
			assert.Equal(t, want, parseDump(f, diags), "parse from the cache")
			// Every field, not only what Dump prints.
			assert.True(t, reflect.DeepEqual(wantFile.Decls, f.Decls), "declarations differ")
			assert.True(t, reflect.DeepEqual(wantFile.Comments, f.Comments), "comments differ")
		})
	}
}

// TestIncParserAfterEdits applies random edits (insertions of code,
// newlines, non-ASCII text, brackets and quotes; deletions) and checks that
// parsing each version with the cache of the previous one gives what
// lang.Parse gives.
func TestIncParserAfterEdits(t *testing.T) {
	snippets := []string{"\n", "é", "😀", "{", "}", "(", "\"", "\"\"\"", "#", " x ", "let y = 2\n", "workflow w {\n", "fn ", "\n\n", "${", "1h"}
	for name, src := range sampleSources(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(len(name)))) // the same edits every run
			p := newIncParser()
			text := src
			for step := range 60 {
				text = randomEdit(rng, text, snippets)
				wantFile, wantDiags := lang.Parse("x.wf", []byte(text))
				gotFile, gotDiags := p.parse("x.wf", text)
				if !assert.Equal(t, parseDump(wantFile, wantDiags), parseDump(gotFile, gotDiags), "step %d, text:\n%s\n%q", step, text, text) {
					return
				}
				if !assert.True(t, reflect.DeepEqual(wantFile.Decls, gotFile.Decls), "step %d: declarations differ", step) {
					return
				}
			}
		})
	}
}

func randomEdit(rng *rand.Rand, text string, snippets []string) string {
	at := 0
	if len(text) > 0 {
		at = rng.IntN(len(text) + 1)
	}
	for at < len(text) && at > 0 && text[at]&0xC0 == 0x80 { // not inside a character
		at++
	}
	if rng.IntN(3) == 0 && at < len(text) {
		end := min(len(text), at+1+rng.IntN(8))
		for end < len(text) && text[end]&0xC0 == 0x80 {
			end++
		}
		return text[:at] + text[end:]
	}
	return text[:at] + snippets[rng.IntN(len(snippets))] + text[at:]
}

func TestIncParserReusesUnchangedDeclarations(t *testing.T) {
	src := "workflow a {\n  on manual()\n  log \"a\"\n}\n\nworkflow b {\n  on manual()\n  log \"b\"\n}\n"
	p := newIncParser()
	f1, _ := p.parse("x.wf", src)
	require.Len(t, f1.Decls, 2)
	// An edit inside b leaves a's text and place alone: its tree is reused.
	f2, _ := p.parse("x.wf", strings.Replace(src, `"b"`, `"bb"`, 1))
	require.Len(t, f2.Decls, 2)
	assert.Same(t, f1.Decls[0], f2.Decls[0])
	assert.NotSame(t, f1.Decls[1], f2.Decls[1])
	// An edit inside a moves b: its tree is a shifted copy, not the original.
	f3, _ := p.parse("x.wf", strings.Replace(src, `"a"`, `"a é"`, 1))
	require.Len(t, f3.Decls, 2)
	assert.Equal(t, f1.Decls[1].Span().Start.Offset+len(` é`), f3.Decls[1].Span().Start.Offset)
}

// TestFastShiftMatchesReflectiveShift checks the hand-written shifter
// against the reflective one, which walks every field of every type: a
// field lang adds that the hand-written one misses shows up here.
func TestFastShiftMatchesReflectiveShift(t *testing.T) {
	for name, src := range sampleSources(t) {
		f, diags := lang.Parse("x.wf", []byte(src))
		for _, d := range [][2]int{{0, 0}, {17, 3}, {-5, -1}} {
			fast, slow := newFastShift(d[0], d[1]), newShifter(d[0], d[1])
			assert.True(t, reflect.DeepEqual(shiftCopy(slow, f.Decls), fast.decls(f.Decls)), "%s %v: declarations", name, d)
			assert.True(t, reflect.DeepEqual(shiftCopy(slow, f.Comments), fast.comments(f.Comments)), "%s %v: comments", name, d)
			assert.True(t, reflect.DeepEqual(shiftCopy(slow, diags), fast.diags(diags)), "%s %v: diagnostics", name, d)
		}
	}
}

// TestFastShiftTakesNilNodes: the shifter has no recover around it, so a
// nil node, a nil pointer held in a node interface, or a nil element of a
// list is copied as it is (as the reflective shifter copies it), not
// dereferenced.
func TestFastShiftTakesNilNodes(t *testing.T) {
	decls := []lang.Decl{
		nil,
		(*lang.ConstDecl)(nil),
		&lang.ConstDecl{Value: (*lang.SelectorExpr)(nil)},
		&lang.WorkflowDecl{
			Triggers: []lang.Trigger{nil, (*lang.EventTrigger)(nil), &lang.EventTrigger{Where: (*lang.BinaryExpr)(nil)}},
			Body: []lang.Stmt{nil, (*lang.LetStmt)(nil), (*lang.OutputStmt)(nil),
				&lang.ExprStmt{X: &lang.RunExpr{}},
				&lang.ExprStmt{X: &lang.CallExpr{Args: []*lang.Arg{nil}, Fn: (*lang.Ident)(nil)}},
				&lang.WhenStmt{Branches: []*lang.WhenBranch{nil}},
				&lang.ExprStmt{X: &lang.BadExpr{X: (*lang.WaitEventExpr)(nil)}}},
		},
		&lang.FnDecl{Params: []*lang.Param{nil}},
	}
	comments := []*lang.Comment{nil, {}}
	diags := lang.Diagnostics{nil, {}}
	fast, slow := newFastShift(7, 1), newShifter(7, 1)
	assert.True(t, reflect.DeepEqual(shiftCopy(slow, decls), fast.decls(decls)), "declarations")
	assert.True(t, reflect.DeepEqual(shiftCopy(slow, comments), fast.comments(comments)), "comments")
	assert.True(t, reflect.DeepEqual(shiftCopy(slow, diags), fast.diags(diags)), "diagnostics")
}
