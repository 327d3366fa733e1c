package persona

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
)

// verificationDone are the verification statuses that end polling.
var verificationDone = []string{"passed", "failed", "requires_retry", "canceled"}

// ReportRun implements Client: POST /reports with
// {"data": {"type": "report/<kebab>", "attributes": {"report_template_id",
// "account_id", "query": {…}}}}, then GET /reports/{id} until the report
// is no longer pending. `matched` is Persona's has_match; an errored
// report is an error.
func (a *API) ReportRun(ctx context.Context, req ReportRequest) (map[string]any, error) {
	kind, err := lookupReport("report.run", req.Type)
	if err != nil {
		return nil, err
	}
	op := "report." + req.Type
	q, err := kind.buildQuery(op, req.Query)
	if err != nil {
		return nil, err
	}
	attrs := map[string]any{"query": q}
	setIf(attrs, "report_template_id", cmp.Or(req.TemplateID, a.cfg.ReportTemplates[req.Type]))
	setIf(attrs, "account_id", req.AccountID)
	body := attributes("report/"+kind.persona, attrs)
	rep, err := a.do(ctx, call{op: op, method: http.MethodPost, path: "/reports", body: body})
	if err != nil {
		return nil, err
	}
	rep, err = a.poll(ctx, op, "report", "/reports", rep, func(s string) bool { return s != "pending" })
	if err != nil {
		return nil, err
	}
	if str(rep["status"]) == "errored" {
		return nil, fmt.Errorf("%s: report %q errored", op, str(rep["id"]))
	}
	if rep["query"] == nil {
		rep["query"] = q
	}
	return withMatched(rep), nil
}

// ReportGet implements Client: GET /reports/{id}.
func (a *API) ReportGet(ctx context.Context, id string) (map[string]any, error) {
	rep, err := a.get(ctx, "report.get", "report", "/reports", id)
	if err != nil {
		return nil, err
	}
	return withMatched(rep), nil
}

// withMatched sets `matched` from Persona's has_match.
func withMatched(rep map[string]any) map[string]any {
	matched, _ := rep["has_match"].(bool)
	rep["matched"] = matched
	return rep
}

// VerificationRun implements Client: POST /verification/<kebab>s with the
// fields and verification_template_id as attributes, POST …/{id}/submit,
// then GET …/{id} until passed, failed, requires_retry or canceled.
func (a *API) VerificationRun(ctx context.Context, req VerificationRequest) (map[string]any, error) {
	return a.verify(ctx, "verification.run", req)
}

// VerificationTinCheck implements Client: a database_tin verification of
// {tin, name_business}.
func (a *API) VerificationTinCheck(ctx context.Context, tin, name string) (map[string]any, error) {
	if tin == "" {
		return nil, fmt.Errorf("verification.tin_check: tin is required")
	}
	fields := map[string]any{"tin": tin}
	setIf(fields, "name_business", name)
	return a.verify(ctx, "verification.tin_check", VerificationRequest{Type: "database_tin", Fields: fields})
}

// verify creates, submits and polls a verification.
func (a *API) verify(ctx context.Context, op string, req VerificationRequest) (map[string]any, error) {
	typ, base, err := verificationNames(op, req.Type)
	if err != nil {
		return nil, err
	}
	attrs := fieldsValue(req.Fields)
	setIf(attrs, "verification_template_id", cmp.Or(req.TemplateID, a.cfg.VerificationTemplates[req.Type]))
	ver, err := a.do(ctx, call{op: op, method: http.MethodPost, path: base, body: attributes(typ, attrs)})
	if err != nil {
		return nil, err
	}
	submit, err := idPath(op, "verification", base, str(ver["id"]), "/submit")
	if err != nil {
		return nil, err
	}
	if ver, err = a.do(ctx, call{op: op, method: http.MethodPost, path: submit, keyTag: ":submit"}); err != nil {
		return nil, err
	}
	return a.poll(ctx, op, "verification", base, ver, func(s string) bool {
		return slices.Contains(verificationDone, s)
	})
}

// poll reads obj again from base/{id}, waiting PollInterval between reads,
// until done holds for its status or PollAttempts reads are spent.
func (a *API) poll(ctx context.Context, op, kind, base string, obj map[string]any, done func(string) bool) (map[string]any, error) {
	for i := 0; !done(str(obj["status"])); i++ {
		if i >= a.pollAttempts {
			return nil, fmt.Errorf("%s: %s %q is still %s after %d checks",
				op, kind, str(obj["id"]), orNone(str(obj["status"])), a.pollAttempts)
		}
		if err := a.sleep(ctx, a.pollInterval); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		var err error
		if obj, err = a.get(ctx, op, kind, base, str(obj["id"])); err != nil {
			return nil, err
		}
	}
	return obj, nil
}
