package core

import (
	"strings"
	"unicode/utf8"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/internal/textcase"
)

func stringFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("str(x: any) -> string", "Converts any value to text, the way string interpolation does: null is \"null\", lists and maps are JSON.",
			`str(42)  # "42"`, func(th *T, a *Args) (V, error) { return th.Text(a.Value(0)) }),
		strMap(pure("lower(s: string) -> string", "Returns s in lower case.", `lower("Jane")  # "jane"`,
			strFn(strings.ToLower)), textcase.AppendLower),
		strMap(pure("upper(s: string) -> string", "Returns s in upper case.", `upper("us")  # "US"`,
			strFn(strings.ToUpper)), textcase.AppendUpper),
		strMap(pure("trim(s: string) -> string", "Removes leading and trailing white space.", `trim("  a ")  # "a"`,
			strFn(strings.TrimSpace)), func(dst []byte, s string) []byte { return append(dst, strings.TrimSpace(s)...) }),
		pure("split(s: string, sep: string = \",\") -> list", "Splits s at each sep into a list of strings. An empty s gives an empty list.",
			`split("a,b", ",")  # ["a", "b"]`, split),
		pure("join(xs: list, sep: string = \",\") -> string", "Joins the elements of xs, as text, with sep between them.",
			`join(["a", "b"], "-")  # "a-b"`, join),
		pure("replace(s: string, old: string, new: string) -> string", "Replaces every occurrence of old in s with new.",
			`replace("a-b-c", "-", "")  # "abc"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				o, _ := a.String(1)
				n, _ := a.String(2)
				if o == "" {
					return s, nil
				}
				if c := strings.Count(s, o); c > 0 && len(n) > len(o) {
					if err := th.CheckSize(len(s)+c*(len(n)-len(o)), "string"); err != nil {
						return nil, err
					}
				}
				return strings.ReplaceAll(s, o, n), nil
			}),
		pure("contains(s: string, sub: string) -> bool", "Reports whether sub occurs in s (case-sensitive).",
			`contains("jane@example.com", "@")  # true`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				sub, _ := a.String(1)
				return strings.Contains(s, sub), nil
			}),
		pure("starts_with(s: string, prefix: string) -> bool", "Reports whether s begins with prefix.",
			`starts_with("inq_123", "inq_")  # true`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				p, _ := a.String(1)
				return strings.HasPrefix(s, p), nil
			}),
		pure("ends_with(s: string, suffix: string) -> bool", "Reports whether s ends with suffix.",
			`ends_with("a@gmail.com", "@gmail.com")  # true`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				p, _ := a.String(1)
				return strings.HasSuffix(s, p), nil
			}),
		pure("substring(s: string, start: int, end: int?) -> string", "Returns the characters of s from start up to (not including) end; negative positions count from the end.",
			`substring("abcdef", 1, 3)  # "bc"`, substring),
		pure("domain(email: string) -> string|null", "Returns the domain of an email address, in lower case, or null when there is no @.",
			`domain("Jane@Example.com")  # "example.com"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				i := strings.LastIndexByte(s, '@')
				if i < 0 || i == len(s)-1 {
					return nil, nil
				}
				return strings.ToLower(strings.TrimSpace(s[i+1:])), nil
			}),
		pure("username(email: string) -> string|null", "Returns the part of an email address before the @, or null when there is no @.",
			`username("jane@example.com")  # "jane"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				i := strings.LastIndexByte(s, '@')
				if i <= 0 {
					return nil, nil
				}
				return strings.TrimSpace(s[:i]), nil
			}),
		pure("regex_find(s: string, pattern: string) -> string|null", "Returns the first match of the RE2 pattern in s, or null. One search takes time linear in s (see Limits in docs/running.md).",
			`regex_find("id: 12345", "[0-9]+")  # "12345"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				re, err := compile(th, a, 1)
				if err != nil {
					return nil, err
				}
				m, err := th.FindRegex(re, s)
				if m == nil || err != nil {
					return nil, err
				}
				return s[m[0]:m[1]], nil
			}),
		pure("regex_replace(s: string, pattern: string, replacement: string) -> string", "Replaces every match of the RE2 pattern in s; $1 in the replacement stands for the first group. The searches are metered: a pattern that looks far ahead from every match stops at the regex limit (docs/running.md).",
			`regex_replace("+1 (555) 010", "[^0-9]", "")  # "1555010"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				re, err := compile(th, a, 1)
				if err != nil {
					return nil, err
				}
				r, _ := a.String(2)
				return th.ReplaceRegex(re, s, r)
			}),
	}
}

// strMap gives a function of one string its interp.Builtin.AppendString,
// which must append exactly what the function returns.
func strMap(b *interp.Builtin, app func(dst []byte, s string) []byte) *interp.Builtin {
	b.AppendString = app
	return b
}

func strFn(f func(string) string) func(*T, *Args) (V, error) {
	return func(th *T, a *Args) (V, error) {
		s, err := a.String(0)
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func split(th *T, a *Args) (V, error) {
	s, _ := a.String(0)
	sep, _ := a.String(1)
	if s == "" {
		return interp.NewList([]V{}), nil
	}
	if sep == "" {
		return nil, errf(interp.KindValue, "split: sep must not be empty")
	}
	n := strings.Count(s, sep) + 1
	if err := th.CheckSize(n, "list"); err != nil {
		return nil, err
	}
	parts := strings.Split(s, sep)
	out := make([]V, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return interp.NewList(out), nil
}

func join(th *T, a *Args) (V, error) {
	xs, _ := a.List(0)
	sep, _ := a.String(1)
	var b strings.Builder
	for i, x := range xs.Elems {
		if i > 0 {
			b.WriteString(sep)
		}
		text, err := th.Text(x)
		if err != nil {
			return nil, err
		}
		b.WriteString(text)
		if err := th.CheckSize(b.Len(), "string"); err != nil {
			return nil, err
		}
	}
	return b.String(), nil
}

func substring(th *T, a *Args) (V, error) {
	s, _ := a.String(0)
	start, end, err := bounds(a, int64(utf8.RuneCountInString(s)))
	if err != nil || end == start {
		return "", err
	}
	r := []rune(s)
	return string(r[start:end]), nil
}

func compile(th *T, a *Args, i int) (*interp.Regex, error) {
	p, err := a.String(i)
	if err != nil {
		return nil, err
	}
	re, err := th.Regex(p)
	if err != nil {
		return nil, interp.Permanent(err)
	}
	return re, nil
}
