package repl

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// This file holds the commands that show things: :doc and :runs, and the
// plain printer of a fired run.

// cmdDoc shows what a name is: a library function (signature, doc and
// example), a module (its functions), a declaration of the session (its
// source with the comment above it), a session name or a keyword.
func (r *REPL) cmdDoc(_ context.Context, _, arg string) bool {
	if arg == "" {
		return r.fail(":doc needs a name, such as :doc years_since or :doc inquiry")
	}
	lib := r.sess.lib
	switch {
	case lib.Func(arg) != nil:
		r.funcDoc(lib.Func(arg))
	case lib.IsModule(arg):
		fmt.Fprintf(r.out, "%s %s\n", r.pr.paint(ansi.Bold, "module"), arg)
		for _, d := range lang.ModuleFuncs(lib, arg) {
			fmt.Fprintf(r.out, "  %s\n      %s\n", r.pr.paint(ansi.Bold, d.Signature()), firstSentence(d.Doc))
		}
	default:
		if d, f := r.sess.Decl(arg); d != nil {
			r.declDoc(d, f)
			return true
		}
		if v, ok := r.sess.Value(arg); ok {
			fmt.Fprintf(r.out, "%s is a session name holding %s\n", arg, article(interp.TypeName(v)))
			return true
		}
		if lang.IsKeyword(arg) {
			fmt.Fprintf(r.out, "%s is a keyword of the language (see docs/language.md)\n", arg)
			return true
		}
		msg := fmt.Sprintf(":doc: nothing is named %s", arg)
		if s := lang.Suggest(arg, r.allNames()); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return r.fail("%s", msg)
	}
	return true
}

func (r *REPL) funcDoc(d *lang.FuncDecl) {
	kind := "pure"
	if d.Effect {
		kind = "action: call it with run"
	}
	fmt.Fprintf(r.out, "%s  %s\n", r.pr.paint(ansi.Bold, d.Signature()), r.pr.paint(ansi.Dim, "("+kind+")"))
	if d.Doc != "" {
		fmt.Fprintf(r.out, "\n%s\n", indent(d.Doc, "  "))
	}
	if d.Example != "" {
		fmt.Fprintf(r.out, "\n  example:\n%s\n", indent(d.Example, "    "))
	}
}

func (r *REPL) declDoc(d lang.Decl, f *lang.File) {
	sp := d.Span()
	first := sp.Start.Line
	var above []string
	for i := len(f.Comments) - 1; i >= 0; i-- {
		c := f.Comments[i]
		if c.Sp.Start.Line == first-1 && c.Sp.Start.Col == 1 {
			above = append([]string{c.Text}, above...)
			first--
		}
	}
	for _, c := range above {
		fmt.Fprintln(r.out, r.pr.paint(ansi.Dim, c))
	}
	if sp.End.Offset <= len(f.Src) && sp.Start.Offset < sp.End.Offset {
		fmt.Fprintln(r.out, string(f.Src[sp.Start.Offset:sp.End.Offset]))
	}
	fmt.Fprintf(r.out, "%s\n", r.pr.paint(ansi.Dim, fmt.Sprintf("(%s %s, from %s:%d)", declKind(d), d.DeclName().Name, f.Path, sp.Start.Line)))
}

// allNames lists every name :doc knows, for suggestions.
func (r *REPL) allNames() []string {
	var out []string
	for _, d := range r.sess.lib.Funcs() {
		out = append(out, d.Name)
		if m := d.Module(); m != "" {
			out = append(out, m)
		}
	}
	out = append(out, r.sess.Globals()...)
	out = append(out, r.sess.Workflows()...)
	return append(out, r.sess.Names()...)
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func indent(s, pad string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n")
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

func (r *REPL) cmdRuns(ctx context.Context, _, arg string) bool {
	limit := 10
	if arg != "" {
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 1000 {
			return r.fail(":runs takes a count between 1 and 1000, got %q", arg)
		}
		limit = n
	}
	recs, err := r.sess.Runs(ctx, limit)
	if err != nil {
		return r.fail(":runs: %v", err)
	}
	if len(recs) == 0 {
		fmt.Fprintln(r.out, "no runs recorded")
		return true
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKFLOW\tSTATUS\tSTARTED")
	for _, rec := range recs {
		status := rec.Status
		if rec.DryRun {
			status += " (dry run)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rec.ID, rec.Workflow, status, rec.StartedAt.Format(time.RFC3339))
	}
	tw.Flush()
	return true
}

// printRecord is the plain run printer, for when the CLI gives none.
func (r *REPL) printRecord(rec *runtime.Record) {
	dry := ""
	if rec.DryRun {
		dry = " (dry run)"
	}
	fmt.Fprintf(r.out, "run %s  %s%s\n", rec.ID, rec.Workflow, dry)
	for _, s := range rec.Steps {
		fmt.Fprintf(r.out, "  %s %s  %s\n", stepMark(s.Status), s.Name, s.Status)
	}
	for _, l := range rec.Logs {
		fmt.Fprintf(r.out, "  log %s\n", l.Message)
	}
	fmt.Fprintln(r.out, rec.Status)
	if e := rec.ParsedError(); e != nil {
		fmt.Fprintf(r.out, "  %s %s [%s]\n", e.Pos, e.Message, e.Kind)
	}
}
