// Package wf is the root of the WF module: a workflow language and engine for
// identity processes. The language front end lives in lang, evaluation in
// interp, the standard library in stdlib, storage and dispatch in runtime and
// the command-line tool in cmd/wf.
package wf
