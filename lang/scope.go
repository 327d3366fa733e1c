package lang

// SymbolKind says what a name refers to.
type SymbolKind uint8

// The kinds of symbol.
const (
	SymLocal   SymbolKind = iota // let, parameter, loop variable, catch variable, trigger, event
	SymConst                     // top-level const
	SymFn                        // top-level fn
	SymJsFn                      // top-level js fn
	SymBuiltin                   // a core library function
	SymModule                    // a library module such as inquiry
)

var symKindNames = [...]string{"local", "const", "fn", "js fn", "builtin", "module"}

// String names the kind.
func (k SymbolKind) String() string { return symKindNames[k] }

// Symbol is what a name is bound to.
type Symbol struct {
	Name string
	Kind SymbolKind
	// Ident is where the name is bound, nil for library names and for the
	// implicit trigger and event.
	Ident *Ident
	// Node is the binding construct: *LetStmt, *Param, *ForStmt, *TryStmt,
	// *LambdaExpr, *WaitEventExpr, *ConstDecl, *FnDecl, *JsFnDecl, or the
	// *WorkflowDecl for implicit names.
	Node Node
	// Func is the declaration of a SymBuiltin.
	Func *FuncDecl
	// Frame and Slot locate a SymLocal: the slot in its frame.
	Frame *Frame
	Slot  int
	// Index is a SymConst's, SymFn's or SymJsFn's position in the Program's
	// Consts, Fns or JsFns.
	Index int
	// Type is the static type, TAny when unknown.
	Type Type
	// Implicit marks names a workflow's triggers bind (trigger, event,
	// parameters).
	Implicit bool
	used     bool
}

// Frame is the set of slots of one activation: a workflow run, a fn call, a
// lambda call, one iteration of a parallel for, or a wait-event filter.
// Parent is the enclosing frame whose slots the code may also read (nil for
// workflows and fns).
type Frame struct {
	Owner  Node
	Parent *Frame
	Slots  []*Symbol
}

func (f *Frame) add(sym *Symbol) {
	sym.Frame = f
	sym.Slot = len(f.Slots)
	f.Slots = append(f.Slots, sym)
}

// Ref is a use of a name: the symbol, and for a local how many frames up
// from the use its frame is.
type Ref struct {
	Sym  *Symbol
	Hops int
}

// CalleeKind says how a call is dispatched.
type CalleeKind uint8

// The kinds of callee.
const (
	CallDynamic CalleeKind = iota // a function value (lambda, builtin held in a variable)
	CallBuiltin                   // a library function called by name: lower(x), inquiry.decline(id)
	CallMethod                    // a core function called as a method: x.lower()
	CallFn                        // a top-level fn
	CallJsFn                      // a top-level js fn
)

// Callee is what a call resolves to.
type Callee struct {
	Kind CalleeKind
	Func *FuncDecl // CallBuiltin, CallMethod
	Sym  *Symbol   // CallFn, CallJsFn
	Fn   *FnDecl   // CallFn
	JsFn *JsFnDecl // CallJsFn
}

// Info records what the checker learned: every name use and definition,
// every frame and every call's callee. The interpreter compiles from it;
// the language server answers definition, references and hover from it.
type Info struct {
	Refs   map[*Ident]Ref
	Defs   map[*Ident]*Symbol
	Frames map[Node]*Frame
	Calls  map[*CallExpr]*Callee
	// Workflows holds per-workflow facts: its frame and its implicit names.
	Workflows map[*WorkflowDecl]*WorkflowInfo
	// Tests holds what the checker learned about each test declaration.
	Tests map[*TestDecl]*TestInfo
}

// WorkflowInfo is what the checker learned about one workflow.
type WorkflowInfo struct {
	Frame   *Frame
	Trigger *Symbol
	Event   *Symbol
	Params  []*TriggerParam
	// Shapes are the shapes of the objects the workflow's events deliver
	// as trigger (with the program's declared custom fields), or nil when
	// the event catalogue does not describe them all.
	Shapes []*Shape
}

// TriggerParam is a parameter bound by an on api/workflow/manual clause.
type TriggerParam struct {
	Param *Param
	Type  Type
	Sym   *Symbol
}

// scope is a block of names inside a frame.
type scope struct {
	parent *scope
	frame  *Frame
	names  map[string]*Symbol
	// branch marks a parallel branch (or a parallel for body): names from
	// outside it cannot be assigned, because branches run at once.
	branch bool
}

// set binds name in the scope (whose map is made on the first binding:
// most blocks bind nothing).
func (s *scope) set(name string, sym *Symbol) {
	if s.names == nil {
		s.names = make(map[string]*Symbol, 4)
	}
	s.names[name] = sym
}

func (s *scope) lookup(name string) (*Symbol, *scope) {
	for sc := s; sc != nil; sc = sc.parent {
		if sym, ok := sc.names[name]; ok {
			return sym, sc
		}
	}
	return nil, nil
}
