package persona

import (
	"strings"
)

const (
	// maxLinkDepth is how many relationship hops Normalize resolves from
	// included objects; deeper links stay {id, type} references.
	maxLinkDepth = 4
	// maxLinked caps how many included objects one Normalize call expands,
	// so a densely linked included array cannot blow up the result.
	maxLinked = 1000
	// maxValueDepth bounds recursion into attribute values.
	maxValueDepth = MaxDepth + 8
)

// ref names a JSON:API resource.
type ref struct{ typ, id string }

// normalizer holds the state of one Normalize call.
type normalizer struct {
	included map[ref]map[string]any
	budget   int
}

// Normalize turns a JSON:API resource into WF's object shape: `id` and
// `type` are kept, `attributes` are lifted onto the object, every key is
// converted to snake_case (from kebab or camel case), typed values under
// `fields` ({"type": "date", "value": "1994-12-30"}, hashes and arrays of
// typed values) are unwrapped to plain values, and each relationship becomes
// a key holding the normalized included object when included holds it, its
// {id, type} reference otherwise, a list for to-many relationships, or nil.
// A relationship does not replace a non-null attribute of the same name.
// Cycles between included objects and links deeper than a few hops end in
// {id, type} references. A resource with neither `attributes` nor
// `relationships` is taken as already flat: its keys are the attributes, so
// Normalize is idempotent on its own output.
func Normalize(resource map[string]any, included []any) map[string]any {
	n := &normalizer{included: indexIncluded(included), budget: maxLinked}
	root := resourceRef(resource)
	return n.resource(resource, 0, []ref{root})
}

// indexIncluded maps each well-formed included resource by type and id.
func indexIncluded(included []any) map[ref]map[string]any {
	idx := make(map[ref]map[string]any, len(included))
	for _, v := range included {
		res, ok := v.(map[string]any)
		if !ok {
			continue
		}
		if r := resourceRef(res); r.id != "" && r.typ != "" {
			idx[r] = res
		}
	}
	return idx
}

// resourceRef is the type and id of res, empty when absent.
func resourceRef(res map[string]any) ref {
	typ, _ := res["type"].(string)
	id, _ := res["id"].(string)
	return ref{typ: typ, id: id}
}

// resource normalizes one resource at the given link depth; path holds the
// resources being expanded, to stop cycles.
func (n *normalizer) resource(res map[string]any, depth int, path []ref) map[string]any {
	attrs, _ := res["attributes"].(map[string]any)
	rels, _ := res["relationships"].(map[string]any)
	_, hasAttrs := res["attributes"]
	_, hasRels := res["relationships"]
	if !hasAttrs && !hasRels {
		attrs = withoutKeys(res, "id", "type")
	}
	out := make(map[string]any, len(attrs)+len(rels)+2)
	for k, v := range snakeKeys(attrs, 0).(map[string]any) {
		if k == "fields" {
			v = unwrapTyped(v, 0)
		}
		out[k] = v
	}
	for _, k := range []string{"id", "type"} {
		if v, ok := res[k]; ok {
			out[k] = v
		}
	}
	for name, rel := range rels {
		key := snakeCase(name)
		if cur, ok := out[key]; ok && cur != nil {
			continue
		}
		if data, ok := relData(rel); ok {
			out[key] = n.link(data, depth, path)
		}
	}
	return out
}

// withoutKeys is a shallow copy of m without the given keys.
func withoutKeys(m map[string]any, drop ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// relData is the `data` member of a relationship object, if it has one.
func relData(rel any) (any, bool) {
	m, ok := rel.(map[string]any)
	if !ok {
		return nil, false
	}
	data, ok := m["data"]
	return data, ok
}

// link resolves a relationship's data: nil, one resource identifier or a
// list of them.
func (n *normalizer) link(data any, depth int, path []ref) any {
	switch d := data.(type) {
	case map[string]any:
		return n.linked(d, depth, path)
	case []any:
		out := make([]any, 0, len(d))
		for _, e := range d {
			if m, ok := e.(map[string]any); ok {
				out = append(out, n.linked(m, depth, path))
			}
		}
		return out
	default:
		return nil
	}
}

// linked is the normalized included object a resource identifier points to,
// or its {id, type} reference when it is not included, already on the path,
// too deep or over budget.
func (n *normalizer) linked(ident map[string]any, depth int, path []ref) map[string]any {
	r := resourceRef(ident)
	stub := map[string]any{"id": ident["id"], "type": ident["type"]}
	inc, ok := n.included[r]
	if !ok || depth+1 > maxLinkDepth || n.budget <= 0 || onPath(path, r) {
		return stub
	}
	n.budget--
	return n.resource(inc, depth+1, append(path[:len(path):len(path)], r))
}

// onPath reports whether r is among the resources being expanded.
func onPath(path []ref, r ref) bool {
	for _, p := range path {
		if p == r {
			return true
		}
	}
	return false
}

// snakeKeys copies v with every map key, recursively, in snake_case. When
// two keys convert to the same name, the one already in snake_case wins,
// then the lexically smaller one, so the result is deterministic.
func snakeKeys(v any, depth int) any {
	if depth > maxValueDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		from := make(map[string]string, len(t))
		for k, e := range t {
			s := snakeCase(k)
			if prev, ok := from[s]; ok && !preferKey(k, prev, s) {
				continue
			}
			from[s] = k
			out[s] = snakeKeys(e, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = snakeKeys(e, depth+1)
		}
		return out
	default:
		return v
	}
}

// preferKey reports whether key k should win over prev, both converting to s.
func preferKey(k, prev, s string) bool {
	if (k == s) != (prev == s) {
		return k == s
	}
	return k < prev
}

// unwrapTyped replaces Persona typed values ({"type": "...", "value": ...},
// exactly those two keys with a string type, or the type alone) by their
// plain values, recursively through hashes and arrays.
func unwrapTyped(v any, depth int) any {
	if depth > maxValueDepth {
		return nil
	}
	switch t := v.(type) {
	case map[string]any:
		if val, ok := typedValue(t); ok {
			return unwrapTyped(val, depth+1)
		}
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = unwrapTyped(e, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = unwrapTyped(e, depth+1)
		}
		return out
	default:
		return v
	}
}

// typedValue is the value of a typed-value wrapper. A wrapper without its
// value ({"type": "string"}) holds null, as {"type": "string", "value":
// null} does.
func typedValue(m map[string]any) (any, bool) {
	if _, ok := m["type"].(string); !ok {
		return nil, false
	}
	switch len(m) {
	case 1:
		return nil, true
	case 2:
		val, ok := m["value"]
		return val, ok
	}
	return nil, false
}

// snakeCase converts a kebab-case or camelCase key to snake_case:
// "created-at", "createdAt" and "created_at" all give "created_at";
// "IPAddress" gives "ip_address" and "addressStreet1" gives
// "address_street_1" (like kebab "address-street-1").
func snakeCase(s string) string {
	camel := strings.IndexFunc(s, isUpper) >= 0
	if !camel && !strings.ContainsAny(s, "- ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, r := range rs {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
		case isUpper(r):
			if wordBreak(rs, i) {
				b.WriteByte('_')
			}
			b.WriteRune(r + ('a' - 'A'))
		case camel && isDigit(r) && i > 0 && isLetter(rs[i-1]):
			b.WriteByte('_')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wordBreak reports whether the upper-case rune at i starts a new word.
func wordBreak(rs []rune, i int) bool {
	if i == 0 {
		return false
	}
	prev := rs[i-1]
	if isLower(prev) || isDigit(prev) {
		return true
	}
	return isUpper(prev) && i+1 < len(rs) && isLower(rs[i+1])
}

func isUpper(r rune) bool  { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool  { return r >= 'a' && r <= 'z' }
func isDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isLetter(r rune) bool { return isUpper(r) || isLower(r) }
