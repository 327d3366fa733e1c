package lang

// arena hands out the most common AST nodes from slabs, so a parse makes
// a few large allocations instead of one per node. A slab lives as long as
// any node in it, which for a syntax tree is the tree's life.
type arena struct {
	idents    slab[Ident]
	binaries  slab[BinaryExpr]
	selectors slab[SelectorExpr]
	calls     slab[CallExpr]
	args      slab[Arg]
	ints      slab[IntLit]
	strings   slab[StringLit]
}

func (a *arena) newIdent() *Ident           { return a.idents.next() }
func (a *arena) newBinary() *BinaryExpr     { return a.binaries.next() }
func (a *arena) newSelector() *SelectorExpr { return a.selectors.next() }
func (a *arena) newCall() *CallExpr         { return a.calls.next() }
func (a *arena) newArg() *Arg               { return a.args.next() }
func (a *arena) newInt() *IntLit            { return a.ints.next() }
func (a *arena) newString() *StringLit      { return a.strings.next() }

// slab allocates values of one type in growing blocks (8, 16, … up to 256).
type slab[T any] struct {
	buf  []T
	size int
}

func (s *slab[T]) next() *T {
	if len(s.buf) == 0 {
		s.size = min(max(s.size*2, 8), 256)
		s.buf = make([]T, s.size)
	}
	p := &s.buf[0]
	s.buf = s.buf[1:]
	return p
}

// stack is scratch space for the lists a parse builds: a list's items are
// pushed as they parse and taken out as one slice of the right size when
// the list ends, instead of each list growing a slice of its own. Lists
// nest, so a list's items are those above the mark taken when it began.
type stack[T any] struct{ buf []T }

func (s *stack[T]) push(x T) { s.buf = append(s.buf, x) }

// mark returns where a list beginning now starts.
func (s *stack[T]) mark() int { return len(s.buf) }

// take returns the items above mark (nil when there are none) and drops
// them from the stack.
func (s *stack[T]) take(mark int) []T {
	if len(s.buf) == mark {
		return nil
	}
	out := make([]T, len(s.buf)-mark)
	copy(out, s.buf[mark:])
	s.truncate(mark)
	return out
}

// truncate drops the items above mark, as when a list is abandoned after
// a syntax error.
func (s *stack[T]) truncate(mark int) {
	clear(s.buf[mark:])
	s.buf = s.buf[:mark]
}

// lists holds the parser's stacks.
type lists struct {
	stmts   stack[Stmt]
	exprs   stack[Expr]
	args    stack[*Arg]
	entries stack[*MapEntry]
	params  stack[*Param]
	parts   stack[StringPart]
}

// listMarks is the height of every stack, to go back to after a syntax
// error.
type listMarks [6]int

func (l *lists) marks() listMarks {
	return listMarks{l.stmts.mark(), l.exprs.mark(), l.args.mark(), l.entries.mark(), l.params.mark(), l.parts.mark()}
}

func (l *lists) truncate(m listMarks) {
	l.stmts.truncate(m[0])
	l.exprs.truncate(m[1])
	l.args.truncate(m[2])
	l.entries.truncate(m[3])
	l.params.truncate(m[4])
	l.parts.truncate(m[5])
}
