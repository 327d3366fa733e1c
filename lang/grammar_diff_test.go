package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hand-written parser against participle's parse of grammar.go: for
// every declaration, both accept it or both reject it at the same token,
// and when they accept it they build the same tree with the same
// diagnostics. The inputs are every .wf file the repository holds and a
// list of constructs below; FuzzGrammar explores from there.

// grammarDiff returns what differs between the two parsers on src, or "".
func grammarDiff(src []byte) string {
	ref, refDiags := refParse("f.wf", src)
	var diags Diagnostics
	text := string(src)
	toks, _ := tokenize(text)
	p := newParser("f.wf", text, &diags)
	chunks := splitDecls(text, toks)
	if len(chunks) != len(ref) {
		return fmt.Sprintf("%d declarations against %d", len(chunks), len(ref))
	}
	clean := true
	for i, c := range chunks {
		d := p.chunk(c)
		if hasLimit(diags) {
			return "" // beyond a limit only the hand parser has
		}
		r := ref[i]
		if r.fail >= 0 || p.fail >= 0 {
			clean = false
			if r.fail != p.fail {
				return fmt.Sprintf("declaration %d: participle fails at %s, the parser at %s", i, offsetPos(src, r.fail), offsetPos(src, p.fail))
			}
			continue
		}
		if diff := nodeDiff("", reflect.ValueOf(r.node), reflect.ValueOf(d)); diff != "" {
			return fmt.Sprintf("declaration %d: trees differ at %s\nparticiple:\n%s\nparser:\n%s", i, diff, dumpOrNil(r.node), dumpOrNil(d))
		}
	}
	if clean {
		diags.Normalize()
		if a, b := diagSet(refDiags), diagSet(diags); a != b {
			return fmt.Sprintf("diagnostics differ:\nparticiple:\n%s\nparser:\n%s", a, b)
		}
	}
	return ""
}

// entryDiff compares the two parsers on a REPL entry.
func entryDiff(src string) string {
	ref, refFail, refDiags := refEntry("e.wf", src)
	var diags Diagnostics
	toks, _ := tokenize(src)
	p := newParser("e.wf", src, &diags)
	p.reset(toks[:len(toks)-1], toks[len(toks)-1])
	if !checkNesting(&p.builder, src, toks) {
		return ""
	}
	out := &Entry{}
	p.whole(func() Node {
		p.entry(out)
		return nil
	})
	if hasLimit(diags) {
		return ""
	}
	if ref == nil || p.fail >= 0 {
		if ref != nil || refFail != p.fail {
			return fmt.Sprintf("REPL entry: participle fails at %s, the parser at %s", offsetPos([]byte(src), refFail), offsetPos([]byte(src), p.fail))
		}
		return ""
	}
	if diff := nodeDiff("", reflect.ValueOf(ref.Order), reflect.ValueOf(out.Order)); diff != "" {
		return "REPL entry: trees differ at " + diff
	}
	diags.Normalize()
	if a, b := diagSet(refDiags), diagSet(diags); a != b {
		return fmt.Sprintf("REPL entry: diagnostics differ:\nparticiple:\n%s\nparser:\n%s", a, b)
	}
	return ""
}

func hasLimit(diags Diagnostics) bool {
	for _, d := range diags {
		if d.Code == "limit" {
			return true
		}
	}
	return false
}

func dumpOrNil(n Node) string {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return "<nil>"
	}
	return Dump(n)
}

func offsetPos(src []byte, off int) string {
	if off < 0 {
		return "nowhere (it accepts)"
	}
	p := advance(Pos{Line: 1, Col: 1}, string(src[:min(off, len(src))]))
	return fmt.Sprintf("%s (%q)", p, string(src[off:min(off+12, len(src))]))
}

// diagSet prints diagnostics in a fixed order, with hints.
func diagSet(ds Diagnostics) string {
	lines := make([]string, 0, len(ds))
	for _, d := range ds {
		lines = append(lines, fmt.Sprintf("%s-%s %s %v", d.Error(), d.Span.End, d.Severity, d.Hints))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// nodeDiff compares two trees field by field (nil and empty slices are
// the same) and returns the path of the first difference, or "".
func nodeDiff(path string, a, b reflect.Value) string {
	if a.Kind() == reflect.Interface {
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": one is nil"
			}
			return ""
		}
		a, b = a.Elem(), b.Elem()
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: %s against %s", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return path + ": one is nil"
			}
			return ""
		}
		return nodeDiff(path, a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if d := nodeDiff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d elements against %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := nodeDiff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !a.Equal(b) {
		return fmt.Sprintf("%s: %v against %v", path, a, b)
	}
	return ""
}

// grammarCases are constructs and near-misses the differential test
// parses beyond the repository's files.
var grammarCases = []string{
	"workflow w {\n  on manual()\n  log a ?? b or c and not d == e + f * -g.h?.i[j](k, l: m)\n}",
	"const A = not not a in b not in c matches d < e <= f > g >= h != i\n",
	"const A = a < b < c\n", "const A = - - 1\n", "const A = a == not b\n", "const A = not\n",
	"const A = x -> y -> x + y\n", "const A = (a, b) -> a\n", "const A = (1, 2)\n", "const A = ()\n",
	"const A = () -> 1\n", "const A = (a, 1) -> a\n", "const A = [1, 2,]\n", "const A = [,]\n", "const A = [1,,2]\n",
	"const A = {a: 1, \"b\": 2, if: 3,}\n", "const A = {a 1}\n", "const A = {1: 2}\n", "const A = {\"${x}\": 1}\n",
	"const A = f(a, b: c, d)\n", "const A = f(a: b: c)\n", "const A = f(1: 2)\n", "const A = f(,)\n", "const A = f(a,)\n",
	"const A = \"a ${b} \\q c $ \\u00e9 \\u{1F600}\"\n", "const A = \"open\n", "const A = \"${}\"\n", "const A = \"${a\"\n",
	"const A = \"\"\"raw\"\"\"\n", "const A = \"\"\"open\n", "const A = 1_000 + 1.5e3 + 99999999999999999999 + 1e999\n",
	"const A = 1h30m + 2x\n", "const A = run f()\n", "const A = run f\n", "const A = run f().x\n", "const A = run f() with {retries: 1}\n",
	"const A = run f() with 1\n", "const A = wait 1h\n", "const A = wait event \"x\" where e timeout 1d\n", "const A = wait event.x\n",
	"const A = wait event \"${x}\"\n", "const A = wait\n", "const A = a.if.b\n", "const A = a.\n", "const A = a[1]\n", "const A = a[]\n",
	"workflow w {\n  on event \"a\" where x\n  on api(a: string, b: int? = 1,)\n  on workflow()\n  on manual(x)\n  on schedule \"* * * * *\" tz \"UTC\"\n  on every 1h\n}",
	"workflow w {\n  on event \"${x}\"\n  on schedule \"${x}\" tz \"${y}\"\n  on every x\n  on nothing\n}",
	"workflow w {\n  log 1\n  on manual()\n}", "workflow w {\n  if x {\n    stop\n  }\n}", "workflow w {\n  if(x)\n}",
	"workflow w {\n  let x = 1\n  x = 2\n  x.y = 3\n  x[0] = 4\n  f() = 5\n  1 + 2\n  f()\n}",
	"workflow w {\n  when a {\n  } else when b {\n  } else {\n  }\n  when a {} else x\n}",
	"workflow w {\n  for x in xs {\n  }\n  for i, x in xs limit 2 {\n  }\n  parallel for x in xs limit 3 {\n  }\n  parallel {\n    {\n    }\n  }\n}",
	"workflow w {\n  try {\n  } catch e {\n  }\n  try {\n  } catch {\n  }\n  try {\n  }\n}",
	"workflow w {\n  output {a: 1}\n  output 1\n  emit \"x\"\n  emit \"x\" {a: 1}\n  emit \"x\"\n  {\n  }\n  fail \"x\"\n  stop\n  return\n  return 1\n}",
	"fn f(a, b: int, c: string? = \"x\",) {\n  return a\n}\n", "fn f( {\n}\n", "fn f(a b) {}\n", "fn f {}\n",
	"js fn g(a) \"\"\"return a\"\"\"\n", "js fn g() \"\"\"open\n", "js fn g() 1\n", "js.eval(1)\n",
	"workflow w {\n", "workflow w {\n  let = 3\n}", "workflow w {\n  let when = 1\n}", "workflow w {\n  log \"a\";\n}",
	"workflow w {\n  let x = true && false\n}", "workflow w {} }", "const A = 1 2", "log \"stray\"\nworkflow w {}",
	"workflow w {\n  workflow.call(\"x\", {})\n  event.name\n  x = a\n  not b\n}", "workflow {}", "workflow w",
	// test declarations
	"test \"x\" {\n  workflow\n}", "test \"x\" {\n  mock\n}", "test \"x\" {\n  expect\n}", "test \"x\" {\n  expect no x\n}",
	"test \"x\" {\n  expect steps [a] in any\n}", "test \"x\" {\n  event file\n}", "test \"x\" {\n  deliver \"a\" {}\n}",
	"test \"${x}\" {}", "test \"x\" {\n  foo\n}", "test \"x\"", "test x {}", "test \"x\" { expect run 1 + 2 }",
	"test \"x\" {\n  mock a.b once\n}", "test \"x\" {\n  expect status \"ok\" when\n}", "test = 1",
	"test \"x\" {\n  mock a.b(1, c: 2) once returns x -> x\n  expect steps [a(), b.c(d: 1)] in any order when true\n}",
	"test \"x\" {\n  expect run (a)\n  expect no run a.b?.c\n  list \"n\" {}\n  deliver event \"e\" {} after (1h)\n}",
	"test \"x\" {\n  event \"a\"\n}", "workflow w {}\ntest \"t\" {\n  workflow w\n}\nfn f() {}",
}

// grammarFiles lists the .wf files the differential test parses.
func grammarFiles(t testing.TB) []string {
	var files []string
	for _, pat := range []string{"testdata/*/*.wf", "testdata/format/*", "../examples/*.wf", "../interp/testdata/*/*.wf", "../lsp/testdata/*.wf"} {
		m, err := filepath.Glob(pat)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	return files
}

func TestParserMatchesGrammar(t *testing.T) {
	for _, f := range grammarFiles(t) {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		if d := grammarDiff(src); d != "" {
			t.Errorf("%s: %s", f, d)
		}
	}
	for _, src := range grammarCases {
		if d := grammarDiff([]byte(src)); d != "" {
			t.Errorf("%q: %s", src, d)
		}
		if d := entryDiff(src); d != "" {
			t.Errorf("%q: %s", src, d)
		}
	}
}

// FuzzGrammar compares the parser with participle's parse of the grammar
// on random input, declarations and REPL entries alike.
func FuzzGrammar(f *testing.F) {
	for _, file := range grammarFiles(f) {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		toks, _ := tokenize(string(src))
		for _, c := range splitDecls(string(src), toks) { // one seed per declaration: small inputs run fast
			f.Add(string(src[c.toks[0].off:c.eof.off]))
		}
	}
	for _, src := range grammarCases {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4<<10 {
			return
		}
		if d := grammarDiff([]byte(src)); d != "" {
			t.Fatal(d)
		}
		if d := entryDiff(src); d != "" {
			t.Fatal(d)
		}
	})
}
