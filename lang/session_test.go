package lang_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib"
)

// checkEntry parses src as a REPL entry and checks it with the given
// session names and declaration files.
func checkEntry(t *testing.T, src string, vars []lang.SessionVar, files ...*lang.File) (*lang.Program, *lang.SessionInfo, lang.Diagnostics) {
	t.Helper()
	entry, pd := lang.ParseEntry("in[1]", src)
	require.Empty(t, pd, "parse %q", src)
	f := &lang.File{Path: "in[1]", Src: []byte(src), Decls: entry.Decls}
	return lang.CheckSession(append(files, f), f, entry.Stmts, vars, stdlib.Default())
}

func messages(ds lang.Diagnostics) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Severity.String()+": "+d.Message)
	}
	return out
}

func TestCheckSessionBindsSessionNames(t *testing.T) {
	vars := []lang.SessionVar{{Name: "x", Type: lang.TInt}, {Name: "trigger", Type: lang.TMap}}
	_, si, diags := checkEntry(t, "x + 1\ntrigger.fields", vars)
	assert.Empty(t, messages(diags))
	require.Len(t, si.Vars, 2)
	assert.Equal(t, 0, si.Vars[0].Slot)
	assert.Equal(t, 1, si.Vars[1].Slot)
	assert.Same(t, si.Vars[1], si.Final["trigger"])
	require.Len(t, si.Workflow.Body, 2)
	assert.Equal(t, lang.TInt, si.Types[si.Workflow.Body[0].(*lang.ExprStmt)])
	assert.Equal(t, lang.SessionWorkflow, si.Workflow.Name.Name)
	assert.Equal(t, "in[1]", si.File.Path)
}

func TestCheckSessionReportsUndefinedNames(t *testing.T) {
	_, _, diags := checkEntry(t, "y + 1", []lang.SessionVar{{Name: "x", Type: lang.TAny}})
	require.True(t, diags.HasErrors())
	assert.Contains(t, messages(diags), "error: undefined name y")
}

func TestCheckSessionLetShadowsSessionName(t *testing.T) {
	_, si, diags := checkEntry(t, `let x = "again"`, []lang.SessionVar{{Name: "x", Type: lang.TInt}})
	assert.Empty(t, messages(diags))
	sym := si.Final["x"]
	require.NotNil(t, sym)
	assert.NotSame(t, si.Vars[0], sym)
	assert.Equal(t, 1, sym.Slot)
	assert.Equal(t, lang.TString, sym.Type)
}

func TestCheckSessionAssignsSessionName(t *testing.T) {
	_, si, diags := checkEntry(t, `x = x + 1`, []lang.SessionVar{{Name: "x", Type: lang.TInt}})
	assert.Empty(t, messages(diags))
	assert.Same(t, si.Vars[0], si.Final["x"])
}

func TestCheckSessionTopLevelIsQuiet(t *testing.T) {
	// A binding no later code uses and a pure call whose result is dropped
	// are what a REPL entry is for: no warnings.
	_, si, diags := checkEntry(t, "let unused = 1\nlower(\"ABC\")", nil)
	assert.Empty(t, messages(diags))
	assert.Contains(t, si.Final, "unused")
	assert.Equal(t, lang.TString, si.Types[si.Workflow.Body[1].(*lang.ExprStmt)])
}

func TestCheckSessionNestedBlocksStillWarn(t *testing.T) {
	_, si, diags := checkEntry(t, "when true {\n  let inner = 1\n}", nil)
	assert.Contains(t, messages(diags), "warning: inner is bound but never used")
	assert.NotContains(t, si.Final, "inner")
}

func TestCheckSessionSeesDeclarations(t *testing.T) {
	src := "const LIMIT = 18\nfn double(n) {\n  return n * 2\n}\n"
	decls, pd := lang.Parse("helpers.wf", []byte(src))
	require.Empty(t, pd)
	_, _, diags := checkEntry(t, "double(LIMIT)", nil, decls)
	assert.Empty(t, messages(diags))

	_, _, diags = checkEntry(t, "double(1, 2)", nil, decls)
	assert.True(t, diags.HasErrors(), "%v", messages(diags))
}

func TestCheckSessionAllowsWorkflowStatements(t *testing.T) {
	src := "run inquiry.decline(\"inq_1\")\nlog \"done\"\noutput { ok: true }"
	_, _, diags := checkEntry(t, src, nil)
	assert.Empty(t, messages(diags))

	_, _, diags = checkEntry(t, `inquiry.decline("inq_1")`, nil)
	assert.True(t, diags.HasErrors(), "an action without run is still an error")
}

func TestCheckSessionParallelNamesAreKept(t *testing.T) {
	src := "parallel {\n  let a = 1\n  let b = 2\n}"
	_, si, diags := checkEntry(t, src, nil)
	assert.Empty(t, messages(diags))
	assert.Contains(t, si.Final, "a")
	assert.Contains(t, si.Final, "b")
}

func TestCheckSessionDuplicateVarsKeepFirst(t *testing.T) {
	vars := []lang.SessionVar{{Name: "x", Type: lang.TInt}, {Name: "x", Type: lang.TString}, {Name: ""}}
	_, si, diags := checkEntry(t, "x", vars)
	assert.Empty(t, messages(diags))
	require.Len(t, si.Vars, 1)
	assert.Equal(t, lang.TInt, si.Vars[0].Type)
}

func TestEntryComplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"1 + 2", true},
		{"", true},
		{"let m = {", false},
		{"let m = {\n  a: 1", false},
		{"let m = {\n  a: 1\n}", true},
		{"f(1,", false},
		{"[1, [2", false},
		{`"""raw`, false},
		{"\"\"\"raw\nmore\"\"\"", true},
		{`"a ${x`, false},
		{`"a ${ {k: 1}`, false},
		{`"a ${ {k: 1} }"`, true},
		{`"{ not a brace"`, true},
		{`"(" + ")"`, true},
		{"# a comment {", true},
		{"}", true},
		{"workflow w {\n  on manual()\n", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lang.EntryComplete(tt.src), "%q", tt.src)
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		src  string
		want string
		ok   bool
	}{
		{"1 + 2", "1 + 2", true},
		{"let m = {\n  a: 1\n}\n", "let m = { a: 1 }", true},
		{"let m = { # note\n  a: 1\n}", "", false},
		{"js fn f() \"\"\"\n  return 1\n\"\"\"", "", false},
		{"\"\"\"one line\"\"\" + x", "\"\"\"one line\"\"\" + x", true},
	}
	for _, tt := range tests {
		got, ok := lang.OneLine(tt.src)
		assert.Equal(t, tt.ok, ok, "%q", tt.src)
		assert.Equal(t, tt.want, got, "%q", tt.src)
	}
}
