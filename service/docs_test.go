package service

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docEndpoint matches an endpoint as the docs write it: `GET /v1/runs/{id}`,
// `POST /webhooks/persona/NAME`, `GET /v1/runs?workflow=&…`.
var docEndpoint = regexp.MustCompile("`(GET|POST|PUT|PATCH|DELETE) (/[^`?\\s]*)[^`]*`")

// routeKey reads path parameters, {id} or NAME, as one placeholder.
func routeKey(method, path string) string {
	return method + " " + regexp.MustCompile(`\{[a-z]+\}|\b[A-Z]+\b`).ReplaceAllString(path, "{}")
}

// The endpoints docs/serving.md lists are the router's, and the README and
// the other docs name no endpoint the router does not have.
func TestDocsListTheRoutes(t *testing.T) {
	var routes []string
	for _, e := range (&Service{metrics: newMetrics()}).endpoints() {
		routes = append(routes, routeKey(e.method, e.path))
	}
	docs := map[string][]string{}
	files, err := filepath.Glob("../docs/*.md")
	require.NoError(t, err)
	for _, f := range append(files, "../README.md") {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range docEndpoint.FindAllStringSubmatch(string(b), -1) {
			k := routeKey(m[1], m[2])
			docs[f] = append(docs[f], k)
			assert.Contains(t, routes, k, "%s names an endpoint the service does not have", f)
		}
	}
	for _, r := range routes {
		assert.True(t, slices.Contains(docs["../docs/serving.md"], r), "docs/serving.md does not list %s", r)
	}
}

// Every metric the service and its queue register is documented by name
// (docs/serving.md, docs/scaling.md for the queue's), and the docs name no
// metric that is not registered.
func TestDocsListTheMetrics(t *testing.T) {
	var doc strings.Builder
	for _, f := range []string{"../docs/serving.md", "../docs/scaling.md"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		doc.Write(b)
	}
	text := doc.String()
	var names []string
	for _, f := range []string{"metrics.go", "../runtime/queue/metrics.go"} {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`(?:Name: +|NewDesc\()"(wf_[a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
			names = append(names, m[1])
		}
	}
	require.Contains(t, names, "wf_webhooks_total")
	for _, n := range names {
		assert.Regexp(t, "`"+n+"[`{]", text, "the docs do not list the metric %s", n)
	}
	for _, n := range regexp.MustCompile("`(wf_[a-z_]+)(?:`|\\{)").FindAllStringSubmatch(text, -1) {
		if n[1] == "wf_run" || n[1] == "wf_timer" {
			continue // the kinds of the queue's jobs
		}
		assert.Contains(t, names, n[1], "the docs list a metric nothing registers")
	}
}
