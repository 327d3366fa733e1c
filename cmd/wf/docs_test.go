package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notRun marks a shell block of the docs that the docs test does not run,
// on the line before its fence, with the reason: a Persona account, a
// running service, a synopsis rather than a command…
var notRun = regexp.MustCompile(`^<!-- not run by the docs test: (.+) -->$`)

// neverRun are the commands the docs test leaves out of the blocks it runs,
// with the reason: they build or test wf rather than use it.
var neverRun = []struct{ prefix, why string }{
	{"go test", "the tests (this one among them)"},
	{"go build", "builds wf: the test runs the wf it built"},
	{"go install", "installs wf: the test runs the wf it built"},
}

// shellBlock is a ```sh block of a doc.
type shellBlock struct {
	doc    string
	line   int // of the opening fence
	lines  []string
	reason string // why it is not run; "" to run it
}

// shellBlocks reads the ```sh blocks of a Markdown file.
func shellBlocks(t *testing.T, path string) []shellBlock {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []shellBlock
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		blk := shellBlock{doc: filepath.Base(path), line: i + 1}
		if i > 0 {
			if m := notRun.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
				blk.reason = m[1]
			}
		}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			blk.lines = append(blk.lines, lines[i])
		}
		out = append(out, blk)
	}
	return out
}

// script turns a block into the commands the test runs: continued lines
// joined, comments and neverRun commands left out, `go run ./cmd/wf` and
// `./wf` read as the wf on PATH.
func (b shellBlock) script() []string {
	var cmds []string
	text := strings.ReplaceAll(strings.Join(b.lines, "\n"), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || skipped(line) {
			continue
		}
		line = strings.ReplaceAll(line, "go run ./cmd/wf ", "wf ")
		line = regexp.MustCompile(`(^|[\s(|&;])\./wf `).ReplaceAllString(line, "${1}wf ")
		cmds = append(cmds, line)
	}
	return cmds
}

func skipped(line string) bool {
	for _, n := range neverRun {
		if strings.HasPrefix(line, n.prefix+" ") {
			return true
		}
	}
	return false
}

// TestDocsShellExamples runs every shell block of README.md and docs/*.md
// that is not marked as not run, each in a fresh folder holding a copy of
// examples/, with wf (this test binary) on PATH, offline; every command
// must succeed. A marked block must say why it is not run.
func TestDocsShellExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every shell example of the docs; skipped with -short")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	docs, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	docs = append([]string{"../../README.md"}, docs...)
	self, err := os.Executable()
	require.NoError(t, err)
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "wf"),
		[]byte(fmt.Sprintf("#!/bin/sh\nWF_TEST_AS_WF=1 exec %q \"$@\"\n", self)), 0o755))
	ran := 0
	for _, doc := range docs {
		for _, blk := range shellBlocks(t, doc) {
			name := fmt.Sprintf("%s:%d", blk.doc, blk.line)
			if blk.reason != "" {
				continue
			}
			cmds := blk.script()
			if len(cmds) == 0 {
				continue
			}
			ran++
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				require.NoError(t, copyDir("../../examples", filepath.Join(dir, "examples")))
				for _, c := range cmds {
					ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
					cmd := exec.CommandContext(ctx, "sh", "-ec", c)
					cmd.Dir = dir
					cmd.Env = append(docsEnv(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
						"HOME="+dir, "NO_COLOR=1")
					out, err := cmd.CombinedOutput()
					cancel()
					assert.NoError(t, err, "%s: %s\n%s", name, c, out)
				}
			})
		}
	}
	assert.Positive(t, ran, "no shell block was run")
}

// docsEnv is the test's environment without wf's own settings (WF_…),
// which would change what the commands do.
func docsEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WF_") {
			env = append(env, kv)
		}
	}
	return env
}

// The reader of the docs test: marks, continued lines, comments and the
// commands it never runs.
func TestShellBlockScript(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	require.NoError(t, os.WriteFile(path, []byte("text\n```sh\n# a comment\ngo run ./cmd/wf run a.wf \\\n    -i x=1\n"+
		"./wf check examples   # checks\ngo test ./...\ngo build -o wf ./cmd/wf\necho ok && ./wf fmt -l .\n```\n"+
		"<!-- not run by the docs test: needs a Persona account -->\n```sh\nwf run --backend api x.wf\n```\n"), 0o644))
	blocks := shellBlocks(t, path)
	require.Len(t, blocks, 2)
	assert.Equal(t, []string{"wf run a.wf      -i x=1", "wf check examples   # checks", "echo ok && wf fmt -l ."}, blocks[0].script())
	assert.Empty(t, blocks[0].reason)
	assert.Equal(t, "needs a Persona account", blocks[1].reason)
	assert.Equal(t, 2, blocks[0].line)
}
