package lsp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// RunCommand is the command code lenses carry to run a workflow. Its
// arguments are the file's path, the workflow's name and, for a workflow
// started by events, the path of a sample event (left out when none was
// found: the editor then asks for one). The editor runs it as
// `wf run FILE --workflow NAME [--event EVENT]`; the VS Code extension
// registers it, and docs/editors.md has the Neovim handler.
const RunCommand = "wf.runWorkflow"

// RunTestCommand is the command of the lens above each test: its arguments
// are the test file's path, the test's name and a --run pattern that
// selects it (and its rows); the editor runs `wf test FILE --run PATTERN`.
const RunTestCommand = "wf.runTest"

// maxLensSamples caps the sample events offered for one workflow.
const maxLensSamples = 3

// CodeLens implements protocol.Server: above each workflow, "▶ Run with"
// each sample event found for its on event clauses (JSON files in the
// document's folder and its events/ folder whose event name matches), or
// "▶ Run" for a workflow started by hand, an API call or a schedule; above
// each test, "▶ Run test".
func (s *server) CodeLens(ctx context.Context, params *protocol.CodeLensParams) ([]protocol.CodeLens, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	out := []protocol.CodeLens{}
	if an.tooLarge || !an.uri.IsFile() {
		return out, nil
	}
	var samples []sampleEvent
	for _, d := range an.file.Decls {
		if t, ok := d.(*lang.TestDecl); ok && t.Title() != "" {
			args := []protocol.LSPAny{jsonValue(an.path), jsonValue(t.Title()), jsonValue("^" + regexp.QuoteMeta(t.Title()) + "(/|$)")}
			out = append(out, protocol.CodeLens{Range: an.lines.rng(t.Name.Sp),
				Command: protocol.Command{Title: "▶ Run test", Command: RunTestCommand, Arguments: args}})
			continue
		}
		w, ok := d.(*lang.WorkflowDecl)
		if !ok || w.Name == nil {
			continue
		}
		rng := an.lines.rng(w.Name.Sp)
		lens := func(title string, args ...string) {
			raw := make([]protocol.LSPAny, 0, 2+len(args))
			for _, a := range append([]string{an.path, w.Name.Name}, args...) {
				raw = append(raw, jsonValue(a))
			}
			out = append(out, protocol.CodeLens{Range: rng, Command: protocol.Command{Title: title, Command: RunCommand, Arguments: raw}})
		}
		patterns, byHand := triggerKinds(w)
		if len(patterns) > 0 {
			if samples == nil {
				samples = sampleEvents(filepath.Dir(an.path))
			}
			n := 0
			for _, ev := range samples {
				if n < maxLensSamples && matchesAny(patterns, ev.name) {
					rel, _ := filepath.Rel(filepath.Dir(an.path), ev.path)
					lens("▶ Run with "+filepath.ToSlash(rel), ev.path)
					n++
				}
			}
			if n == 0 {
				lens("▶ Run with an event…")
			}
		}
		if byHand {
			lens("▶ Run")
		}
	}
	return out, nil
}

// triggerKinds returns the event patterns of a workflow's on event clauses,
// and whether another clause (manual, api, schedule, every) lets
// `wf run --workflow` start it.
func triggerKinds(w *lang.WorkflowDecl) (patterns []string, byHand bool) {
	for _, t := range w.Triggers {
		switch t := t.(type) {
		case *lang.EventTrigger:
			if t.Pattern != nil {
				if p, ok := t.Pattern.Static(); ok {
					patterns = append(patterns, p)
				}
			}
		case *lang.ParamTrigger:
			// wf run starts it without inputs only when none is required.
			byHand = byHand || t.Kind != "workflow" && !requiresInput(t.Params)
		case *lang.ScheduleTrigger, *lang.EveryTrigger:
			byHand = true
		}
	}
	return patterns, byHand
}

func requiresInput(ps []*lang.Param) bool {
	for _, p := range ps {
		if p.Default == nil && (p.Type == nil || !p.Type.Optional) {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if lang.EventMatches(p, name) {
			return true
		}
	}
	return false
}

// sampleEvent is a JSON file holding an event, and the event's name.
type sampleEvent struct {
	path, name string
}

// sampleEvents reads the event names of the JSON files in dir and
// dir/events (a Persona webhook body, or {"name": …}), sorted by path.
func sampleEvents(dir string) []sampleEvent {
	var out []sampleEvent
	for _, d := range []string{dir, filepath.Join(dir, "events")} {
		for _, path := range jsonFiles(d) {
			if name := eventName(path); name != "" {
				out = append(out, sampleEvent{path: path, name: name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// eventName reads the name of the event a JSON file holds, as wf run
// --event reads it: data.attributes.name of a Persona webhook body (whose
// data.type is "event"), else the top-level name.
func eventName(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var ev struct {
		Name string `json:"name"`
		Data *struct {
			Type       string `json:"type"`
			Attributes struct {
				Name string `json:"name"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return ""
	}
	if ev.Data != nil && ev.Data.Type == "event" {
		return ev.Data.Attributes.Name
	}
	return ev.Name
}
