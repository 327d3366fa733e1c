package lsp

import (
	"fmt"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// testClauseDocs explains each clause of a test declaration, for hover on
// the words that start it. docs/testing.md has the whole story.
var testClauseDocs = map[lang.TestKind][2]string{
	lang.TestWorkflow:     {"workflow NAME", "The workflow the test runs."},
	lang.TestEvent:        {"event \"name\" {object}", "Starts the run with an event of that name whose object is the map given (a Persona document, resource or plain object, normalized as a webhook's payload is). It goes through the workflow's where clause as a real event does."},
	lang.TestEventFile:    {"event file \"events/x.json\"", "Starts the run with an event read from a file, relative to the test file (a Persona webhook body, as wf run --event reads)."},
	lang.TestInputs:       {"inputs {name: value, …}", "The inputs of an on api, on workflow or on manual trigger, checked against its parameters, defaults filled in."},
	lang.TestNow:          {"now \"2026-03-01T10:00:00Z\"", "The run's start time. Without it, the event's created_at, or else 2026-01-01T00:00:00Z. The test's clock never reads the wall clock."},
	lang.TestBackend:      {"backend local", "Runs the Persona steps no mock answers on an in-memory local backend; http, slack and workflow steps must still be mocked."},
	lang.TestSecrets:      {"secrets {NAME: \"value\", …}", "What secret(name) returns. A secret the test does not set reads as its own name; the environment is never read."},
	lang.TestFixtures:     {"fixtures \"fixtures.json\"", "Lists and Persona objects from a fixtures file, relative to the test file."},
	lang.TestList:         {"list \"name\" {kind: \"ip_address\", items: […]}", "A List for x in list(\"…\") and for the local backend's reports."},
	lang.TestPersona:      {"persona {object}  |  persona [{…}, …]", "Persona objects for the local backend."},
	lang.TestCases:        {"cases [{name: \"…\", …}, …]", "Runs the test once per row; each row's keys are names in the test's expressions."},
	lang.TestMock:         {"mock STEP [once] [returns VALUE | fails REASON]", "Answers the calls of an action (those whose arguments match, when given): with null, a value, a function of the arguments, or a failure. once: one call, then the mock is used up. The first matching mock in the order written answers."},
	lang.TestDeliver:      {"deliver event \"name\" {object} [after 2d]", "An event for the run's event waits, there from the start or arriving after a delay on the test's clock."},
	lang.TestExpectRun:    {"expect run STEP [when COND]", "Holds when at least one step matched (arguments match partially)."},
	lang.TestExpectNoRun:  {"expect no run STEP [when COND]", "Holds when no step matched."},
	lang.TestExpectSteps:  {"expect steps [STEP, …] [in any order] [when COND]", "Holds when the run's steps are exactly these, in the workflow's order (or in any order)."},
	lang.TestExpectOutput: {"expect output {key: value, …} [when COND]", "Holds when each output given is there and matches; other outputs are not compared."},
	lang.TestExpectStatus: {"expect status \"completed\" [when COND]", "Holds when the run ended so: \"completed\", \"failed\" or \"not started\" (its event did not start it)."},
	lang.TestExpectError:  {"expect error \"message\"  |  expect error {kind: …, step: …} [when COND]", "Holds when the run failed with exactly this message, or with an error that matches the map."},
}

// testClauseAt returns the hover text for the words that start a test
// clause (`expect no run`, `deliver event`, `mock`…) when off is on one.
func (an *analysis) testClauseAt(off int) (string, lang.Span, bool) {
	for _, n := range an.pathTo(off) {
		c, ok := n.(*lang.TestClause)
		if !ok {
			continue
		}
		doc, ok := testClauseDocs[c.Kind]
		if !ok {
			return "", lang.Span{}, false
		}
		// The clause's words, as written (any spaces between them).
		start, end := c.Sp.Start.Offset, c.Sp.Start.Offset
		for i, w := range strings.Fields(c.Kind.String()) {
			if i > 0 {
				for end < len(an.text) && (an.text[end] == ' ' || an.text[end] == '\t') {
					end++
				}
			}
			if !strings.HasPrefix(an.text[end:], w) {
				break
			}
			end += len(w)
		}
		if off < start || off >= end {
			return "", lang.Span{}, false
		}
		sp := lang.Span{Start: lang.Pos{Offset: start, Line: 1}, End: lang.Pos{Offset: end, Line: 1}} // converted by offset
		return fmt.Sprintf("```wf\n%s\n```\n\nTest clause. %s", doc[0], doc[1]), sp, true
	}
	return "", lang.Span{}, false
}
