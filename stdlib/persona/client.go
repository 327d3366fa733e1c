package persona

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Client is every Persona action a WF script can run, behind one interface
// with two backends: Local (the default, an embedded store) and API (the
// Persona REST API). Each method returns the affected object normalized
// (see Normalize). Errors start with the action's WF name, e.g.
// `inquiry.decline: inquiry "inq_x" not found`.
type Client interface {
	Inquiries
	Cases
	Reports
	Verifications
	Accounts
	Transactions
}

// Inquiries are the `inquiry` module's actions.
type Inquiries interface {
	// InquiryGet reads an inquiry.
	InquiryGet(ctx context.Context, id string) (map[string]any, error)
	// InquiryApprove approves an inquiry, with an optional comment.
	InquiryApprove(ctx context.Context, id, comment string) (map[string]any, error)
	// InquiryDecline declines an inquiry, with an optional comment.
	InquiryDecline(ctx context.Context, id, comment string) (map[string]any, error)
	// InquiryMarkForReview sets an inquiry to needs_review.
	InquiryMarkForReview(ctx context.Context, id, comment string) (map[string]any, error)
	// InquiryResume reopens an expired inquiry (status pending).
	InquiryResume(ctx context.Context, id string) (map[string]any, error)
	// InquiryExpire expires an inquiry that is still in progress.
	InquiryExpire(ctx context.Context, id string) (map[string]any, error)
	// InquiryAddTag adds a tag to an inquiry.
	InquiryAddTag(ctx context.Context, id, tag string) (map[string]any, error)
	// InquiryRemoveTag removes a tag from an inquiry.
	InquiryRemoveTag(ctx context.Context, id, tag string) (map[string]any, error)
	// InquirySetTags replaces an inquiry's tags.
	InquirySetTags(ctx context.Context, id string, tags []string) (map[string]any, error)
	// InquiryRedact removes an inquiry's personal data.
	InquiryRedact(ctx context.Context, id string) (map[string]any, error)
}

// Cases are the `case` module's actions.
type Cases interface {
	// CaseCreate opens a case from a template, linked to objects.
	CaseCreate(ctx context.Context, spec CaseSpec) (map[string]any, error)
	// CaseGet reads a case.
	CaseGet(ctx context.Context, id string) (map[string]any, error)
	// CaseAssign assigns a case to the user with the given email address.
	CaseAssign(ctx context.Context, id, email string) (map[string]any, error)
	// CaseSetStatus sets a case's status (open, pending, approved, declined
	// or a custom status).
	CaseSetStatus(ctx context.Context, id, status string) (map[string]any, error)
	// CaseAddObjects links more objects to a case.
	CaseAddObjects(ctx context.Context, id string, objectIDs []string) (map[string]any, error)
	// CaseAddTag adds a tag to a case.
	CaseAddTag(ctx context.Context, id, tag string) (map[string]any, error)
	// CaseRemoveTag removes a tag from a case.
	CaseRemoveTag(ctx context.Context, id, tag string) (map[string]any, error)
	// CaseAddComment adds a comment to a case (local backend only: Persona
	// has no REST endpoint for it).
	CaseAddComment(ctx context.Context, id, text string) (map[string]any, error)
}

// Reports are the `report` module's actions.
type Reports interface {
	// ReportRun runs a report and returns it once it is ready, with at
	// least id, type, status, matched and query.
	ReportRun(ctx context.Context, req ReportRequest) (map[string]any, error)
	// ReportGet reads a report.
	ReportGet(ctx context.Context, id string) (map[string]any, error)
}

// Verifications are the `verification` module's actions.
type Verifications interface {
	// VerificationRun creates and submits a verification and returns it
	// once decided, with at least id and status (passed or failed).
	VerificationRun(ctx context.Context, req VerificationRequest) (map[string]any, error)
	// VerificationTinCheck runs a database TIN verification of a tax id
	// and a business name.
	VerificationTinCheck(ctx context.Context, tin, name string) (map[string]any, error)
}

// Accounts are the `account` module's actions.
type Accounts interface {
	// AccountGet reads an account.
	AccountGet(ctx context.Context, id string) (map[string]any, error)
	// AccountFindOrCreate returns the account with the reference id,
	// creating it with fields when there is none.
	AccountFindOrCreate(ctx context.Context, referenceID string, fields map[string]any) (map[string]any, error)
	// AccountUpdate sets fields on an account.
	AccountUpdate(ctx context.Context, id string, fields map[string]any) (map[string]any, error)
	// AccountAddTag adds a tag to an account.
	AccountAddTag(ctx context.Context, id, tag string) (map[string]any, error)
	// AccountRemoveTag removes a tag from an account.
	AccountRemoveTag(ctx context.Context, id, tag string) (map[string]any, error)
}

// Transactions are the `transaction` module's actions.
type Transactions interface {
	// TransactionCreate creates a transaction.
	TransactionCreate(ctx context.Context, spec TransactionSpec) (map[string]any, error)
	// TransactionSetStatus sets a transaction's status.
	TransactionSetStatus(ctx context.Context, id, status string) (map[string]any, error)
	// TransactionAddLabel labels a transaction.
	TransactionAddLabel(ctx context.Context, id, label string) (map[string]any, error)
}

// CaseSpec is what case.create takes.
type CaseSpec struct {
	// Template is the case template: a name mapped through
	// Config.CaseTemplates, or a Persona id (`ctmpl_…`).
	Template string
	// Objects are ids of objects to link (inquiries, reports,
	// verifications, accounts, transactions…); at most 1000.
	Objects []string
	// Queue is an optional case queue id.
	Queue string
	// SLA is an optional time to resolve the case, at most 90 days.
	SLA time.Duration
	// Fields are the template's case fields.
	Fields map[string]any
}

// ReportRequest is what report.run and its shortcuts take.
type ReportRequest struct {
	// Type is the WF report type, e.g. "watchlist" (see ReportTypes).
	Type string
	// Query holds the query fields in snake_case; see the package doc for
	// the short names (name, address, email, phone) each type accepts.
	Query map[string]any
	// TemplateID is an optional report template (`rptp_…`); the default
	// comes from Config.ReportTemplates.
	TemplateID string
	// AccountID optionally attaches the report to an account.
	AccountID string
}

// VerificationRequest is what verification.run takes.
type VerificationRequest struct {
	// Type is the WF verification type, e.g. "database_tin" or
	// "database_business" (Persona's `verification/<kebab>`).
	Type string
	// Fields are the verification's attributes in snake_case.
	Fields map[string]any
	// TemplateID is an optional verification template (`vtmpl_…`); the
	// default comes from Config.VerificationTemplates.
	TemplateID string
}

// TransactionSpec is what transaction.create takes.
type TransactionSpec struct {
	// Type is the transaction type id (`txntp_…`) or, locally, any name.
	Type string
	// Fields are the transaction's fields.
	Fields map[string]any
	// ReferenceID optionally links the transaction to an account's
	// reference id.
	ReferenceID string
}

// Config selects and configures a backend for New.
type Config struct {
	// Backend is "local" (the default when empty) or "api".
	Backend string

	// Store holds the local backend's objects; required for "local".
	Store ObjectStore
	// Lists answers the local backend's list lookups; nil matches nothing.
	Lists ListMatcher
	// Now is the clock (both backends); nil means time.Now.
	Now func() time.Time
	// NewID makes object ids from a prefix such as "inq"; nil means random
	// Persona-style ids.
	NewID func(prefix string) string

	// APIKey is the Persona API key (the caller reads PERSONA_API_KEY);
	// required for "api".
	APIKey string
	// BaseURL overrides DefaultBaseURL.
	BaseURL string
	// HTTPClient is the HTTP client under resty; nil means a new one.
	HTTPClient *http.Client
	// Version is WF's version, sent as User-Agent: wf/<Version>.
	Version string
	// MaxAttempts is how many times a request is tried on 429, 5xx or a
	// transport error; 0 or less means 4.
	MaxAttempts int
	// AttemptTimeout bounds one attempt; 0 or less means 30s.
	AttemptTimeout time.Duration
	// RateLimit is the client-side limit in requests a minute; 0 or less
	// means 300, Persona's default.
	RateLimit int
	// Sleep waits between attempts and for the rate limiter; nil means a
	// timer that stops early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollAttempts is how many times a pending report or verification is
	// read again before giving up; 0 or less means 10.
	PollAttempts int
	// PollInterval is the wait between those reads; 0 or less means 2s.
	PollInterval time.Duration
	// CaseTemplates maps WF case template names to Persona ids.
	CaseTemplates map[string]string
	// ReportTemplates maps WF report types to default report template ids.
	ReportTemplates map[string]string
	// VerificationTemplates maps WF verification types to default
	// verification template ids.
	VerificationTemplates map[string]string
}

// New returns the backend cfg.Backend names.
func New(cfg Config) (Client, error) {
	switch cfg.Backend {
	case "", "local":
		return NewLocal(cfg)
	case "api":
		return NewAPI(cfg)
	default:
		return nil, fmt.Errorf("persona: unknown backend %q, want \"local\" or \"api\"", cfg.Backend)
	}
}

// idempotencyKeyType keys the idempotency key in a context.
type idempotencyKeyType struct{}

// WithIdempotencyKey returns ctx carrying key, the idempotency key of the
// action about to run (the host builds it from the run id and step key).
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyType{}, key)
}

// IdempotencyKey is the key WithIdempotencyKey put in ctx, or "".
func IdempotencyKey(ctx context.Context) string {
	key, _ := ctx.Value(idempotencyKeyType{}).(string)
	return key
}

// Both backends implement Client.
var (
	_ Client = (*Local)(nil)
	_ Client = (*API)(nil)
)
