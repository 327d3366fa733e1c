// Package persona is the Go layer under WF's Persona actions (the
// `inquiry`, `case`, `report`, `verification`, `account` and `transaction`
// stdlib modules) and the decoder of Persona webhook events into triggers.
// It sits in stdlib: the interpreter calls a Client through the host's `run`
// seam and converts its plain Go values (nil, bool, int64, float64, string,
// []any, map[string]any) at its boundary (module.go and module_reports.go
// declare those WF functions over a Client); the runtime decodes webhook
// bodies with DecodeEvent and wires a backend with New.
//
// # Objects
//
// Every object is normalized (see Normalize): JSON:API attributes lifted
// onto the object, keys in snake_case, typed fields unwrapped under
// `fields`, relationships resolved from `included`. A trigger reads
// `trigger.id`, `trigger.status`, `trigger.fields.name_first`,
// `trigger.account.reference_id`.
//
// # Backends
//
// Local (Config.Backend "local", the default) keeps objects in an
// ObjectStore and decides reports and verifications with local Lists, so
// every example runs without a Persona account:
//
//	report.watchlist                  matches when the name is on list  watchlist
//	report.politically_exposed_person                                   pep
//	report.adverse_media                                                adverse-media
//	report.business_watchlist                                           business-watchlist
//	report.business_adverse_media                                       business-adverse-media
//	report.email_address              the email address                 risky-emails
//	report.phone_number               the phone number                  risky-phones
//	report.business_lookup, report.address_lookup                       always ready, never matched
//	verification.tin_check            fails when the TIN is on          failed-tins
//
// The name a person report looks up is its term (the `name` argument),
// else name_first name_middle name_last joined by spaces; business reports
// look up their term. See Local for the inquiry lifecycle it enforces.
//
// API (Config.Backend "api") calls the Persona REST API at DefaultBaseURL
// with Persona-Version APIVersion and Key-Inflection snake; see API.
//
// # Report queries
//
// Report arguments are Persona's query fields in snake_case, plus short
// names: `name` is the term of watchlist, politically_exposed_person,
// adverse_media, business_watchlist and business_adverse_media, and the
// business_name of business_lookup; `address` is address_street_1 (with
// `city`, `subdivision`, `postal_code`, `country` for the other address
// fields); `email` is email_address and `phone` is phone_number. Required
// fields follow Persona: a name or term for person reports, term for
// business watchlist and adverse media, business_name for business lookup,
// the full address for address lookup, the address or number for email and
// phone reports.
//
// # Idempotency
//
// The host puts a key built from the run id and step key in the context
// with WithIdempotencyKey. The api backend sends it as Idempotency-Key on
// every mutating request (and refuses to mutate without one); the local
// backend uses it to make creates return the object an earlier attempt made.
package persona
