package runtime_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// claimFails is a store whose claims fail, as a store that broke while wf
// run executed the runs a run started (the run asked for is created
// claimed, not claimed later).
type claimFails struct{ store.Store }

var errBroken = errors.New("the disk is full")

func (claimFails) ClaimRun(context.Context, string, string) (*store.Run, error) {
	return nil, errBroken
}

// A run started in the background whose execution fails in the store (so
// its record cannot say so) is not lost: Close returns the error, and wf
// run fails with it.
func TestBackgroundStoreErrorsReachClose(t *testing.T) {
	eng := openCapped(t, runtime.RecordLimits{})
	l := loadInto(t, eng, `
workflow parent {
  on manual()

  run workflow.start("child", {})
}

workflow child {
  on workflow()

  log "child"
}
`)
	eng.SwapStore(claimFails{eng.Store})
	rec, err := eng.Run(context.Background(), l, runtime.RunOptions{Workflow: "parent"})
	require.NoError(t, err)
	assert.Equal(t, "completed", rec.Status)
	err = eng.Close()
	require.ErrorIs(t, err, errBroken)
	assert.Regexp(t, `^run run_[0-9a-f]+: the disk is full`, err.Error())
}
