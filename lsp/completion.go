package lsp

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// Completion implements protocol.Server. What it offers depends on where
// the cursor is: keywords where a statement or declaration may start,
// names in scope, library modules and functions, named arguments inside a
// call, event names inside `on event "…"`, fields of `trigger`, methods
// after a value and a dot, run options inside `with {…}`.
func (s *server) Completion(ctx context.Context, params *protocol.CompletionParams) (protocol.CompletionResult, error) {
	an, err := s.begin(ctx, params.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	if an.tooLarge {
		return list, nil
	}
	off := an.lines.offset(params.Position)
	k := &completer{an: an, c: cursorAt(an.text, off), seen: map[string]bool{}, lists: s.listNames}
	k.complete()
	list.Items = append(list.Items, k.items...)
	return list, nil
}

// completer gathers the items for one request.
type completer struct {
	an    *analysis
	c     *cursor
	scope *scopeInfo
	items []protocol.CompletionItem
	seen  map[string]bool
	// lists reads the store's List names (Options.ListNames), or is nil.
	lists func(dir string) []string
}

// sort groups: what is nearest comes first.
const (
	sortArg     = "0"
	sortLocal   = "1"
	sortGlobal  = "2"
	sortKeyword = "3"
	sortLibrary = "4"
)

func (k *completer) complete() {
	c := k.c
	switch {
	case c.inComment || c.inRaw:
		return
	case c.inString:
		k.stringArg()
		return
	case c.prefix != "" && c.prefix[0] >= '0' && c.prefix[0] <= '9':
		return
	}
	prev := c.prev(0)
	open, openIdx := c.innermost()
	switch {
	case prev.kind == tkPunct && (prev.val == "." || prev.val == "?."):
		k.members(len(c.toks) - 1)
	case len(c.open) == 0:
		k.declKeywords()
	case prev.kind == tkIdent && prev.val == "on" && k.blockKind(openIdx) == "workflow":
		k.keywords(sortKeyword, "event", "api", "workflow", "manual", "schedule", "every")
	case open.val == "{" && c.isTestBlock(openIdx):
		k.testClause(prev)
	case open.val == "{" && !c.blockBrace(openIdx):
		k.mapEntry(openIdx, prev)
	case open.val == "(" && prev.kind == tkPunct && (prev.val == "(" || prev.val == ","):
		k.namedArgs(openIdx)
		k.names()
	case open.val == "{" && (prev.val == "{" || prev.val == "}" || c.lineStart()):
		k.statement(openIdx, prev)
	case prev.kind == tkIdent && prev.val == "run":
		k.runTargets()
	case prev.kind == tkIdent && prev.val == "wait":
		k.keywords(sortArg, "event")
		k.names()
	case prev.kind == tkIdent && prev.val == "parallel":
		k.keywords(sortArg, "for")
	case afterOperand(prev):
		k.clauseKeywords(prev)
		k.keywords(sortKeyword, "and", "or", "in", "not", "matches")
		if prev.val == ")" {
			k.keywords(sortKeyword, "with")
		}
	default:
		k.names()
		k.keywords(sortKeyword, "true", "false", "null", "not")
		if prev.val == "=" {
			k.keywords(sortKeyword, "run", "wait")
		}
	}
}

// clauseKeywords offers the words that continue the clause on the cursor's
// line: where after `on event "…"`, tz after `on schedule "…"`, limit in a
// parallel for, where and timeout after `wait event "…"`.
func (k *completer) clauseKeywords(prev token) {
	c := k.c
	line := c.text[strings.LastIndexByte(c.text[:c.start], '\n')+1 : c.start]
	fields := strings.Fields(line)
	switch {
	case len(fields) >= 2 && fields[0] == "on" && fields[1] == "event":
		k.keywords(sortArg, "where")
	case len(fields) >= 2 && fields[0] == "on" && fields[1] == "schedule" && prev.kind == tkStrEnd:
		k.keywords(sortArg, "tz")
	case len(fields) >= 2 && fields[0] == "parallel" && fields[1] == "for":
		k.keywords(sortArg, "limit")
	case strings.Contains(line, "wait event"):
		k.keywords(sortArg, "where", "timeout")
	}
}

// afterOperand reports whether the token before the prefix ends an operand,
// so the word being typed is an operator such as `and` or `in`.
func afterOperand(t token) bool {
	switch t.kind {
	case tkIdent:
		return !t.isKeyword() || t.val == "true" || t.val == "false" || t.val == "null"
	case tkNumber, tkStrEnd, tkRaw:
		return true
	case tkPunct:
		return t.val == ")" || t.val == "]"
	}
	return false
}

// scopeInfo computes (once) the names visible at the cursor.
func (k *completer) scopeInfo() *scopeInfo {
	if k.scope == nil {
		k.scope = k.an.scopeAt(k.c)
	}
	return k.scope
}

// add appends an item unless one with the same label is already there.
func (k *completer) add(it protocol.CompletionItem, group string) {
	if k.seen[it.Label] {
		return
	}
	k.seen[it.Label] = true
	it.SortText = protocol.NewOptional(group + it.Label)
	k.items = append(k.items, it)
}

func (k *completer) keywords(group string, words ...string) {
	for _, w := range words {
		k.add(protocol.CompletionItem{Label: w, Kind: protocol.CompletionItemKindKeyword}, group)
	}
}

// declKeywords offers what may start a top-level declaration.
func (k *completer) declKeywords() {
	k.keywords(sortKeyword, "workflow", "fn", "const")
	if lang.IsTestFile(k.an.path) {
		k.add(protocol.CompletionItem{Label: "test", Kind: protocol.CompletionItemKindKeyword,
			InsertText: protocol.NewOptional(`test "`)}, sortKeyword)
	}
	k.add(protocol.CompletionItem{Label: "js fn", Kind: protocol.CompletionItemKindKeyword,
		InsertText: protocol.NewOptional("js fn "), FilterText: protocol.NewOptional("js")}, sortKeyword)
}

// blockKind names what the { at token index i belongs to: "workflow",
// "fn" or "" for anything else.
func (k *completer) blockKind(i int) string {
	if i < 0 {
		return ""
	}
	toks := k.c.toks
	if i >= 2 && toks[i-2].val == "workflow" && toks[i-1].kind == tkIdent {
		return "workflow"
	}
	if j := k.c.matchingOpen(i - 1); i > 0 && toks[i-1].val == ")" && j >= 2 && toks[j-2].val == "fn" {
		return "fn"
	}
	return ""
}

// statement offers what may start a statement in the block opened at token
// index i: statement keywords (on, in a workflow's body; else or catch
// after the block they continue), then every name in scope.
func (k *completer) statement(i int, prev token) {
	kind := k.blockKind(i)
	if prev.val == "}" {
		if j := k.c.matchingOpen(len(k.c.toks) - 1); j >= 0 {
			switch {
			case k.c.lineStartsWith(j, "try"):
				k.keywords(sortArg, "catch")
			case k.c.lineStartsWith(j, "when") || k.c.lineStartsWith(j, "}"):
				k.keywords(sortArg, "else")
			}
		}
	}
	if kind == "workflow" {
		k.keywords(sortKeyword, "on")
	}
	k.keywords(sortKeyword, "let", "when", "parallel", "for", "try", "log", "fail")
	if kind == "fn" {
		k.keywords(sortKeyword, "return")
	} else {
		k.keywords(sortKeyword, "run", "wait", "output", "stop", "emit")
	}
	k.names()
}

// mapEntry offers run options at a key of `with {…}`, and names after a
// key's colon.
func (k *completer) mapEntry(i int, prev token) {
	if prev.val == ":" {
		k.names()
		return
	}
	if prev.val != "{" && prev.val != "," {
		return
	}
	if i > 0 && k.c.toks[i-1].val == "with" {
		names := make([]string, 0, len(lang.RunOptions))
		for n := range lang.RunOptions {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			k.add(protocol.CompletionItem{Label: n, Kind: protocol.CompletionItemKindProperty,
				Detail: protocol.NewOptional(lang.RunOptions[n].String()), InsertText: protocol.NewOptional(n + ": ")}, sortArg)
		}
	}
}

// names offers every name visible at the cursor: locals (innermost
// first), the file's consts, fns and js fns, core functions and modules.
func (k *completer) names() {
	si := k.scopeInfo()
	for i := len(si.locals) - 1; i >= 0; i-- {
		k.add(k.an.symbolItem(si.locals[i]), sortLocal)
	}
	globals := make([]string, 0, len(si.globals))
	for n := range si.globals {
		globals = append(globals, n)
	}
	sort.Strings(globals)
	for _, n := range globals {
		k.add(k.an.symbolItem(si.globals[n]), sortGlobal)
	}
	modules := map[string]bool{}
	for _, d := range k.an.u.Funcs() {
		if m := d.Module(); m != "" {
			modules[strings.SplitN(m, ".", 2)[0]] = true
			continue
		}
		k.add(funcItem(d, d.Name, false), sortLibrary)
	}
	for _, m := range sortedKeys(modules) {
		k.add(moduleItem(k.an.u, m), sortLibrary)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// symbolItem describes a name bound in the file; a fn, js fn or const
// carries its doc comment.
func (an *analysis) symbolItem(sym *lang.Symbol) protocol.CompletionItem {
	it := protocol.CompletionItem{Label: sym.Name, Kind: protocol.CompletionItemKindVariable}
	if d, ok := sym.Node.(lang.Decl); ok {
		if doc := docComment(an.fileOf(sym), d); doc != "" {
			it.Documentation = &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: doc}
		}
	}
	detail := an.describeSymbol(sym)
	if i := strings.LastIndexByte(detail, '\n'); i >= 0 {
		detail = detail[i+1:] // one line: drop the "# workflow" note
	}
	switch sym.Kind {
	case lang.SymConst:
		it.Kind = protocol.CompletionItemKindConstant
	case lang.SymFn, lang.SymJsFn:
		it.Kind = protocol.CompletionItemKindFunction
	}
	it.Detail = protocol.NewOptional(detail)
	return it
}

// funcItem describes a library function; method drops its first parameter
// from the detail, as it is called on a value.
func funcItem(d *lang.FuncDecl, label string, method bool) protocol.CompletionItem {
	kind := protocol.CompletionItemKindFunction
	if method {
		kind = protocol.CompletionItemKindMethod
	}
	return protocol.CompletionItem{
		Label:         label,
		Kind:          kind,
		Detail:        protocol.NewOptional(d.Signature()),
		Documentation: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: funcDoc(d)},
	}
}

// moduleItem describes a library module with the list of its functions.
func moduleItem(u lang.Universe, m string) protocol.CompletionItem {
	var names []string
	for _, d := range u.Funcs() {
		if strings.HasPrefix(d.Name, m+".") {
			names = append(names, d.Name)
		}
	}
	return protocol.CompletionItem{
		Label:  m,
		Kind:   protocol.CompletionItemKindModule,
		Detail: protocol.NewOptional("module " + m),
		Documentation: &protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown,
			Value: fmt.Sprintf("Module `%s`: %s", m, joinCode(names))},
	}
}

func joinCode(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, ", ")
}

// funcDoc is a library function's documentation in Markdown: signature,
// doc paragraph, example, and whether it is an action.
func funcDoc(d *lang.FuncDecl) string {
	var b strings.Builder
	fmt.Fprintf(&b, "```wf\n%s\n```\n", d.Signature())
	if d.Effect {
		b.WriteString("\nAction: call it with `run`.\n")
	}
	if d.Doc != "" {
		b.WriteString("\n" + d.Doc + "\n")
	}
	if d.Example != "" {
		fmt.Fprintf(&b, "\nExample:\n```wf\n%s\n```\n", d.Example)
	}
	return b.String()
}
