// Package ansi holds the terminal colours WF's programs paint their output
// with (wf's run reports, diagnostics, the REPL), so they are one set.
package ansi

// The escape sequences, as the terminal reads them.
const (
	Reset   = "\x1b[0m"
	Bold    = "\x1b[1m"
	Dim     = "\x1b[2m"
	Red     = "\x1b[31m"
	Green   = "\x1b[32m"
	Yellow  = "\x1b[33m"
	Blue    = "\x1b[34m"
	Magenta = "\x1b[35m"
	Cyan    = "\x1b[36m"
)

// Paint wraps s in code and Reset when on, and returns s as it is
// otherwise (output that is not a terminal, NO_COLOR).
func Paint(on bool, code, s string) string {
	if !on {
		return s
	}
	return code + s + Reset
}
