package bench

import (
	"fmt"
	"strings"
)

// ScriptLines is the length of the generated WF script.
const ScriptLines = 1000

// WFScript generates a WF script of about ScriptLines lines: rule sets of a
// const, a fn and a workflow each, with when chains, interpolated strings,
// List lookups, runs and outputs, all of which check cleanly.
func WFScript() []byte {
	var b strings.Builder
	for i := 0; strings.Count(b.String(), "\n") < ScriptLines; i++ {
		fmt.Fprintf(&b, wfUnit, i)
	}
	return []byte(b.String())
}

// wfUnit is one rule set of WFScript; %[1]d is its number.
const wfUnit = `# Rule set %[1]d: route applicants by country, age and address.
const LIMIT_%[1]d = 18

fn risky_%[1]d(trigger) {
  let age = years_since(date(trigger.fields.birthdate))
  return age < LIMIT_%[1]d and trigger.address_country_code in ["IR", "KP", "SY"]
}

workflow review_%[1]d {
  on event "inquiry.completed" where trigger.status == "completed"

  let name = lower("${trigger.name_first} ${trigger.name_last}")
  when risky_%[1]d(trigger) {
    run inquiry.mark_for_review(trigger.id, comment: "rule %[1]d for ${name}")
  } else when trigger.ip_address in list("blocked-ips") {
    run inquiry.decline(trigger.id, comment: "blocked IP ${trigger.ip_address}")
  } else {
    log "nothing to do for ${trigger.id}"
  }
  output {rule: %[1]d, name: name}
}

`

// GoSource generates Go source of at least n bytes with the same shape as
// WFScript: per rule set a const, a function and a handler with an if
// chain, string formatting and a map literal.
func GoSource(n int) []byte {
	var b strings.Builder
	b.WriteString("package rules\n\nimport (\n\t\"fmt\"\n\t\"strings\"\n)\n\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, goUnit, i)
	}
	return []byte(b.String())
}

// goUnit is one rule set of GoSource; %[1]d is its number.
const goUnit = `// Rule set %[1]d: route applicants by country, age and address.
const limit%[1]d = 18

func risky%[1]d(t map[string]any) bool {
	age := yearsSince(t["birthdate"].(string))
	return age < limit%[1]d && in(t["address_country_code"].(string), "IR", "KP", "SY")
}

func review%[1]d(t map[string]any) map[string]any {
	name := strings.ToLower(fmt.Sprintf("%%s %%s", t["name_first"], t["name_last"]))
	if risky%[1]d(t) {
		markForReview(t["id"].(string), fmt.Sprintf("rule %[1]d for %%s", name))
	} else if blocked(t["ip_address"].(string)) {
		decline(t["id"].(string), "blocked IP "+t["ip_address"].(string))
	} else {
		logf("nothing to do for %%s", t["id"])
	}
	return map[string]any{"rule": %[1]d, "name": name}
}

`
