package persona

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// meta is a JSON:API body {"meta": {key: value}}, the body of action
// endpoints; an empty string value gives {"meta": {}}.
func meta(key string, value any) map[string]any {
	m := map[string]any{}
	if s, ok := value.(string); !ok || s != "" {
		m[key] = value
	}
	return map[string]any{"meta": m}
}

// attributes is a JSON:API body {"data": {"attributes": attrs}}, with a
// type when typ is not empty: the body of create and update endpoints.
func attributes(typ string, attrs map[string]any) map[string]any {
	data := map[string]any{"attributes": attrs}
	if typ != "" {
		data["type"] = typ
	}
	return map[string]any{"data": data}
}

// get reads one object.
func (a *API) get(ctx context.Context, op, kind, base, id string) (map[string]any, error) {
	path, err := idPath(op, kind, base, id)
	if err != nil {
		return nil, err
	}
	return a.do(ctx, call{op: op, method: http.MethodGet, path: path})
}

// action posts to an object's action endpoint, base/{id}/action.
func (a *API) action(ctx context.Context, op, kind, base, id, action string, body any) (map[string]any, error) {
	path, err := idPath(op, kind, base, id, "/"+action)
	if err != nil {
		return nil, err
	}
	return a.do(ctx, call{op: op, method: http.MethodPost, path: path, body: body})
}

// tagAction adds or removes a tag through base/{id}/add-tag or remove-tag.
func (a *API) tagAction(ctx context.Context, op, kind, base, id, tag, action string) (map[string]any, error) {
	if strings.TrimSpace(tag) == "" {
		return nil, fmt.Errorf("%s: tag is empty", op)
	}
	return a.action(ctx, op, kind, base, id, action, meta("tag_name", tag))
}

// InquiryGet implements Client: GET /inquiries/{id}.
func (a *API) InquiryGet(ctx context.Context, id string) (map[string]any, error) {
	return a.get(ctx, "inquiry.get", "inquiry", "/inquiries", id)
}

// InquiryApprove implements Client: POST /inquiries/{id}/approve.
func (a *API) InquiryApprove(ctx context.Context, id, comment string) (map[string]any, error) {
	return a.action(ctx, "inquiry.approve", "inquiry", "/inquiries", id, "approve", meta("comment", comment))
}

// InquiryDecline implements Client: POST /inquiries/{id}/decline.
func (a *API) InquiryDecline(ctx context.Context, id, comment string) (map[string]any, error) {
	return a.action(ctx, "inquiry.decline", "inquiry", "/inquiries", id, "decline", meta("comment", comment))
}

// InquiryMarkForReview implements Client: POST /inquiries/{id}/mark-for-review.
func (a *API) InquiryMarkForReview(ctx context.Context, id, comment string) (map[string]any, error) {
	return a.action(ctx, "inquiry.mark_for_review", "inquiry", "/inquiries", id, "mark-for-review", meta("comment", comment))
}

// InquiryResume implements Client: POST /inquiries/{id}/resume.
func (a *API) InquiryResume(ctx context.Context, id string) (map[string]any, error) {
	return a.action(ctx, "inquiry.resume", "inquiry", "/inquiries", id, "resume", nil)
}

// InquiryExpire implements Client: POST /inquiries/{id}/expire.
func (a *API) InquiryExpire(ctx context.Context, id string) (map[string]any, error) {
	return a.action(ctx, "inquiry.expire", "inquiry", "/inquiries", id, "expire", nil)
}

// InquiryAddTag implements Client: POST /inquiries/{id}/add-tag.
func (a *API) InquiryAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "inquiry.add_tag", "inquiry", "/inquiries", id, tag, "add-tag")
}

// InquiryRemoveTag implements Client: POST /inquiries/{id}/remove-tag.
func (a *API) InquiryRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "inquiry.remove_tag", "inquiry", "/inquiries", id, tag, "remove-tag")
}

// InquirySetTags implements Client: POST /inquiries/{id}/set-tags.
func (a *API) InquirySetTags(ctx context.Context, id string, tags []string) (map[string]any, error) {
	for _, t := range tags {
		if strings.TrimSpace(t) == "" {
			return nil, errors.New("inquiry.set_tags: tags must not be empty")
		}
	}
	body := meta("tag_name", strSliceToAny(addUnique(nil, tags...)))
	return a.action(ctx, "inquiry.set_tags", "inquiry", "/inquiries", id, "set-tags", body)
}

// InquiryRedact implements Client: DELETE /inquiries/{id}.
func (a *API) InquiryRedact(ctx context.Context, id string) (map[string]any, error) {
	const op = "inquiry.redact"
	path, err := idPath(op, "inquiry", "/inquiries", id)
	if err != nil {
		return nil, err
	}
	return a.do(ctx, call{op: op, method: http.MethodDelete, path: path})
}

// CaseCreate implements Client: POST /cases with case_template_id,
// case_queue_id and fields as attributes, object_ids and
// sla_expires_in_seconds as meta.
func (a *API) CaseCreate(ctx context.Context, spec CaseSpec) (map[string]any, error) {
	const op = "case.create"
	if err := checkCaseSpec(op, spec); err != nil {
		return nil, err
	}
	attrs := map[string]any{"case_template_id": cmp.Or(a.cfg.CaseTemplates[spec.Template], spec.Template)}
	setIf(attrs, "case_queue_id", spec.Queue)
	if len(spec.Fields) > 0 {
		attrs["fields"] = fieldsValue(spec.Fields)
	}
	body := attributes("", attrs)
	m := map[string]any{}
	if len(spec.Objects) > 0 {
		m["object_ids"] = strSliceToAny(spec.Objects)
	}
	if spec.SLA > 0 {
		m["sla_expires_in_seconds"] = int64(spec.SLA.Seconds())
	}
	if len(m) > 0 {
		body["meta"] = m
	}
	return a.do(ctx, call{op: op, method: http.MethodPost, path: "/cases", body: body})
}

// CaseGet implements Client: GET /cases/{id}.
func (a *API) CaseGet(ctx context.Context, id string) (map[string]any, error) {
	return a.get(ctx, "case.get", "case", "/cases", id)
}

// CaseAssign implements Client: POST /cases/{id}/assign.
func (a *API) CaseAssign(ctx context.Context, id, email string) (map[string]any, error) {
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("case.assign: invalid email address %q", email)
	}
	return a.action(ctx, "case.assign", "case", "/cases", id, "assign", meta("user_email_address", email))
}

// CaseSetStatus implements Client: POST /cases/{id}/set-status.
func (a *API) CaseSetStatus(ctx context.Context, id, status string) (map[string]any, error) {
	if strings.TrimSpace(status) == "" {
		return nil, errors.New("case.set_status: status is empty")
	}
	return a.action(ctx, "case.set_status", "case", "/cases", id, "set-status", meta("status", status))
}

// CaseAddObjects implements Client: POST /cases/{id}/add-objects.
func (a *API) CaseAddObjects(ctx context.Context, id string, objectIDs []string) (map[string]any, error) {
	if len(objectIDs) == 0 || len(objectIDs) > maxCaseObjects {
		return nil, fmt.Errorf("case.add_objects: give between 1 and %d object ids, got %d", maxCaseObjects, len(objectIDs))
	}
	body := meta("object_ids", strSliceToAny(objectIDs))
	return a.action(ctx, "case.add_objects", "case", "/cases", id, "add-objects", body)
}

// CaseAddTag implements Client: POST /cases/{id}/add-tag.
func (a *API) CaseAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "case.add_tag", "case", "/cases", id, tag, "add-tag")
}

// CaseRemoveTag implements Client: POST /cases/{id}/remove-tag.
func (a *API) CaseRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "case.remove_tag", "case", "/cases", id, tag, "remove-tag")
}

// CaseAddComment implements Client: Persona has no REST endpoint for case
// comments, so it always fails on this backend.
func (a *API) CaseAddComment(context.Context, string, string) (map[string]any, error) {
	return nil, errors.New("case.add_comment: the persona api has no endpoint for case comments (only the local backend supports them)")
}

// AccountGet implements Client: GET /accounts/{id}.
func (a *API) AccountGet(ctx context.Context, id string) (map[string]any, error) {
	return a.get(ctx, "account.get", "account", "/accounts", id)
}

// AccountFindOrCreate implements Client: GET
// /accounts?filter[reference-id]=…, then POST /accounts when none exists
// (and GET again if that POST loses a race and answers 409).
func (a *API) AccountFindOrCreate(ctx context.Context, referenceID string, fields map[string]any) (map[string]any, error) {
	const op = "account.find_or_create"
	if strings.TrimSpace(referenceID) == "" {
		return nil, fmt.Errorf("%s: reference_id is required", op)
	}
	if acct, err := a.findAccount(ctx, op, referenceID); acct != nil || err != nil {
		return acct, err
	}
	attrs := map[string]any{"reference_id": referenceID}
	if len(fields) > 0 {
		attrs["fields"] = fieldsValue(fields)
	}
	acct, err := a.do(ctx, call{op: op, method: http.MethodPost, path: "/accounts", body: attributes("", attrs)})
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict {
		if found, ferr := a.findAccount(ctx, op, referenceID); found != nil || ferr != nil {
			return found, ferr
		}
	}
	return acct, err
}

// findAccount is the account with the reference id, nil when none.
func (a *API) findAccount(ctx context.Context, op, referenceID string) (map[string]any, error) {
	q := url.Values{"filter[reference-id]": {referenceID}, "page[size]": {"1"}}
	doc, err := a.send(ctx, call{op: op, method: http.MethodGet, path: "/accounts", query: q})
	if err != nil {
		return nil, err
	}
	list, ok := doc["data"].([]any)
	if !ok {
		return nil, fmt.Errorf("%s: persona api: response data must be an array, got %s", op, typeName(doc["data"]))
	}
	if len(list) == 0 {
		return nil, nil
	}
	first, ok := list[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: persona api: response data[0] must be an object", op)
	}
	included, _ := doc["included"].([]any)
	return Normalize(first, included), nil
}

// AccountUpdate implements Client: PATCH /accounts/{id} with
// data.attributes.fields.
func (a *API) AccountUpdate(ctx context.Context, id string, fields map[string]any) (map[string]any, error) {
	const op = "account.update"
	path, err := idPath(op, "account", "/accounts", id)
	if err != nil {
		return nil, err
	}
	body := attributes("", map[string]any{"fields": fieldsValue(fields)})
	return a.do(ctx, call{op: op, method: http.MethodPatch, path: path, body: body})
}

// AccountAddTag implements Client: POST /accounts/{id}/add-tag.
func (a *API) AccountAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "account.add_tag", "account", "/accounts", id, tag, "add-tag")
}

// AccountRemoveTag implements Client: POST /accounts/{id}/remove-tag.
func (a *API) AccountRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return a.tagAction(ctx, "account.remove_tag", "account", "/accounts", id, tag, "remove-tag")
}

// TransactionCreate implements Client: POST /transactions with
// transaction_type_id, fields and reference_id.
func (a *API) TransactionCreate(ctx context.Context, spec TransactionSpec) (map[string]any, error) {
	const op = "transaction.create"
	if strings.TrimSpace(spec.Type) == "" {
		return nil, fmt.Errorf("%s: type is required", op)
	}
	attrs := map[string]any{"transaction_type_id": spec.Type, "fields": fieldsValue(spec.Fields)}
	setIf(attrs, "reference_id", spec.ReferenceID)
	return a.do(ctx, call{op: op, method: http.MethodPost, path: "/transactions", body: attributes("", attrs)})
}

// TransactionSetStatus implements Client: PATCH /transactions/{id} with
// data.attributes.status.
func (a *API) TransactionSetStatus(ctx context.Context, id, status string) (map[string]any, error) {
	const op = "transaction.set_status"
	if strings.TrimSpace(status) == "" {
		return nil, fmt.Errorf("%s: status is empty", op)
	}
	path, err := idPath(op, "transaction", "/transactions", id)
	if err != nil {
		return nil, err
	}
	body := attributes("", map[string]any{"status": status})
	return a.do(ctx, call{op: op, method: http.MethodPatch, path: path, body: body})
}

// TransactionAddLabel implements Client: POST /transactions/{id}/label.
func (a *API) TransactionAddLabel(ctx context.Context, id, label string) (map[string]any, error) {
	if strings.TrimSpace(label) == "" {
		return nil, errors.New("transaction.add_label: label is empty")
	}
	return a.action(ctx, "transaction.add_label", "transaction", "/transactions", id, "label", meta("label", label))
}
