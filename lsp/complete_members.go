package lsp

import (
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// eventNames offers Persona event names inside the string of
// `on event "…"` or `wait event "…"`, replacing what is typed so far.
func (k *completer) eventNames() {
	c := k.c
	idx := -1
	for i := len(c.toks) - 1; i >= 0; i-- {
		if c.toks[i].kind == tkStrStart && c.toks[i].start == c.strStart {
			idx = i
			break
		}
	}
	if idx < 2 || c.toks[idx-1].val != "event" || (c.toks[idx-2].val != "on" && c.toks[idx-2].val != "wait") {
		return
	}
	rng := k.an.lines.offsetRange(c.strStart+1, c.off)
	for _, e := range lang.PersonaEvents {
		k.add(protocol.CompletionItem{
			Label:      e,
			Kind:       protocol.CompletionItemKindEvent,
			Detail:     protocol.NewOptional("Persona event (" + lang.EventObjectType(e) + ")"),
			FilterText: protocol.NewOptional(e),
			TextEdit:   &protocol.TextEdit{Range: rng, NewText: e},
		}, sortArg)
	}
}

// members offers what may follow the dot at token index dot: a module's
// functions, the fields of trigger or event, or methods of a value.
func (k *completer) members(dot int) {
	chain, ok := k.c.chainBefore(dot)
	if !ok {
		k.methods()
		return
	}
	si := k.scopeInfo()
	head := chain[0]
	local := si.local(head)
	switch {
	case local == nil && si.globals[head] == nil && k.an.u.IsModule(head):
		k.moduleMembers(strings.Join(chain, "."))
	case local != nil && local.Implicit && local.Name == "trigger":
		k.triggerFields(si, chain[1:])
		k.methods()
	case local != nil && local.Implicit && local.Name == "event":
		k.fields(fieldsAt([]string{"event"}, chain[1:]))
	default:
		k.methods()
	}
}

// moduleMembers offers the functions and submodules of module mod.
func (k *completer) moduleMembers(mod string) {
	if !k.an.u.IsModule(mod) {
		return
	}
	subs := map[string]bool{}
	for _, d := range k.an.u.Funcs() {
		rest, ok := strings.CutPrefix(d.Name, mod+".")
		if !ok {
			continue
		}
		if sub, _, nested := strings.Cut(rest, "."); nested {
			subs[sub] = true
			continue
		}
		k.add(funcItem(d, rest, false), sortArg)
	}
	for _, sub := range sortedKeys(subs) {
		k.add(moduleItem(k.an.u, mod+"."+sub), sortArg)
	}
}

// triggerFields offers the fields of the workflow's trigger object at the
// path after `trigger.`: Persona fields for event triggers, parameters for
// api, workflow and manual triggers.
func (k *completer) triggerFields(si *scopeInfo, path []string) {
	w := si.workflow()
	var types []string
	if w != nil {
		types = triggerTypes(w)
		if len(path) == 0 {
			for _, tp := range si.prog.Info.Workflows[w].Params {
				k.add(protocol.CompletionItem{Label: tp.Param.Name.Name, Kind: protocol.CompletionItemKindField,
					Detail: protocol.NewOptional("trigger parameter: " + tp.Type.String())}, sortArg)
			}
		}
	}
	k.fields(fieldsAt(types, path))
}

func (k *completer) fields(fs []objField) {
	for _, fl := range fs {
		detail := "field"
		if fl.of != "" {
			detail = "field (" + fl.of + ")"
		}
		k.add(protocol.CompletionItem{Label: fl.name, Kind: protocol.CompletionItemKindField,
			Detail: protocol.NewOptional(detail), Documentation: protocol.String(fl.doc)}, sortArg)
	}
}

// methods offers the core functions that can be called as methods.
func (k *completer) methods() {
	for _, d := range k.an.u.Funcs() {
		if d.Module() == "" && !d.NoMethod && len(d.Params) > 0 {
			k.add(funcItem(d, d.Name, true), sortLibrary)
		}
	}
}

// namedArgs offers the named arguments the call opened at token index open
// can still take, as `name: `.
func (k *completer) namedArgs(open int) {
	ct := k.an.callTarget(k.c, k.scopeInfo(), open)
	if ct == nil {
		return
	}
	args := k.c.argsAfter(open)
	given := map[string]bool{}
	for _, n := range args.named {
		given[n] = true
	}
	for i, p := range ct.params {
		if i < args.positional || given[p.name] {
			continue
		}
		k.add(protocol.CompletionItem{
			Label:      p.name + ":",
			Kind:       protocol.CompletionItemKindField,
			Detail:     protocol.NewOptional(p.label),
			InsertText: protocol.NewOptional(p.name + ": "),
			FilterText: protocol.NewOptional(p.name),
		}, sortArg)
	}
}

// callArgs is what the arguments typed so far in a call hold.
type callArgs struct {
	positional int      // positional arguments before the current one
	named      []string // names given as `name:`
	current    int      // index of the argument being typed
	currentKey string   // its name, when it is a named argument
}

// argsAfter reads the arguments between the ( at token index open and the
// cursor.
func (c *cursor) argsAfter(open int) callArgs {
	var a callArgs
	depth := 0
	argStart := open + 1
	for i := open + 1; i < len(c.toks); i++ {
		t := c.toks[i]
		if t.kind != tkPunct && t.kind != tkStrStart && t.kind != tkStrEnd {
			continue
		}
		switch {
		case t.kind == tkStrStart || t.val == "(" || t.val == "[" || t.val == "{" || t.val == "${":
			depth++
		case t.kind == tkStrEnd || t.val == ")" || t.val == "]" || t.val == "}":
			depth--
		case t.val == "," && depth == 0:
			if key := c.argKey(argStart); key != "" {
				a.named = append(a.named, key)
			} else {
				a.positional++
			}
			a.current++
			argStart = i + 1
		}
	}
	a.currentKey = c.argKey(argStart)
	return a
}

// argKey returns the name of the argument starting at token index i when
// it is written `name: value`.
func (c *cursor) argKey(i int) string {
	if i+1 < len(c.toks) && c.toks[i].kind == tkIdent && c.toks[i+1].val == ":" {
		return c.toks[i].val
	}
	return ""
}

// describeSymbol says in a line what a name is bound to.
func describeSymbol(sym *lang.Symbol) string {
	typ := ""
	if sym.Type != lang.TAny && sym.Type != lang.TNone {
		typ = ": " + sym.Type.String()
	}
	switch sym.Kind {
	case lang.SymConst:
		return "const " + sym.Name + typ
	case lang.SymFn:
		if d, ok := sym.Node.(*lang.FnDecl); ok {
			return "fn " + sym.Name + "(" + paramNames(d.Params) + ")"
		}
	case lang.SymJsFn:
		if d, ok := sym.Node.(*lang.JsFnDecl); ok {
			return "js fn " + sym.Name + "(" + paramNames(d.Params) + ")"
		}
	case lang.SymBuiltin:
		if sym.Func != nil {
			return sym.Func.Signature()
		}
	case lang.SymModule:
		return "module " + sym.Name
	}
	if _, ok := sym.Node.(*lang.WorkflowDecl); ok {
		return localKind(sym) + sym.Name + typ
	}
	return localKind(sym) + " " + sym.Name + typ
}

// localKind names the construct that binds a local.
func localKind(sym *lang.Symbol) string {
	switch n := sym.Node.(type) {
	case *lang.LetStmt:
		return "let"
	case *lang.Param:
		if sym.Implicit {
			return "trigger parameter"
		}
		return "parameter"
	case *lang.ForStmt:
		return "loop variable"
	case *lang.TryStmt:
		return "catch variable"
	case *lang.LambdaExpr:
		return "lambda parameter"
	case *lang.WaitEventExpr:
		return "awaited event"
	case *lang.WorkflowDecl:
		return "# workflow " + n.Name.Name + "\n"
	}
	return "local"
}

func paramNames(ps []*lang.Param) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name.Name
		if p.Type != nil {
			names[i] += ": " + p.Type.Name
			if p.Type.Optional {
				names[i] += "?"
			}
		}
	}
	return strings.Join(names, ", ")
}
