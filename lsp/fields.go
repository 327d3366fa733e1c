package lsp

import (
	"sort"
	"strings"

	"github.com/wf-lang/wf/lang"
)

// The fields of `trigger` that completion offers after `trigger.`, per
// Persona object type, normalized as WF normalizes webhook payloads (JSON:API
// attributes lifted onto the object, snake_case keys, typed custom fields
// under `fields`, relationships resolved). The table holds the common
// fields, not every one: Persona's objects carry more, and a template's
// custom fields are its own.

// objField is one field of an object; of names the object type of a
// relationship or nested map (completion continues after `field.`).
type objField struct {
	name, doc, of string
}

func fld(name, doc string) objField     { return objField{name: name, doc: doc} }
func rel(name, of, doc string) objField { return objField{name: name, of: of, doc: doc} }

// personFields are the identity fields inquiries, accounts and
// verifications share.
func personFields() []objField {
	return []objField{
		fld("name_first", "First name."), fld("name_middle", "Middle name."), fld("name_last", "Last name."),
		fld("birthdate", "Date of birth (YYYY-MM-DD)."),
		fld("address_street_1", "Street address, line 1."), fld("address_street_2", "Street address, line 2."),
		fld("address_city", "City."), fld("address_subdivision", "State, province or region."),
		fld("address_postal_code", "Postal code."), fld("country_code", "Country, as an ISO 3166-1 alpha-2 code."),
		fld("email_address", "Email address."), fld("phone_number", "Phone number."),
	}
}

// objectFields returns the table: object type → fields.
func objectFields() map[string][]objField {
	common := func(extra ...objField) []objField {
		base := []objField{
			fld("id", "The object's id."), fld("status", "The object's status."),
			fld("reference_id", "Your own id for the object (or its account)."), fld("tags", "Tags, a list of strings."),
			fld("created_at", "When the object was created (a time)."), fld("updated_at", "When the object last changed."),
			fld("redacted_at", "When the object was redacted, or null."),
		}
		return append(base, extra...)
	}
	inquiry := common(append(personFields(),

		fld("ip_address", "IP address the inquiry was completed from."),
		fld("note", "Free-form note."), fld("behaviors", "Behavioral signals (a map)."),
		fld("started_at", "When the applicant started."), fld("completed_at", "When the inquiry completed."),
		fld("failed_at", "When the inquiry failed."), fld("expired_at", "When the inquiry expired."),
		fld("decisioned_at", "When the inquiry was approved or declined."),
		fld("marked_for_review_at", "When the inquiry was marked for review."),
		fld("previous_step_name", "The flow step before the current one."), fld("next_step_name", "The next flow step."),
		rel("fields", "inquiry.fields", "The inquiry's fields, typed values unwrapped."),
		rel("account", "account", "The inquiry's account (when included)."),
		fld("verifications", "The inquiry's verifications (when included)."),
		fld("reports", "The inquiry's reports (when included)."),
		fld("sessions", "The inquiry's sessions (when included)."))...)
	account := common(append(personFields(),
		fld("account_type", "The account type."),
		rel("fields", "account.fields", "The account's fields, typed values unwrapped."),
		fld("identification_numbers", "Government id numbers on file."))...)
	return map[string][]objField{
		"inquiry":        inquiry,
		"inquiry.fields": append(personFields(), fld("identification_number", "Government id number."), fld("identification_class", "Kind of government id."), fld("selfie_similarity", "Selfie to id photo similarity, 0 to 1."), fld("expiration_date", "Id expiration date.")),
		"account":        account,
		"account.fields": personFields(),
		"case": common(fld("name", "The case's name."), fld("resolution", "How the case was resolved."),
			fld("template_id", "The case template's id."), fld("assignee", "Who the case is assigned to."),
			fld("creator", "Who created the case."), fld("sla_expires_at", "When the case's SLA expires."),
			fld("assigned_at", "When the case was assigned."), fld("resolved_at", "When the case was resolved."),
			rel("fields", "", "The case's fields."), fld("attachments", "Files attached to the case.")),
		"report": common(fld("matched", "Whether the report found a match."), fld("has_match", "Persona's has_match flag."),
			fld("template_id", "The report template's id."), fld("completed_at", "When the report finished."),
			fld("matches", "The matches found."), rel("account", "account", "The report's account (when included)."),
			rel("inquiry", "inquiry", "The report's inquiry (when included).")),
		"verification": common(append(personFields(), fld("checks", "The checks run, each with name and status."),
			fld("submitted_at", "When the verification was submitted."), fld("completed_at", "When it completed."),
			rel("inquiry", "inquiry", "The verification's inquiry (when included)."))...),
		"transaction": common(fld("labels", "Labels set on the transaction."), rel("fields", "", "The transaction's fields.")),
		"document":    common(fld("kind", "The kind of document."), fld("processed_at", "When the document was processed."), fld("files", "The uploaded files.")),
		"selfie":      common(fld("processed_at", "When the selfie was processed.")),
		"inquiry-session": common(fld("ip_address", "IP address of the session."), fld("country_code", "Country of the IP address."),
			fld("user_agent", "The browser's user agent."), fld("device_fingerprint", "Device fingerprint."),
			fld("browser_fingerprint", "Browser fingerprint."), fld("started_at", "When the session started."),
			fld("expired_at", "When the session expired.")),
		"workflow-run": common(fld("workflow_id", "The workflow's id."), fld("completed_at", "When the run completed.")),
		"event":        {fld("name", "The event's name, such as inquiry.completed."), fld("id", "The event's id (evt_…)."), fld("created_at", "When the event was created.")},
		"error": {fld("message", "The error's text; a step's starts with the action's name."),
			fld("kind", "null, type, value, step, timeout, fail, assert or js."),
			fld("step", "The failed action's name, such as inquiry.decline, or null."),
			fld("line", "The line the error happened on."), fld("column", "The column the error happened at.")},
		"http response": {fld("status", "The HTTP status code."), fld("headers", "The response headers (a map)."),
			fld("body", "The response body as text."), fld("json", "The body parsed as JSON, or null when it is not JSON.")},
		"slack result": {fld("ok", "true when Slack accepted the message.")},
		"list item": {fld("value", "The item's value."), fld("kind", "The List's kind."), fld("id", "The item's id."),
			fld("list", "The List's name."), fld("match_type", "How the value matched (for some kinds)."),
			fld("radius_meters", "The radius of a geolocation item.")},
	}
}

// tableType maps an event's object type ("report/watchlist") to its entry
// in the table ("report").
func tableType(objType string) string {
	if i := strings.IndexByte(objType, '/'); i >= 0 {
		return objType[:i]
	}
	return objType
}

// triggerTypes returns the table types of the objects a workflow's event
// triggers carry, by the events u knows. A glob pattern counts every known
// event it matches.
func triggerTypes(u lang.Universe, w *lang.WorkflowDecl) []string {
	seen := map[string]bool{}
	var out []string
	for _, tr := range w.Triggers {
		et, ok := tr.(*lang.EventTrigger)
		if !ok || et.Pattern == nil {
			continue
		}
		pat, ok := et.Pattern.Static()
		if !ok {
			continue
		}
		for _, t := range eventTypes(u, pat) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// eventNames returns the event names u knows, if any.
func eventNames(u lang.Universe) []string {
	if ev := lang.EventsOf(u); ev != nil {
		return ev.EventNames()
	}
	return nil
}

// fieldsAt follows a path of field names (after `trigger.`) from the given
// object types and returns the fields found there, merged by name.
func fieldsAt(types []string, path []string) []objField {
	table := objectFields()
	for _, name := range path {
		var next []string
		for _, t := range types {
			for _, fl := range table[t] {
				if fl.name == name && fl.of != "" {
					next = append(next, fl.of)
				}
			}
		}
		types = next
	}
	seen := map[string]bool{}
	var out []objField
	for _, t := range types {
		for _, fl := range table[t] {
			if !seen[fl.name] {
				seen[fl.name] = true
				out = append(out, fl)
			}
		}
	}
	return out
}
