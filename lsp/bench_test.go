package lsp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.lsp.dev/protocol"
)

// generated returns a file of n lines: workflows of 12 lines with lets,
// conditions, interpolations, library calls and non-ASCII text, a fn every
// tenth declaration, and comment lines to make up the count.
func generated(n int) string {
	var b strings.Builder
	lines := 0
	for i := 0; ; i++ {
		var d string
		if i%10 == 9 {
			d = fmt.Sprintf("fn helper%d(x) {\n  return lower(x) + \"é\"\n}\n\n", i)
		} else {
			d = fmt.Sprintf(`workflow w%d {
  on event "inquiry.completed" where trigger.inquiry_template.id == "itmpl_%d"

  let age%d = years_since(date(trigger.fields.birthdate))
  when age%d < 18 and trigger.country_code in ["US", "CA"] {
    run inquiry.mark_for_review(trigger.id, comment: "😀 applicant is ${age%d}")
  } else {
    log "adult ${age%d}"
  }
  output {age: age%d}
}

`, i, i, i, i, i, i, i)
		}
		if lines+strings.Count(d, "\n") > n {
			break
		}
		b.WriteString(d)
		lines += strings.Count(d, "\n")
	}
	b.WriteString(strings.Repeat("# end\n", n-lines))
	return b.String()
}

func TestGeneratedFileIsClean(t *testing.T) {
	h := newHarness(t)
	src := generated(1000)
	require.Equal(t, 1000, strings.Count(src, "\n"))
	require.Empty(t, h.open("gen.wf", src))
}

// BenchmarkDiagnosticsAfterChange measures the time from a didChange of a
// 1,000-line file to the publishDiagnostics for that version, over the
// pipe, as an editor sees it. "edit" types in the middle of the file (the
// declarations around the edit are reused, shifted); "cold" opens the file
// under a new name each time, so every declaration is parsed.
func BenchmarkDiagnosticsAfterChange(b *testing.B) {
	src := generated(1000)
	mid := strings.Index(src, "workflow w45 ")
	require.Greater(b, mid, 0)
	edits := []string{src, src[:mid] + "# typing…\n" + src[mid:]}
	b.Run("edit", func(b *testing.B) {
		h := newHarness(b)
		h.open("bench.wf", src)
		v := int32(1)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			v++
			h.change("bench.wf", v, edits[i%2])
		}
	})
	b.Run("cold", func(b *testing.B) {
		h := newHarness(b)
		for i := 0; b.Loop(); i++ {
			u := docURI(fmt.Sprintf("cold%d/bench.wf", i)) // a folder each: no siblings
			require.NoError(b, h.srv.DidOpen(h.ctx, &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{
				URI: u, LanguageID: "wf", Version: 1, Text: src,
			}}))
			h.waitDiags(u, 1)
		}
	})
}

// BenchmarkRequests measures, over the pipe, requests on the 1,000-line
// file that walk the whole document (semantic tokens, folding, inlay
// hints, code lenses) and completion after a dot deep in it, in a
// workflow being typed (a repaired copy is parsed) and in one that parses
// (the shape of the value before the dot is worked out).
func BenchmarkRequests(b *testing.B) {
	src := generated(1000)
	typing := src + "workflow typing {\n  on event \"inquiry.completed\"\n\n  let r = run inquiry.approve(trigger.id)\n  log r."
	w45 := strings.Index(src, "workflow w45 ")
	require.Greater(b, w45, 0)
	dot := w45 + strings.Index(src[w45:], "and trigger.") + len("and trigger.")
	h := newHarness(b)
	h.open("bench.wf", src)
	h.open("typing.wf", typing)
	doc := protocol.TextDocumentIdentifier{URI: docURI("bench.wf")}
	whole := protocol.Range{End: newLineIndex(src).position(len(src))}
	for _, bm := range []struct {
		name string
		req  func() error
	}{
		{"semantic_tokens", func() error {
			_, err := call[protocol.SemanticTokens](h, protocol.MethodTextDocumentSemanticTokensFull, &protocol.SemanticTokensParams{TextDocument: doc})
			return err
		}},
		{"folding", func() error {
			_, err := call[[]protocol.FoldingRange](h, protocol.MethodTextDocumentFoldingRange, &protocol.FoldingRangeParams{TextDocument: doc})
			return err
		}},
		{"inlay_hints", func() error {
			_, err := call[[]protocol.InlayHint](h, protocol.MethodTextDocumentInlayHint, &protocol.InlayHintParams{TextDocument: doc, Range: whole})
			return err
		}},
		{"code_lens", func() error {
			_, err := call[[]protocol.CodeLens](h, protocol.MethodTextDocumentCodeLens, &protocol.CodeLensParams{TextDocument: doc})
			return err
		}},
		{"complete_member", func() error {
			p := newLineIndex(src).position(dot)
			_, err := call[protocol.CompletionResult](h, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{TextDocumentPositionParams: tdp("bench.wf", p)})
			return err
		}},
		{"complete_member_typing", func() error {
			p := newLineIndex(typing).position(len(typing))
			_, err := call[protocol.CompletionResult](h, protocol.MethodTextDocumentCompletion, &protocol.CompletionParams{TextDocumentPositionParams: tdp("typing.wf", p)})
			return err
		}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				require.NoError(b, bm.req())
			}
		})
	}
}
