// Command wf is the WF workflow tool: check, format, run and inspect
// workflows, manage Lists and local Persona data, explore in a REPL and
// serve the language server. Each subcommand lives in its own file.
package main

import "os"

func main() {
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
