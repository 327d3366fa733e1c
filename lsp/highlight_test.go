package lsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHighlights(t *testing.T) {
	src := "# hi\nworkflow w {\n  on api(n: int)\n  log \"n is ${n + 1}\" # c\n  wait 5s\n  x.workflow\n}\n"
	var got []string
	for _, h := range Highlights(src) {
		got = append(got, h.Kind+":"+src[h.Start:h.End])
	}
	// The ${ and } of an interpolation are code; x.workflow is a field, not a keyword.
	assert.Equal(t, []string{"comment:# hi", "keyword:workflow", "keyword:on", "keyword:api", "keyword:log",
		`string:"n is `, "number:1", `string:"`, "comment:# c", "keyword:wait", "number:5s"}, got)
}
