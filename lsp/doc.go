// Package lsp is WF's language server: `wf lsp` serves the Language Server
// Protocol on stdio so editors get diagnostics, completion, hover,
// signature help, navigation, rename, document and workspace symbols,
// semantic tokens, folding, inlay hints, call hierarchy, code lenses,
// formatting (whole or a range) and quick fixes for .wf files.
//
// It sits on top of the front end: every answer comes from lang (Parse,
// Check, FormatSource, the checker's Info) and from the library table
// (lang.Universe), and nothing here evaluates a workflow. The server keeps
// the text of each open document, checks it with the other .wf files of
// its folder (as `wf check DIR` does), re-parses a changed document one
// declaration at a time (declarations whose text did not change are reused,
// shifted to their new place), and converts the front end's byte offsets
// and character columns to the UTF-16 positions LSP uses only at its edge.
//
// Concurrency: notifications (didOpen, didChange, didClose) are handled in
// wire order on the connection's read loop; a request takes a snapshot of
// its document and then runs concurrently with later messages. A background
// worker publishes diagnostics for the newest version of each changed
// document, skipping versions that a newer change has already replaced.
package lsp
