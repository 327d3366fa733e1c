package persona

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

const (
	// maxCaseObjects is Persona's limit of objects on one case.
	maxCaseObjects = 1000
	// maxSLA is Persona's longest case SLA.
	maxSLA = 90 * 24 * time.Hour
	// idempotencyKind is the store kind of idempotency records.
	idempotencyKind = "idempotency_key"
)

// CaseCreate implements Client.
func (l *Local) CaseCreate(ctx context.Context, spec CaseSpec) (map[string]any, error) {
	const op = "case.create"
	if err := checkCaseSpec(op, spec); err != nil {
		return nil, err
	}
	return l.create(ctx, op, "case", func() (map[string]any, error) {
		refs, err := l.objectRefs(ctx, op, nil, spec.Objects)
		if err != nil {
			return nil, err
		}
		now := l.now()
		obj := map[string]any{
			"id": l.newID("case"), "type": "case", "status": "open", "template": spec.Template,
			"fields": fieldsValue(spec.Fields), "objects": refs, "tags": []any{}, "comments": []any{},
			"created_at": timestamp(now),
		}
		if spec.Queue != "" {
			obj["queue"] = spec.Queue
		}
		if spec.SLA > 0 {
			obj["sla_expires_at"] = timestamp(now.Add(spec.SLA))
		}
		return obj, nil
	})
}

// checkCaseSpec validates what case.create takes, for both backends.
func checkCaseSpec(op string, spec CaseSpec) error {
	switch {
	case strings.TrimSpace(spec.Template) == "":
		return fmt.Errorf("%s: template is required", op)
	case len(spec.Objects) > maxCaseObjects:
		return fmt.Errorf("%s: %d objects, at most %d", op, len(spec.Objects), maxCaseObjects)
	case spec.SLA < 0 || spec.SLA > maxSLA:
		return fmt.Errorf("%s: sla must be between 0 and 90d, got %s", op, spec.SLA)
	}
	return nil
}

// objectRefs checks that every id names a stored object and returns refs
// with the new ones appended, skipping ids already in refs.
func (l *Local) objectRefs(ctx context.Context, op string, refs []any, ids []string) ([]any, error) {
	have := map[string]bool{}
	for _, r := range refs {
		if m, ok := r.(map[string]any); ok {
			have[str(m["id"])] = true
		}
	}
	for _, id := range ids {
		if have[id] {
			continue
		}
		kind, ok := kindOfID(id)
		if !ok {
			return nil, fmt.Errorf("%s: cannot tell what kind of object %q is", op, id)
		}
		obj, err := l.load(ctx, op, kind, id)
		if err != nil {
			return nil, err
		}
		refs = append(refs, map[string]any{"id": id, "type": obj["type"]})
		have[id] = true
	}
	if len(refs) > maxCaseObjects {
		return nil, fmt.Errorf("%s: a case holds at most %d objects", op, maxCaseObjects)
	}
	return refs, nil
}

// CaseGet implements Client.
func (l *Local) CaseGet(ctx context.Context, id string) (map[string]any, error) {
	return l.load(ctx, "case.get", "case", id)
}

// CaseAssign implements Client.
func (l *Local) CaseAssign(ctx context.Context, id, email string) (map[string]any, error) {
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("case.assign: invalid email address %q", email)
	}
	return l.update(ctx, "case.assign", "case", id, func(obj map[string]any) error {
		obj["assignee"] = email
		obj["assigned_at"] = timestamp(l.now())
		return nil
	})
}

// CaseSetStatus implements Client.
func (l *Local) CaseSetStatus(ctx context.Context, id, status string) (map[string]any, error) {
	if strings.TrimSpace(status) == "" {
		return nil, errors.New("case.set_status: status is empty")
	}
	return l.update(ctx, "case.set_status", "case", id, func(obj map[string]any) error {
		obj["status"] = status
		if status == "approved" || status == "declined" {
			obj["resolved_at"] = timestamp(l.now())
		}
		return nil
	})
}

// CaseAddObjects implements Client.
func (l *Local) CaseAddObjects(ctx context.Context, id string, objectIDs []string) (map[string]any, error) {
	const op = "case.add_objects"
	l.mu.Lock()
	defer l.mu.Unlock()
	obj, err := l.load(ctx, op, "case", id)
	if err != nil {
		return nil, err
	}
	refs, _ := refOf(obj["objects"]).([]any)
	if obj["objects"], err = l.objectRefs(ctx, op, refs, objectIDs); err != nil {
		return nil, err
	}
	return l.save(ctx, op, obj)
}

// CaseAddTag implements Client.
func (l *Local) CaseAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "case.add_tag", "case", id, tag, true)
}

// CaseRemoveTag implements Client.
func (l *Local) CaseRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "case.remove_tag", "case", id, tag, false)
}

// CaseAddComment implements Client.
func (l *Local) CaseAddComment(ctx context.Context, id, text string) (map[string]any, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("case.add_comment: text is empty")
	}
	return l.update(ctx, "case.add_comment", "case", id, func(obj map[string]any) error {
		c := map[string]any{"text": text, "created_at": timestamp(l.now())}
		obj["comments"] = append(listOf(obj["comments"]), c)
		return nil
	})
}

// ReportRun implements Client; see Local for how reports match.
func (l *Local) ReportRun(ctx context.Context, req ReportRequest) (map[string]any, error) {
	kind, err := lookupReport("report.run", req.Type)
	if err != nil {
		return nil, err
	}
	op := "report." + req.Type
	q, err := kind.buildQuery(op, req.Query)
	if err != nil {
		return nil, err
	}
	return l.create(ctx, op, "report", func() (map[string]any, error) {
		matched, err := l.listMatch(ctx, op, kind.list, kind.subjectOf(q))
		if err != nil {
			return nil, err
		}
		now := timestamp(l.now())
		obj := map[string]any{
			"id": l.newID("rep"), "type": "report/" + kind.persona, "status": "ready",
			"matched": matched, "has_match": matched, "query": q, "matched_lists": []any{},
			"tags": []any{}, "created_at": now, "completed_at": now,
		}
		if matched {
			obj["matched_lists"] = []any{kind.list}
		}
		setIf(obj, "report_template_id", req.TemplateID)
		if req.AccountID != "" {
			obj["account"] = map[string]any{"id": req.AccountID, "type": "account"}
		}
		return obj, nil
	})
}

// listMatch asks the ListMatcher; no list or no matcher matches nothing.
func (l *Local) listMatch(ctx context.Context, op, list, value string) (bool, error) {
	if list == "" || l.lists == nil || value == "" {
		return false, nil
	}
	ok, err := l.lists.ListMatch(ctx, list, value)
	if err != nil {
		return false, fmt.Errorf("%s: list %q: %w", op, list, err)
	}
	return ok, nil
}

// ReportGet implements Client.
func (l *Local) ReportGet(ctx context.Context, id string) (map[string]any, error) {
	return l.load(ctx, "report.get", "report", id)
}

// VerificationRun implements Client; database_tin checks the `failed-tins`
// list, every other type passes.
func (l *Local) VerificationRun(ctx context.Context, req VerificationRequest) (map[string]any, error) {
	const op = "verification.run"
	typ, _, err := verificationNames(op, req.Type)
	if err != nil {
		return nil, err
	}
	fields := fieldsValue(req.Fields)
	setIf(fields, "verification_template_id", req.TemplateID)
	if req.Type == "database_tin" {
		return l.tinCheck(ctx, op, str(fields["tin"]), fields)
	}
	return l.create(ctx, op, "verification", func() (map[string]any, error) {
		return l.verification(typ, "passed", fields), nil
	})
}

// VerificationTinCheck implements Client.
func (l *Local) VerificationTinCheck(ctx context.Context, tin, name string) (map[string]any, error) {
	return l.tinCheck(ctx, "verification.tin_check", tin, map[string]any{"tin": tin, "name_business": name})
}

// tinCheck fails a database TIN verification whose TIN is on `failed-tins`.
func (l *Local) tinCheck(ctx context.Context, op, tin string, fields map[string]any) (map[string]any, error) {
	if strings.TrimSpace(tin) == "" {
		return nil, fmt.Errorf("%s: tin is required", op)
	}
	return l.create(ctx, op, "verification", func() (map[string]any, error) {
		failed, err := l.listMatch(ctx, op, "failed-tins", tin)
		if err != nil {
			return nil, err
		}
		status := "passed"
		if failed {
			status = "failed"
		}
		obj := l.verification("verification/database-tin", status, fields)
		obj["checks"] = []any{map[string]any{"name": "tin_match", "status": status}}
		return obj, nil
	})
}

// verification builds a decided verification with fields as attributes.
func (l *Local) verification(typ, status string, fields map[string]any) map[string]any {
	now := timestamp(l.now())
	obj := make(map[string]any, len(fields)+8)
	for k, v := range fields {
		obj[k] = v
	}
	for k, v := range map[string]any{
		"id": l.newID("ver"), "type": typ, "status": status, "checks": []any{},
		"created_at": now, "submitted_at": now, "completed_at": now,
	} {
		obj[k] = v
	}
	return obj
}

// AccountGet implements Client.
func (l *Local) AccountGet(ctx context.Context, id string) (map[string]any, error) {
	return l.load(ctx, "account.get", "account", id)
}

// AccountFindOrCreate implements Client.
func (l *Local) AccountFindOrCreate(ctx context.Context, referenceID string, fields map[string]any) (map[string]any, error) {
	const op = "account.find_or_create"
	if strings.TrimSpace(referenceID) == "" {
		return nil, fmt.Errorf("%s: reference_id is required", op)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	accounts, err := l.store.ListObjects(ctx, "account")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	for _, a := range accounts {
		if str(a["reference_id"]) == referenceID {
			return a, nil
		}
	}
	obj := map[string]any{
		"id": l.newID("act"), "type": "account", "reference_id": referenceID,
		"fields": fieldsValue(fields), "tags": []any{}, "created_at": timestamp(l.now()),
	}
	return l.save(ctx, op, obj)
}

// AccountUpdate implements Client: fields are merged into the account's.
func (l *Local) AccountUpdate(ctx context.Context, id string, fields map[string]any) (map[string]any, error) {
	return l.update(ctx, "account.update", "account", id, func(obj map[string]any) error {
		merged, _ := obj["fields"].(map[string]any)
		if merged == nil {
			merged = map[string]any{}
		}
		for k, v := range fieldsValue(fields) {
			merged[k] = v
		}
		obj["fields"] = merged
		return nil
	})
}

// AccountAddTag implements Client.
func (l *Local) AccountAddTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "account.add_tag", "account", id, tag, true)
}

// AccountRemoveTag implements Client.
func (l *Local) AccountRemoveTag(ctx context.Context, id, tag string) (map[string]any, error) {
	return l.tag(ctx, "account.remove_tag", "account", id, tag, false)
}

// TransactionCreate implements Client.
func (l *Local) TransactionCreate(ctx context.Context, spec TransactionSpec) (map[string]any, error) {
	const op = "transaction.create"
	if strings.TrimSpace(spec.Type) == "" {
		return nil, fmt.Errorf("%s: type is required", op)
	}
	return l.create(ctx, op, "transaction", func() (map[string]any, error) {
		obj := map[string]any{
			"id": l.newID("txn"), "type": "transaction", "transaction_type": spec.Type,
			"status": "created", "fields": fieldsValue(spec.Fields), "tags": []any{},
			"labels": []any{}, "created_at": timestamp(l.now()),
		}
		setIf(obj, "reference_id", spec.ReferenceID)
		return obj, nil
	})
}

// TransactionSetStatus implements Client.
func (l *Local) TransactionSetStatus(ctx context.Context, id, status string) (map[string]any, error) {
	if strings.TrimSpace(status) == "" {
		return nil, errors.New("transaction.set_status: status is empty")
	}
	return l.update(ctx, "transaction.set_status", "transaction", id, func(obj map[string]any) error {
		obj["status"] = status
		return nil
	})
}

// TransactionAddLabel implements Client: label is the newest, labels all.
func (l *Local) TransactionAddLabel(ctx context.Context, id, label string) (map[string]any, error) {
	if strings.TrimSpace(label) == "" {
		return nil, errors.New("transaction.add_label: label is empty")
	}
	return l.update(ctx, "transaction.add_label", "transaction", id, func(obj map[string]any) error {
		obj["label"] = label
		obj["labels"] = strSliceToAny(addUnique(stringList(obj["labels"]), label))
		return nil
	})
}

// create runs build and saves its object, unless the context's idempotency
// key already created one, which is returned instead.
func (l *Local) create(ctx context.Context, op, kind string, build func() (map[string]any, error)) (map[string]any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := IdempotencyKey(ctx)
	if prev, err := l.replayed(ctx, op, kind, key); prev != nil || err != nil {
		return prev, err
	}
	obj, err := build()
	if err != nil {
		return nil, err
	}
	if key == "" {
		return l.save(ctx, op, obj)
	}
	// The object and the record of the key that created it are written
	// together, so a crash cannot leave the object without the record (and
	// the step performed again would create a second one).
	obj["updated_at"] = timestamp(l.now())
	rec := map[string]any{"id": key, "type": idempotencyKind, "kind": kind, "object_id": obj["id"]}
	objs := l.withApplied(ctx, []Object{
		{Kind: kindOf(str(obj["type"])), ID: str(obj["id"]), Data: obj},
		{Kind: idempotencyKind, ID: key, Data: rec},
	}, obj)
	if err := l.store.PutObjects(ctx, objs); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return obj, nil
}

// replayed is the object an earlier create with the same key made, if any.
func (l *Local) replayed(ctx context.Context, op, kind, key string) (map[string]any, error) {
	if key == "" {
		return nil, nil
	}
	rec, err := l.store.GetObject(ctx, idempotencyKind, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if str(rec["kind"]) != kind {
		return nil, fmt.Errorf("%s: idempotency key %q was already used to create a %s", op, key, str(rec["kind"]))
	}
	return l.load(ctx, op, kind, str(rec["object_id"]))
}

// fieldsValue is a copy of fields with snake_case keys, never nil.
func fieldsValue(fields map[string]any) map[string]any {
	out, _ := snakeKeys(fields, 0).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// setIf sets obj[key] to s when s is not empty.
func setIf(obj map[string]any, key, s string) {
	if s != "" {
		obj[key] = s
	}
}
