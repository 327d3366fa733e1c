package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/wf-lang/wf/lsp"
	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib"
)

// LspCmd is `wf lsp`.
type LspCmd struct{}

// Help explains the command.
func (c *LspCmd) Help() string {
	return `Speaks the Language Server Protocol on stdin and stdout, for editors: diagnostics,
completion, hover, signature help, go to definition, references, rename, document and
workspace symbols, semantic tokens, folding, inlay hints, call hierarchy, code lenses,
formatting and quick fixes. See docs/editors.md for VS Code and Neovim.`
}

// Run serves the language server.
func (c *LspCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := lsp.Options{Universe: stdlib.Default(), ListNames: storeListNames}
	if err := lsp.Serve(ctx, g.stdin, g.stdout, opts); err != nil {
		return fail(exitFailed, "wf lsp: %v", err)
	}
	return nil
}

// storeListNames returns the names of the Lists in the store that serves
// dir: .wf/wf.db in dir or the nearest folder above it that has one. No
// store is created where there is none.
func storeListNames(dir string) []string {
	for d := dir; ; d = filepath.Dir(d) {
		path := sqlite.DefaultPath(d)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			st, err := sqlite.Open(context.Background(), path)
			if err != nil {
				return nil
			}
			defer st.Close()
			all, err := st.Lists(context.Background())
			if err != nil {
				return nil
			}
			names := make([]string, len(all))
			for i, l := range all {
				names[i] = l.Name
			}
			return names
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}
