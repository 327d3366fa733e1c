package persona

import (
	"context"
	"fmt"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
)

// reportShortcut declares report.<typ>: its own parameters (before the
// extra named query fields), doc and example.
type reportShortcut struct {
	typ, params, doc, example string
}

// reportShortcuts lists one shortcut per report type.
func reportShortcuts() []reportShortcut {
	const person = " Give name, or name_first and name_last; birthdate and country narrow the search."
	return []reportShortcut{
		{"watchlist", "name: string?", "Screens a person against sanctions and warning lists." + person,
			`run report.watchlist(name: "${trigger.fields.name_first} ${trigger.fields.name_last}")`},
		{"politically_exposed_person", "name: string?", "Screens a person against lists of politically exposed people." + person,
			`run report.politically_exposed_person(name_first: trigger.fields.name_first, name_last: trigger.fields.name_last)`},
		{"adverse_media", "name: string?", "Searches news and media for negative coverage of a person." + person,
			`run report.adverse_media(name: trigger.fields.name_full)`},
		{"business_watchlist", "name: string?", "Screens a business against sanctions and warning lists. Give its name; country narrows the search.",
			`run report.business_watchlist(name: business_name)`},
		{"business_adverse_media", "name: string?", "Searches news and media for negative coverage of a business.",
			`run report.business_adverse_media(name: business_name)`},
		{"business_lookup", "name: string?, address: string?", "Looks up a business's registration by its name, with its street address, phone and country when known.",
			`run report.business_lookup(name: business_name, address: address)`},
		{"address_lookup", "address: string?", "Checks a postal address: give address (the street), city, subdivision, postal_code and country.",
			`run report.address_lookup(address: "1 Main St", city: "Springfield", subdivision: "IL", postal_code: "62701", country: "US")`},
		{"email_address", "email: string?", "Scores the risk of an email address.",
			`run report.email_address(email: trigger.fields.email_address)`},
		{"phone_number", "phone: string?", "Scores the risk of a phone number.",
			`run report.phone_number(phone: trigger.fields.phone_number)`},
	}
}

func reportModule() *builtin.Module {
	run := action("report.run(type: string, **) -> map",
		"Runs a report of type ("+strings.Join(ReportTypes(), ", ")+") with its query fields as named "+
			"arguments, and returns it once it is ready, with `id`, `type`, `status`, `matched` and `query`. "+
			"`template_id:` picks a report template and `account_id:` attaches the report to an account.",
		`run report.run("watchlist", name: "Jane Doe", birthdate: "1990-01-31")`, nil)
	run.Fn = runReport
	out := []*interp.Builtin{run}
	for _, s := range reportShortcuts() {
		doc := s.doc + " The result has `id`, `status` and `matched`; extra named arguments are query " +
			"fields, and `template_id:` and `account_id:` work as in report.run."
		if list := LocalReportList(s.typ); list != "" {
			doc += fmt.Sprintf(" With the local backend it matches when the subject is on the List `%s`.", list)
		} else {
			doc += " With the local backend it is always ready and never matched."
		}
		b := action(fmt.Sprintf("report.%s(%s, **) -> map", s.typ, s.params), doc, s.example, nil)
		b.Fn = shortcut(s.typ, b)
		out = append(out, b)
	}
	return &builtin.Module{
		Name: "report",
		Doc: "Persona reports: screening a person or business against watchlists, politically exposed " +
			"people and adverse media, and looking up businesses, addresses, email addresses and phone " +
			"numbers. Query fields are Persona's, in snake_case; `name`, `address`, `email` and `phone` " +
			"are short names for the main field of each type.",
		Builtins: out,
	}
}

// runReport implements report.run.
func runReport(th *thread, a *argList) (value, error) {
	typ, _ := a.String(0)
	return report(th, typ, nil, a)
}

// shortcut implements report.<typ>: its declared parameters and the extra
// named arguments together are the query.
func shortcut(typ string, b *interp.Builtin) builtin.Func {
	return func(th *thread, a *argList) (value, error) {
		q := make(map[string]any, len(b.Decl.Params))
		for i, p := range b.Decl.Params {
			if v := a.Value(i); v != nil {
				q[p.Name] = plainValue(v)
			}
		}
		return report(th, typ, q, a)
	}
}

// report runs a report with query q plus the extra named arguments.
func report(th *thread, typ string, q map[string]any, a *argList) (value, error) {
	req := ReportRequest{Type: typ, Query: q}
	if req.Query == nil {
		req.Query = map[string]any{}
	}
	opts, err := splitOptions(a.Extra(), req.Query, "template_id", "account_id")
	if err != nil {
		return nil, err
	}
	req.TemplateID, req.AccountID = opts[0], opts[1]
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) { return c.ReportRun(ctx, req) })
}

// splitOptions copies extra named arguments into into, except the string
// options named, which it returns in order ("" when absent).
func splitOptions(extra *interp.Map, into map[string]any, names ...string) ([]string, error) {
	opts := make([]string, len(names))
outer:
	for i := range extra.Keys() {
		k, v := extra.At(i)
		for j, n := range names {
			if k != n {
				continue
			}
			if v == nil {
				continue outer
			}
			s, ok := v.(string)
			if !ok {
				return nil, interp.Permanent(interp.Errorf(interp.KindType, "%s must be string, got %s", k, interp.TypeName(v)))
			}
			opts[j] = s
			continue outer
		}
		if _, dup := into[k]; dup {
			return nil, badArg("%s is given twice", k)
		}
		into[k] = plainValue(v)
	}
	return opts, nil
}

func verificationModule() *builtin.Module {
	return &builtin.Module{
		Name: "verification",
		Doc: "Persona verifications run from a workflow, such as database checks of a tax id. Each " +
			"returns the verification once decided, with `id` and `status` (passed or failed).",
		Builtins: []*interp.Builtin{
			action("verification.run(type: string, **) -> map", "Creates and submits a verification of type "+
				"(snake_case, such as database_tin or database_business) with its attributes as named "+
				"arguments, and returns it once decided. `template_id:` picks a verification template. "+
				"With the local backend database_tin fails when the TIN is on the List `failed-tins`; every "+
				"other type passes.",
				`run verification.run("database_business", name_business: business_name, ein: ein)`, runVerification),
			action("verification.tin_check(tin: string, name: string) -> map", "Checks a taxpayer "+
				"identification number against a business name (a database TIN verification). With the local "+
				"backend it fails when the TIN is on the List `failed-tins`.",
				`run verification.tin_check(tin: ein, name: business_name)`, tinCheck),
		},
	}
}

func runVerification(th *thread, a *argList) (value, error) {
	req := VerificationRequest{Fields: map[string]any{}}
	req.Type, _ = a.String(0)
	opts, err := splitOptions(a.Extra(), req.Fields, "template_id")
	if err != nil {
		return nil, err
	}
	req.TemplateID = opts[0]
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.VerificationRun(ctx, req)
	})
}

func tinCheck(th *thread, a *argList) (value, error) {
	tin, _ := a.String(0)
	name, _ := a.String(1)
	return perform(th, func(ctx context.Context, c Client) (map[string]any, error) {
		return c.VerificationTinCheck(ctx, tin, name)
	})
}
