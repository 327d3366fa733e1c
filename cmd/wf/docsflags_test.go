package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/stretchr/testify/require"
)

// commandFlags maps each command path ("run", "serve start", "" for wf
// itself) to the names of its flags, its parents' included, and their
// negations (--no-console).
func commandFlags(t *testing.T) map[string]map[string]bool {
	parser, err := kong.New(&CLI{}, kong.Name("wf"), kong.Vars{"version": "test"}, kong.Exit(func(int) {}))
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
