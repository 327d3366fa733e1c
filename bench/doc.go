// Package bench compares WF with the engines a user would pick instead
// (expr, cel-go, goja, starlark) and with hand-written Go, on the same rules
// over the same decoded Persona event. It also measures WF's parse and check
// against go/parser, and one recorded workflow run against raw SQLite inserts
// of the same rows.
//
// It is its own module (with a replace of the main module) so the peers
// never enter WF's go.mod. The package holds the data, the rules in each
// engine's language and the compiled evaluators; the benchmarks are in its
// tests, and cmd/table runs them and writes the table in README.md.
//
// Every engine compiles once, outside the timed loop, and gets its data in
// its most natural efficient form: see README.md for each.
package bench
