package main

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatVersion(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "8c00a76e3b1f2a9d0c4e5f6a7b8c9d0e1f2a3b4c"},
		{Key: "vcs.time", Value: "2026-12-02T18:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	assert.Equal(t, "wf dev (8c00a76e3b1f, 2026-12-02T18:00:00Z, modified) go1.26.8", formatVersion("dev", vcs, "go1.26.8"))
	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}
	assert.Equal(t, "wf v1.4.0 go1.26.8", formatVersion("dev", installed, "go1.26.8"))
	assert.Equal(t, "wf v2.0.0-rc1 go1.26.8", formatVersion("v2.0.0-rc1", installed, "go1.26.8"), "a version set at link time wins")
	assert.Equal(t, "wf dev go1.26.8", formatVersion("dev", nil, "go1.26.8"))
}
