package lang_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/lang"
)

// Applying the "Add run" fix gives a file that checks, also when the call
// is the operand of a field read, an index or a method call.
func TestAddRunFixGivesAFileThatChecks(t *testing.T) {
	for _, body := range []string{
		`when inquiry.get(trigger.id).status == "approved" { stop }`,
		`log inquiry.get(trigger.id)["status"]`,
		`log inquiry.get(trigger.id).status.lower()`,
		`let r = inquiry.get(trigger.id)` + "\n  log r",
		`log inquiry.get(inquiry.get(trigger.id).id).status`,
	} {
		t.Run(body, func(t *testing.T) {
			src := "workflow w {\n  on event \"inquiry.completed\"\n\n  " + body + "\n}\n"
			for range 3 { // one fix at a time, as an editor applies them
				var fix *lang.Fix
				for _, d := range checkSource("f.wf", []byte(src)) {
					if d.Code == "effect" && len(d.Fixes) == 1 {
						fix = &d.Fixes[0]
						break
					}
				}
				if fix == nil {
					break
				}
				assert.Equal(t, "Add run", fix.Title)
				src = src[:fix.Span.Start.Offset] + fix.NewText + src[fix.Span.End.Offset:]
			}
			diags := checkSource("f.wf", []byte(src))
			require.False(t, diags.HasErrors(), "after the fixes:\n%s\n%v", src, diags)
		})
	}
}

// An unused let or loop variable can be renamed so it is not reported.
func TestUnusedNameFixes(t *testing.T) {
	src := "workflow w {\n  on manual()\n\n  let kept = 1\n  for item in [1, 2] {\n    log \"x\"\n  }\n}\n"
	diags := checkSource("f.wf", []byte(src))
	var fixes []lang.Fix
	for _, d := range diags {
		if d.Code == "unused" {
			require.Len(t, d.Fixes, 1, d.Message)
			fixes = append(fixes, d.Fixes[0])
		}
	}
	require.Len(t, fixes, 2)
	// Apply from the end, so earlier offsets hold.
	for i := len(fixes) - 1; i >= 0; i-- {
		fx := fixes[i]
		src = src[:fx.Span.Start.Offset] + fx.NewText + src[fx.Span.End.Offset:]
	}
	assert.Contains(t, src, "let _kept = 1")
	assert.Contains(t, src, "for _ in [1, 2]")
	assert.Empty(t, checkSource("f.wf", []byte(src)))
}
