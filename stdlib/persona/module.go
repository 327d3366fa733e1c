package persona

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// This file declares the WF modules inquiry, case, report, verification,
// account and transaction over a Client. Every function is an action, even
// the reads: a read from Persona is I/O, so it is a recorded step and a
// replayed run sees the data the first attempt read.

// Provider is what a run's environment provides for the Persona modules.
type Provider interface {
	// Persona returns the backend actions go to; nil when none is configured.
	Persona() Client
}

// Modules returns the Persona modules, one per WF module name, in the order
// the reference lists them.
func Modules() []*builtin.Module {
	return []*builtin.Module{inquiryModule(), caseModule(), reportModule(), verificationModule(),
		accountModule(), transactionModule()}
}

// IsAction reports whether name (inquiry.decline, case.create, …) is one of the actions
// of the Persona modules. Each is performed through the run's backend with the step's
// idempotency key; on the local backend through Local.Once, so that its change and the
// record of its key commit in one transaction: after a crash it has either happened with
// its record or not at all, and performing it again under the same key returns the first
// result without changing anything.
func IsAction(name string) bool { return actionNames()[name] }

var actionNames = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	for _, m := range Modules() {
		for _, b := range m.Builtins {
			names[b.Decl.Name] = true
		}
	}
	return names
})

type (
	// value, argList and thread keep the declaration tables short.
	value   = interp.Value
	argList = interp.Args
	thread  = interp.Thread
	// method is a Client method taking an id (InquiryGet, CaseGet, …).
	method func(Client, context.Context, string) (map[string]any, error)
	// method2 is a Client method taking an id and a string (a comment, a
	// tag, a status…).
	method2 func(Client, context.Context, string, string) (map[string]any, error)
)

var action = builtin.Action

func inquiryModule() *builtin.Module {
	return &builtin.Module{
		Name: "inquiry",
		Doc: "Actions on Persona inquiries. Each returns the inquiry after the action, normalized as " +
			"triggers are (`id`, `status`, `tags`, `fields`, …). Decisions follow Persona's lifecycle: " +
			"repeating the decision an inquiry already has does nothing, so retries are safe.",
		Builtins: []*interp.Builtin{
			action("inquiry.get(id: string) -> map", "Reads an inquiry. A read from Persona is I/O, so it "+
				"is a recorded step: a replayed run sees the data the first attempt read.",
				`run inquiry.get(trigger.id)`, byID(Client.InquiryGet)),
			action("inquiry.approve(id: string, comment: string?) -> map",
				"Approves a completed, failed or needs_review inquiry, with an optional comment.",
				`run inquiry.approve(trigger.id, comment: "all checks passed")`, byID2(Client.InquiryApprove)),
			action("inquiry.decline(id: string, comment: string?) -> map",
				"Declines a completed, failed or needs_review inquiry, with an optional comment.",
				`run inquiry.decline(trigger.id, comment: "IP ${trigger.ip_address} is on blocked-ips")`,
				byID2(Client.InquiryDecline)),
			action("inquiry.mark_for_review(id: string, comment: string?) -> map",
				"Sets a completed or failed inquiry to needs_review, for a person to decide.",
				`run inquiry.mark_for_review(trigger.id, comment: "applicant is under 18")`,
				byID2(Client.InquiryMarkForReview)),
			action("inquiry.resume(id: string) -> map", "Reopens an expired inquiry (its status becomes "+
				"pending); a created or pending inquiry is left as it is.", `run inquiry.resume(trigger.id)`,
				byID(Client.InquiryResume)),
			action("inquiry.expire(id: string) -> map", "Expires an inquiry that is still created or pending.",
				`run inquiry.expire(trigger.id)`, byID(Client.InquiryExpire)),
			action("inquiry.add_tag(id: string, tag: string) -> map", "Adds a tag to an inquiry (once).",
				`run inquiry.add_tag(trigger.id, "high-risk")`, byID2(Client.InquiryAddTag)),
			action("inquiry.remove_tag(id: string, tag: string) -> map", "Removes a tag from an inquiry.",
				`run inquiry.remove_tag(trigger.id, "high-risk")`, byID2(Client.InquiryRemoveTag)),
			action("inquiry.set_tags(id: string, tags: list) -> map", "Replaces an inquiry's tags with "+
				"tags, a list of strings.", `run inquiry.set_tags(trigger.id, ["kyc", "reviewed"])`, setTags),
			action("inquiry.redact(id: string) -> map", "Removes an inquiry's personal data: fields are "+
				"emptied, related objects become references and decision comments are dropped. Redacting "+
				"twice does nothing.", `run inquiry.redact(trigger.id)`, byID(Client.InquiryRedact)),
		},
	}
}

func caseModule() *builtin.Module {
	return &builtin.Module{
		Name: "case",
		Doc: "Actions on Persona cases, the queue where people review what a workflow could not " +
			"decide. Objects are given by id, or as the objects themselves (any map with an `id`), " +
			"such as the result of a report.",
		Builtins: []*interp.Builtin{
			action("case.create(template: string, objects: list?, queue: string?, sla: duration?, fields: map?) -> map",
				"Opens a case from a template (a name from the configuration, or a `ctmpl_` id), linked to "+
					"objects (at most 1000), optionally in a queue, with an SLA of at most 90d and case fields.",
				`run case.create(template: "kyb-review", objects: [watchlist.id, media.id], sla: 2d)`, caseCreate),
			action("case.get(id: string) -> map", "Reads a case. A read from Persona is I/O, so it is a "+
				"recorded step: a replayed run sees the data the first attempt read.",
				`run case.get(c.id)`, byID(Client.CaseGet)),
			action("case.assign(id: string, email: string) -> map", "Assigns a case to the user with "+
				"that email address.", `run case.assign(c.id, "analyst@example.com")`, byID2(Client.CaseAssign)),
			action("case.set_status(id: string, status: string) -> map", "Sets a case's status: open, "+
				"pending, approved, declined or a custom status.", `run case.set_status(c.id, "approved")`,
				byID2(Client.CaseSetStatus)),
			action("case.add_objects(id: string, objects: list) -> map", "Links more objects (ids or "+
				"objects with an id) to a case.", `run case.add_objects(c.id, [trigger.id])`, caseAddObjects),
			action("case.add_tag(id: string, tag: string) -> map", "Adds a tag to a case (once).",
				`run case.add_tag(c.id, "escalated")`, byID2(Client.CaseAddTag)),
			action("case.remove_tag(id: string, tag: string) -> map", "Removes a tag from a case.",
				`run case.remove_tag(c.id, "escalated")`, byID2(Client.CaseRemoveTag)),
			action("case.add_comment(id: string, text: string) -> map", "Adds a comment to a case. The "+
				"local backend only: Persona's API has no endpoint for it.",
				`run case.add_comment(c.id, "watchlist hit on ${trigger.name}")`, byID2(Client.CaseAddComment)),
		},
	}
}

func accountModule() *builtin.Module {
	return &builtin.Module{
		Name: "account",
		Doc:  "Actions on Persona accounts, the person or business behind inquiries and transactions.",
		Builtins: []*interp.Builtin{
			action("account.get(id: string) -> map", "Reads an account. A read from Persona is I/O, so it "+
				"is a recorded step: a replayed run sees the data the first attempt read.",
				`run account.get(trigger.account.id)`, byID(Client.AccountGet)),
			action("account.find_or_create(reference_id: string, fields: map?) -> map", "Returns the "+
				"account with the reference id, creating it with fields when there is none.",
				`run account.find_or_create(trigger.reference_id, fields: {tier: "gold"})`, accountFindOrCreate),
			action("account.update(id: string, fields: map) -> map", "Merges fields into an account's fields.",
				`run account.update(a.id, {risk_level: "high"})`, accountUpdate),
			action("account.add_tag(id: string, tag: string) -> map", "Adds a tag to an account (once).",
				`run account.add_tag(a.id, "vip")`, byID2(Client.AccountAddTag)),
			action("account.remove_tag(id: string, tag: string) -> map", "Removes a tag from an account.",
				`run account.remove_tag(a.id, "vip")`, byID2(Client.AccountRemoveTag)),
		},
	}
}

func transactionModule() *builtin.Module {
	return &builtin.Module{
		Name: "transaction",
		Doc:  "Actions on Persona transactions: payments, withdrawals and other events to screen.",
		Builtins: []*interp.Builtin{
			action("transaction.create(type: string, fields: map?, reference_id: string?) -> map",
				"Creates a transaction of a type (a `txntp_` id, or locally any name) with fields, optionally "+
					"linked to the account with reference_id.",
				`run transaction.create("withdrawal", fields: {amount: 5000}, reference_id: a.reference_id)`,
				transactionCreate),
			action("transaction.set_status(id: string, status: string) -> map", "Sets a transaction's status.",
				`run transaction.set_status(t.id, "approved")`, byID2(Client.TransactionSetStatus)),
			action("transaction.add_label(id: string, label: string) -> map", "Labels a transaction.",
				`run transaction.add_label(t.id, "suspicious")`, byID2(Client.TransactionAddLabel)),
		},
	}
}

// clientOf returns the run's Persona client.
func clientOf(th *thread) (Client, error) {
	if p, ok := th.Env().(Provider); ok {
		if c := p.Persona(); c != nil {
			return c, nil
		}
	}
	return nil, interp.Permanent(interp.Errorf(interp.KindValue, "no Persona backend is configured for this run"))
}

// perform calls the client with the step's idempotency key in the context
// and turns the object it returns into a WF map.
func perform(th *thread, f func(ctx context.Context, c Client) (map[string]any, error)) (value, error) {
	c, err := clientOf(th)
	if err != nil {
		return nil, err
	}
	key := th.RunID() + ":" + th.StepKey()
	ctx := WithIdempotencyKey(th.Context(), key)
	var obj map[string]any
	if local, ok := c.(*Local); ok && th.StepKey() != "" {
		obj, err = local.Once(ctx, key, func(ctx context.Context) (map[string]any, error) { return f(ctx, c) })
	} else {
		obj, err = f(ctx, c)
	}
	if err != nil {
		return nil, classify(err)
	}
	return interp.FromGo(obj), nil
}

// classify marks errors that retrying the step cannot fix: Persona's
// answers other than 429 and 5xx, an object that does not exist, and an
// action its status does not allow.
func classify(err error) error {
	var api *APIError
	if errors.As(err, &api) && !api.Retryable() || errors.Is(err, ErrNotFound) || errors.Is(err, ErrState) {
		return interp.Permanent(err)
	}
	return err
}

// byID binds a Client method that takes an id.
func byID(m method) builtin.Func {
	return func(th *thread, a *argList) (value, error) {
		id, err := a.String(0)
		if err != nil {
			return nil, err
		}
		return perform(th, func(ctx context.Context, c Client) (map[string]any, error) { return m(c, ctx, id) })
	}
}

// byID2 binds a Client method that takes an id and a string; a null
// second argument (an optional comment) is passed as "".
func byID2(m method2) builtin.Func {
	return func(th *thread, a *argList) (value, error) {
		id, err := a.String(0)
		if err != nil {
			return nil, err
		}
		s, err := a.OptString(1, "")
		if err != nil {
			return nil, err
		}
		return perform(th, func(ctx context.Context, c Client) (map[string]any, error) { return m(c, ctx, id, s) })
	}
}

func setTags(th *thread, a *argList) (value, error) {
	id, _ := a.String(0)
	tags, err := stringsArg(a, 1, "tags")
	if err != nil {
		return nil, err
	}
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.InquirySetTags(ctx, id, tags)
	})
}

func caseCreate(th *thread, a *argList) (value, error) {
	spec := CaseSpec{}
	spec.Template, _ = a.String(0)
	var err error
	if spec.Objects, err = objectIDs(a, 1, "objects"); err != nil {
		return nil, err
	}
	spec.Queue, _ = a.OptString(2, "")
	if a.Given(3) {
		spec.SLA, _ = a.Duration(3)
		if spec.SLA <= 0 {
			return nil, badArg("sla must be positive, got %s", interp.FormatDuration(spec.SLA))
		}
	}
	if spec.Fields, err = fieldsArg(a, 4); err != nil {
		return nil, err
	}
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) { return c.CaseCreate(ctx, spec) })
}

func caseAddObjects(th *thread, a *argList) (value, error) {
	id, _ := a.String(0)
	ids, err := objectIDs(a, 1, "objects")
	if err != nil {
		return nil, err
	}
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.CaseAddObjects(ctx, id, ids)
	})
}

func accountFindOrCreate(th *thread, a *argList) (value, error) {
	ref, _ := a.String(0)
	fields, err := fieldsArg(a, 1)
	if err != nil {
		return nil, err
	}
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.AccountFindOrCreate(ctx, ref, fields)
	})
}

func accountUpdate(th *thread, a *argList) (value, error) {
	id, _ := a.String(0)
	fields, err := fieldsArg(a, 1)
	if err != nil {
		return nil, err
	}
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.AccountUpdate(ctx, id, fields)
	})
}

func transactionCreate(th *thread, a *argList) (value, error) {
	spec := TransactionSpec{}
	spec.Type, _ = a.String(0)
	var err error
	if spec.Fields, err = fieldsArg(a, 1); err != nil {
		return nil, err
	}
	spec.ReferenceID, _ = a.OptString(2, "")
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.TransactionCreate(ctx, spec)
	})
}

// badArg is an error in the arguments, which retrying cannot fix.
func badArg(format string, args ...any) error {
	return interp.Permanent(interp.Errorf(interp.KindValue, format, args...))
}

// stringsArg reads a list of strings (null is an empty list).
func stringsArg(a *argList, i int, name string) ([]string, error) {
	if !a.Given(i) {
		return nil, nil
	}
	xs, err := a.List(i)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(xs.Elems))
	for j, x := range xs.Elems {
		s, ok := x.(string)
		if !ok {
			return nil, interp.Permanent(interp.Errorf(interp.KindType, "%s[%d] must be string, got %s",
				name, j, interp.TypeName(x)))
		}
		out[j] = s
	}
	return out, nil
}

// objectIDs reads a list of object ids, each a string or a map with a
// string id (an object such as a report's result).
func objectIDs(a *argList, i int, name string) ([]string, error) {
	if !a.Given(i) {
		return nil, nil
	}
	xs, err := a.List(i)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(xs.Elems))
	for j, x := range xs.Elems {
		if m, ok := x.(*interp.Map); ok {
			x, _ = m.Get("id")
		}
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, interp.Permanent(interp.Errorf(interp.KindType,
				"%s[%d] must be an id or an object with an id, got %s", name, j, describe(xs.Elems[j])))
		}
		out[j] = s
	}
	return out, nil
}

// describe names a value's type, or says it is an empty string.
func describe(v value) string {
	if s, ok := v.(string); ok && s == "" {
		return "an empty string"
	}
	return interp.TypeName(v)
}

// fieldsArg reads an optional map of fields as plain Go data; times become
// dates ("2006-01-02") when they are midnight UTC, else RFC 3339.
func fieldsArg(a *argList, i int) (map[string]any, error) {
	m, err := a.OptMap(i)
	if err != nil {
		return nil, err
	}
	return plainMap(m), nil
}

// plainMap converts a WF map to Go data for the client.
func plainMap(m *interp.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for i := range m.Keys() {
		k, v := m.At(i)
		out[k] = plainValue(v)
	}
	return out
}

// plainValue is interp.ToGo, except that a time at midnight UTC is a date,
// as Persona writes birthdates and other date fields.
func plainValue(v value) any {
	switch v := v.(type) {
	case time.Time:
		if u := v.UTC(); u.Equal(u.Truncate(24 * time.Hour)) {
			return u.Format(time.DateOnly)
		}
	case *interp.Map:
		return plainMap(v)
	case *interp.List:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = plainValue(e)
		}
		return out
	}
	return interp.ToGo(v)
}
