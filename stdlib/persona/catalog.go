package persona

import (
	"strings"
	"sync"

	"github.com/wf-lang/wf/lang"
)

// Events returns Persona's event catalogue for the checker: the event names
// (see ../shared/reference/persona.md §1.3, which Persona says is not
// exhaustive) and, for each, the shape of the object it delivers as
// `trigger`, as WF normalizes it (snake_case keys, attributes lifted,
// typed fields unwrapped under `fields`, relationships resolved).
//
// The inquiry, account, case and transaction shapes list every attribute
// and relationship Persona documents for them, so a field they do not list
// is reported; the shapes of the other objects (reports, verifications,
// documents, selfies, sessions, workflow runs) list the common ones and are
// open: only a name close to a listed one is reported, as a likely typo.
// The custom fields of a template (under `fields`) are open too, until the
// project declares them with `fields inquiry { … }`.
func Events() lang.EventCatalog { return catalog() }

var catalog = sync.OnceValue(buildCatalog)

// eventCatalog implements lang.EventCatalog.
type eventCatalog struct {
	names   []string
	objects map[string]*lang.Shape // by object type: "inquiry", "report/watchlist"
}

// EventNames implements lang.EventCatalog.
func (c *eventCatalog) EventNames() []string { return c.names }

// Object implements lang.EventCatalog.
func (c *eventCatalog) Object(event string) *lang.Shape {
	return c.objects[lang.EventObjectType(event)]
}

// eventNames are Persona's event names.
var eventNames = []string{
	"account.created", "account.redacted", "account.archived", "account.restored",
	"account.consolidated", "account.consolidated-with", "account.tag-added", "account.tag-removed",
	"account.status-updated", "account.updated-fields", "account.updated-tags",
	"case.created", "case.assigned", "case.resolved", "case.reopened", "case.updated",
	"case.exported", "case.queue-updated", "case.redacted", "case.sla-expired", "case.status-updated",
	"document.created", "document.submitted", "document.processed", "document.errored",
	"inquiry.created", "inquiry.started", "inquiry.expired", "inquiry.completed", "inquiry.failed",
	"inquiry.marked-for-review", "inquiry.approved", "inquiry.declined", "inquiry.transitioned",
	"inquiry-session.started", "inquiry-session.expired", "inquiry-session.canceled",
	"report/address-lookup.ready", "report/address-lookup.errored",
	"report/adverse-media.matched", "report/adverse-media.ready", "report/adverse-media.errored",
	"report/business-adverse-media.matched", "report/business-adverse-media.ready", "report/business-adverse-media.errored",
	"report/business-lookup.ready",
	"report/business-watchlist.ready", "report/business-watchlist.matched", "report/business-watchlist.errored",
	"report/email-address.ready", "report/email-address.errored",
	"report/phone-number.ready", "report/phone-number.errored",
	"report/profile.ready", "report/profile.errored",
	"report/politically-exposed-person.matched", "report/politically-exposed-person.ready", "report/politically-exposed-person.errored",
	"report/watchlist.matched", "report/watchlist.ready", "report/watchlist.errored",
	"selfie.created", "selfie.submitted", "selfie.processed", "selfie.errored",
	"transaction.created", "transaction.labeled", "transaction.redacted", "transaction.status-updated",
	"verification.created", "verification.submitted", "verification.passed", "verification.failed",
	"verification.requires-retry", "verification.canceled",
	"workflow-run.created", "workflow-run.completed", "workflow-run.errored", "workflow-run.resumed",
}

// fld makes a field; sub, when not nil, is the shape of its value.
func fld(name, doc string, sub ...*lang.Shape) *lang.Field {
	fl := &lang.Field{Name: name, Doc: doc, Type: lang.TAny}
	if len(sub) > 0 {
		fl.Shape = sub[0]
	}
	return fl
}

// with returns the common fields followed by more.
func with(common []*lang.Field, more ...*lang.Field) []*lang.Field {
	return append(append([]*lang.Field(nil), common...), more...)
}

// person are the identity attributes of inquiries, accounts and
// verifications.
func person() []*lang.Field {
	return []*lang.Field{
		fld("name_first", "First name."), fld("name_middle", "Middle name."), fld("name_last", "Last name."),
		fld("birthdate", "Date of birth (YYYY-MM-DD)."),
		fld("address_street_1", "Street address, line 1."), fld("address_street_2", "Street address, line 2."),
		fld("address_city", "City."), fld("address_subdivision", "State, province or region."),
		fld("address_subdivision_abbr", "State, province or region, abbreviated."),
		fld("address_postal_code", "Postal code."), fld("address_postal_code_abbr", "Postal code, short form."),
		fld("address_country_code", "Country of the address (ISO 3166-1 alpha-2)."),
		fld("country_code", "Country (ISO 3166-1 alpha-2)."),
		fld("email_address", "Email address."), fld("phone_number", "Phone number."),
		fld("social_security_number", "Social security number."), fld("identification_number", "Government id number."),
	}
}

// object are the attributes every object has.
func object() []*lang.Field {
	return []*lang.Field{
		fld("id", "The object's id."), fld("type", "The object's type."), fld("status", "The object's status."),
		fld("tags", "Tags, a list of strings."), fld("created_at", "When the object was created."),
		fld("updated_at", "When the object last changed."), fld("redacted_at", "When the object was redacted, or null."),
	}
}

// refTo is a relationship not resolved from included: {id, type}.
func refTo(name string) *lang.Shape {
	return lang.NewShape("a reference to "+name, false, fld("id", "The id."), fld("type", "The type."))
}

// customFields is the shape of an object type's custom fields: the
// standard ones, open to the template's own.
func customFields(obj string, fields ...*lang.Field) *lang.Shape {
	s := lang.NewShape(article(obj)+" "+obj+"'s fields", true, fields...)
	s.Custom = obj
	return s
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func buildCatalog() *eventCatalog {
	c := &eventCatalog{names: eventNames, objects: map[string]*lang.Shape{}}
	accountFields := customFields("account", person()...)
	account := lang.NewShape("an account", false, with(object(), append(person(),
		fld("reference_id", "Your own id for the account."), fld("account_type", "The account type."),
		fld("account_status", "The account's status."), fld("identification_numbers", "Government id numbers on file."),
		fld("fields", "The account's fields, typed values unwrapped.", accountFields),
		fld("inquiries", "The account's inquiries (when included)."), fld("reports", "The account's reports (when included)."),
		fld("verifications", "The account's verifications (when included)."),
		fld("documents", "The account's documents (when included)."),
		fld("transactions", "The account's transactions (when included)."))...)...)
	inquiryFields := customFields("inquiry", append(person(),
		fld("identification_class", "Kind of government id."), fld("selfie_similarity", "Selfie to id photo similarity, 0 to 1."),
		fld("expiration_date", "Id expiration date."), fld("issue_date", "Id issue date."),
		fld("selected_country_code", "The country the applicant chose."), fld("selected_id_class", "The id class the applicant chose."),
		fld("current_government_id", "The government id submitted."), fld("current_selfie", "The selfie submitted."))...)
	inquiry := lang.NewShape("an inquiry", false, with(object(), append(person(),
		fld("reference_id", "Your own id for the inquiry (or its account)."), fld("note", "Free-form note."),
		fld("behaviors", "Behavioral signals (a map)."), fld("creator", "Who created the inquiry."),
		fld("reviewer_comment", "The reviewer's comment."), fld("ip_address", "IP address the inquiry was completed from."),
		fld("started_at", "When the applicant started."), fld("expires_at", "When the inquiry expires."),
		fld("completed_at", "When the inquiry completed."), fld("failed_at", "When the inquiry failed."),
		fld("expired_at", "When the inquiry expired."), fld("decisioned_at", "When the inquiry was approved or declined."),
		fld("marked_for_review_at", "When the inquiry was marked for review."),
		fld("previous_step_name", "The flow step before the current one."), fld("next_step_name", "The next flow step."),
		fld("failed_checks", "The checks that failed."), fld("filled_properties", "The properties the applicant filled in."),
		fld("geolocation_to_residency_delta", "Distance from the session's location to the residence (meters)."),
		fld("last_two_verifications_geolocation_delta", "Distance between the last two verifications' locations (meters)."),
		fld("country_from_session", "Country of the session's IP address."), fld("country_comparison", "Whether the countries seen agree."),
		fld("tor_detected", "Whether Tor was detected."), fld("proxy_detected", "Whether a proxy was detected."),
		fld("fields", "The inquiry's fields, typed values unwrapped.", inquiryFields),
		fld("account", "The inquiry's account (when included).", account),
		fld("inquiry_template", "The inquiry's template.", refTo("an inquiry template")),
		fld("inquiry_template_version", "The template version.", refTo("a template version")),
		fld("template", "The inquiry's template (older API versions).", lang.NewShape("a template", false,
			fld("id", "The id."), fld("type", "The type."), fld("token", "The template's token."))),
		&lang.Field{Name: "template_id", Instead: "inquiry_template.id"},
		fld("reviewer", "Who reviewed the inquiry.", refTo("a reviewer")),
		fld("reports", "The inquiry's reports (when included)."), fld("verifications", "The inquiry's verifications (when included)."),
		fld("sessions", "The inquiry's sessions (when included)."), fld("documents", "The inquiry's documents (when included)."),
		fld("selfies", "The inquiry's selfies (when included)."))...)...)
	c.objects["inquiry"] = inquiry
	c.objects["account"] = account
	c.objects["case"] = lang.NewShape("a case", false, with(object(),
		fld("name", "The case's name."), fld("resolution", "How the case was resolved."), fld("template", "The case template."),
		fld("case_template", "The case template.", refTo("a case template")), fld("queue", "The case's queue."),
		fld("case_queue", "The case's queue.", refTo("a case queue")), fld("assignee", "Who the case is assigned to."),
		fld("creator", "Who created the case."), fld("creator_type", "What created the case."),
		fld("sla_expires_at", "When the case's SLA expires."), fld("assigned_at", "When the case was assigned."),
		fld("resolved_at", "When the case was resolved."), fld("resolved_by", "Who resolved the case."),
		fld("fields", "The case's fields.", customFields("case")), fld("attachments", "Files attached to the case."),
		fld("comments", "The case's comments."), fld("objects", "The objects attached to the case."),
		fld("inquiries", "Attached inquiries."), fld("accounts", "Attached accounts."), fld("reports", "Attached reports."),
		fld("verifications", "Attached verifications."), fld("transactions", "Attached transactions."),
		fld("documents", "Attached documents."))...)
	c.objects["transaction"] = lang.NewShape("a transaction", false, with(object(),
		fld("reference_id", "Your own id for the transaction."), fld("labels", "Labels set on the transaction."),
		fld("transaction_type", "The transaction's type.", refTo("a transaction type")),
		fld("fields", "The transaction's fields.", customFields("transaction")),
		fld("account", "The transaction's account (when included).", account),
		fld("inquiries", "Related inquiries."), fld("reports", "Related reports."), fld("verifications", "Related verifications."),
		fld("transaction_reviews", "The transaction's reviews."))...)
	report := lang.NewShape("a report", true, with(object(),
		fld("matched", "Whether the report found a match."), fld("has_match", "Persona's has_match flag."),
		fld("is_continuous", "Whether the report re-runs (monitoring)."), fld("completed_at", "When the report finished."),
		fld("query", "What the report searched for."), fld("matches", "The matches found."),
		fld("matched_lists", "The Lists that matched (local backend)."), fld("result", "The report's result."),
		fld("report_template", "The report template.", refTo("a report template")),
		fld("report_template_id", "The report template's id."),
		fld("account", "The report's account (when included).", account),
		fld("inquiry", "The report's inquiry (when included).", inquiry))...)
	for _, name := range c.names {
		if t := lang.EventObjectType(name); strings.HasPrefix(t, "report/") {
			c.objects[t] = report
		}
	}
	c.objects["verification"] = lang.NewShape("a verification", true, with(object(), append(person(),
		fld("checks", "The checks run, each with name and status."), fld("submitted_at", "When it was submitted."),
		fld("completed_at", "When it completed."), fld("fields", "The verification's fields."),
		fld("inquiry", "The verification's inquiry (when included).", inquiry),
		fld("verification_template", "The verification template.", refTo("a verification template")))...)...)
	c.objects["document"] = lang.NewShape("a document", true, with(object(),
		fld("kind", "The kind of document."), fld("processed_at", "When it was processed."), fld("files", "The uploaded files."),
		fld("inquiry", "The document's inquiry (when included).", inquiry))...)
	c.objects["selfie"] = lang.NewShape("a selfie", true, with(object(),
		fld("processed_at", "When it was processed."), fld("capture_method", "How it was captured."),
		fld("inquiry", "The selfie's inquiry (when included).", inquiry))...)
	c.objects["inquiry-session"] = lang.NewShape("an inquiry session", true, with(object(),
		fld("ip_address", "IP address of the session."), fld("ip_country_code", "Country of the IP address."),
		fld("country_code", "Country of the session."), fld("user_agent", "The browser's user agent."),
		fld("device_fingerprint", "Device fingerprint."), fld("browser_fingerprint", "Browser fingerprint."),
		fld("started_at", "When the session started."), fld("expired_at", "When the session expired."),
		fld("inquiry", "The session's inquiry (when included).", inquiry))...)
	c.objects["workflow-run"] = lang.NewShape("a workflow run", true, with(object(),
		fld("completed_at", "When the run completed."), fld("workflow", "The workflow.", refTo("a workflow")),
		fld("workflow_version", "The workflow version.", refTo("a workflow version")), fld("creator", "What started the run."))...)
	return c
}
