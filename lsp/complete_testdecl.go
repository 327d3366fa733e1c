package lsp

import (
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// Completion inside a test declaration (`test "name" { … }`): the words a
// clause starts with at the start of a line, then, by the words already on
// the line, what may follow them: the workflows of the package after
// `workflow`, actions (and js fns, for a mock) after `mock`, `expect run`
// and `expect no run`, the kinds of expectation after `expect`, and the
// words that continue a clause (once, returns, fails, after, when, in any
// order).

// isTestBlock reports whether the { at token index i opens a test: it
// follows `test "…"`.
func (c *cursor) isTestBlock(i int) bool {
	if i < 2 || c.toks[i-1].kind != tkStrEnd {
		return false
	}
	for j := i - 2; j >= 0; j-- {
		if c.toks[j].kind == tkStrStart {
			return j > 0 && c.toks[j-1].kind == tkIdent && c.toks[j-1].val == "test"
		}
	}
	return false
}

// testClause offers what may come at the cursor directly in a test block
// (nested deeper, in a map, a list or a call, the usual completion
// applies); prev is the token before the cursor's word.
func (k *completer) testClause(prev token) {
	c := k.c
	if c.lineStart() {
		for _, w := range lang.TestClauseWords {
			k.add(protocol.CompletionItem{Label: w, Kind: protocol.CompletionItemKindKeyword,
				InsertText: protocol.NewOptional(w + " ")}, sortKeyword)
		}
		return
	}
	line := c.text[strings.LastIndexByte(c.text[:c.start], '\n')+1 : c.start]
	words := strings.Join(strings.Fields(line), " ")
	switch words {
	case "workflow":
		if k.an.prog != nil {
			for _, w := range k.an.prog.Workflows {
				k.add(protocol.CompletionItem{Label: w.Name.Name, Kind: protocol.CompletionItemKindFunction,
					Detail: protocol.NewOptional("workflow")}, sortGlobal)
			}
		}
	case "backend":
		k.keywords(sortArg, "local")
	case "event":
		k.keywords(sortArg, "file")
	case "deliver":
		k.keywords(sortArg, "event")
	case "expect":
		k.keywords(sortArg, "run", "no run", "steps", "output", "status", "error")
	case "expect no":
		k.keywords(sortArg, "run")
	case "mock", "expect run", "expect no run":
		k.runTargets()
		if words == "mock" && k.an.prog != nil {
			for _, f := range k.an.prog.JsFns {
				k.add(protocol.CompletionItem{Label: f.Name.Name, Kind: protocol.CompletionItemKindFunction,
					Detail: protocol.NewOptional("js fn")}, sortGlobal)
			}
		}
	default:
		if !afterOperand(prev) {
			k.names()
			return
		}
		switch {
		case strings.HasPrefix(words, "mock "):
			k.keywords(sortArg, "once", "returns", "fails")
		case strings.HasPrefix(words, "deliver "):
			k.keywords(sortArg, "after")
		case strings.HasPrefix(words, "expect steps") && prev.val == "]":
			k.add(protocol.CompletionItem{Label: "in any order", Kind: protocol.CompletionItemKindKeyword}, sortArg)
			k.keywords(sortArg, "when")
		case strings.HasPrefix(words, "expect "):
			k.keywords(sortArg, "when")
		}
	}
}
