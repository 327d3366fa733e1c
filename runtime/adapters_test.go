package runtime

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/lists"
)

// A store error reaches the Lists engine with its meaning and keeps the
// store's own error, message included.
func TestListErrKeepsTheStoreError(t *testing.T) {
	cause := fmt.Errorf("store: list %q: %w", "blocked-ips", store.ErrNotFound)
	err := listErr(cause)
	assert.ErrorIs(t, err, lists.ErrNotFound)
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.Contains(t, err.Error(), `list "blocked-ips"`)
	assert.ErrorIs(t, listErr(fmt.Errorf("x: %w", store.ErrExists)), lists.ErrExists)
	other := errors.New("disk full")
	assert.Same(t, other, listErr(other))
	assert.NoError(t, listErr(nil))
}
