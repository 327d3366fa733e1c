package runtime_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wf-lang/wf/runtime"
)

func TestJSONEqual(t *testing.T) {
	eq := func(a, b string) bool { return runtime.JSONEqual(json.RawMessage(a), json.RawMessage(b)) }
	assert.True(t, eq(`{"a": 1, "b": [1, 2]}`, `{"b":[1,2],"a":1}`), "spacing and key order do not matter")
	assert.False(t, eq(`{"a": 1}`, `{"a": 2}`))
	assert.False(t, eq(`{"a": 1}`, `{"a": 1, "b": null}`))
	assert.True(t, eq(`{bad`, `{bad`), "a text that is not JSON equals itself")
	assert.False(t, eq(`{bad`, `{bad }`))
	assert.False(t, eq(`{bad`, `{"a": 1}`))
}
