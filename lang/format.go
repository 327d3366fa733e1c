package lang

// The formatter prints a parsed file in WF's canonical layout. `wf fmt` and
// the editor's "format document" call it.
//
// Layout:
//
//   - Two spaces per indentation level; one statement per line; `{` on the
//     line of its statement and `}` on a line of its own; `} else when … {`,
//     `} else {` and `} catch err {` on one line. An empty block with no
//     comment inside prints as `{}`.
//   - One blank line between top-level declarations, except that consecutive
//     `const` declarations keep the source's spacing (none or one blank line).
//     Inside blocks and broken lists a blank line in the source between two
//     lines is kept as one; none is added, and none is kept right after `{`
//     or right before `}`. A workflow's `on` clauses come first, followed by
//     exactly one blank line before its first statement.
//   - Spaces around binary operators and `->`, after commas and after the `:`
//     of map entries, named arguments and parameter types; none inside
//     brackets (`[a, b]`, `{key: v}`, `f(x)`).
//   - Lists, maps, call arguments and parameter lists stay on one line when
//     they were on one line in the source, hold no comment and end within
//     100 columns. Otherwise each entry goes on a line of its own with a
//     trailing comma, except that a call whose last argument is a multi-line
//     map, list, call, lambda or raw string, written starting on the line of
//     the call's `(` and closed on the line of its `)`, keeps that argument
//     "hugged": `f(a, {` … `})`. Inside `${…}` everything stays on one line.
//     Other expressions (long conditions, say) are never broken.
//   - Parentheses are printed exactly where the source has them. A one
//     parameter lambda prints without parentheses: `x -> x.id`.
//   - Numbers and durations print as written. Strings print their text with
//     the source's own escapes when the source is at hand (raw control
//     characters become escapes); otherwise `"`, `\`, `${`, newlines, tabs and
//     control characters are escaped. Raw `"""…"""` strings and js fn bodies
//     print verbatim.
//   - Every comment is kept, in source order. A comment on a line of its own
//     stays on a line of its own at the indentation of what follows; a
//     comment after code stays after that code, one space away. A comment
//     between the `}` of a when or try branch and the next `else` or `catch`
//     moves to the end of that branch's block. A comment inside an expression
//     that prints on one line ends that line, and the expression continues on
//     the next line, indented four spaces more than the statement.
//
// Newlines are not significant in WF, so the formatter changes only
// whitespace, comment placement and trailing commas: the printed file parses
// to the same tree (positions aside), and formatting it again changes
// nothing.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	maxWidth    = 100 // columns a one-line list may reach
	indentWidth = 2   // spaces per block or list level
	contIndent  = 4   // extra spaces for an expression continued after a comment
)

// Format prints f in the canonical layout. f must come from Parse without
// errors: Format refuses a tree with a BadExpr or missing node, and a file
// whose source has text outside every declaration (a declaration Parse left
// out), but it cannot see every syntax error, so callers with source should
// use FormatSource.
func Format(f *File) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("format: no file")
	}
	if err := checkOutside(f); err != nil {
		return nil, err
	}
	p := &printer{src: f.Src, comments: f.Comments, out: make([]byte, 0, len(f.Src)+len(f.Src)/4+64)}
	p.file(f)
	if p.err != nil {
		return nil, p.err
	}
	return p.out, nil
}

// FormatSource parses src and formats it. When the source has syntax errors
// it returns them and no output.
func FormatSource(path string, src []byte) ([]byte, Diagnostics) {
	f, diags := Parse(path, src)
	if diags.HasErrors() {
		return nil, diags
	}
	out, err := Format(f)
	if err != nil {
		at := Pos{Line: 1, Col: 1}
		diags.Errorf(path, Span{at, at}, "format", "%v", err)
		return nil, diags
	}
	return out, diags
}

// checkOutside reports source text between declarations that is neither
// whitespace nor a comment: Parse drops a declaration with syntax errors,
// and formatting what is left would delete it.
func checkOutside(f *File) error {
	if f.Src == nil {
		return nil
	}
	prev := 0
	for _, d := range f.Decls {
		if d == nil {
			return fmt.Errorf("format: nil declaration")
		}
		sp := d.Span()
		if err := blankBetween(f, prev, sp.Start.Offset); err != nil {
			return err
		}
		prev = sp.End.Offset
	}
	return blankBetween(f, prev, len(f.Src))
}

func blankBetween(f *File, lo, hi int) error {
	if lo < 0 || hi > len(f.Src) || lo > hi {
		return fmt.Errorf("format: declaration positions do not match the source")
	}
	for i := lo; i < hi; i++ {
		switch f.Src[i] {
		case ' ', '\t', '\r', '\n':
		case '#':
			for i < hi && f.Src[i] != '\n' {
				i++
			}
		default:
			line := 1 + strings.Count(string(f.Src[:i]), "\n")
			return fmt.Errorf("format: %s:%d: text outside any declaration; fix the syntax errors first", f.Path, line)
		}
	}
	return nil
}

// blankMode says whether a blank line may come before the next line.
type blankMode uint8

const (
	blankNever blankMode = iota // inside an expression
	blankFirst                  // none before this line, blankKeep after a comment on it
	blankKeep                   // when the source has one
	blankForce
)

// printer writes the canonical text. Line breaks are lazy: newline records
// that one is due, and the next write emits it with its indentation, so
// comments can still be placed in between.
type printer struct {
	src      []byte
	comments []*Comment
	ci       int // next comment to print
	out      []byte
	err      error

	col        int  // runes on the current line
	lineIndent int  // indentation of the current line
	indent     int  // indentation of the current block
	base       int  // indentation of the current statement or list entry
	space      bool // a space is due before the next write
	pending    bool // a line break is due before the next write
	pendIndent int
	pendBlank  blankMode
	lastLine   int // source line where the last statement, entry or comment ended

	flat    int  // > 0: lists print on one line (inside ${…} or a one-line list)
	measure bool // only count columns, to see whether something fits
	over    bool // measuring: past maxWidth or across a line
	scratch *printer
}

func (p *printer) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("format: "+format, args...)
	}
}

// newline makes the next write start a new line at indent.
func (p *printer) newline(indent int, mode blankMode) {
	p.pending, p.pendIndent, p.pendBlank, p.space = true, indent, mode, false
}

// sp asks for a space before the next write, unless a line break is due.
func (p *printer) sp() {
	if !p.pending {
		p.space = true
	}
}

// nextCol is the column the next write starts at.
func (p *printer) nextCol() int {
	switch {
	case p.pending:
		return p.pendIndent
	case p.space:
		return p.col + 1
	}
	return p.col
}

// write appends s, which comes from source line line (0 when unknown).
func (p *printer) write(line int, s string) {
	if p.pending {
		p.pending = false
		if len(p.out) > 0 {
			p.out = append(p.out, '\n')
			if p.pendBlank == blankForce || p.pendBlank == blankKeep && line > 0 && p.lastLine > 0 && line-p.lastLine > 1 {
				p.out = append(p.out, '\n')
			}
		}
		for range p.pendIndent {
			p.out = append(p.out, ' ')
		}
		p.col, p.lineIndent = p.pendIndent, p.pendIndent
	} else if p.space {
		p.col++
		if !p.measure {
			p.out = append(p.out, ' ')
		}
	}
	p.space = false
	if !p.measure {
		p.out = append(p.out, s...)
	}
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		p.over = p.over || p.measure
		p.col = utf8.RuneCountInString(s[i+1:])
	} else {
		p.col += utf8.RuneCountInString(s)
	}
	if p.measure && p.col > maxWidth {
		p.over = true
	}
}

// tok writes a token that starts at pos, after the comments before it.
func (p *printer) tok(pos Pos, s string) {
	p.flushBefore(pos.Offset)
	p.write(pos.Line, s)
}

// kw writes an unpositioned keyword or punctuation mark that comes before
// next, after the comments before next.
func (p *printer) kw(next Pos, s string) {
	p.flushBefore(next.Offset)
	p.write(0, s)
}

// flushBefore prints the comments that start before offset.
func (p *printer) flushBefore(offset int) {
	for p.ci < len(p.comments) && p.comments[p.ci].Sp.Start.Offset < offset {
		c := p.comments[p.ci]
		p.ci++
		p.comment(c)
	}
}

func (p *printer) comment(c *Comment) {
	text := strings.TrimRight(c.Text, " \t\r")
	cont := p.base + contIndent
	switch {
	case p.pending: // on a line of its own, where the next line starts
		indent, mode := p.pendIndent, p.pendBlank
		p.write(c.Sp.Start.Line, text)
		if mode != blankNever {
			mode = blankKeep
		}
		p.newline(indent, mode)
	case p.afterCode(c):
		p.space = true
		p.write(0, text)
		p.newline(cont, blankNever)
	default:
		p.newline(cont, blankNever)
		p.write(0, text)
		p.newline(cont, blankNever)
	}
	p.lastLine = max(p.lastLine, c.Sp.End.Line)
}

// afterCode reports whether the source has code before c on its line.
func (p *printer) afterCode(c *Comment) bool {
	off := c.Sp.Start.Offset
	if off > len(p.src) {
		return false
	}
	for i := off - 1; i >= 0 && p.src[i] != '\n'; i-- {
		if b := p.src[i]; b != ' ' && b != '\t' && b != '\r' {
			return true
		}
	}
	return false
}

// trailing prints the comment on source line line that comes before limit,
// after the code just printed.
func (p *printer) trailing(line, limit int) {
	if p.ci >= len(p.comments) {
		return
	}
	c := p.comments[p.ci]
	if c.Sp.Start.Offset >= limit || c.Sp.Start.Line != line {
		return
	}
	p.ci++
	if p.pending {
		p.comment(c)
		return
	}
	p.space = true
	p.write(0, strings.TrimRight(c.Text, " \t\r"))
	p.lastLine = line
	p.newline(p.base+contIndent, blankNever)
}

// hasComments reports whether a comment starts strictly between lo and hi.
func (p *printer) hasComments(lo, hi int) bool {
	i, j := p.ci, len(p.comments)
	for i < j { // first comment after lo, searching from the unprinted ones
		h := int(uint(i+j) >> 1)
		if p.comments[h].Sp.Start.Offset <= lo {
			i = h + 1
		} else {
			j = h
		}
	}
	return i < len(p.comments) && p.comments[i].Sp.Start.Offset < hi
}

// ---- declarations ----

func (p *printer) file(f *File) {
	for i, d := range f.Decls {
		mode := blankForce
		switch {
		case i == 0:
			mode = blankFirst
		case isConst(d) && isConst(f.Decls[i-1]):
			mode = blankKeep
		}
		p.newline(0, mode)
		p.indent, p.base = 0, 0
		p.decl(d)
		end := d.Span().End
		p.lastLine = end.Line
		next := math.MaxInt
		if i+1 < len(f.Decls) {
			next = f.Decls[i+1].Span().Start.Offset
		}
		p.trailing(end.Line, next)
	}
	p.newline(0, blankKeep)
	p.flushBefore(math.MaxInt)
	if len(p.out) > 0 {
		p.out = append(p.out, '\n')
	}
}

func isConst(d Decl) bool {
	_, ok := d.(*ConstDecl)
	return ok
}

func (p *printer) decl(d Decl) {
	switch d := d.(type) {
	case *WorkflowDecl:
		p.tok(d.Sp.Start, "workflow")
		p.sp()
		p.ident(d.Name)
		p.sp()
		p.lbrace(d.Lbrace)
		if len(d.Triggers)+len(d.Body) > 0 || p.hasComments(d.Lbrace.Offset, d.Rbrace.Offset) {
			p.body(d.Lbrace, d.Triggers, d.Body, d.Rbrace.Offset)
		}
		p.write(0, "}")
	case *ConstDecl:
		p.tok(d.Sp.Start, "const")
		p.sp()
		p.ident(d.Name)
		p.sp()
		p.kw(exprStart(d.Value), "=")
		p.sp()
		p.expr(d.Value)
	case *FnDecl:
		p.tok(d.Sp.Start, "fn")
		p.sp()
		p.ident(d.Name)
		if d.Body == nil {
			p.fail("fn %s has no body", d.Name.Name)
			return
		}
		p.group(paramGroup(d.Name, d.Params, d.Body.Sp.Start))
		p.sp()
		p.block(d.Body, d.Body.Rbrace.Offset)
	case *TestDecl:
		p.testDecl(d)
	case *JsFnDecl:
		p.tok(d.Sp.Start, "js")
		p.sp()
		p.write(0, "fn")
		p.sp()
		p.ident(d.Name)
		p.group(paramGroup(d.Name, d.Params, d.CodeSp.Start))
		p.sp()
		p.tok(d.CodeSp.Start, `"""`+d.Code+`"""`)
	case *FieldsDecl:
		p.tok(d.Sp.Start, "fields")
		p.sp()
		p.ident(d.Object)
		p.sp()
		p.lbrace(d.Lbrace)
		if len(d.Fields) > 0 || p.hasComments(d.Lbrace.Offset, d.Rbrace.Offset) {
			p.lines(d.Lbrace, len(d.Fields), -1, func(i int) Node { return d.Fields[i] }, d.Rbrace.Offset, func(n Node) {
				f := n.(*FieldDecl)
				p.ident(f.Name)
				p.kw(f.Type.Sp.Start, ":")
				p.sp()
				p.tok(f.Type.Sp.Start, f.Type.Name)
			})
		}
		p.write(0, "}")
	default:
		p.fail("unknown declaration %T", d)
	}
}

func (p *printer) ident(id *Ident) {
	if id == nil {
		p.fail("missing name")
		return
	}
	p.tok(id.Sp.Start, id.Name)
}

func (p *printer) param(prm *Param) {
	p.ident(prm.Name)
	if prm.Type != nil {
		p.kw(prm.Type.Sp.Start, ":")
		p.sp()
		p.tok(prm.Type.Sp.Start, prm.Type.Name)
	}
	if prm.Default != nil {
		p.sp()
		p.kw(exprStart(prm.Default), "=")
		p.sp()
		p.expr(prm.Default)
	}
}

func (p *printer) trigger(t Trigger) {
	switch t := t.(type) {
	case *EventTrigger:
		p.tok(t.Sp.Start, "on")
		p.sp()
		p.write(0, "event")
		p.sp()
		p.str(t.Pattern)
		p.clause("where", t.Where)
	case *ParamTrigger:
		p.tok(t.Sp.Start, "on")
		p.sp()
		p.write(0, t.Kind)
		open := t.Sp.Start
		closing := Pos{Offset: t.Sp.End.Offset - 1, Line: t.Sp.End.Line}
		p.group(&group{open: "(", close: ")", openPos: open, closePos: closing, oneLine: open.Line == closing.Line, items: nodes(t.Params)})
	case *ScheduleTrigger:
		p.tok(t.Sp.Start, "on")
		p.sp()
		p.write(0, "schedule")
		p.sp()
		p.str(t.Cron)
		if t.TZ != nil {
			p.clause("tz", t.TZ)
		}
	case *EveryTrigger:
		p.tok(t.Sp.Start, "on")
		p.sp()
		p.write(0, "every")
		p.sp()
		p.expr(t.Every)
	default:
		p.fail("unknown trigger %T", t)
	}
}

// clause prints ` keyword expr` when x is set.
func (p *printer) clause(keyword string, x Expr) {
	if x == nil {
		return
	}
	p.sp()
	p.kw(exprStart(x), keyword)
	p.sp()
	p.expr(x)
}

// ---- statements ----

// block prints `{ … }`. Comments before limit (the `}`, or the next
// `else`/`catch` part) print inside the block.
func (p *printer) block(b *Block, limit int) {
	if b == nil {
		p.fail("missing block")
		return
	}
	p.lbrace(b.Sp.Start)
	if len(b.Stmts) > 0 || p.hasComments(b.Sp.Start.Offset, limit) {
		p.body(b.Sp.Start, nil, b.Stmts, limit)
	}
	p.write(0, "}")
}

// lbrace writes the { of a block. Comments before it print inside the
// block, unless the block starts a statement.
func (p *printer) lbrace(pos Pos) {
	if p.pending {
		p.flushBefore(pos.Offset)
	}
	p.write(pos.Line, "{")
}

// body prints the lines between a `{` at open and its `}`, leaving a line
// break due before the `}`.
func (p *printer) body(open Pos, triggers []Trigger, stmts []Stmt, limit int) {
	n := len(triggers) + len(stmts)
	item := func(i int) Node {
		if i < len(triggers) {
			return triggers[i]
		}
		return stmts[i-len(triggers)]
	}
	p.lines(open, n, len(triggers), item, limit, func(node Node) {
		if t, ok := node.(Trigger); ok {
			p.trigger(t)
		} else {
			p.stmt(node.(Stmt))
		}
	})
}

// lines prints n items, one a line, between a `{` at open and its `}`,
// with a blank line before item split (after the triggers).
func (p *printer) lines(open Pos, n, split int, item func(int) Node, limit int, print func(Node)) {
	outer := p.indent
	p.indent += indentWidth
	p.lastLine = open.Line
	first := limit
	if n > 0 {
		first = item(0).Span().Start.Offset
	}
	p.trailing(open.Line, first)
	for i := range n {
		mode := blankKeep
		switch {
		case i == 0:
			mode = blankFirst
		case i == split:
			mode = blankForce
		}
		p.newline(p.indent, mode)
		p.base = p.indent
		node := item(i)
		print(node)
		end := node.Span().End
		p.lastLine = end.Line
		next := limit
		if i+1 < n {
			next = item(i + 1).Span().Start.Offset
		}
		p.trailing(end.Line, next)
	}
	mode := blankKeep // before comments at the end of the block
	if n == 0 {
		mode = blankFirst
	}
	p.newline(p.indent, mode)
	p.flushBefore(limit)
	p.indent, p.base = outer, outer
	p.newline(outer, blankNever)
}

func (p *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *LetStmt:
		p.tok(s.Sp.Start, "let")
		p.sp()
		p.ident(s.Name)
		p.sp()
		p.kw(exprStart(s.Value), "=")
		p.sp()
		p.expr(s.Value)
	case *AssignStmt:
		p.expr(s.Target)
		p.sp()
		p.tok(s.OpPos, "=")
		p.sp()
		p.expr(s.Value)
	case *ExprStmt:
		p.expr(s.X)
	case *WhenStmt:
		p.when(s)
	case *ParallelStmt:
		p.tok(s.Sp.Start, "parallel")
		p.sp()
		p.block(s.Body, rbrace(s.Body))
	case *ForStmt:
		p.forStmt(s)
	case *TryStmt:
		p.try(s)
	case *OutputStmt:
		p.keyword(s.Sp.Start, "output", mapExpr(s.Value))
	case *FailStmt:
		p.keyword(s.Sp.Start, "fail", s.Reason)
	case *StopStmt:
		p.tok(s.Sp.Start, "stop")
	case *LogStmt:
		p.keyword(s.Sp.Start, "log", s.Message)
	case *EmitStmt:
		p.keyword(s.Sp.Start, "emit", s.Name)
		if s.Payload != nil {
			p.sp()
			p.expr(s.Payload)
		}
	case *ReturnStmt:
		p.tok(s.Sp.Start, "return")
		if s.Value != nil {
			p.sp()
			p.expr(s.Value)
		}
	case *BlockStmt:
		p.block(s.Block, rbrace(s.Block))
	default:
		p.fail("unknown statement %T", s)
	}
}

// keyword prints `keyword x`.
func (p *printer) keyword(pos Pos, keyword string, x Expr) {
	p.tok(pos, keyword)
	p.sp()
	p.expr(x)
}

func rbrace(b *Block) int {
	if b == nil {
		return 0
	}
	return b.Rbrace.Offset
}

// mapExpr keeps a nil map a nil Expr, so expr reports it missing.
func mapExpr(m *MapLit) Expr {
	if m == nil {
		return nil
	}
	return m
}

func (p *printer) when(s *WhenStmt) {
	for i, br := range s.Branches {
		if i > 0 {
			p.sp()
			p.write(0, "else")
			p.sp()
		}
		p.tok(br.Sp.Start, "when")
		p.sp()
		p.expr(br.Cond)
		p.sp()
		limit := rbrace(br.Body)
		switch {
		case i+1 < len(s.Branches):
			limit = exprStart(s.Branches[i+1].Cond).Offset
		case s.Else != nil:
			limit = s.Else.Sp.Start.Offset
		}
		p.block(br.Body, limit)
	}
	if s.Else != nil {
		p.sp()
		p.write(0, "else")
		p.sp()
		p.block(s.Else, s.Else.Rbrace.Offset)
	}
}

func (p *printer) forStmt(s *ForStmt) {
	if s.Parallel {
		p.tok(s.Sp.Start, "parallel")
		p.sp()
		p.write(0, "for")
	} else {
		p.tok(s.Sp.Start, "for")
	}
	p.sp()
	if s.Key != nil {
		p.ident(s.Key)
		p.write(0, ",")
		p.sp()
	}
	p.ident(s.Value)
	p.clause("in", s.Iter)
	p.clause("limit", s.Limit)
	p.sp()
	p.block(s.Body, rbrace(s.Body))
}

func (p *printer) try(s *TryStmt) {
	p.tok(s.Sp.Start, "try")
	p.sp()
	if s.Catch == nil {
		p.fail("try without catch")
		return
	}
	limit := s.Catch.Sp.Start.Offset
	if s.Err != nil {
		limit = s.Err.Sp.Start.Offset
	}
	p.block(s.Body, limit)
	p.sp()
	p.write(0, "catch")
	p.sp()
	if s.Err != nil {
		p.ident(s.Err)
		p.sp()
	}
	p.block(s.Catch, s.Catch.Rbrace.Offset)
}

// ---- expressions ----

func exprStart(e Expr) Pos {
	if e == nil {
		return Pos{}
	}
	return e.Span().Start
}

func (p *printer) expr(e Expr) {
	if p.over {
		return
	}
	switch e := e.(type) {
	case nil:
		p.fail("missing expression")
	case *Ident:
		p.tok(e.Sp.Start, e.Name)
	case *NullLit:
		p.tok(e.Sp.Start, "null")
	case *BoolLit:
		p.tok(e.Sp.Start, strconv.FormatBool(e.Value))
	case *IntLit, *FloatLit, *DurationLit:
		p.number(e)
	case *StringLit:
		p.str(e)
	case *ListLit:
		closing := Pos{Offset: e.Sp.End.Offset - 1, Line: e.Sp.End.Line}
		p.group(&group{open: "[", close: "]", openPos: e.Sp.Start, closePos: closing,
			oneLine: e.Sp.Start.Line == e.Sp.End.Line, items: nodes(e.Elems)})
	case *MapLit:
		closing := Pos{Offset: e.Sp.End.Offset - 1, Line: e.Sp.End.Line}
		p.group(&group{open: "{", close: "}", openPos: e.Sp.Start, closePos: closing,
			oneLine: e.Sp.Start.Line == e.Sp.End.Line, items: nodes(e.Entries)})
	case *UnaryExpr:
		p.tok(e.OpPos, e.Op.String())
		if e.Op == OpNot {
			p.sp()
		}
		p.expr(e.X)
	case *BinaryExpr:
		p.expr(e.X)
		p.sp()
		p.tok(e.OpPos, e.Op.String())
		p.sp()
		p.expr(e.Y)
	case *SelectorExpr:
		p.selector(e)
	case *IndexExpr:
		p.expr(e.X)
		p.kw(exprStart(e.Index), "[")
		p.expr(e.Index)
		p.write(0, "]")
	case *CallExpr:
		p.expr(e.Fn)
		p.group(&group{open: "(", close: ")", openPos: e.Lparen, closePos: e.Rparen,
			oneLine: e.Lparen.Line == e.Rparen.Line, items: nodes(e.Args), hug: true})
	case *LambdaExpr:
		p.lambda(e)
	case *ParenExpr:
		p.tok(e.Sp.Start, "(")
		p.expr(e.X)
		p.write(0, ")")
	case *RunExpr:
		p.run(e)
	case *WaitExpr:
		p.keyword(e.Sp.Start, "wait", e.Duration)
	case *WaitEventExpr:
		p.tok(e.Sp.Start, "wait")
		p.sp()
		p.write(0, "event")
		p.sp()
		p.str(e.Name)
		p.clause("where", e.Where)
		p.clause("timeout", e.Timeout)
	case *BadExpr:
		p.fail("%s: the file has a syntax error", e.Sp.Start)
	default:
		p.fail("unknown expression %T", e)
	}
}

func (p *printer) selector(e *SelectorExpr) {
	p.expr(e.X)
	if e.Name == nil {
		p.fail("selector without a name")
		return
	}
	dot := "."
	if e.Optional {
		dot = "?."
	}
	p.kw(e.Name.Sp.Start, dot)
	p.ident(e.Name)
}

func (p *printer) lambda(e *LambdaExpr) {
	if len(e.Params) == 1 {
		p.ident(e.Params[0])
	} else {
		p.tok(e.Sp.Start, "(")
		for i, id := range e.Params {
			if i > 0 {
				p.write(0, ",")
				p.sp()
			}
			p.ident(id)
		}
		p.write(0, ")")
	}
	p.sp()
	p.tok(e.Arrow, "->")
	p.sp()
	p.expr(e.Body)
}

func (p *printer) run(e *RunExpr) {
	p.tok(e.Sp.Start, "run")
	p.sp()
	if e.Call == nil {
		p.fail("run without a call")
		return
	}
	p.expr(e.Call)
	if e.With != nil {
		p.clause("with", e.With)
	}
}

// number prints a number or duration as written, or from its value when
// the tree was built without source.
func (p *printer) number(e Expr) {
	var raw string
	switch e := e.(type) {
	case *IntLit:
		raw = e.Raw
		if raw == "" && e.Value >= 0 {
			raw = strconv.FormatInt(e.Value, 10)
		}
	case *FloatLit:
		raw = e.Raw
		if raw == "" && e.Value >= 0 && !math.IsInf(e.Value, 0) && !math.IsNaN(e.Value) {
			raw = strconv.FormatFloat(e.Value, 'g', -1, 64)
			if !strings.ContainsAny(raw, ".e") {
				raw += ".0"
			}
		}
	case *DurationLit:
		raw = e.Raw
		if raw == "" {
			raw = durationText(e.Value)
		}
	}
	if raw == "" {
		p.fail("%s: cannot print number %s", e.Span().Start, Dump(e))
		return
	}
	p.tok(e.Span().Start, raw)
}

// durationText spells d in WF units, largest first; "" when it cannot.
func durationText(d time.Duration) string {
	if d < 0 || d%time.Millisecond != 0 {
		return ""
	}
	units := []struct {
		name string
		size time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}}
	var b strings.Builder
	for _, u := range units {
		if n := d / u.size; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.size
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// ---- strings ----

func (p *printer) str(s *StringLit) {
	if s == nil {
		p.fail("missing string")
		return
	}
	if s.Raw {
		text := ""
		if len(s.Parts) > 0 {
			text = s.Parts[0].Text
		}
		p.tok(s.Sp.Start, `"""`+text+`"""`)
		return
	}
	p.tok(s.Sp.Start, `"`)
	for i, part := range s.Parts {
		next := s.Sp.End.Offset - 1 // the closing quote
		if i+1 < len(s.Parts) {
			next = s.Parts[i+1].Sp.Start.Offset
		}
		if part.Expr == nil {
			p.write(0, p.text(part.Sp.Start.Offset, next, part.Text))
			continue
		}
		p.write(0, "${")
		p.flat++
		p.expr(part.Expr)
		p.flat--
		p.write(0, "}")
	}
	p.write(0, `"`)
}

// text spells a string's text: as the source at [lo, hi) spells it when
// that reads back as want, else escaped afresh.
func (p *printer) text(lo, hi int, want string) string {
	if lo >= 0 && lo <= hi && hi <= len(p.src) {
		if s, ok := sourceText(p.src[lo:hi], want); ok {
			return s
		}
	}
	return escapeText(want)
}

// sourceText checks that src is string-literal text that means want, and
// returns it with raw control characters escaped.
func sourceText(src []byte, want string) (string, bool) {
	dec := make([]byte, 0, len(want))
	ctl := false
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '"' || c == '\n' || c == '$' && i+1 < len(src) && src[i+1] == '{':
			return "", false
		case c == '\\':
			r, n := decodeEscape(src[i:])
			if n == 0 {
				return "", false
			}
			dec = utf8.AppendRune(dec, r)
			i += n
			continue
		case c < 0x20 || c == 0x7f:
			ctl = true
		}
		dec = append(dec, c)
		i++
	}
	if string(dec) != want {
		return "", false
	}
	if !ctl {
		return string(src), true
	}
	var b strings.Builder
	for _, c := range src {
		if c < 0x20 || c == 0x7f {
			b.WriteString(controlEscape(rune(c)))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// decodeEscape reads the escape at the start of s as the lexer does, and
// returns what it stands for and its length (0 when s holds no valid escape).
func decodeEscape(s []byte) (rune, int) {
	if len(s) < 2 {
		return 0, 0
	}
	switch s[1] {
	case 'n':
		return '\n', 2
	case 'r':
		return '\r', 2
	case 't':
		return '\t', 2
	case '"', '\\', '$':
		return rune(s[1]), 2
	case 'u':
	default:
		return 0, 0
	}
	hex, n := s[2:], 0
	switch {
	case len(hex) >= 4 && isHex(hex[:4]):
		hex, n = hex[:4], 6
	case len(hex) >= 3 && hex[0] == '{':
		end := 1
		for end < len(hex) && end <= 7 && hex[end] != '}' {
			end++
		}
		if end == 1 || end > 7 || end >= len(hex) || !isHex(hex[1:end]) {
			return 0, 0
		}
		hex, n = hex[1:end], end+3
	default:
		return 0, 0
	}
	v, _ := strconv.ParseUint(string(hex), 16, 32)
	if !utf8.ValidRune(rune(v)) {
		return utf8.RuneError, n
	}
	return rune(v), n
}

func isHex(s []byte) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// escapeText spells s as the text of a "…" string.
func escapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString(`\$`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(controlEscape(r))
		default:
			b.WriteString(s[i : i+n]) // keeps invalid UTF-8 bytes as they are
		}
		i += n
	}
	return b.String()
}

func controlEscape(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	return fmt.Sprintf(`\u{%x}`, r)
}

// ---- lists, maps, arguments and parameters ----

// group is a bracketed, comma-separated list: list and map literals, call
// arguments and parameter lists.
type group struct {
	open, close       string
	openPos, closePos Pos // the brackets; comments between them belong inside
	oneLine           bool
	items             []Node
	hug               bool // the last item may hug the brackets
}

func nodes[T Node](xs []T) []Node {
	out := make([]Node, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// paramGroup is the parameter list after name, ending before next (the
// body). The grammar keeps no position for the brackets: the list counts as
// one line when its last parameter ends on the name's line.
func paramGroup(name *Ident, params []*Param, next Pos) *group {
	var open Pos
	if name != nil {
		open = name.Sp.End
	}
	closeLine := open.Line
	if len(params) > 0 {
		closeLine = params[len(params)-1].Sp.End.Line
	}
	return &group{open: "(", close: ")", openPos: open, closePos: Pos{Offset: next.Offset, Line: closeLine},
		oneLine: open.Line == closeLine, items: nodes(params)}
}

func (p *printer) group(g *group) {
	p.flushBefore(g.openPos.Offset)
	inner := p.hasComments(g.openPos.Offset, g.closePos.Offset)
	switch {
	case len(g.items) == 0 && !inner, p.flat > 0:
		p.flatGroup(g)
	case g.oneLine && !inner && p.fits(g):
		p.flatGroup(g)
	case g.hug && p.canHug(g):
		p.hugGroup(g)
	default:
		p.brokenGroup(g)
	}
}

func (p *printer) flatGroup(g *group) {
	p.tok(g.openPos, g.open)
	p.flat++
	for i, it := range g.items {
		if p.over {
			break // measuring, and it does not fit
		}
		if i > 0 {
			p.write(0, ",")
			p.sp()
		}
		p.item(it)
	}
	p.flat--
	p.write(0, g.close)
}

// hugGroup prints the items but the last on the line of the open bracket and
// lets the last one break: f(a, {
func (p *printer) hugGroup(g *group) {
	p.tok(g.openPos, g.open)
	last := len(g.items) - 1
	p.flat++
	for _, it := range g.items[:last] {
		p.item(it)
		p.write(0, ",")
		p.sp()
	}
	p.flat--
	p.item(g.items[last])
	p.write(0, g.close)
}

// brokenGroup prints one item per line, each with a trailing comma.
func (p *printer) brokenGroup(g *group) {
	p.tok(g.openPos, g.open)
	outer, base := p.lineIndent, p.base
	indent := outer + indentWidth
	p.lastLine = g.openPos.Line
	limit := func(i int) int {
		if i < len(g.items) {
			return g.items[i].Span().Start.Offset
		}
		return g.closePos.Offset
	}
	p.trailing(g.openPos.Line, limit(0))
	for i, it := range g.items {
		mode := blankKeep
		if i == 0 {
			mode = blankFirst
		}
		p.newline(indent, mode)
		p.base = indent
		p.item(it)
		p.write(0, ",")
		end := it.Span().End
		p.lastLine = end.Line
		p.trailing(end.Line, limit(i+1))
	}
	mode := blankKeep
	if len(g.items) == 0 {
		mode = blankFirst
	}
	p.newline(indent, mode)
	p.flushBefore(g.closePos.Offset)
	p.base = base
	p.newline(outer, blankNever)
	p.write(0, g.close)
}

// fits reports whether g fits on one line from the next column.
func (p *printer) fits(g *group) bool {
	q := p.measurer()
	q.flatGroup(g)
	return !q.over
}

// canHug reports whether the last item of g may hug the brackets: it is a
// multi-line list, map, call, lambda or raw string that starts on the line
// of the open bracket and ends on the line of the close one, no comment
// sits outside it, and what comes before it fits.
func (p *printer) canHug(g *group) bool {
	if len(g.items) == 0 {
		return false
	}
	last := g.items[len(g.items)-1]
	t := hugTarget(last)
	if t == nil {
		return false
	}
	sp := t.Span()
	if sp.Start.Line == sp.End.Line || sp.Start.Line != g.openPos.Line || sp.End.Line != g.closePos.Line ||
		p.hasComments(g.openPos.Offset, sp.Start.Offset) || p.hasComments(sp.End.Offset-1, g.closePos.Offset) {
		return false
	}
	q := p.measurer()
	q.write(0, g.open)
	for _, it := range g.items[:len(g.items)-1] {
		if q.over {
			return false
		}
		q.item(it)
		q.write(0, ",")
		q.sp()
	}
	if a, ok := last.(*Arg); ok && a.Name != nil {
		q.write(0, a.Name.Name+":")
	}
	return !q.over
}

func hugTarget(n Node) Node {
	switch n := n.(type) {
	case *Arg:
		return hugTarget(n.Value)
	case *LambdaExpr:
		if hugTarget(n.Body) != nil {
			return n
		}
	case *MapLit:
		if len(n.Entries) > 0 {
			return n
		}
	case *ListLit:
		if len(n.Elems) > 0 {
			return n
		}
	case *CallExpr:
		if len(n.Args) > 0 {
			return n
		}
	case *StringLit:
		if n.Raw {
			return n
		}
	}
	return nil
}

// measurer returns a printer that measures flat text from p's next column.
func (p *printer) measurer() *printer {
	if p.scratch == nil {
		p.scratch = &printer{src: p.src, measure: true}
	}
	q := p.scratch
	q.col, q.flat, q.over, q.space, q.pending, q.err = p.nextCol(), 1, false, false, false, nil
	return q
}

func (p *printer) item(n Node) {
	switch n := n.(type) {
	case *MapEntry:
		p.entry(n)
	case *Arg:
		if n.Name != nil {
			p.ident(n.Name)
			p.kw(exprStart(n.Value), ":")
			p.sp()
		}
		p.expr(n.Value)
	case *Param:
		p.param(n)
	case Expr:
		p.expr(n)
	default:
		p.fail("unknown list item %T", n)
	}
}

func (p *printer) entry(e *MapEntry) {
	key := e.Key
	if e.Quoted || !isName(key) {
		key = `"` + p.text(e.KeySp.Start.Offset+1, e.KeySp.End.Offset-1, e.Key) + `"`
	}
	p.tok(e.KeySp.Start, key)
	p.kw(exprStart(e.Value), ":")
	p.sp()
	p.expr(e.Value)
}

// isName reports whether s can be written as an unquoted map key.
func isName(s string) bool {
	for i, c := range []byte(s) {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}
