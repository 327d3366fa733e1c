package lsp

import (
	"context"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wf-lang/wf/lang"
)

// Limits on the files workspace symbols read.
const (
	maxWorkspaceFiles = 5000
	maxWorkspaceDepth = 8
)

// Symbols implements protocol.Server (workspace/symbol): the workflows,
// fns, js fns and consts of every .wf file in the workspace folders and in
// the folders of open documents whose name matches the query (its letters
// in order, ignoring case; an empty query matches all).
func (s *server) Symbols(ctx context.Context, params *protocol.WorkspaceSymbolParams) (protocol.WorkspaceSymbolResult, error) {
	out := protocol.SymbolInformationSlice{}
	for _, path := range s.workspaceFiles(ctx) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		f := s.sibling(path, s.openIn(filepath.Dir(path))[path])
		if f == nil {
			continue
		}
		for _, d := range f.file.Decls {
			name := d.DeclName()
			if name == nil || name.Name == "" || !fuzzyMatch(params.Query, name.Name) {
				continue
			}
			container := filepath.Base(path)
			out = append(out, protocol.SymbolInformation{
				BaseSymbolInformation: protocol.BaseSymbolInformation{Name: name.Name, Kind: declKind(d), ContainerName: &container},
				Location:              occ{f, d.Span()}.location(),
			})
		}
	}
	return out, nil
}

// declKind is the symbol kind the outline and workspace symbols give a
// declaration.
func declKind(d lang.Decl) protocol.SymbolKind {
	switch d.(type) {
	case *lang.WorkflowDecl:
		return protocol.SymbolKindModule
	case *lang.ConstDecl:
		return protocol.SymbolKindConstant
	}
	return protocol.SymbolKindFunction
}

// fuzzyMatch reports whether the letters of query appear in name in order,
// ignoring case.
func fuzzyMatch(query, name string) bool {
	rest := []rune(strings.ToLower(name))
	for _, q := range strings.ToLower(query) {
		if unicode.IsSpace(q) {
			continue
		}
		i := 0
		for i < len(rest) && rest[i] != q {
			i++
		}
		if i == len(rest) {
			return false
		}
		rest = rest[i+1:]
	}
	return true
}

// workspaceFiles lists the .wf files under the workspace folders (hidden
// folders and node_modules skipped) and those of the open documents'
// folders, sorted.
func (s *server) workspaceFiles(ctx context.Context) []string {
	s.mu.Lock()
	roots := append([]string(nil), s.roots...)
	seen := map[string]bool{}
	for u, e := range s.docs {
		if u.IsFile() {
			seen[e.state.path] = true
			roots = append(roots, filepath.Dir(e.state.path))
		}
	}
	s.mu.Unlock()
	for _, root := range roots {
		depth0 := strings.Count(filepath.Clean(root), string(filepath.Separator))
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case ctx.Err() != nil || len(seen) >= maxWorkspaceFiles:
				return filepath.SkipAll
			case err != nil:
				return nil // an unreadable folder is left out; WalkDir goes on
			case d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules"):
				return filepath.SkipDir
			case d.IsDir() && strings.Count(path, string(filepath.Separator))-depth0 >= maxWorkspaceDepth:
				return filepath.SkipDir
			case !d.IsDir() && strings.HasSuffix(path, ".wf"):
				seen[path] = true
			}
			return nil
		})
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// workspaceRoots reads the folders an editor opened from initialize.
func workspaceRoots(params *protocol.InitializeParams) []string {
	var roots []string
	if folders, ok := params.WorkspaceFolders.Get(); ok {
		for _, f := range folders {
			if f.URI.IsFile() {
				roots = append(roots, pathOf(f.URI))
			}
		}
	}
	// Clients without workspace folders send only rootUri, deprecated in
	// the protocol but still sent.
	//lint:ignore SA1019 the fallback for those clients
	if len(roots) == 0 && params.RootURI != nil && *params.RootURI != "" && uri.URI(*params.RootURI).IsFile() {
		roots = append(roots, pathOf(*params.RootURI)) //lint:ignore SA1019 the same fallback
	}
	return roots
}
