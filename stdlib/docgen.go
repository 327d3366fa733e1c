package stdlib

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// DocsPath is where the generated reference lives, from the repository
// root.
const DocsPath = "docs/stdlib.md"

// Docs renders the reference of lib in Markdown (the content of
// docs/stdlib.md): per module a heading and its doc, then per function its
// signature, whether it is pure or an action, its doc and its example.
// Functions keep the order of their declarations.
func Docs(lib *builtin.Library) []byte {
	var b bytes.Buffer
	b.WriteString("# The WF standard library\n\n")
	b.WriteString("<!-- Generated from the declarations in stdlib by `go test ./stdlib -run Docs -update`. Do not edit. -->\n\n")
	b.WriteString("Every function below is declared once, in Go, with its signature, doc and example; the checker, " +
		"the interpreter, the REPL, editor hover text and this page all read that declaration. A **pure** " +
		"function may be called in any expression. An **action** has effects (or reads from another system) " +
		"and may only be called with `run`, as a recorded step: `run inquiry.decline(trigger.id)`.\n\n")
	b.WriteString("In signatures, `p: T?` is an optional parameter (null when left out), `p: T = x` has a " +
		"default, `...p: T` takes the remaining positional arguments and `name: value…` stands for extra " +
		"named arguments.\n\n")
	b.WriteString("Every line of every example runs in a test (`stdlib/examples_test.go`), in a workflow started by an " +
		"`inquiry.completed` event, against the local Persona backend; `# value` after a line is the value it gives. " +
		"Names such as `trigger`, `reports` or `c` stand for a workflow's own values.\n\n")
	for _, m := range lib.Modules() {
		fmt.Fprintf(&b, "- [%s](#%s) (%d)\n", moduleTitle(m), anchor(moduleTitle(m)), len(m.Builtins))
	}
	for _, m := range lib.Modules() {
		writeModule(&b, m)
	}
	return b.Bytes()
}

// moduleTitle is a module's heading.
func moduleTitle(m *builtin.Module) string {
	if m.Name == "" {
		return "Core functions"
	}
	return "`" + m.Name + "`"
}

// anchor is the fragment GitHub gives a heading: lower case, spaces to
// dashes, punctuation other than - and _ dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writeModule(b *bytes.Buffer, m *builtin.Module) {
	fmt.Fprintf(b, "\n## %s\n\n", moduleTitle(m))
	if m.Doc != "" {
		b.WriteString(m.Doc + "\n")
	}
	for _, fn := range m.Builtins {
		writeFunc(b, fn)
	}
}

func writeFunc(b *bytes.Buffer, fn *interp.Builtin) {
	d := fn.Decl
	fmt.Fprintf(b, "\n### %s\n\n", d.Name)
	fmt.Fprintf(b, "```\n%s\n```\n\n", d.Signature())
	kind := "*pure*"
	if d.Effect {
		kind = "*action (use with `run`)*"
	}
	fmt.Fprintf(b, "%s. %s\n", kind, strings.TrimSpace(d.Doc))
	if ex := strings.TrimSpace(d.Example); ex != "" {
		fmt.Fprintf(b, "\n```wf\n%s\n```\n", ex)
	}
}
