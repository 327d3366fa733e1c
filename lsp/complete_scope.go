package lsp

import (
	"strings"

	"github.com/wf-lang/wf/lang"
)

// scopeInfo is what completion knows about the declaration at the cursor.
type scopeInfo struct {
	decl    lang.Decl
	prog    *lang.Program
	locals  []*lang.Symbol // innermost last
	globals map[string]*lang.Symbol
}

// placeholder stands for the name being typed in a repaired copy.
const placeholder = "__wf_cursor__"

// scopeAt finds the declaration at the cursor and the names visible there.
// When that declaration has a syntax error (it is being typed), a repaired
// copy of the text is parsed instead: the text up to the cursor, a
// placeholder name, and the brackets still open, closed.
func (an *analysis) scopeAt(c *cursor) *scopeInfo {
	si := &scopeInfo{globals: map[string]*lang.Symbol{}}
	for n, sym := range an.prog.GlobalSyms {
		si.globals[n] = sym
	}
	if d := an.declAt(c.start); d != nil {
		si.decl, si.prog = d, an.prog
	} else {
		an.repair(c, si)
	}
	if si.decl != nil {
		si.locals = visibleAt(si.prog.Info, si.decl, c.start)
		for n, sym := range si.prog.GlobalSyms {
			if si.globals[n] == nil {
				si.globals[n] = sym
			}
		}
	}
	return si
}

// repair parses repaired copies of the text until one has a declaration
// at the cursor. A copy is the text up to the cursor, then a placeholder
// name (or a placeholder and an empty block, or nothing), then closers for
// the brackets still open. When none parses, the line with the syntax
// error is blanked out (or the line before it, when the error is at the
// start of a line: that line was left unfinished) and the copies are tried
// again, so names bound after a broken line are still found.
func (an *analysis) repair(c *cursor, si *scopeInfo) {
	head := an.text[:c.start]
	for range 12 {
		var firstDiags lang.Diagnostics
		var firstText string
		for i, tail := range []string{placeholder, placeholder + " {}", ""} {
			text := head + tail + cursorAt(head, len(head)).closers()
			f, diags := an.parser.parseScratch(an.path, text)
			for _, d := range f.Decls {
				if d.Span().Contains(len(head)) {
					prog, _ := lang.CheckFile(f, an.u)
					si.decl, si.prog = d, prog
					return
				}
			}
			if i == 0 {
				firstDiags, firstText = diags, text
			}
		}
		next, ok := blankErrorLine(head, firstText, firstDiags)
		if !ok {
			return
		}
		head = next
	}
}

// blankErrorLine replaces with spaces the line of head to blame for the
// syntax error in the declaration at the end of text (head plus a repair),
// keeping every offset. It reports false when there is no such line.
func blankErrorLine(head, text string, diags lang.Diagnostics) (string, bool) {
	cuts := splitChunks(text)
	declStart := cuts[len(cuts)-1]
	errAt := -1
	for _, d := range diags {
		if d.Code == "syntax" && d.Span.Start.Offset >= declStart {
			errAt = d.Span.Start.Offset
			break
		}
	}
	if errAt < 0 {
		return "", false
	}
	errAt = min(errAt, len(head))
	ls := strings.LastIndexByte(head[:errAt], '\n') + 1
	if strings.TrimSpace(head[ls:errAt]) == "" || errAt == len(head) {
		// The error is at the start of its line (or at the cursor): blame
		// the last line before it that has something on it.
		for ls > 0 {
			prev := strings.LastIndexByte(head[:ls-1], '\n') + 1
			if strings.TrimSpace(head[prev:ls-1]) != "" {
				ls = prev
				break
			}
			ls = prev
		}
	}
	if ls <= declStart {
		return "", false // that would blank the declaration's first line
	}
	le := strings.IndexByte(head[ls:], '\n')
	if le < 0 {
		le = len(head) - ls
	}
	b := []byte(head[ls : ls+le]) // spaces for every byte, so offsets stay
	for i := range b {
		if b[i] != '\r' {
			b[i] = ' '
		}
	}
	blank := string(b)
	return head[:ls] + blank + head[ls+le:], true
}

// workflow returns the workflow at the cursor, if the scope found one.
func (si *scopeInfo) workflow() *lang.WorkflowDecl {
	w, _ := si.decl.(*lang.WorkflowDecl)
	return w
}

// local returns the innermost visible local with the name, or nil.
func (si *scopeInfo) local(name string) *lang.Symbol {
	for i := len(si.locals) - 1; i >= 0; i-- {
		if si.locals[i].Name == name {
			return si.locals[i]
		}
	}
	return nil
}
