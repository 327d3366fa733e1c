package repl

import (
	"sort"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// TAB in context: inside a call's parentheses, at the start of an
// argument, the parameters the call can still take by name (`comment: `
// in inquiry.decline(trigger.id, co); inside `with {`, the run options.

// bracket is a bracket still open in a line: its character and offset.
type bracket struct {
	ch  byte
	off int
}

// openBrackets reads line the way the lexer does (strings with escapes and
// ${…}, """ strings, # comments) and returns the brackets still open at
// its end, innermost last. ok is false when the end is inside a string or
// a comment.
func openBrackets(line string) (open []bracket, ok bool) {
	const interp = '$' // a ${ … } inside a string
	inString := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		if inString {
			switch {
			case c == '\\':
				i++
			case c == '"':
				inString = false
			case c == '$' && i+1 < len(line) && line[i+1] == '{':
				open = append(open, bracket{interp, i})
				inString = false
				i++
			}
			continue
		}
		switch c {
		case '#':
			return open, false
		case '"':
			if strings.HasPrefix(line[i:], `"""`) {
				end := strings.Index(line[i+3:], `"""`)
				if end < 0 {
					return open, false
				}
				i += 3 + end + 2
				continue
			}
			inString = true
		case '(', '[', '{':
			open = append(open, bracket{c, i})
		case ')', ']', '}':
			if n := len(open); n > 0 {
				if open[n-1].ch == interp {
					inString = true
				}
				open = open[:n-1]
			}
		}
	}
	return open, !inString
}

// argStart reports whether the word at the end of head starts an argument
// or a map key: the last thing before it is the bracket or a comma.
func argStart(head string) bool {
	t := strings.TrimRight(head, " \t")
	return strings.HasSuffix(t, "(") || strings.HasSuffix(t, "{") || strings.HasSuffix(t, ",")
}

// contextCandidates returns what TAB offers for word at the end of head
// because of the bracket it is in, and whether that replaces the usual
// candidates: run options in `with {`, or the named parameters that match
// in a call.
func (r *REPL) contextCandidates(head, word string) ([]Candidate, bool) {
	if strings.Contains(word, ".") {
		return nil, false
	}
	open, ok := openBrackets(head)
	if !ok || len(open) == 0 || !argStart(head) {
		return nil, false
	}
	b := open[len(open)-1]
	before := strings.TrimRight(head[:b.off], " \t")
	switch b.ch {
	case '{':
		if !strings.HasSuffix(before, "with") || isWordByte(byteBefore(before, len(before)-4)) {
			return nil, false
		}
		var out []Candidate
		for _, name := range sortedOptions() {
			if strings.HasPrefix(name, word) {
				out = append(out, Candidate{Text: name + ": ", Detail: "run option: " + lang.RunOptions[name].String()})
			}
		}
		return out, true
	case '(':
		params := r.calleeParams(before)
		given := givenArgs(head[b.off+1:])
		var out []Candidate
		for i, p := range params {
			if i < given.positional || given.named[p.name] || !strings.HasPrefix(p.name, word) {
				continue
			}
			out = append(out, Candidate{Text: p.name + ": ", Detail: p.label})
		}
		return out, len(out) > 0
	}
	return nil, false
}

func byteBefore(s string, i int) byte {
	if i > 0 && i <= len(s) {
		return s[i-1]
	}
	return ' '
}

func sortedOptions() []string {
	out := make([]string, 0, len(lang.RunOptions))
	for n := range lang.RunOptions {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// param is a parameter a call may name.
type param struct{ name, label string }

// calleeParams returns the parameters of what the text before a ( calls:
// a library function (a module's, or a core one, also as a method, whose
// first parameter is then the value it is called on) or a fn of the
// session.
func (r *REPL) calleeParams(before string) []param {
	i := len(before)
	for i > 0 && (isWordByte(before[i-1]) && before[i-1] != '?') {
		i--
	}
	chain := before[i:]
	if chain == "" {
		return nil
	}
	if d := r.sess.lib.Func(chain); d != nil {
		return libParams(d.Params)
	}
	if dot := strings.LastIndexByte(chain, '.'); dot >= 0 {
		if d := r.sess.lib.Func(chain[dot+1:]); d != nil && d.Module() == "" && !d.NoMethod && len(d.Params) > 0 {
			return libParams(d.Params[1:])
		}
		return nil
	}
	if d, _ := r.sess.Decl(chain); d != nil {
		if fn, ok := d.(*lang.FnDecl); ok {
			out := make([]param, len(fn.Params))
			for i, p := range fn.Params {
				out[i] = param{name: p.Name.Name, label: "parameter of " + chain}
			}
			return out
		}
	}
	return nil
}

func libParams(ps []lang.ParamDecl) []param {
	out := make([]param, 0, len(ps))
	for _, p := range ps {
		if !p.Variadic {
			out = append(out, param{name: p.Name, label: p.Label()})
		}
	}
	return out
}

// callArgs is what the arguments typed so far give: how many positional
// ones come before the current, and the names given.
type callArgs struct {
	positional int
	named      map[string]bool
}

// givenArgs reads the arguments of a call from just after its ( to the
// word being completed.
func givenArgs(args string) callArgs {
	a := callArgs{named: map[string]bool{}}
	depth, start := 0, 0
	finish := func(arg string) {
		if name, _, ok := strings.Cut(arg, ":"); ok && isName(strings.TrimSpace(name)) {
			a.named[strings.TrimSpace(name)] = true
		} else {
			a.positional++
		}
	}
	inString := false
	for i := 0; i < len(args); i++ {
		c := args[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			finish(args[start:i])
			start = i + 1
		}
	}
	return a
}
