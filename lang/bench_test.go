package lang

import (
	"fmt"
	"strings"
	"testing"
)

// benchTemplate is one realistic workflow of about fifty lines; BenchScript
// repeats it under different names.
const benchTemplate = `# Review %[1]d: screen a completed inquiry and route it.
const LIMIT_%[1]d = %[1]d

fn score_%[1]d(inquiry, weight: int = 2) {
  let base = len(inquiry.fields.name_first ?? "") * weight
  when inquiry.country_code in ["KP", "IR", "SY"] {
    return base + 50
  }
  return base
}

workflow review_%[1]d {
  on event "inquiry.completed" where trigger.inquiry_template.id == "itmpl_%[1]d"

  let fields = trigger.fields
  let age = years_since(date(fields.birthdate))
  let name = "${fields.name_first} ${fields.name_last}"
  let risk = score_%[1]d(trigger)
  parallel {
    let watchlist = run report.watchlist(name: name, birthdate: fields.birthdate)
    let pep = run report.politically_exposed_person(name: name)
    {
      let media = run report.adverse_media(name: name)
      log "adverse media for ${name}: ${media.status}"
    }
  }
  when age < 18 {
    run inquiry.mark_for_review(trigger.id, comment: "applicant is ${age}")
  } else when watchlist.matched or pep.matched or risk > LIMIT_%[1]d {
    let c = run case.create(template: "kyc-review", objects: [trigger.id, watchlist.id, pep.id])
    run slack.post(secret("SLACK_WEBHOOK"), "Case ${c.id} opened for ${name} (risk ${risk})")
  } else {
    run inquiry.approve(trigger.id, comment: "cleared by review_%[1]d")
  }
  for tag in ["screened", "v%[1]d"] {
    run inquiry.add_tag(trigger.id, tag)
  }
  try {
    run http.post("https://hooks.example.com/kyc", json: {id: trigger.id, risk: risk}) with {retries: 2, timeout: 10s}
  } catch err {
    log "hook failed: ${err.message}"
  }
  output {age: age, risk: risk, watchlist: watchlist.matched}
}

`

// BenchScript returns a generated script of at least n lines: consts, fns
// and workflows with when, parallel, run, let and interpolated strings. It
// is exported for the benchmarks of package lang_test.
func BenchScript(n int) string {
	var b strings.Builder
	for i := 1; strings.Count(b.String(), "\n") < n; i++ {
		fmt.Fprintf(&b, benchTemplate, i)
	}
	return b.String()
}

// BenchmarkLex1000 measures the lexer alone on the 1,000-line script, to
// show its share of BenchmarkParseCheck1000.
func BenchmarkLex1000(b *testing.B) {
	src := BenchScript(1000)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		tokenize(src)
	}
}

// BenchmarkParse1000 measures Parse (lexing, parsing and lowering).
func BenchmarkParse1000(b *testing.B) {
	src := []byte(BenchScript(1000))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, diags := Parse("bench.wf", src); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
	}
}
