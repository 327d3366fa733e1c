// Package runtime runs WF programs for real. It sits after the interpreter
// and the standard library and before the command-line tool: it loads and
// checks .wf files into a program pinned to a version, decodes triggers
// (Persona webhook bodies, plain JSON, inputs), executes runs through a
// durable host that journals every step in the embedded store before the
// run moves on (so a re-run of an interrupted run replays finished steps
// instead of repeating them), and reads run records back.
package runtime
