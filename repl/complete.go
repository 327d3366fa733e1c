package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Candidate is one completion: the text that replaces the word being
// completed, and what to show beside it in a list (a signature or a type).
type Candidate struct {
	Text   string
	Detail string
}

// Completion is what TAB offers at a place in a line.
type Completion struct {
	// Head and Tail are the text before and after the word being completed.
	Head, Word, Tail string
	Candidates       []Candidate
}

// Complete lists the completions for the word that ends at pos (a rune
// index) in line: commands after ':', file names after :load and :event,
// workflows after :fire; the parameters a call can still take by name at
// the start of an argument (comment: in inquiry.decline(id, co), run
// options in `with {`; elsewhere keywords, session names, declarations,
// library functions and modules, a module's functions after "inquiry.",
// and after a session name and a dot its map keys (trigger.fie → fields)
// or the methods of its value. Nothing is evaluated.
func (r *REPL) Complete(line string, pos int) Completion {
	rs := []rune(line)
	pos = max(0, min(pos, len(rs)))
	before := string(rs[:pos])
	c := Completion{Tail: string(rs[pos:])}
	if trimmed := strings.TrimLeft(before, " \t"); strings.HasPrefix(trimmed, ":") {
		name, arg, spaced := strings.Cut(trimmed[1:], " ")
		if !spaced {
			c.Head, c.Word = before[:len(before)-len(trimmed)], trimmed
			c.Candidates = r.commandCandidates(trimmed)
			return c
		}
		switch canonical(name) {
		case "load", "event":
			arg = strings.TrimLeft(arg, " ")
			c.Head, c.Word = before[:len(before)-len(arg)], arg
			ext := ".wf"
			if name == "event" {
				ext = ".json"
			}
			c.Candidates = fileCandidates(arg, ext)
			return c
		case "fire":
			if !strings.Contains(strings.TrimLeft(arg, " "), " ") {
				arg = strings.TrimLeft(arg, " ")
				c.Head, c.Word = before[:len(before)-len(arg)], arg
				c.Candidates = prefixed(r.sess.Workflows(), arg, "workflow")
				return c
			}
		}
	}
	start := len(before)
	for start > 0 && isWordByte(before[start-1]) {
		start--
	}
	c.Head, c.Word = before[:start], before[start:]
	if _, code := openBrackets(c.Head); !code {
		return c // in a string or a comment
	}
	if cands, only := r.contextCandidates(c.Head, c.Word); only {
		c.Candidates = cands
		return c
	}
	c.Candidates = r.exprCandidates(c.Word)
	return c
}

func isWordByte(b byte) bool {
	return b == '_' || b == '.' || b == '?' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (r *REPL) commandCandidates(word string) []Candidate {
	var out []Candidate
	for _, c := range commands() {
		if strings.HasPrefix(":"+c.name, word) {
			text := ":" + c.name
			if c.args != "" {
				text += " "
			}
			out = append(out, Candidate{Text: text, Detail: c.help})
		}
	}
	return out
}

// exprCandidates completes a name or a dotted path.
func (r *REPL) exprCandidates(word string) []Candidate {
	if word == "" || strings.Contains(word, "..") {
		return nil
	}
	dot := strings.LastIndexByte(word, '.')
	if dot < 0 {
		return r.nameCandidates(word)
	}
	base, part := word[:dot], word[dot+1:]
	lib := r.sess.lib
	if lib.IsModule(base) {
		var out []Candidate
		seen := map[string]bool{}
		for _, d := range lib.Funcs() {
			if !strings.HasPrefix(d.Name, base+"."+part) {
				continue
			}
			rest := d.Name[len(base)+1:]
			if sub, _, nested := strings.Cut(rest, "."); nested {
				if !seen[sub] {
					seen[sub] = true
					out = append(out, Candidate{Text: base + "." + sub + ".", Detail: "module"})
				}
				continue
			}
			out = append(out, Candidate{Text: d.Name + "(", Detail: d.Signature()})
		}
		return out
	}
	v, ok := r.resolvePath(base)
	if !ok {
		return nil
	}
	if m, isMap := v.(*interp.Map); isMap {
		var out []Candidate
		for _, k := range m.Keys() {
			if strings.HasPrefix(k, part) && isName(k) && !lang.IsKeyword(k) {
				kv, _ := m.Get(k)
				out = append(out, Candidate{Text: base + "." + k, Detail: interp.TypeName(kv)})
			}
		}
		return out
	}
	if v == nil {
		return nil
	}
	t := typeOf(v)
	var out []Candidate
	for _, d := range lib.Funcs() {
		if d.Module() == "" && !d.NoMethod && len(d.Params) > 0 && d.Params[0].Type&t != 0 && strings.HasPrefix(d.Name, part) {
			out = append(out, Candidate{Text: base + "." + d.Name + "(", Detail: d.Signature()})
		}
	}
	return out
}

// resolvePath looks up a dotted path of a session name and map keys, such
// as trigger.fields; "?." reads like ".".
func (r *REPL) resolvePath(path string) (interp.Value, bool) {
	parts := strings.Split(path, ".")
	for i := range parts {
		parts[i] = strings.TrimSuffix(parts[i], "?")
	}
	v, ok := r.sess.Value(parts[0])
	if !ok {
		return nil, false
	}
	for _, p := range parts[1:] {
		m, isMap := v.(*interp.Map)
		if !isMap {
			return nil, false
		}
		if v, ok = m.Get(p); !ok {
			return nil, false
		}
	}
	return v, true
}

// nameCandidates completes a plain name.
func (r *REPL) nameCandidates(word string) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	add := func(text, detail string) {
		if strings.HasPrefix(text, word) && !seen[text] {
			seen[text] = true
			out = append(out, Candidate{Text: text, Detail: detail})
		}
	}
	for _, n := range r.sess.Names() {
		v, _ := r.sess.Value(n)
		add(n, interp.TypeName(v))
	}
	for _, n := range r.sess.Globals() {
		if d, _ := r.sess.Decl(n); d != nil {
			text := n
			if _, isConst := d.(*lang.ConstDecl); !isConst {
				text += "("
			}
			add(text, declKind(d))
		}
	}
	kw := lang.Keywords()
	sort.Strings(kw)
	for _, k := range kw {
		add(k, "keyword")
	}
	for _, d := range r.sess.lib.Funcs() {
		if m := d.Module(); m == "" {
			add(d.Name+"(", d.Signature())
		} else if top, _, _ := strings.Cut(m, "."); top != "" {
			add(top+".", "module")
		}
	}
	return out
}

// prefixed turns names with the prefix into candidates.
func prefixed(names []string, prefix, detail string) []Candidate {
	var out []Candidate
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, Candidate{Text: n, Detail: detail})
		}
	}
	return out
}

// maxDirEntries caps how many entries of one folder completion reads.
const maxDirEntries = 1000

// fileCandidates completes a file name: folders, and files ending in ext.
func fileCandidates(word, ext string) []Candidate {
	dir, part := filepath.Split(word)
	read := dir
	if read == "" {
		read = "."
	}
	f, err := os.Open(read)
	if err != nil {
		return nil
	}
	defer f.Close()
	entries, _ := f.ReadDir(maxDirEntries)
	var out []Candidate
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, part) || strings.HasPrefix(name, ".") && !strings.HasPrefix(part, ".") {
			continue
		}
		switch {
		case e.IsDir():
			out = append(out, Candidate{Text: dir + name + "/", Detail: "folder"})
		case strings.HasSuffix(name, ext):
			out = append(out, Candidate{Text: dir + name, Detail: "file"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Text < out[j].Text })
	return out
}

// commonPrefix returns the longest prefix every candidate's text shares.
func commonPrefix(cs []Candidate) string {
	if len(cs) == 0 {
		return ""
	}
	p := cs[0].Text
	for _, c := range cs[1:] {
		for !strings.HasPrefix(c.Text, p) {
			_, size := lastRune(p)
			p = p[:len(p)-size]
		}
	}
	return p
}

func lastRune(s string) (rune, int) {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0, 0
	}
	r := rs[len(rs)-1]
	return r, len(string(r))
}
