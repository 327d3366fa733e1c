package lsp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A project's fields declaration reaches completion: the declared custom
// fields of an inquiry are offered after trigger.fields., with the standard
// ones, and the field warnings the checker gives are published.
func TestDeclaredFieldsComplete(t *testing.T) {
	decl := "fields inquiry {\n  favorite_color: string\n  loyalty: int\n}\n\n"
	completeAt(t, decl+strings.Replace(inquiryWorkflow, "%s", "log trigger.fields.@@", 1),
		[]string{"favorite_color", "loyalty", "birthdate", "name_first"}, []string{"template_id"})

	h := newHarness(t)
	diags := h.open("n.wf", decl+strings.Replace(inquiryWorkflow, "%s", "log trigger.fields.favourite_color", 1))
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, fmt.Sprint(d.Message))
	}
	assert.Contains(t, strings.Join(msgs, "\n"), "trigger.fields has no field favourite_color")
}
