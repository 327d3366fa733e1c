package interp

import (
	"io"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode/utf8"
)

// WF regular expressions use RE2 syntax on Go's regexp, whose one search
// takes time linear in the text: at most about its length times the
// pattern's size. That product is what a search is charged and bounded by.
// Finding every match (regex_replace) may search again from each match,
// and a pattern that looks far ahead before settling for a short match,
// such as (a|b)*c|., would make that quadratic; those searches read the
// text through a meter, and stop when the work reaches the bound.

// MaxRegexPattern is the longest pattern accepted, in bytes.
const MaxRegexPattern = 10_000

// MaxRegexWork bounds the work of one regex call: the characters searched
// times the number of instructions of the compiled pattern. A pattern of
// 20 instructions may search about 3.3 million characters in one call.
const MaxRegexWork = 1 << 26

// regexWorkPerUnit converts regex work into units of the run's budget.
const regexWorkPerUnit = 1 << 12

// Regex is a compiled WF regular expression.
type Regex struct {
	re    *regexp.Regexp
	syn   string // the pattern as the parser understood it, for after
	insts int    // instructions of the compiled program: the cost of one character
	// after searches from a position past the start: the character before
	// the position (read first, so ^, \b and \B see it) and then the
	// pattern, unanchored. Compiled when first needed.
	after struct {
		once sync.Once
		re   *regexp.Regexp
	}
}

// CompileRegex compiles a WF pattern (RE2 syntax).
func CompileRegex(p string) (*Regex, error) {
	if len(p) > MaxRegexPattern {
		return nil, errorf(KindValue, "pattern is too long (%d bytes; the limit is %d)", len(p), MaxRegexPattern)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, errorf(KindValue, "invalid regular expression: %v", err)
	}
	parsed, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return nil, errorf(KindValue, "invalid regular expression: %v", err)
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, errorf(KindValue, "invalid regular expression: %v", err)
	}
	return &Regex{re: re, syn: parsed.String(), insts: max(1, len(prog.Inst))}, nil
}

// Regexp returns the compiled Go expression.
func (r *Regex) Regexp() *regexp.Regexp { return r.re }

// Regex compiles a pattern computed at run time, through the program's
// cache of patterns.
func (th *Thread) Regex(p string) (*Regex, error) { return th.run.prog.regexes.get(p) }

// searchCost charges one search of s and refuses one that could cost more
// than MaxRegexWork.
func (th *Thread) searchCost(r *Regex, s string) error {
	work := int64(len(s)+1) * int64(r.insts)
	if work > MaxRegexWork {
		return errorf(KindLimit, "the text (%s) is too long for this pattern: a search may read at most %s with a pattern of %d instructions",
			byteCount(int64(len(s))), byteCount(MaxRegexWork/int64(r.insts)), r.insts)
	}
	return th.Charge(work / regexWorkPerUnit)
}

// MatchRegex reports whether s contains a match of r.
func (th *Thread) MatchRegex(r *Regex, s string) (bool, error) {
	if err := th.searchCost(r, s); err != nil {
		return false, err
	}
	return r.re.MatchString(s), nil
}

// FindRegex returns the position of the first match of r in s (with its
// groups, as regexp's FindStringSubmatchIndex), or nil.
func (th *Thread) FindRegex(r *Regex, s string) ([]int, error) {
	if err := th.searchCost(r, s); err != nil {
		return nil, err
	}
	return r.re.FindStringSubmatchIndex(s), nil
}

// ReplaceRegex replaces every match of r in s with repl, in which $1 or
// ${name} stand for a group, as regexp's ReplaceAllString does. The result
// is held to the run's string limit as it grows.
func (th *Thread) ReplaceRegex(r *Regex, s, repl string) (string, error) {
	if int64(len(s)+1)*int64(len(s)+1)*int64(r.insts) <= MaxRegexWork {
		// Small enough that even searching to the end from every match
		// stays within the bound.
		if err := th.Charge(int64(len(s)+1) * int64(len(s)+1) * int64(r.insts) / regexWorkPerUnit); err != nil {
			return "", err
		}
		out := r.re.ReplaceAllString(s, repl)
		return out, th.checkSize(len(out), "string")
	}
	return th.replaceMetered(r, s, repl)
}

// replaceMetered is ReplaceRegex searching through a meter.
func (th *Thread) replaceMetered(r *Regex, s, repl string) (string, error) {
	m := &meter{left: MaxRegexWork, insts: int64(r.insts)}
	var b strings.Builder
	last, pos := 0, 0
	for pos <= len(s) {
		loc, err := r.findFrom(s, pos, m)
		if err != nil {
			return "", err
		}
		if loc == nil {
			break
		}
		b.WriteString(s[last:loc[0]])
		// No replacement for an empty match right after the previous
		// match, as in regexp's ReplaceAllString.
		if loc[1] > last || loc[0] == 0 {
			b.Write(r.re.ExpandString(nil, repl, s, loc))
		}
		if err := th.checkSize(b.Len(), "string"); err != nil {
			return "", err
		}
		last = loc[1]
		// Go on after the match, and at least one character further.
		_, width := utf8.DecodeRuneInString(s[pos:])
		switch {
		case pos+width > loc[1]:
			pos += width
		case pos+1 > loc[1]:
			pos++ // at the end of the text, where width is 0
		default:
			pos = loc[1]
		}
	}
	b.WriteString(s[last:])
	if err := th.checkSize(b.Len(), "string"); err != nil {
		return "", err
	}
	return b.String(), th.Charge((MaxRegexWork - m.left) / regexWorkPerUnit)
}

// findFrom finds the first match of r in s at or after pos, as regexp does
// when it searches on from pos (the character before pos is context for
// ^, \b and \B), reading the text through m. The positions are in s, with
// the groups.
func (r *Regex) findFrom(s string, pos int, m *meter) ([]int, error) {
	if pos == 0 {
		loc := r.re.FindReaderSubmatchIndex(m.reader(s))
		return loc, m.err()
	}
	r.after.once.Do(func() {
		r.after.re = regexp.MustCompile(`^(?s:.)(?s:.*?)(` + r.syn + `)`)
	})
	_, w := utf8.DecodeLastRuneInString(s[:pos])
	start := pos - w
	loc := r.after.re.FindReaderSubmatchIndex(m.reader(s[start:]))
	if err := m.err(); err != nil || loc == nil {
		return nil, err
	}
	out := loc[2:] // group 1 is the pattern's whole match
	for i, x := range out {
		if x >= 0 {
			out[i] = x + start
		}
	}
	return out, nil
}

// meter counts the work of searches that read text through it, and ends
// the text early (so the search ends) once the work is spent.
type meter struct {
	left  int64
	insts int64
}

func (m *meter) reader(s string) *meteredReader { return &meteredReader{s: s, m: m} }

func (m *meter) err() error {
	if m.left < 0 {
		return errorf(KindLimit, "the pattern searched more than its limit (about %s of text for a pattern of %d instructions): it looks far ahead from every match",
			byteCount(MaxRegexWork/m.insts), m.insts)
	}
	return nil
}

type meteredReader struct {
	s string
	i int
	m *meter
}

// ReadRune reads like strings.Reader (an invalid byte is U+FFFD, one
// byte long) until the work is spent.
func (r *meteredReader) ReadRune() (rune, int, error) {
	if r.i >= len(r.s) || r.m.left < 0 {
		return 0, 0, io.EOF
	}
	c, n := utf8.DecodeRuneInString(r.s[r.i:])
	r.i += n
	r.m.left -= r.m.insts
	return c, n, nil
}
