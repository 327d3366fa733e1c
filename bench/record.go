package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// RecordWorkflow is the three-step workflow of the recorded-run benchmark:
// an inquiry is tagged, marked for review and put in a case, on the local
// Persona backend, with two log lines and an output.
const RecordWorkflow = `workflow review_minor {
  on event "inquiry.completed"

  log "checking ${trigger.id}"
  run inquiry.add_tag(trigger.id, "minor")
  run inquiry.mark_for_review(trigger.id, comment: "applicant is under 18")
  run case.create(template: "minor-review", objects: [trigger.id])
  log "marked ${trigger.id} for review"
  output {decision: "review"}
}
`

// RecordStart is the logical start of every recorded run, so runs are
// reproducible.
var RecordStart = time.Date(2026, 11, 20, 11, 15, 0, 0, time.UTC)

// Recorder runs RecordWorkflow, recorded, in an embedded store.
type Recorder struct {
	Engine *runtime.Engine
	loaded *runtime.Loaded
	object *interp.Map
	n      int
}

// NewRecorder opens (creating) the store at path and compiles the workflow.
// trigger is the event's object; each run gets a copy with its own id.
func NewRecorder(ctx context.Context, path string, trigger *interp.Map) (*Recorder, error) {
	eng, err := runtime.Open(ctx, runtime.Config{Store: path})
	if err != nil {
		return nil, err
	}
	l := runtime.LoadSource("review_minor.wf", []byte(RecordWorkflow), eng.Lib, interp.Options{})
	if l.Program == nil {
		eng.Close()
		return nil, fmt.Errorf("bench: %v", l.Diags.Err())
	}
	return &Recorder{Engine: eng, loaded: l, object: trigger}, nil
}

// Run performs one whole recorded run for a new inquiry and returns its
// record.
func (r *Recorder) Run(ctx context.Context) (*runtime.Record, error) {
	r.n++
	n := strconv.Itoa(r.n)
	ev := &runtime.Event{Name: "inquiry.completed", ID: "evt_" + n, CreatedAt: RecordStart,
		Object: r.object.With("id", "inq_"+n)}
	rec, err := r.Engine.Run(ctx, r.loaded, runtime.RunOptions{ID: "run_" + n, Workflow: "review_minor",
		Event: ev, Start: RecordStart})
	if err != nil {
		return nil, err
	}
	if rec.Status != interp.StatusCompleted {
		return rec, fmt.Errorf("bench: run %s ended %s", rec.ID, rec.Status)
	}
	return rec, nil
}

// Close closes the engine and its store.
func (r *Recorder) Close() error { return r.Engine.Close() }
