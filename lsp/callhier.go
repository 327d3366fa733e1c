package lsp

import (
	"context"
	"encoding/json"
	"path/filepath"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// Call hierarchy over the package: fns and js fns are called by name, and
// workflows through workflow.call, workflow.start and workflow.schedule
// with a literal name. Library functions have no place in a file, so they
// are not listed among outgoing calls.

// hierData is what an item carries so the server finds it again.
type hierData struct {
	Name string `json:"name"`
}

// PrepareCallHierarchy implements protocol.Server: the fn, js fn or
// workflow named at the position (where it is declared or used).
func (s *server) PrepareCallHierarchy(ctx context.Context, params *protocol.CallHierarchyPrepareParams) ([]protocol.CallHierarchyItem, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	t := an.targetAt(an.lines.offset(params.Position))
	var d lang.Decl
	switch {
	case t == nil:
	case t.workflow != nil:
		d = t.workflow
	case t.sym != nil && (t.sym.Kind == lang.SymFn || t.sym.Kind == lang.SymJsFn):
		d, _ = t.sym.Node.(lang.Decl)
	}
	if d == nil {
		return []protocol.CallHierarchyItem{}, nil
	}
	return []protocol.CallHierarchyItem{an.hierItem(d)}, nil
}

// hierItem describes a declaration as a call hierarchy item.
func (an *analysis) hierItem(d lang.Decl) protocol.CallHierarchyItem {
	f := an.fileOfDecl(d)
	name := d.DeclName()
	detail := "workflow"
	switch d.(type) {
	case *lang.FnDecl:
		detail = "fn"
	case *lang.JsFnDecl:
		detail = "js fn"
	case *lang.ConstDecl:
		detail = "const"
	}
	return protocol.CallHierarchyItem{
		Name: name.Name, Kind: declKind(d), Detail: &detail, URI: f.uri,
		Range: f.lines.rng(d.Span()), SelectionRange: f.lines.rng(name.Sp),
		Data: jsonValue(hierData{Name: name.Name}),
	}
}

// hierDecl finds an item's declaration again, in the package of an open
// document of its folder.
func (s *server) hierDecl(ctx context.Context, item protocol.CallHierarchyItem) (*analysis, lang.Decl, error) {
	an, err := s.begin(ctx, item.URI)
	if err != nil {
		an, err = s.packageOf(ctx, pathOf(item.URI))
		if err != nil {
			return nil, nil, err
		}
	}
	var data hierData
	if json.Unmarshal(item.Data, &data) != nil || data.Name == "" {
		data.Name = item.Name
	}
	for _, f := range an.files {
		for _, d := range f.file.Decls {
			if n := d.DeclName(); n != nil && n.Name == data.Name && f.uri == item.URI {
				return an, d, nil
			}
		}
	}
	return nil, nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "call hierarchy: %s is no longer declared in %s", data.Name, item.URI)
}

// packageOf returns the analysis of an open document in the same folder as
// path, whose package includes path.
func (s *server) packageOf(ctx context.Context, path string) (*analysis, error) {
	s.mu.Lock()
	var found *docEntry
	for u, e := range s.docs {
		if u.IsFile() && filepath.Dir(e.state.path) == filepath.Dir(path) {
			found = e
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "call hierarchy: no open document in the folder of %s", path)
	}
	return s.begin(ctx, found.state.uri)
}

// callSite is a call of a declaration of the package: the callee and the
// span that names it.
type callSite struct {
	to lang.Decl
	at lang.Span
}

// calls lists the calls in decl that go to a fn, js fn or workflow of the
// package: the callee's declaration and the span naming it.
func (an *analysis) calls(decl lang.Decl) []callSite {
	var out []callSite
	lang.Inspect(decl, func(n lang.Node) bool {
		call, ok := n.(*lang.CallExpr)
		if !ok {
			return true
		}
		cal := an.prog.Info.Calls[call]
		switch {
		case cal == nil:
		case cal.Fn != nil:
			out = append(out, callSite{cal.Fn, call.Fn.Span()})
		case cal.JsFn != nil:
			out = append(out, callSite{cal.JsFn, call.Fn.Span()})
		case cal.Func != nil && isWorkflowCall(cal.Func.Name) && len(call.Args) > 0:
			if lit, ok := call.Args[0].Value.(*lang.StringLit); ok {
				if name, ok := lit.Static(); ok {
					if w := an.prog.Workflow(name); w != nil {
						out = append(out, callSite{w, lit.Sp})
					}
				}
			}
		}
		return true
	})
	return out
}

// jsonValue encodes v as an LSPAny.
func jsonValue(v any) protocol.LSPAny {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with values that encode
	}
	return b
}

func isWorkflowCall(fn string) bool {
	return fn == "workflow.call" || fn == "workflow.start" || fn == "workflow.schedule"
}

// IncomingCalls implements protocol.Server: the declarations that call the
// item, each with the places it does.
func (s *server) IncomingCalls(ctx context.Context, params *protocol.CallHierarchyIncomingCallsParams) ([]protocol.CallHierarchyIncomingCall, error) {
	an, target, err := s.hierDecl(ctx, params.Item)
	if err != nil {
		return nil, err
	}
	out := []protocol.CallHierarchyIncomingCall{}
	for _, f := range an.files {
		for _, d := range f.file.Decls {
			var ranges []protocol.Range
			for _, c := range an.calls(d) {
				if c.to == target {
					ranges = append(ranges, f.lines.rng(c.at))
				}
			}
			if len(ranges) > 0 {
				out = append(out, protocol.CallHierarchyIncomingCall{From: an.hierItem(d), FromRanges: ranges})
			}
		}
	}
	return out, nil
}

// OutgoingCalls implements protocol.Server: the fns, js fns and workflows
// the item calls, each with the places it does.
func (s *server) OutgoingCalls(ctx context.Context, params *protocol.CallHierarchyOutgoingCallsParams) ([]protocol.CallHierarchyOutgoingCall, error) {
	an, decl, err := s.hierDecl(ctx, params.Item)
	if err != nil {
		return nil, err
	}
	f := an.fileOfDecl(decl)
	byCallee := map[lang.Decl]int{}
	out := []protocol.CallHierarchyOutgoingCall{}
	for _, c := range an.calls(decl) {
		i, ok := byCallee[c.to]
		if !ok {
			i = len(out)
			byCallee[c.to] = i
			out = append(out, protocol.CallHierarchyOutgoingCall{To: an.hierItem(c.to)})
		}
		out[i].FromRanges = append(out[i].FromRanges, f.lines.rng(c.at))
	}
	return out, nil
}
