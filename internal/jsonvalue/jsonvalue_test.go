package jsonvalue

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func floatNumber(text string) (any, error) { return strconv.ParseFloat(text, 64) }

func TestDecode(t *testing.T) {
	v, err := Decode([]byte(`{"a": [1, "x", null, true, {"b": false}], "a2": "\u00e9\n", "bad": "`+"\xff"+`", "a": 2}`), floatNumber, 10)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 2.0, "a2": "é\n", "bad": "\ufffd"}, v, "the last of a duplicate name wins; invalid UTF-8 is replaced")
	v, err = Decode([]byte(` [ ] `), floatNumber, 10)
	require.NoError(t, err)
	assert.Equal(t, []any{}, v)

	_, err = Decode([]byte(`{} {}`), floatNumber, 10)
	assert.ErrorIs(t, err, ErrTrailing)
	_, err = Decode([]byte(`  `), floatNumber, 10)
	assert.ErrorIs(t, err, io.EOF)
	_, err = Decode([]byte(`[[[1]]]`), floatNumber, 2)
	assert.ErrorIs(t, err, ErrTooDeep)
	v, err = Decode([]byte(`[[[1]]]`), floatNumber, 3)
	require.NoError(t, err)
	assert.Equal(t, []any{[]any{[]any{1.0}}}, v)
	refuse := errors.New("no numbers")
	_, err = Decode([]byte(`{"n": 1}`), func(string) (any, error) { return nil, refuse }, 10)
	assert.ErrorIs(t, err, refuse)
	for _, bad := range []string{`{"a": }`, `{"a": "\x"}`, `{`, `[1,]`, `{"a" 1}`} {
		_, err := Decode([]byte(bad), floatNumber, 10)
		assert.Error(t, err, bad)
	}
	// A failed decode leaves nothing behind for the next one from the pool.
	v, err = Decode([]byte(`{"k": 1}`), floatNumber, 10)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"k": 1.0}, v)
}

// The intern cache is shared by decoders on many goroutines: each string they get back is
// the one they read (run with -race to check the slots too).
func TestInternConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20000 {
				s := fmt.Sprintf("k%d", (i*7+g)%5000)
				if got := Intern([]byte(s)); got != s {
					t.Errorf("Intern(%q) = %q", s, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
