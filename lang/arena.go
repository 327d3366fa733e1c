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
