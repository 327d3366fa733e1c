package lsp

import (
	"fmt"

	"github.com/wf-lang/wf/lang"
)

// keywordDocs explains the reserved words and the words of trigger and
// wait clauses, for hover. Each entry is a one-line syntax and a sentence;
// docs/language.md has the whole story.
var keywordDocs = map[string][2]string{
	"workflow": {"workflow name { on … ; statements }", "Declares a workflow: its triggers (`on` clauses), then the statements a run executes."},
	"on":       {"on event \"…\" | on api(…) | on workflow(…) | on manual(…) | on schedule \"cron\" | on every 1h", "A trigger: what starts the workflow. A workflow may have several."},
	"where":    {"on event \"…\" where cond  |  wait event \"…\" where cond", "A filter: the workflow starts (or the wait ends) only for events the condition holds for. An on event filter that fails to evaluate never starts its workflow."},
	"tz":       {"on schedule \"0 9 * * *\" tz \"Europe/Paris\"", "The time zone the cron expression is read in (UTC by default)."},
	"let":      {"let name = expr", "Binds a name for the rest of the block. Bind it again with `name = …`."},
	"when":     {"when cond { … } else when cond { … } else { … }", "Runs the first block whose condition is true."},
	"else":     {"when cond { … } else { … }", "The block a when runs when no condition held."},
	"for":      {"for x in list { … }  |  for k, v in map { … }", "Runs the block once per item, in order. `parallel for` runs the iterations at once."},
	"in":       {"x in list | key in map | sub in string", "Membership test; also the `in` of a for loop."},
	"parallel": {"parallel { … }  |  parallel for x in xs limit 5 { … }", "Runs each statement of the block (or each iteration) at once and waits for all; if one fails, the others are cancelled and the block fails."},
	"limit":    {"parallel for x in xs limit 5 { … }", "At most this many iterations of a parallel for run at once."},
	"run":      {"run module.action(args) [with {retries: 3, backoff: 2s, timeout: 10s, continue_on_error: true}]", "Performs an action as a recorded step: journaled, retried as asked, and replayed from the record when a run is resumed."},
	"with":     {"run action(…) with {retries: 3, backoff: 2s, timeout: 10s, continue_on_error: true}", "A step's options."},
	"try":      {"try { … } catch err { … }", "Runs the block; a catchable error runs the catch block with err bound to {message, kind, step, line, column}."},
	"catch":    {"try { … } catch err { … }", "The block that runs when the try block fails; err is {message, kind, step, line, column}."},
	"wait":     {"wait 2h  |  let e = wait event \"name\" where e.… timeout 7d", "Pauses the run for a duration (up to 30 days), or until a matching event arrives ({name, id, created_at, trigger}, or null after the timeout)."},
	"timeout":  {"wait event \"…\" timeout 7d", "How long a wait event waits before giving null (at most and by default 30 days)."},
	"output":   {"output {key: value, …}", "Adds keys to the run's outputs (what workflow.call returns)."},
	"fail":     {"fail \"reason\"", "Ends the run as failed with the reason (catchable by try, kind fail)."},
	"stop":     {"stop", "Ends the run now, as completed."},
	"log":      {"log expr", "Writes a line to the run's log."},
	"emit":     {"emit \"name\" {payload}", "Sends an event to the workflows that listen for it."},
	"return":   {"return expr", "Ends a fn with its value."},
	"fn":       {"fn name(a, b: int = 1) { … return … }", "Declares a pure function: no run, wait or other step inside."},
	"js":       {"js fn name(a) \"\"\" … \"\"\"", "Declares a function written in JavaScript (pure, with a time limit)."},
	"const":    {"const NAME = expr", "A value computed once, before any run; it may use other consts and pure functions."},
	"and":      {"a and b", "true when both are; b is not evaluated when a is false."},
	"or":       {"a or b", "true when either is; b is not evaluated when a is true."},
	"not":      {"not cond  |  x not in xs", "Negation."},
	"matches":  {"s matches \"regex\"", "true when the regular expression (RE2) matches somewhere in s."},
	"true":     {"true", "The boolean true."},
	"false":    {"false", "The boolean false."},
	"null":     {"null", "No value: a missing field reads as null; `?.` and `??` handle it."},
}

// runOptionDocs explains the options of `run … with {…}`.
var runOptionDocs = map[string]string{
	"retries":           "Attempts after the first failure, 0 to 20 (default 0). Errors retrying cannot fix, such as a refused argument, are not retried.",
	"backoff":           "The first delay between attempts (default 1s); it doubles after each attempt, up to 5 minutes, scaled by a random factor between 0.5 and 1.",
	"timeout":           "A limit on the whole step, all attempts and delays included.",
	"continue_on_error": "When the step still fails, record the error and give null instead of failing the run.",
}

// keywordAt returns the hover text for a keyword or clause word at off.
func (an *analysis) keywordAt(off int) (string, lang.Span, bool) {
	start, end := off, off
	for start > 0 && isIdentChar(an.text[start-1]) {
		start--
	}
	for end < len(an.text) && isIdentChar(an.text[end]) {
		end++
	}
	word := an.text[start:end]
	doc, ok := keywordDocs[word]
	if !ok {
		return "", lang.Span{}, false
	}
	c := cursorAt(an.text, start)
	if c.inComment || c.inString || c.inRaw || c.prev(0).val == "." || c.prev(0).val == "?." {
		return "", lang.Span{}, false
	}
	sp := lang.Span{Start: lang.Pos{Offset: start, Line: 1}, End: lang.Pos{Offset: end, Line: 1}} // converted by offset
	return fmt.Sprintf("```wf\n%s\n```\n\n%s", doc[0], doc[1]), sp, true
}

// runOptionAt returns the hover text for a key of `run … with {…}` at off.
func (an *analysis) runOptionAt(off int) (string, lang.Span, bool) {
	for _, n := range an.pathTo(off) {
		r, ok := n.(*lang.RunExpr)
		if !ok || r.With == nil {
			continue
		}
		for _, en := range r.With.Entries {
			if en.KeySp.Contains(off) {
				t, known := lang.RunOptions[en.Key]
				if !known {
					return "", lang.Span{}, false
				}
				return fmt.Sprintf("```wf\n%s: %s\n```\n\nRun option. %s", en.Key, t, runOptionDocs[en.Key]), en.KeySp, true
			}
		}
	}
	return "", lang.Span{}, false
}
