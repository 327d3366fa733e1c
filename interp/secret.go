package interp

import (
	"sort"
	"strings"
)

// Secret is a string that came from secret(name), or was computed from
// one. Secrecy belongs to the value: a string computed from a secret (by
// +, interpolation, an index, a loop over its characters, or any library
// function given a secret) is a secret too, and so is every string in a
// list or map a library function computes from one.
//
// A secret reads as a string in WF: it compares, orders, matches and is
// passed like one, and type() says "string". What WF records never holds
// its text: JSON for the store (MarshalJSON), ToString, ToGo, log lines and
// error messages write its marker, "[secret NAME]". Only a step's action
// gets the text (the interpreter hands actions revealed arguments), so the
// effect is made with the real value while its record shows the marker.
//
// A string joined from plain text and secrets (by + or interpolation)
// keeps its plain parts readable: "Bearer ${token}" is recorded as
// "Bearer [secret TOKEN]".
type Secret struct {
	text  string
	names string // the secrets it was computed from, comma-separated
	// plain holds the [start, end) ranges of text that are not secret, in
	// order, as pairs; nil when all of it is.
	plain []int
}

// NewSecret returns the secret named name whose text is text.
func NewSecret(name, text string) *Secret { return &Secret{text: text, names: name} }

// Text returns the secret's text. Only what performs an effect should read
// it.
func (s *Secret) Text() string { return s.text }

// Names returns the names of the secrets it was computed from, joined by
// commas.
func (s *Secret) Names() string { return s.names }

// String returns what stands for the secret in records: its plain parts,
// and the marker "[secret NAME]" in place of each secret part.
func (s *Secret) String() string {
	marker := "[secret " + s.names + "]"
	if s.names == "" {
		marker = "[secret]"
	}
	if len(s.plain) == 0 {
		return marker
	}
	var b strings.Builder
	at := 0
	for i := 0; i < len(s.plain); i += 2 {
		if s.plain[i] > at {
			b.WriteString(marker)
		}
		b.WriteString(s.text[s.plain[i]:s.plain[i+1]])
		at = s.plain[i+1]
	}
	if at < len(s.text) {
		b.WriteString(marker)
	}
	return b.String()
}

// joiner builds a string from plain and secret parts (+, interpolation).
type joiner struct {
	b     strings.Builder
	plain []int
	names string
}

// addPlain adds text that is not secret.
func (j *joiner) addPlain(s string) {
	if s == "" {
		return
	}
	at := j.b.Len()
	j.b.WriteString(s)
	if n := len(j.plain); n > 0 && j.plain[n-1] == at {
		j.plain[n-1] = j.b.Len() // extends the plain part before
		return
	}
	j.plain = append(j.plain, at, j.b.Len())
}

// addSecret adds a secret, keeping its plain parts plain.
func (j *joiner) addSecret(s *Secret) {
	j.names = joinNames(j.names, s.names)
	at := j.b.Len()
	j.b.WriteString(s.text)
	for i := 0; i < len(s.plain); i += 2 {
		start, end := at+s.plain[i], at+s.plain[i+1]
		if n := len(j.plain); n > 0 && j.plain[n-1] == start {
			j.plain[n-1] = end
			continue
		}
		j.plain = append(j.plain, start, end)
	}
}

// addText adds text computed from a value holding the secrets names.
func (j *joiner) addText(s, names string) {
	j.names = joinNames(j.names, names)
	j.b.WriteString(s)
}

// add adds the text of v, interpolated: a secret's parts as they are, a
// list or map holding a secret as its text, anything else as plain text.
func (j *joiner) add(th *Thread, v Value) error {
	if s, ok := v.(*Secret); ok {
		j.addSecret(s)
		return nil
	}
	if names := secretNames(v, ""); names != "" {
		text, err := th.revealedText(v)
		j.addText(text, names)
		return err
	}
	text, err := th.Text(v)
	j.addPlain(text)
	return err
}

// len returns the length of the string built so far (0 for nil).
func (j *joiner) len() int {
	if j == nil {
		return 0
	}
	return j.b.Len()
}

// value returns the string built: a secret when a secret went into it.
func (j *joiner) value() Value {
	if j.names == "" {
		return j.b.String()
	}
	return &Secret{text: j.b.String(), names: j.names, plain: j.plain}
}

// joinNames merges two comma-separated name lists.
func joinNames(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	}
	out := a
	for _, n := range strings.Split(b, ",") {
		if !hasName(out, n) {
			out += "," + n
		}
	}
	return out
}

func hasName(list, name string) bool {
	for _, n := range strings.Split(list, ",") {
		if n == name {
			return true
		}
	}
	return false
}

// stringOf returns the text of a string or a secret.
func stringOf(v Value) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case *Secret:
		return s.text, true
	}
	return "", false
}

// HoldsSecret reports whether v is a secret or a list or map holding one
// (at any depth). A list or map nested too deeply to measure counts as
// holding one.
func HoldsSecret(v Value) bool {
	switch x := v.(type) {
	case *Secret:
		return true
	case *List, *Map:
		_, depth, secret := measureAll(x)
		return secret || depth > MaxValueDepth
	}
	return false
}

// secretNames returns the names of the secrets v holds, or "".
func secretNames(v Value, names string) string {
	switch x := v.(type) {
	case *Secret:
		return joinNames(names, x.names)
	case *List:
		if HoldsSecret(x) {
			for _, e := range x.Elems {
				names = secretNames(e, names)
			}
		}
	case *Map:
		if HoldsSecret(x) {
			for _, e := range x.vals {
				names = secretNames(e, names)
			}
		}
	}
	return names
}

// Reveal returns v with every secret in it replaced by its text (a copy of
// the lists and maps that hold one; v itself when it holds none), for the
// action of a step. texts, when not nil, collects the texts revealed, so an
// error from the action can be scrubbed of them.
func Reveal(v Value, texts *[]string) Value {
	switch x := v.(type) {
	case *Secret:
		if texts != nil {
			*texts = append(*texts, x.text)
		}
		return x.text
	case *List:
		if !HoldsSecret(x) {
			return x
		}
		out := make([]Value, len(x.Elems))
		for i, e := range x.Elems {
			out[i] = Reveal(e, texts)
		}
		return NewList(out)
	case *Map:
		if !HoldsSecret(x) {
			return x
		}
		out := NewMap(x.Len())
		for i, k := range x.keys {
			out.Set(k, Reveal(x.vals[i], texts))
		}
		return out
	}
	return v
}

// taint makes every string in v a secret of names: the result of a
// function given a secret.
func taint(v Value, names string) Value {
	switch x := v.(type) {
	case string:
		return &Secret{text: x, names: names}
	case *Secret:
		return &Secret{text: x.text, names: joinNames(x.names, names)}
	case *List:
		out := make([]Value, len(x.Elems))
		for i, e := range x.Elems {
			out[i] = taint(e, names)
		}
		return NewList(out)
	case *Map:
		out := NewMap(x.Len())
		for i, k := range x.keys {
			out.Set(k, taint(x.vals[i], names))
		}
		return out
	}
	return v
}

// scrub removes the texts of secrets from an error's message.
func scrub(err error, texts []string) error {
	if len(texts) == 0 {
		return err
	}
	re, ok := AsError(err)
	if !ok {
		re = &Error{Kind: KindValue, Msg: err.Error(), Cause: err}
	}
	for _, t := range texts {
		if t != "" && strings.Contains(re.Msg, t) {
			re.Msg = strings.ReplaceAll(re.Msg, t, "[redacted]")
			re.Cause = nil // its text may hold the secret too
		}
	}
	return re
}

// NewSecret returns the secret named name, whose text is text, for
// secret(name).
func (th *Thread) NewSecret(name, text string) *Secret {
	th.addSecret(text, name)
	th.run.secretsSeen.Store(true)
	return NewSecret(name, text)
}

// AddSecret registers a text that must never appear in a record or a log.
func (th *Thread) AddSecret(s string) { th.addSecret(s, "") }

// addSecret registers the text of a secret: text the run records (log
// lines, errors, step results) is scrubbed of it, as a second line of
// defence behind Secret values, and a string a step returns holding it is
// a secret.
func (th *Thread) addSecret(text, names string) {
	if len(text) < 4 {
		return // too short to find in text without mangling ordinary words
	}
	th.run.mu.Lock()
	defer th.run.mu.Unlock()
	for i, x := range th.run.secrets {
		if x == text {
			th.run.secretNames[i] = joinNames(th.run.secretNames[i], names)
			return
		}
	}
	th.run.secrets = append(th.run.secrets, text)
	th.run.secretNames = append(th.run.secretNames, names)
	th.run.secretsSeen.Store(true)
}

// addSecretsOf registers the texts of the secrets v holds.
func (th *Thread) addSecretsOf(v Value) {
	switch x := v.(type) {
	case *Secret:
		th.run.secretsSeen.Store(true)
		at := 0 // the secret parts, between the plain ones
		for i := 0; i < len(x.plain); i += 2 {
			th.addSecret(x.text[at:x.plain[i]], x.names)
			at = x.plain[i+1]
		}
		th.addSecret(x.text[at:], x.names)
	case *List:
		if HoldsSecret(x) {
			for _, e := range x.Elems {
				th.addSecretsOf(e)
			}
		}
	case *Map:
		if HoldsSecret(x) {
			for _, e := range x.vals {
				th.addSecretsOf(e)
			}
		}
	}
}

// Redact replaces the text of every secret of the run in s with
// "[redacted]".
func (th *Thread) Redact(s string) string {
	th.run.mu.Lock()
	secrets := th.run.secrets
	th.run.mu.Unlock()
	return Redact(secrets, s)
}

// Redact replaces every secret in s with "[redacted]". Secrets shorter
// than four bytes are left alone: replacing them would mangle ordinary text.
func Redact(secrets []string, s string) string {
	for _, x := range secrets {
		if len(x) >= 4 && strings.Contains(s, x) {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	return s
}

// taintKnown makes every string in v that holds the text of one of the
// run's secrets a secret, its other parts plain: what a step returns may
// echo a secret it was sent, and must not leave the run as plain text.
func (th *Thread) taintKnown(v Value) Value {
	th.run.mu.Lock()
	texts, names := th.run.secrets, th.run.secretNames
	th.run.mu.Unlock()
	if len(texts) == 0 {
		return v
	}
	return taintTexts(v, texts, names)
}

func taintTexts(v Value, texts, names []string) Value {
	out, _ := taintTextsIn(v, texts, names)
	return out
}

// taintTextsIn is taintTexts, which also says whether v changed.
func taintTextsIn(v Value, texts, names []string) (Value, bool) {
	switch x := v.(type) {
	case string:
		t := secretParts(x, texts, names)
		_, changed := t.(*Secret)
		return t, changed
	case *List:
		var out []Value
		for i, e := range x.Elems {
			t, changed := taintTextsIn(e, texts, names)
			if changed && out == nil {
				out = append(make([]Value, 0, len(x.Elems)), x.Elems[:i]...)
			}
			if out != nil {
				out = append(out, t)
			}
		}
		if out == nil {
			return x, false
		}
		return NewList(out), true
	case *Map:
		var out *Map
		for i, k := range x.keys {
			t, changed := taintTextsIn(x.vals[i], texts, names)
			if changed && out == nil {
				out = NewMap(x.Len())
				for j := 0; j < i; j++ {
					out.Set(x.keys[j], x.vals[j])
				}
			}
			if out != nil {
				out.Set(k, t)
			}
		}
		if out == nil {
			return x, false
		}
		return out, true
	}
	return v, false
}

// secretParts returns s as a secret when it holds one of texts, with the
// parts outside them plain; s itself when it holds none.
func secretParts(s string, texts, names []string) Value {
	var spans [][2]int
	var found string
	for i, t := range texts {
		if len(t) < 4 {
			continue
		}
		for off := 0; ; {
			j := strings.Index(s[off:], t)
			if j < 0 {
				break
			}
			spans = append(spans, [2]int{off + j, off + j + len(t)})
			found = joinNames(found, names[i])
			off += j + len(t)
		}
	}
	if spans == nil {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	var plain []int
	at := 0
	for _, sp := range spans {
		if sp[0] > at {
			plain = append(plain, at, sp[0])
		}
		at = max(at, sp[1])
	}
	if at < len(s) {
		plain = append(plain, at, len(s))
	}
	return &Secret{text: s, names: found, plain: plain}
}
