package runtime

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// Record is a run as `wf run --json` and `wf runs show --json` print it,
// and as the HTTP API returns it.
type Record struct {
	ID         string          `json:"id"`
	Workflow   string          `json:"workflow"`
	Version    string          `json:"version"`
	Trigger    json.RawMessage `json:"trigger"`
	Event      json.RawMessage `json:"event,omitempty"`
	Status     string          `json:"status"`
	DryRun     bool            `json:"dry_run,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Outputs    json.RawMessage `json:"outputs"`
	Error      json.RawMessage `json:"error"`
	Steps      []StepRecord    `json:"steps"`
	Logs       []LogRecord     `json:"logs"`
	// Parent, EventID, TriggerID and RerunOf link the run to what started it.
	ParentID  string `json:"parent_id,omitempty"`
	EventID   string `json:"event_id,omitempty"`
	TriggerID string `json:"trigger_id,omitempty"`
	RerunOf   string `json:"rerun_of,omitempty"`
	// Waits is what a parked run waits for.
	Waits []WaitRecord `json:"waits,omitempty"`
	// Performed are the keys of the steps the execution that returned this
	// record performed (not replayed), for metrics.
	Performed map[string]bool `json:"-"`
}

// WaitRecord is one condition a parked run waits for.
type WaitRecord struct {
	Key   string     `json:"key"`
	Until *time.Time `json:"until,omitempty"`
	Event string     `json:"event,omitempty"`
	Run   string     `json:"run,omitempty"`
}

func waitRecords(ws []store.Wait) []WaitRecord {
	out := make([]WaitRecord, len(ws))
	for i, w := range ws {
		out[i] = WaitRecord{Key: w.Key, Until: timePtr(w.Until), Event: w.Event, Run: w.WaitRun}
	}
	return out
}

// StepRecord is one step of a Record.
type StepRecord struct {
	// Seq orders the run's steps and log lines together, as they were
	// written: a step when it finished, a log line when it ran.
	Seq        int64           `json:"seq"`
	Key        string          `json:"key"`
	Name       string          `json:"name"`
	Args       json.RawMessage `json:"args"`
	Result     json.RawMessage `json:"result"`
	Error      *string         `json:"error"`
	Status     string          `json:"status"`
	Attempts   int             `json:"attempts"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	// Options are the step's `with {…}` options; AttemptLog is each attempt
	// with its own status, error and timing.
	Options    json.RawMessage `json:"options,omitempty"`
	AttemptLog json.RawMessage `json:"attempt_log,omitempty"`
}

// LogRecord is one log line of a Record.
type LogRecord struct {
	Seq     int64     `json:"seq"` // in the same sequence as StepRecord.Seq
	At      time.Time `json:"at"`
	Message string    `json:"message"`
	Pos     string    `json:"pos"`
}

// ErrorRecord is the error of a failed run.
type ErrorRecord struct {
	Kind     string   `json:"kind"`
	Message  string   `json:"message"`
	Pos      string   `json:"pos,omitempty"`
	Step     string   `json:"step,omitempty"`
	StepKey  string   `json:"step_key,omitempty"`
	Workflow string   `json:"workflow,omitempty"`
	Stack    []string `json:"stack,omitempty"`
	// GoStack is the Go stack of an internal error, for WF's developers.
	GoStack string `json:"go_stack,omitempty"`
}

var jsonNull = json.RawMessage("null")

func orNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return jsonNull
	}
	return b
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// RecordOf converts a stored run into a Record.
func RecordOf(r *store.Run) *Record {
	rec := &Record{
		ID: r.ID, Workflow: r.Workflow, Version: r.Version, Trigger: orNull(r.Trigger), Status: r.Status,
		DryRun: r.DryRun, StartedAt: r.StartedAt, FinishedAt: timePtr(r.FinishedAt),
		Outputs: orNull(r.Outputs), Error: orNull(r.Error), Steps: []StepRecord{}, Logs: []LogRecord{},
		ParentID: r.ParentID, EventID: r.EventID, TriggerID: r.TriggerID, RerunOf: r.RerunOf,
	}
	if len(r.Event) > 0 && string(r.Event) != "null" {
		rec.Event = r.Event
	}
	if len(r.Outputs) == 0 {
		rec.Outputs = json.RawMessage("{}")
	}
	for _, s := range r.Steps {
		sr := StepRecord{Seq: s.Seq, Key: s.Key, Name: s.Name, Args: orNull(s.Args), Result: orNull(s.Result),
			Status: s.Status, Attempts: s.Attempts, StartedAt: s.StartedAt, FinishedAt: timePtr(s.FinishedAt),
			Options: s.Options, AttemptLog: s.AttemptLog}
		if s.Error != "" {
			e := s.Error
			sr.Error = &e
		}
		rec.Steps = append(rec.Steps, sr)
	}
	for _, l := range r.Logs {
		rec.Logs = append(rec.Logs, LogRecord{Seq: l.Seq, At: l.At, Message: l.Message, Pos: l.Pos})
	}
	return rec
}

// BackgroundOutcome describes, for a person, how a run started in the
// background (workflow.start, emit) ended: "run ID (workflow W), started in
// the background, failed: message".
func (r *Record) BackgroundOutcome() string {
	msg := ""
	if e := r.ParsedError(); e != nil {
		msg = ": " + e.Message
	}
	return fmt.Sprintf("run %s (workflow %s), started in the background, %s%s", r.ID, r.Workflow, r.Status, msg)
}

// ParsedError decodes the record's error, if any.
func (r *Record) ParsedError() *ErrorRecord {
	if len(r.Error) == 0 || string(r.Error) == "null" {
		return nil
	}
	var e ErrorRecord
	if json.Unmarshal(r.Error, &e) != nil {
		return &ErrorRecord{Message: string(r.Error)}
	}
	return &e
}
