package lang

// Inspect walks the tree rooted at n in source order, calling f for each
// node. When f returns false the node's children are skipped. It keeps its
// own stack, so a tree as deep as a long chain of a + b + … is walked in
// linear time and without a deep call stack.
func Inspect(n Node, f func(Node) bool) {
	if n == nil {
		return
	}
	stack := []Node{n}
	var kids []Node
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !f(n) {
			continue
		}
		kids = kids[:0]
		eachChild(n, func(c Node) { kids = append(kids, c) })
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}

// eachChild calls f for each direct child of n, in source order.
func eachChild(n Node, f func(Node)) {
	expr := func(e Expr) {
		if e != nil {
			f(e)
		}
	}
	block := func(b *Block) {
		if b != nil {
			f(b)
		}
	}
	switch n := n.(type) {
	case *File:
		for _, d := range n.Decls {
			f(d)
		}
	case *WorkflowDecl:
		f(n.Name)
		for _, t := range n.Triggers {
			f(t)
		}
		for _, s := range n.Body {
			f(s)
		}
	case *ConstDecl:
		f(n.Name)
		expr(n.Value)
	case *FnDecl:
		f(n.Name)
		for _, p := range n.Params {
			f(p)
		}
		block(n.Body)
	case *JsFnDecl:
		f(n.Name)
		for _, p := range n.Params {
			f(p)
		}
	case *FieldsDecl:
		f(n.Object)
		for _, fd := range n.Fields {
			f(fd)
		}
	case *FieldDecl:
		f(n.Name)
		if n.Type != nil {
			f(n.Type)
		}
	case *TestDecl:
		if n.Name != nil {
			f(n.Name)
		}
		for _, c := range n.Clauses {
			f(c)
		}
	case *TestClause:
		if n.Name != nil {
			f(n.Name)
		}
		if n.Str != nil {
			f(n.Str)
		}
		if n.Step != nil {
			expr(n.Step.X)
		}
		expr(n.Value)
		expr(n.After)
		expr(n.When)
	case *Param:
		f(n.Name)
		if n.Type != nil {
			f(n.Type)
		}
		expr(n.Default)
	case *EventTrigger:
		f(n.Pattern)
		expr(n.Where)
	case *ParamTrigger:
		for _, p := range n.Params {
			f(p)
		}
	case *ScheduleTrigger:
		f(n.Cron)
		if n.TZ != nil {
			f(n.TZ)
		}
	case *EveryTrigger:
		f(n.Every)
	case *Block:
		for _, s := range n.Stmts {
			f(s)
		}
	case *LetStmt:
		f(n.Name)
		expr(n.Value)
	case *AssignStmt:
		expr(n.Target)
		expr(n.Value)
	case *ExprStmt:
		expr(n.X)
	case *WhenStmt:
		for _, b := range n.Branches {
			f(b)
		}
		block(n.Else)
	case *WhenBranch:
		expr(n.Cond)
		block(n.Body)
	case *ParallelStmt:
		block(n.Body)
	case *ForStmt:
		if n.Key != nil {
			f(n.Key)
		}
		f(n.Value)
		expr(n.Iter)
		expr(n.Limit)
		block(n.Body)
	case *TryStmt:
		block(n.Body)
		if n.Err != nil {
			f(n.Err)
		}
		block(n.Catch)
	case *OutputStmt:
		f(n.Value)
	case *FailStmt:
		expr(n.Reason)
	case *LogStmt:
		expr(n.Message)
	case *EmitStmt:
		expr(n.Name)
		if n.Payload != nil {
			f(n.Payload)
		}
	case *ReturnStmt:
		expr(n.Value)
	case *BlockStmt:
		block(n.Block)
	case *StringLit:
		for _, p := range n.Parts {
			expr(p.Expr)
		}
	case *ListLit:
		for _, e := range n.Elems {
			expr(e)
		}
	case *MapLit:
		for _, e := range n.Entries {
			f(e)
		}
	case *MapEntry:
		expr(n.Value)
	case *UnaryExpr:
		expr(n.X)
	case *BinaryExpr:
		expr(n.X)
		expr(n.Y)
	case *SelectorExpr:
		expr(n.X)
		f(n.Name)
	case *IndexExpr:
		expr(n.X)
		expr(n.Index)
	case *CallExpr:
		expr(n.Fn)
		for _, a := range n.Args {
			f(a)
		}
	case *Arg:
		if n.Name != nil {
			f(n.Name)
		}
		expr(n.Value)
	case *LambdaExpr:
		for _, p := range n.Params {
			f(p)
		}
		expr(n.Body)
	case *ParenExpr:
		expr(n.X)
	case *RunExpr:
		if n.Call != nil {
			f(n.Call)
		}
		if n.With != nil {
			f(n.With)
		}
	case *WaitExpr:
		expr(n.Duration)
	case *WaitEventExpr:
		f(n.Name)
		expr(n.Where)
		expr(n.Timeout)
	case *BadExpr:
		expr(n.X)
	}
}
