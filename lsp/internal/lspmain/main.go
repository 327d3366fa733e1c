// Command lspmain runs the WF language server on stdio with the standard
// library, as `wf lsp` does, without the rest of wf. The editor tests build
// it to drive the server from a real editor (Neovim); it is not installed.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	_ "time/tzdata" // time zones are checked and completed the same on every machine

	"github.com/wf-lang/wf/lsp"
	"github.com/wf-lang/wf/stdlib"
)

func main() {
	opts := lsp.Options{Universe: stdlib.Default(), Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if err := lsp.Serve(context.Background(), os.Stdin, os.Stdout, opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
