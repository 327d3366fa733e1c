package lsp

import (
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wf-lang/wf/lang"
)

// stringArg offers what a string being typed may hold, replacing what is
// typed so far: Persona event names in `on event "…"` and `wait event "…"`,
// time zones after tz, workflow names in workflow.call("…") (and start,
// schedule), List names in list("…") and lists.add/remove("…").
func (k *completer) stringArg() {
	c := k.c
	idx := -1
	for i := len(c.toks) - 1; i >= 0; i-- {
		if c.toks[i].kind == tkStrStart && c.toks[i].start == c.strStart {
			idx = i
			break
		}
	}
	if idx < 1 {
		return
	}
	rng := k.an.lines.offsetRange(c.strStart+1, c.off)
	offer := func(label string, kind protocol.CompletionItemKind, detail string) {
		k.add(protocol.CompletionItem{
			Label: label, Kind: kind, Detail: protocol.NewOptional(detail),
			FilterText: protocol.NewOptional(label), TextEdit: &protocol.TextEdit{Range: rng, NewText: label},
		}, sortArg)
	}
	before := c.toks[idx-1]
	switch {
	case before.val == "event" && idx >= 2 && (c.toks[idx-2].val == "on" || c.toks[idx-2].val == "wait"):
		for _, e := range eventNames(k.an.u) {
			offer(e, protocol.CompletionItemKindEvent, "Persona event ("+lang.EventObjectType(e)+")")
		}
	case before.val == "tz":
		for _, z := range timeZones() {
			offer(z, protocol.CompletionItemKindValue, "time zone")
		}
	case before.kind == tkPunct && before.val == "(":
		chain, ok := c.chainBefore(idx - 1)
		if !ok {
			return
		}
		switch strings.Join(chain, ".") {
		case "workflow.call", "workflow.start", "workflow.schedule":
			for _, w := range k.an.prog.Workflows {
				offer(w.Name.Name, protocol.CompletionItemKindModule, "workflow ("+filepath.Base(k.an.fileOfDecl(w).path)+")")
			}
		case "list", "lists.add", "lists.remove":
			for _, n := range k.listNames() {
				offer(n.name, protocol.CompletionItemKindValue, "List ("+n.from+")")
			}
		}
	}
}

// members offers what may follow the dot at token index dot: a module's
// functions (actions first after run), or the known keys of the value
// before the dot (trigger's fields, a step result's, a catch variable's, a
// const map's…) followed by the methods its type takes.
func (k *completer) members(dot int) {
	chain, ok := k.c.chainBefore(dot)
	si := k.scopeInfo()
	if ok {
		head := chain[0]
		if si.local(head) == nil && si.globals[head] == nil && k.an.u.IsModule(head) {
			i := dot - 2*len(chain) // the token before the chain
			afterRun := i >= 0 && k.c.toks[i].kind == tkIdent && k.c.toks[i].val == "run"
			k.moduleMembers(strings.Join(chain, "."), afterRun)
			return
		}
	}
	sh, found := k.receiver(si, dot)
	if !found && ok {
		// No tree holds the dot: follow trigger or event by name.
		if local := si.local(chain[0]); local != nil && local.Implicit {
			sh = (&shaper{prog: si.prog}).symbol(local, 0)
			for _, name := range chain[1:] {
				sh = sh.field(name)
			}
		}
	}
	for _, f := range sh.fields {
		k.add(protocol.CompletionItem{Label: f.name, Kind: protocol.CompletionItemKindField,
			Detail: protocol.NewOptional(f.detail), Documentation: protocol.String(f.doc)}, sortArg)
	}
	k.methods(sh.typ)
}

// receiver finds, in the tree that holds the cursor, the expression before
// the dot at token index dot and returns its shape.
func (k *completer) receiver(si *scopeInfo, dot int) (shape, bool) {
	if si.decl == nil {
		return anyShape, false
	}
	dotStart := k.c.toks[dot].start
	var x lang.Expr
	lang.Inspect(si.decl, func(n lang.Node) bool {
		if n == nil || x != nil {
			return false
		}
		sp := n.Span()
		if sp.Start.Offset > dotStart {
			return false
		}
		if sel, ok := n.(*lang.SelectorExpr); ok && sel.X != nil {
			end := sel.X.Span().End.Offset
			if end <= dotStart && strings.TrimSpace(k.c.text[end:dotStart]) == "" {
				x = sel.X
				return false
			}
		}
		return true
	})
	if x == nil {
		return anyShape, false
	}
	return (&shaper{prog: si.prog}).of(x, 0), true
}

// field returns the shape of one of sh's keys (any when it is unknown).
func (sh shape) field(name string) shape {
	for _, f := range sh.fields {
		if f.name == name && f.sub != nil {
			return f.sub()
		}
	}
	return anyShape
}

// moduleMembers offers the functions and submodules of module mod; after
// run the actions come first, elsewhere the functions that are not.
func (k *completer) moduleMembers(mod string, afterRun bool) {
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
		group := sortArg
		if d.Effect != afterRun {
			group = sortLibrary
		}
		k.add(funcItem(d, rest, false), group)
	}
	for _, sub := range sortedKeys(subs) {
		k.add(moduleItem(k.an.u, mod+"."+sub), sortArg)
	}
}

// runTargets offers what may follow run: the modules that have actions.
func (k *completer) runTargets() {
	mods := map[string]bool{}
	for _, d := range k.an.u.Funcs() {
		if m := d.Module(); m != "" && d.Effect {
			mods[strings.SplitN(m, ".", 2)[0]] = true
		}
	}
	for _, m := range sortedKeys(mods) {
		k.add(moduleItem(k.an.u, m), sortArg)
	}
}

// methods offers the core functions that can be called as methods on a
// value of type t: those made for it first, then those that take any
// value. An unknown type (any) gets every method.
func (k *completer) methods(t lang.Type) {
	if t != lang.TAny {
		t &^= lang.TNull
		if t == lang.TNone {
			return
		}
	}
	for _, d := range k.an.u.Funcs() {
		if d.Module() != "" || d.NoMethod || len(d.Params) == 0 {
			continue
		}
		recv := d.Params[0].Type
		switch {
		case t == lang.TAny:
			k.add(funcItem(d, d.Name, true), sortLibrary)
		case !recv.Accepts(t):
		case recv&^lang.TNull == lang.TAny&^lang.TNull:
			k.add(funcItem(d, d.Name, true), sortLibrary)
		default:
			k.add(funcItem(d, d.Name, true), sortLocal)
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
