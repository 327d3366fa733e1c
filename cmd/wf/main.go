// Command wf is the WF workflow tool: check, format, run and inspect
// workflows, manage Lists and local Persona data, explore in a REPL and
// serve the language server. Each subcommand lives in its own file.
package main

import (
	"os"
	"time"
	_ "time/tzdata" // the time zone database: tz checks and schedules work the same on every machine
)

func main() {
	// Runs must not depend on the machine's time zone: JavaScript's local
	// Date methods and any local formatting use UTC, so a replay elsewhere
	// takes the same path.
	time.Local = time.UTC
	os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
