package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// FmtCmd is `wf fmt [-w|-l|-d] FILE…`.
type FmtCmd struct {
	Write bool     `short:"w" help:"Rewrite files in place."`
	List  bool     `short:"l" help:"Only list the files whose layout differs."`
	Diff  bool     `short:"d" help:"Show the changes as a unified diff (git apply and patch -p1 take it)."`
	Paths []string `arg:"" sep:"none" predictor:"wf-files" help:"Files or folders."`
}

// Help explains the command in detail.
func (c *FmtCmd) Help() string {
	return `Prints each file in WF's canonical layout (2-space indents, one statement per line,
comments kept). With -w the files are rewritten, with -l only the names of files that
would change are printed, with -d a diff is shown. A file with syntax errors is left
alone and its errors are printed.

Exit status: 0 when every file was already formatted (or was rewritten with -w), 1 when
some file differs or has syntax errors, 2 on usage errors.`
}

// Run formats the files.
func (c *FmtCmd) Run(g *Globals) error {
	files, err := runtime.ExpandPathsWithTests(c.Paths)
	if err != nil {
		return fail(exitUsage, "wf fmt: %v", err)
	}
	differ, broken := false, false
	for _, path := range files {
		src, err := readfile.Read(path, lang.MaxFileSize)
		if err != nil {
			return fail(exitUsage, "wf fmt: %v", err)
		}
		out, diags := lang.FormatSource(path, src)
		if diags.HasErrors() {
			broken = true
			r := &termdiag.Renderer{Source: func(string) []byte { return src }, Color: g.color(g.stderr)}
			r.RenderAll(g.stderr, diags)
			continue
		}
		same := bytes.Equal(src, out)
		if !same {
			differ = true
		}
		switch {
		case c.List:
			if !same {
				fmt.Fprintln(g.stdout, path)
			}
		case c.Diff:
			if !same {
				// Labelled as git labels them, so both patch -p1 and git
				// apply take the output.
				fmt.Fprint(g.stdout, udiff.Unified("a/"+filepath.ToSlash(path), "b/"+filepath.ToSlash(path), string(src), string(out)))
			}
		case c.Write:
			if !same {
				info, err := os.Stat(path)
				if err != nil {
					return err
				}
				if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
					return fail(exitFailed, "wf fmt: %v", err)
				}
			}
		default:
			g.stdout.Write(out)
		}
	}
	if broken || (differ && !c.Write) {
		return &exitError{code: exitFailed}
	}
	return nil
}
