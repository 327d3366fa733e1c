package wftest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var wfBlock = regexp.MustCompile("(?s)```wf\n(.*?)```")

// The wf blocks of docs/testing.md are one workflow file (the blocks that
// declare workflows, fns and consts) and one test file (the blocks of
// tests): they check without a diagnostic and every test passes.
func TestDocsTestingExamplesPass(t *testing.T) {
	md, err := os.ReadFile("../docs/testing.md")
	require.NoError(t, err)
	var flows, tests []string
	for _, m := range wfBlock.FindAllStringSubmatch(string(md), -1) {
		if strings.HasPrefix(strings.TrimSpace(m[1]), "test ") {
			tests = append(tests, m[1])
		} else {
			flows = append(flows, m[1])
		}
	}
	require.GreaterOrEqual(t, len(tests), 5)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flows.wf"), []byte(strings.Join(flows, "\n")), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flows_test.wf"), []byte(strings.Join(tests, "\n")), 0o644))
	s := loadDir(t, dir)
	assert.Empty(t, s.Loaded.Diags, "%v", s.Loaded.Diags)
	results := Run(context.Background(), []*Suite{s}, Options{})
	assert.GreaterOrEqual(t, len(results), len(tests))
	for _, r := range results {
		assert.True(t, r.Passed, "%s: %v", r.Name, outcome([]*Result{r}))
	}
}
