package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// Rule names a benchmark rule.
type Rule string

// The rules. R1 is a minor on a blocked address, with the blocked
// addresses as a List (an indexed set: a WF List, a map or set in the
// peers), as a plain list value that is the same on every evaluation
// (R1-value: an engine may index it once) and as a plain list value that is
// new on every evaluation (R1-fresh: it came with the event, so indexing it
// must pay for itself in one lookup); R2 reads a nested field and builds a
// lower-cased name; R3 is a chain of 20 routes whose 17th holds.
const (
	R1List  Rule = "R1-list"
	R1Value Rule = "R1-value"
	R1Fresh Rule = "R1-fresh"
	R2      Rule = "R2"
	R3      Rule = "R3"
)

// Rules lists every rule in table order.
var Rules = []Rule{R1List, R1Value, R1Fresh, R2, R3}

// R3Hit is the index of the route of R3 that holds for the payload.
const R3Hit = 16

// cond is one comparison of a trigger field with a literal.
type cond struct {
	path []string // field names from the trigger
	op   string   // ==, <, <=, >, >=, in
	lit  any      // string, int64, float64 or []string (for in)
}

// route is a conjunction of conditions.
type route []cond

func c(path, op string, lit any) cond { return cond{strings.Split(path, "."), op, lit} }

// r3Routes are R3's 20 routes over the trigger; only the 17th (index
// R3Hit) holds for the payload, the ones after it would hold too.
var r3Routes = []route{
	{c("status", "==", "failed")},
	{c("age", ">=", int64(65))},
	{c("address_country_code", "==", "KP")},
	{c("fields.selfie_similarity", "<", 0.5)},
	{c("email_address", "==", "fraud@example.com")},
	{c("address_subdivision", "==", "NY"), c("age", "<", int64(21))},
	{c("fields.address.country", "==", "IR")},
	{c("name_last", "==", "Smith")},
	{c("address_city", "==", "Berlin")},
	{c("age", ">", int64(100))},
	{c("address_postal_code", "==", "10001")},
	{c("reference_id", "==", "user-9999")},
	{c("fields.selfie_similarity", ">", 0.99)},
	{c("status", "==", "expired")},
	{c("address_country_code", "in", []string{"IR", "KP", "SY", "CU"})},
	{c("phone_number", "==", "+1 555 000 0000")},
	{c("age", "<", int64(18)), c("address_country_code", "==", "US")},
	{c("status", "==", "completed")},
	{c("age", "<", int64(21))},
	{c("ip_address", "==", "203.0.113.11")},
}

// dialect says how one language writes the parts of a condition.
type dialect struct {
	and     string
	eq      string
	field   func(path []string) string
	in      func(x, list string) string
	strList func(xs []string) string
}

var (
	dotted  = func(p []string) string { return "trigger." + strings.Join(p, ".") }
	inOp    = func(x, list string) string { return x + " in " + list }
	bracket = func(xs []string) string { return "[" + strings.Join(quoteAll(xs), ", ") + "]" }

	wfSyntax   = dialect{and: "and", eq: "==", field: dotted, in: inOp, strList: bracket}
	exprSyntax = wfSyntax
	celSyntax  = dialect{and: "&&", eq: "==", field: dotted, in: inOp, strList: bracket}
	jsSyntax   = dialect{and: "&&", eq: "===", field: dotted, in: func(x, list string) string {
		return list + ".includes(" + x + ")"
	}, strList: bracket}
	starSyntax = dialect{and: "and", eq: "==", field: func(p []string) string {
		return "trigger" + "[" + strings.Join(quoteAll(p), "][") + "]"
	}, in: inOp, strList: func(xs []string) string { return "(" + strings.Join(quoteAll(xs), ", ") + ")" }}
)

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

// render writes a route's condition. consts receives the list literals
// when the language hoists them into named constants (JS, starlark).
func (s dialect) render(r route, consts *[]string) string {
	parts := make([]string, len(r))
	for i, c := range r {
		x := s.field(c.path)
		switch lit := c.lit.(type) {
		case []string:
			list := s.strList(lit)
			if consts != nil {
				*consts = append(*consts, list)
				list = "C" + strconv.Itoa(len(*consts)-1)
			}
			parts[i] = s.in(x, list)
		case string:
			parts[i] = x + " " + s.op(c.op) + " " + strconv.Quote(lit)
		default:
			parts[i] = x + " " + s.op(c.op) + " " + fmt.Sprint(lit)
		}
	}
	return strings.Join(parts, " "+s.and+" ")
}

func (s dialect) op(op string) string {
	if op == "==" {
		return s.eq
	}
	return op
}

// wfR3 is R3 in WF: a when … else when … chain in a fn.
func wfR3() string {
	var b strings.Builder
	b.WriteString("fn r3(trigger) {\n")
	for i, r := range r3Routes {
		if i == 0 {
			b.WriteString("  when ")
		} else {
			b.WriteString(" else when ")
		}
		fmt.Fprintf(&b, "%s {\n    return %d\n  }", wfSyntax.render(r, nil), i)
	}
	b.WriteString("\n  return -1\n}\n")
	return b.String()
}

// ternaryR3 is R3 as nested conditional expressions (expr, cel-go).
func ternaryR3(s dialect) string {
	var b strings.Builder
	for i, r := range r3Routes {
		fmt.Fprintf(&b, "%s ? %d : ", s.render(r, nil), i)
	}
	b.WriteString("-1")
	return b.String()
}

// jsR3 is R3 in JavaScript: an if chain, list literals hoisted.
func jsR3() string {
	var consts []string
	var body strings.Builder
	for i, r := range r3Routes {
		fmt.Fprintf(&body, "  if (%s) return %d;\n", jsSyntax.render(r, &consts), i)
	}
	var b strings.Builder
	for i, c := range consts {
		fmt.Fprintf(&b, "const C%d = %s;\n", i, c)
	}
	fmt.Fprintf(&b, "function r3(trigger) {\n%s  return -1;\n}\n", body.String())
	return b.String()
}

// starlarkR3 is R3 in starlark: an if/elif chain, tuples hoisted.
func starlarkR3() string {
	var consts []string
	var body strings.Builder
	for i, r := range r3Routes {
		kw := "elif"
		if i == 0 {
			kw = "if"
		}
		fmt.Fprintf(&body, "    %s %s:\n        return %d\n", kw, starSyntax.render(r, &consts), i)
	}
	var b strings.Builder
	for i, c := range consts {
		fmt.Fprintf(&b, "C%d = %s\n", i, c)
	}
	fmt.Fprintf(&b, "def r3(trigger):\n%s    return -1\n", body.String())
	return b.String()
}

// The R1 and R2 sources, one per engine.
const (
	wfR1List  = `fn r1(trigger) { return trigger.age < 18 and trigger.ip_address in list("blocked-ips") }`
	wfR1Value = `fn r1(trigger, blocked) { return trigger.age < 18 and trigger.ip_address in blocked }`
	wfR2      = `fn r2(trigger) {
  return trigger.fields.address.country == "US" and lower("${trigger.name_first} ${trigger.name_last}") == "jane doe"
}`

	exprR1    = `trigger.age < 18 and trigger.ip_address in blocked`
	exprR1Set = `trigger.age < 18 and trigger.ip_address in blocked_set`
	exprR2    = `trigger.fields.address.country == "US" and lower(trigger.name_first + " " + trigger.name_last) == "jane doe"`

	celR1 = `trigger.age < 18 && trigger.ip_address in blocked`
	celR2 = `trigger.fields.address.country == "US" && (trigger.name_first + " " + trigger.name_last).lowerAscii() == "jane doe"`

	jsR1List  = `function r1(trigger, blocked) { return trigger.age < 18 && blocked.has(trigger.ip_address) }`
	jsR1Value = `function r1(trigger, blocked) { return trigger.age < 18 && blocked.includes(trigger.ip_address) }`
	jsR2      = "function r2(trigger) {\n" +
		"  return trigger.fields.address.country === \"US\" && `${trigger.name_first} ${trigger.name_last}`.toLowerCase() === \"jane doe\"\n}"

	starR1 = "def r1(trigger, blocked):\n    return trigger[\"age\"] < 18 and trigger[\"ip_address\"] in blocked\n"
	starR2 = "def r2(trigger):\n" +
		"    return trigger[\"fields\"][\"address\"][\"country\"] == \"US\" and " +
		"(trigger[\"name_first\"] + \" \" + trigger[\"name_last\"]).lower() == \"jane doe\"\n"
)
