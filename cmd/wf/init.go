package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// initFiles is what wf init writes; a name part "dot-x" is written ".x"
// (kept without its dot here so git and tools leave these files alone).
//
//go:embed initdata
var initFiles embed.FS

// InitCmd is `wf init [DIR]`.
type InitCmd struct {
	Dir string `arg:"" optional:"" default:"." help:"The folder to start the project in (created if needed)."`
}

// Help explains the command in detail.
func (c *InitCmd) Help() string {
	return `Starts a WF project: a workflow (kyc.wf) that reviews applicants under 18 and
approves the others, its tests (kyc_test.wf), a sample Persona webhook
(events/inquiry_completed.json) to run it with, editor settings (.vscode/settings.json,
.editorconfig) and a .gitignore for the store. Files that exist already are kept. Then:

  wf run kyc.wf --event events/inquiry_completed.json --dry-run
  wf test . --coverage`
}

// Run writes the files.
func (c *InitCmd) Run(g *Globals) error {
	var wrote, kept []string
	err := fs.WalkDir(initFiles, "initdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		parts := strings.Split(strings.TrimPrefix(p, "initdata/"), "/")
		for i, part := range parts {
			if rest, ok := strings.CutPrefix(part, "dot-"); ok {
				parts[i] = "." + rest
			}
		}
		rel := strings.Join(parts, "/")
		target := filepath.Join(c.Dir, filepath.FromSlash(rel))
		if _, err := os.Lstat(target); err == nil {
			kept = append(kept, rel)
			return nil
		}
		data, err := initFiles.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		wrote = append(wrote, rel)
		return nil
	})
	if err != nil {
		return fail(exitFailed, "wf init: %v", err)
	}
	for _, f := range wrote {
		fmt.Fprintf(g.stdout, "created %s\n", path.Join(filepath.ToSlash(c.Dir), f))
	}
	for _, f := range kept {
		fmt.Fprintf(g.stdout, "kept %s (it exists)\n", path.Join(filepath.ToSlash(c.Dir), f))
	}
	run := "wf run kyc.wf --event events/inquiry_completed.json --dry-run"
	if c.Dir != "." {
		run = "cd " + c.Dir + " && " + run
	}
	fmt.Fprintf(g.stdout, "\nnext: %s\n      wf test . --coverage\n", run)
	return nil
}
