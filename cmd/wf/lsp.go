package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/wf-lang/wf/lsp"
	"github.com/wf-lang/wf/stdlib"
)

// LspCmd is `wf lsp`.
type LspCmd struct{}

// Help explains the command.
func (c *LspCmd) Help() string {
	return `Speaks the Language Server Protocol on stdin and stdout, for editors: diagnostics,
completion, hover, go to definition, references, rename, symbols, formatting and quick
fixes. See docs/editors.md for VS Code and Neovim.`
}

// Run serves the language server.
func (c *LspCmd) Run(g *Globals) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := lsp.Serve(ctx, g.stdin, g.stdout, lsp.Options{Universe: stdlib.Default()}); err != nil {
		return fail(exitFailed, "wf lsp: %v", err)
	}
	return nil
}
