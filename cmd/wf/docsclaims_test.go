package main

import (
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// commandFlags maps each command path ("run", "serve start", "" for wf
// itself) to the names of its flags, its parents' included, and their
// negations (--no-console).
func commandFlags(t *testing.T) map[string]map[string]bool {
	parser, err := kong.New(&CLI{}, kong.Name("wf"), kongVars("test"), kong.Exit(func(int) {}))
	require.NoError(t, err)
	out := map[string]map[string]bool{}
	var walk func(n *kong.Node, path string)
	walk = func(n *kong.Node, path string) {
		names := map[string]bool{}
		for _, group := range n.AllFlags(false) {
			for _, f := range group {
				names[f.Name] = true
				if f.Tag.Negatable != "" {
					names["no-"+f.Name] = true
				}
			}
		}
		out[path] = names
		for _, c := range n.Children {
			walk(c, strings.TrimSpace(path+" "+c.Name))
		}
	}
	walk(parser.Model.Node, "")
	return out
}

var (
	docFlag    = regexp.MustCompile(`(?:^|[^\w-])--([a-z][a-z0-9-]*)`)
	docCommand = regexp.MustCompile("\\bwf ([a-z]+(?: [a-z]+)?)([^`\\n|]*)")
)

// Every --flag the README and docs/*.md name is a flag of wf, and one of
// the command it is written with (`wf run … --dry-run`) when there is one.
func TestDocsNameRealFlags(t *testing.T) {
	flags := commandFlags(t)
	all := map[string]bool{}
	for _, names := range flags {
		for n := range names {
			all[n] = true
		}
	}
	require.True(t, flags["run"]["dry-run"] && flags["serve start"]["no-console"] && flags["run"]["store"])
	docs, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	for _, path := range append(docs, "../../README.md") {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			at := filepath.Base(path) + ":" + strconv.Itoa(i+1)
			for _, m := range docFlag.FindAllStringSubmatch(line, -1) {
				if !all[m[1]] && m[1] != "help" && m[1] != "install-extension" { // code --install-extension
					t.Errorf("%s: --%s is not a flag of any wf command", at, m[1])
				}
			}
			for _, m := range docCommand.FindAllStringSubmatch(line, -1) {
				cmd := commandOf(flags, m[1])
				if cmd == "" {
					continue
				}
				for _, f := range docFlag.FindAllStringSubmatch(m[2], -1) {
					if !flags[cmd][f[1]] && f[1] != "help" {
						t.Errorf("%s: --%s is not a flag of wf %s", at, f[1], cmd)
					}
				}
			}
		}
	}
}

// commandOf returns the command path words names ("serve start", "run"),
// "serve" standing for its default "serve start"; "" when none.
func commandOf(flags map[string]map[string]bool, words string) string {
	if _, ok := flags[words]; ok && words != "serve" {
		return words
	}
	first, _, _ := strings.Cut(words, " ")
	if first == "serve" {
		return "serve start"
	}
	if _, ok := flags[first]; ok {
		return first
	}
	return ""
}

// thousands writes n as the docs do: 1,000,000.
func thousands[T int | int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// docTable reads the two first columns of the Markdown table rows of doc.
func docTable(t *testing.T, doc string) map[string]string {
	b, err := os.ReadFile(doc)
	require.NoError(t, err)
	rows := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 && strings.HasPrefix(line, "| ") {
			rows[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
		}
	}
	return rows
}

// The limits and caps docs/running.md states are the interpreter's and the
// engine's defaults, and the caps' flags default to them.
func TestDocsLimitsAreTheDefaults(t *testing.T) {
	rows := docTable(t, "../../docs/running.md")
	l := interp.DefaultLimits
	require.Equal(t, time.Hour, l.MaxDuration)
	want := map[string]string{
		"budget":                             thousands(l.MaxStatements),
		"loop":                               thousands(l.MaxIterations),
		"call depth":                         thousands(l.MaxCallDepth),
		"run time":                           "1 hour",
		"items":                              thousands(l.MaxItems),
		"string":                             fmt.Sprintf("%d MiB", l.MaxString>>20),
		"value size":                         fmt.Sprintf("%d MiB, %d levels", l.MaxValueSize>>20, interp.MaxValueDepth),
		"regex":                              fmt.Sprintf("%s bytes; 2^%d", thousands(interp.MaxRegexPattern), bits.Len(uint(interp.MaxRegexWork))-1),
		"steps (and waits) one run records":  thousands(runtime.DefaultMaxSteps),
		"bytes of log lines one run records": fmt.Sprintf("%d MiB", runtime.DefaultMaxLogBytes>>20),
		"runs one trigger causes: its own, and every run started, called, scheduled or reached by `emit` under it": thousands(runtime.DefaultMaxRunsPerTrigger),
	}
	for row, value := range want {
		assert.Equal(t, value, rows[row], "docs/running.md, row %q", row)
	}
	parser, err := kong.New(&CLI{}, kong.Name("wf"), kongVars("test"), kong.Exit(func(int) {}))
	require.NoError(t, err)
	defaults := map[string]string{}
	for _, c := range parser.Model.Node.Children {
		if c.Name == "run" {
			for _, f := range c.Flags {
				defaults[f.Name] = f.Default
			}
		}
	}
	assert.Equal(t, strconv.Itoa(runtime.DefaultMaxRunsPerTrigger), defaults["max-runs-per-trigger"])
	assert.Equal(t, strconv.Itoa(runtime.DefaultMaxSteps), defaults["max-steps"])
	assert.Equal(t, strconv.Itoa(runtime.DefaultMaxLogBytes), defaults["max-log-bytes"])
}

// The defaults docs/serving.md's settings table states are wf serve's.
func TestDocsServeDefaults(t *testing.T) {
	parser, err := kong.New(&CLI{}, kong.Name("wf"), kongVars("test"), kong.Exit(func(int) {}))
	require.NoError(t, err)
	defaults := map[string]string{}
	for _, c := range parser.Model.Node.Children {
		if c.Name == "serve" {
			for _, group := range c.Children[0].AllFlags(false) {
				for _, f := range group {
					defaults[f.Name] = f.Default
				}
			}
		}
	}
	require.Equal(t, "64", defaults["workers"])
	rows := docTable(t, "../../docs/serving.md")
	checked := 0
	for setting, value := range rows {
		m := regexp.MustCompile("^`--([a-z-]+)`$").FindStringSubmatch(setting)
		if m == nil || value == "none" || strings.HasPrefix(m[1], "no-") {
			continue
		}
		want := defaults[m[1]]
		if n, err := strconv.Atoi(want); err == nil && n >= 1<<20 && n%(1<<20) == 0 {
			want = fmt.Sprintf("%d MiB", n>>20)
		}
		assert.Equal(t, want, strings.Trim(value, "`"), "docs/serving.md: the default of --%s", m[1])
		checked++
	}
	assert.GreaterOrEqual(t, checked, 8)
}

// The input limits docs/running.md states are the ones wf reads with.
func TestDocsInputLimits(t *testing.T) {
	rows := docTable(t, "../../docs/running.md")
	want := map[string]string{
		"`.wf` scripts": readfile.Size(lang.MaxFileSize),
		"events, payloads and input files (`--event`, `--payload`, `--input-file`, `--event-file`, `wf events send`)": readfile.Size(interp.MaxJSONInput),
		"fixtures (`--fixtures`)": readfile.Size(runtime.MaxFixturesFile),
		"`wf persona load`":       readfile.Size(persona.MaxBodySize) + " per document",
		"`wf lists import`":       readfile.Size(lists.MaxCSVBytes) + " and " + thousands(lists.MaxCSVRows) + " rows",
		"secrets file":            readfile.Size(runtime.MaxSecretsFile),
	}
	for row, value := range want {
		assert.Equal(t, value, rows[row], "docs/running.md, row %q", row)
	}
}

// Every WF_… environment variable the README and docs/*.md name is one a
// flag reads, or one the code reads by name (WF_SECRET_<NAME> and the
// tests' knobs, such as WF_TEST_POSTGRES_URL): a misspelt or removed
// variable in the docs fails here.
func TestDocsNameRealEnvironmentVariables(t *testing.T) {
	parser, err := kong.New(&CLI{}, kong.Name("wf"), kongVars("test"), kong.Exit(func(int) {}))
	require.NoError(t, err)
	known := map[string]bool{}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			for _, e := range f.Envs {
				known[e] = true
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parser.Model.Node)
	require.True(t, known["WF_STORE"] && known["WF_LISTEN"])
	var code strings.Builder
	require.NoError(t, filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		code.Write(b)
		return err
	}))
	src := code.String()
	docs, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	env := regexp.MustCompile(`\bWF_[A-Z0-9_]*[A-Z0-9]\b`)
	for _, path := range append(docs, "../../README.md") {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, name := range env.FindAllString(string(b), -1) {
			if known[name] || strings.Contains(src, `"`+name+`"`) {
				continue
			}
			if strings.HasPrefix(name, "WF_SECRET_") && strings.Contains(src, `"WF_SECRET_"`) {
				continue // WF_SECRET_<NAME>, read by secret(name)
			}
			t.Errorf("%s names %s, which nothing reads", filepath.Base(path), name)
		}
	}
}
