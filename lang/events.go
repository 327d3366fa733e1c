package lang

import "path"

// PersonaEvents lists the Persona event names WF knows, from Persona's
// events documentation (see the reference). Persona warns the list is not
// exhaustive, so an unknown name is a warning, not an error.
var PersonaEvents = []string{
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

// EventMatches reports whether an event name matches a trigger pattern. A
// pattern is a name or a glob: `*` matches any run of characters other than
// `/`, `?` one character, `[…]` a class (as in path.Match); the pattern `*`
// alone matches every event.
func EventMatches(pattern, name string) bool {
	if pattern == "*" || pattern == name {
		return true
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// ValidEventPattern reports whether a pattern is well formed.
func ValidEventPattern(pattern string) error {
	_, err := path.Match(pattern, "")
	return err
}

// EventObjectType returns the Persona object type an event carries, such as
// "inquiry" for "inquiry.completed" and "report/watchlist" for
// "report/watchlist.matched".
func EventObjectType(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[:i]
		}
	}
	return name
}
