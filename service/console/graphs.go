package console

import (
	"bytes"
	"context"
	"html/template"
	"sync"

	"github.com/wf-lang/wf/graph"
)

// graphCache keeps rendered SVG graphs: Graphviz takes milliseconds and
// renders one graph at a time in the process (graph.SVG is serialised), so
// a page shown again, or by several reviewers, is drawn once. A workflow's
// graph is keyed by version and name; a run's by its id and state, so a run
// that moves on is drawn again.
type graphCache struct {
	mu sync.Mutex
	m  map[string]template.HTML
}

// maxGraphs bounds the cache; when full it starts again empty.
const maxGraphs = 500

func newGraphCache() *graphCache { return &graphCache{m: map[string]template.HTML{}} }

// svg returns g as inline SVG (without the XML prolog and doctype).
func (gc *graphCache) svg(ctx context.Context, key string, g *graph.Graph) (template.HTML, error) {
	gc.mu.Lock()
	if s, ok := gc.m[key]; ok {
		gc.mu.Unlock()
		return s, nil
	}
	gc.mu.Unlock()
	out, err := graph.SVG(ctx, []*graph.Graph{g})
	if err != nil {
		return "", err
	}
	if i := bytes.Index(out, []byte("<svg")); i >= 0 {
		out = out[i:]
	}
	// Graphviz escapes the labels it writes; the SVG holds no script (see
	// graph.SVG), so it goes into the page as it is.
	s := template.HTML(out) //nolint:gosec // Graphviz output of our own labels
	gc.mu.Lock()
	if len(gc.m) >= maxGraphs {
		clear(gc.m)
	}
	gc.m[key] = s
	gc.mu.Unlock()
	return s, nil
}
