package graph

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

// renderMu serializes rendering: go-graphviz runs Graphviz in one
// WebAssembly module instance shared by the process, which is not safe for
// concurrent use.
var renderMu sync.Mutex

// SVG lays the graphs out with Graphviz's dot and returns a self-contained
// SVG document (no scripts, fonts or images from elsewhere).
func SVG(ctx context.Context, gs []*Graph) ([]byte, error) {
	renderMu.Lock()
	defer renderMu.Unlock()
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	defer gv.Close()
	g, err := graphviz.ParseBytes(DOT(gs))
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	return buf.Bytes(), nil
}
