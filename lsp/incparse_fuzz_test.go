package lsp

import (
	"reflect"
	"testing"

	"github.com/wf-lang/wf/lang"
)

// FuzzIncParser checks that parsing a text with the cache of another gives
// what lang.Parse gives: the same declarations (every field), comments and
// diagnostics.
func FuzzIncParser(f *testing.F) {
	f.Add("workflow a {\n  on manual()\n}\n", "workflow a {\n  on manual()\n  log \"é\"\n}\nfn g() {\n  return 1\n}\n")
	f.Add("fn f() {\n  return 1\n}\n", "x fn f() {\n  return \"${ {a: \"{\"} }\"\n}\n")
	f.Add("js fn f() \"\"\"\nreturn 1\n\"\"\"\n", "}fn \nworkflow b {}\n")
	f.Fuzz(func(t *testing.T, old, text string) {
		if len(old) > 1<<14 || len(text) > 1<<14 {
			return
		}
		p := newIncParser()
		p.parse("x.wf", old)
		gotFile, gotDiags := p.parse("x.wf", text)
		wantFile, wantDiags := lang.Parse("x.wf", []byte(text))
		if got, want := parseDump(gotFile, gotDiags), parseDump(wantFile, wantDiags); got != want {
			t.Fatalf("text %q\ngot:\n%s\nwant:\n%s", text, got, want)
		}
		if !reflect.DeepEqual(wantFile.Decls, gotFile.Decls) {
			t.Fatalf("text %q: declarations differ", text)
		}
	})
}
