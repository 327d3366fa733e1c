package lsp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

// The workflow typed into, one character at a time: typingBefore, then the
// text typed so far, then a line break and typingAfter, as an editor holds
// it while statements are typed into an empty line.
const typingBefore = `const LIMIT = 18

workflow review {
  on event "inquiry.completed"

  let age = years_since(date(trigger.fields.birthdate))
`

const typingText = `  let score = [age, LIMIT].map(x -> x * 2).first() ?? 0
  when score > LIMIT and trigger.status != "failed" {
    run inquiry.mark_for_review(trigger.id, comment: "score ${score} for ${trigger.id}")
  } else when not (age in [1, 2]) {
    let r = run slack.post(secret("HOOK"), "ok") with {retries: 2}
  } else {
    log "fine ${lower(trigger.status)}"
  }
`

const typingAfter = `  when age < LIMIT {
    log "minor ${age}"
  }
  output {age: age}
}

workflow other {
  on manual()

  log LIMIT
}
`

// TestTypingKeepsTheRestWorking types typingText character by character
// and, at every step, asks for hover, definition, references and the
// outline on the lines around it: they must keep answering as on the finished file, and
// every error reported must be on the lines being typed (or, while a
// brace is open, where the workflow ends), so nothing cascades.
func TestTypingKeepsTheRestWorking(t *testing.T) {
	h := newHarness(t)
	for i := 0; i <= len(typingText); i++ {
		typed := typingText[:i]
		text := typingBefore + typed + "\n" + typingAfter
		var diags []protocol.Diagnostic
		if i == 0 {
			diags = h.open("n.wf", text)
		} else {
			diags = h.change("n.wf", int32(i+1), text)
		}
		step := fmt.Sprintf("after typing %q", typed)
		tail := len(typingBefore) + len(typed) + 1 // where typingAfter starts
		atAfter := func(marker string, off int) protocol.Position {
			return newLineIndex(text).position(tail + strings.Index(typingAfter, marker) + off)
		}

		assert.Contains(t, hoverText(t, h, atAfter("age < LIMIT", 0)), "age", step)
		assert.Contains(t, hoverText(t, h, at(text, "trigger.fields", 0)), "trigger", step)
		assertDefinition(t, h, atAfter("LIMIT {", 0), at(text, "LIMIT = 18", 0), step)
		assertDefinition(t, h, atAfter("age}", 0), at(text, "age = years_since", 0), step)
		assertDefinition(t, h, atAfter("LIMIT\n}", 0), at(text, "LIMIT = 18", 0), step)
		assert.Contains(t, h.references(at(text, "age = years_since", 0), false), atAfter("age}", 0), step)
		assert.Equal(t, []string{"LIMIT", "review", "other"}, outline(t, h), step)

		typedLines := [2]uint32{at(text, "birthdate))", 0).Line + 1, atAfter("age < LIMIT", 0).Line}
		reviewEnd, otherStart := atAfter("}\n\nworkflow other", 0).Line, atAfter("workflow other", 0).Line
		for _, d := range diags {
			if d.Severity != protocol.DiagnosticSeverityError {
				continue
			}
			l, msg := d.Range.Start.Line, fmt.Sprint(d.Message)
			onTyped := l >= typedLines[0] && l <= typedLines[1]
			atEnd := strings.HasPrefix(msg, `expected "}"`) && (l == reviewEnd || l == otherStart)
			assert.True(t, onTyped || atEnd, "%s: error on line %d, outside the lines typed: %s", step, l+1, msg)
		}
	}
}

func assertDefinition(t *testing.T, h *harness, from, to protocol.Position, step string) {
	t.Helper()
	locs := h.definition(from)
	if assert.Len(t, locs, 1, step) {
		assert.Equal(t, to, locs[0].Range.Start, step)
	}
}

// outline returns the names of the document's top-level symbols.
func outline(t *testing.T, h *harness) []string {
	t.Helper()
	res, err := call[protocol.DocumentSymbolResult](h, protocol.MethodTextDocumentDocumentSymbol,
		&protocol.DocumentSymbolParams{TextDocument: protocol.TextDocumentIdentifier{URI: docURI("n.wf")}})
	require.NoError(t, err)
	syms, ok := res.(protocol.DocumentSymbolSlice)
	require.True(t, ok, "%T", res)
	var names []string
	for _, s := range syms {
		names = append(names, s.Name)
	}
	return names
}
