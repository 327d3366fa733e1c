package interp_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

// MarshalJSON writes strings as encoding/json does, but for <, > and &,
// which it leaves as they are.
func TestMarshalJSONStrings(t *testing.T) {
	inputs := []string{"", "plain", "inq_Minor0002", "a b", `say "hi"`, `back\slash`, "tab\there", "nl\n", "\x00\x1f\x7f",
		"<b>&amp;</b>", "José Núñez", "日本", "\u2028\u2029", "bad \xff utf8", "~!@#$%^*()_+{}|:?,./;'[]=-`", "\uFFFD"}
	for _, s := range inputs {
		got, err := interp.MarshalJSON(s)
		require.NoError(t, err)
		want, err := json.Marshal(s)
		require.NoError(t, err)
		for _, r := range [][2]string{{`\u003c`, "<"}, {`\u003e`, ">"}, {`\u0026`, "&"}} {
			want = bytes.ReplaceAll(want, []byte(r[0]), []byte(r[1]))
		}
		assert.Equal(t, string(want), string(got), "%q", s)
		var back string
		require.NoError(t, json.Unmarshal(got, &back))
	}
	m := interp.NewMap(2)
	m.Set(`k"ey`, "v<1>")
	m.Set("list", interp.NewList([]interp.Value{"a", int64(1), nil}))
	got, err := interp.MarshalJSON(m)
	require.NoError(t, err)
	assert.Equal(t, `{"k\"ey":"v<1>","list":["a",1,null]}`, string(got))
}

// A value nested deeper than a record holds is refused as nested, not as
// large (it is a few hundred bytes).
func TestMarshalJSONTooDeep(t *testing.T) {
	v, err := interp.ParseJSON([]byte(strings.Repeat("[", 150) + strings.Repeat("]", 150)))
	require.NoError(t, err)
	deep := interp.NewList([]interp.Value{v})
	for range 100 {
		deep = interp.NewList([]interp.Value{deep})
	}
	_, err = interp.MarshalJSON(v)
	assert.NoError(t, err)
	_, err = interp.MarshalJSON(deep)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nested more than 200 levels deep")
}

// MarshalJSON's encoders and their buffers are reused: a text returned
// earlier stays as it was when the next value is written.
func TestMarshalJSONResultsDoNotShareBuffers(t *testing.T) {
	first, err := interp.MarshalJSON(interp.NewList([]interp.Value{"aaaaaaaa", "bbbbbbbb", "cccccccc"}))
	require.NoError(t, err)
	want := string(first)
	for range 10 {
		_, err := interp.MarshalJSON("zzzzzzzzzzzzzzzzzzzzzzzz")
		require.NoError(t, err)
	}
	assert.Equal(t, want, string(first))
}
