package persona

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// reportKind describes one report type: its WF and Persona names, the local
// list it is matched against, the short argument names it accepts and the
// query fields it requires.
type reportKind struct {
	persona  string            // Persona kebab name: type "report/<persona>"
	list     string            // local list; "" when the report never matches
	subject  string            // query field the local backend matches
	person   bool              // subject falls back to name_first/middle/last
	aliases  map[string]string // WF short name → Persona query field
	required [][]string        // each group needs one non-blank field
}

// personFields are the name fields of person reports.
var personFields = []string{"term", "name_first", "name_last"}

// reportKinds is the report catalogue, keyed by WF name. It is read-only.
var reportKinds = map[string]reportKind{
	"watchlist": {persona: "watchlist", list: "watchlist", subject: "term", person: true,
		aliases:  map[string]string{"name": "term", "country": "address_country_code"},
		required: [][]string{personFields}},
	"politically_exposed_person": {persona: "politically-exposed-person", list: "pep", subject: "term", person: true,
		aliases:  map[string]string{"name": "term", "country": "country_code"},
		required: [][]string{personFields}},
	"adverse_media": {persona: "adverse-media", list: "adverse-media", subject: "term", person: true,
		aliases:  map[string]string{"name": "term", "country": "country_code"},
		required: [][]string{personFields}},
	"business_watchlist": {persona: "business-watchlist", list: "business-watchlist", subject: "term",
		aliases:  map[string]string{"name": "term", "country": "address_country_code"},
		required: [][]string{{"term"}}},
	"business_adverse_media": {persona: "business-adverse-media", list: "business-adverse-media", subject: "term",
		aliases:  map[string]string{"name": "term"},
		required: [][]string{{"term"}}},
	"business_lookup": {persona: "business-lookup",
		aliases: map[string]string{"name": "business_name", "address": "address_street_1",
			"phone": "phone_number", "country": "address_country_code"},
		required: [][]string{{"business_name"}}},
	"address_lookup": {persona: "address-lookup",
		aliases: map[string]string{"address": "address_street_1", "city": "address_city",
			"subdivision": "address_subdivision", "postal_code": "address_postal_code",
			"country": "address_country_code"},
		required: [][]string{{"address_street_1"}, {"address_city"}, {"address_subdivision"},
			{"address_postal_code"}, {"address_country_code"}}},
	"email_address": {persona: "email-address", list: "risky-emails", subject: "email_address",
		aliases:  map[string]string{"email": "email_address"},
		required: [][]string{{"email_address"}}},
	"phone_number": {persona: "phone-number", list: "risky-phones", subject: "phone_number",
		aliases:  map[string]string{"phone": "phone_number"},
		required: [][]string{{"phone_number"}}},
}

// ReportTypes lists the WF report types, sorted: the names report.run takes
// and report.<type> shortcuts use.
func ReportTypes() []string {
	names := make([]string, 0, len(reportKinds))
	for name := range reportKinds {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// LocalReportList is the List the local backend matches a report type
// against, "" when that type never matches.
func LocalReportList(name string) string {
	return reportKinds[name].list
}

// lookupReport is the kind for a WF report type, or an error listing the
// valid ones.
func lookupReport(op, name string) (reportKind, error) {
	k, ok := reportKinds[name]
	if !ok {
		return reportKind{}, fmt.Errorf("%s: unknown report type %q, want one of %s",
			op, name, strings.Join(ReportTypes(), ", "))
	}
	return k, nil
}

// buildQuery turns WF arguments into a Persona query: snake_case keys,
// short names mapped to Persona fields, nulls and blanks dropped, required fields
// checked.
func (k reportKind) buildQuery(op string, args map[string]any) (map[string]any, error) {
	in, _ := snakeKeys(args, 0).(map[string]any)
	q := make(map[string]any, len(in))
	for _, field := range sortedKeys(in) {
		v := in[field]
		if blank(v) {
			continue
		}
		if to, ok := k.aliases[field]; ok {
			if !blank(in[to]) {
				return nil, fmt.Errorf("%s: give %s or %s, not both", op, field, to)
			}
			field = to
		}
		q[field] = v
	}
	return q, k.checkRequired(op, q)
}

// checkRequired reports the first required group with no value in q.
func (k reportKind) checkRequired(op string, q map[string]any) error {
	for _, group := range k.required {
		if slices.ContainsFunc(group, func(f string) bool { return !blank(q[f]) }) {
			continue
		}
		names := slices.Clone(group)
		for short, to := range k.aliases {
			if slices.Contains(group, to) {
				names = append(names, short)
			}
		}
		sort.Strings(names)
		if len(names) == 1 {
			return fmt.Errorf("%s: query field %s is required", op, names[0])
		}
		return fmt.Errorf("%s: the query needs one of %s", op, strings.Join(names, ", "))
	}
	return nil
}

// subjectOf is the value the local backend looks up on the report's list.
func (k reportKind) subjectOf(q map[string]any) string {
	if s := str(q[k.subject]); s != "" || !k.person {
		return s
	}
	var parts []string
	for _, f := range []string{"name_first", "name_middle", "name_last"} {
		if s := str(q[f]); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// verificationNames maps a WF verification type ("database_tin") to its
// Persona type ("verification/database-tin") and collection path
// ("/verification/database-tins").
func verificationNames(op, name string) (typ, path string, err error) {
	if name == "" || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
		return "", "", fmt.Errorf("%s: invalid verification type %q, want snake_case such as database_tin", op, name)
	}
	kebab := strings.ReplaceAll(name, "_", "-")
	plural := kebab + "s"
	if strings.HasSuffix(kebab, "s") {
		plural = kebab + "es"
	}
	return "verification/" + kebab, "/verification/" + plural, nil
}

// sortedKeys is m's keys in order, for deterministic output.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// blank reports whether v is nil or a blank string.
func blank(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// str is v if it is a string, trimmed, else "".
func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}
