package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"
	"unsafe"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/persona"
)

// durableHost is the host of a recorded run. It keeps the MemHost's
// behaviour (perform, replay, mock, dry run) and journals the run in the
// store as it goes:
//
//   - before an effect step is performed, its intent (name, arguments,
//     options, status "started") is committed; after, its outcome. A step
//     found started but not finished when the run is continued after a
//     crash is in doubt: it is performed again with the same idempotency key
//     (run id + step key), or, with `with {on_interrupt: "fail"}`, the run
//     fails for a person to decide;
//   - a step found finished is replayed from the journal, after checking
//     that the script asks for the same action with the same arguments (a
//     difference is a nondeterminism error, never a silent mismatch);
//   - waits are journaled when they begin; in park mode a wait that cannot
//     end now parks the run (see interp.Parked) instead of holding a
//     goroutine;
//   - log lines are recorded once per key, so a replay adds none;
//   - a Persona action on the local backend is the exception to the first
//     rule: its change commits with the record of its idempotency key (see
//     persona.Local.Once), so it is never in doubt. It gets no intent, and
//     its outcome is saved with the run's next write (the next intent, a
//     wait, a log line, the run's end; just before a park): a crash before
//     that performs it again under the same key, which returns the first
//     result and changes nothing. The journal stays a prefix of the
//     run: no later effect is performed before the outcome is committed.
type durableHost struct {
	*interp.MemHost
	e    *Engine
	run  *store.Run
	mode execMode
	// journal is every step row of the run as it was when this execution
	// began: finished ones are replayed, started ones are in doubt,
	// waiting ones are waits that began earlier.
	journal map[string]store.Step

	mu sync.Mutex
	// seq numbers steps and log lines together, in the order they are
	// written (a step when its intent or first record is written).
	seq    int64
	err    error // the first store error; the run fails with it
	redact func(string) string
	// written are the step rows and log lines this execution wrote.
	steps []store.Step
	logs  []store.Log
	// consumed are the events that answered this run's event waits.
	consumed map[string]bool
	// seen is the newest event seq before the first candidate query of a
	// wait that parked (0: none), for ParkRun's race check.
	seen int64
	// logBytes is the text of the log lines this execution recorded.
	logBytes int
	// pending are outcomes of store-atomic steps (see storeAtomic) not
	// saved yet, in the order they ended: they ride with the run's next
	// write.
	pending []store.Step
}

func newDurableHost(ctx context.Context, e *Engine, l *Loaded, run *store.Run, journal map[string]store.Step, mode execMode) (*durableHost, error) {
	mem := &interp.MemHost{Clock: e.clock, DryRun: mode.dryRun, SkipWaits: mode.skipWaits,
		Journal: map[string]*interp.StepRecord{}}
	for _, ev := range mode.waitEvents {
		mem.Events = append(mem.Events, ev.Value())
	}
	h := &durableHost{MemHost: mem, e: e, run: run, mode: mode, journal: journal, consumed: map[string]bool{}}
	for k, s := range journal {
		h.seq = max(h.seq, s.Seq)
		if !replayable(s) {
			continue
		}
		rec, err := journalEntry(k, s)
		if err != nil {
			return nil, err
		}
		mem.Journal[k] = rec
		if s.Name == "wait event" {
			if id := eventIDOf(s.Result); id != "" {
				h.consumed[id] = true
			}
		}
	}
	if len(journal) > 0 {
		last, err := e.Store.LastSeq(ctx, run.ID)
		if err != nil {
			return nil, err
		}
		h.seq = max(h.seq, last)
	}
	mem.OnStep = h.saveStep
	mem.OnLog = h.saveLog
	mem.EmitFunc = (&emitter{e: e, l: l, parent: run, mode: mode}).emit
	return h, nil
}

// replayable reports whether a journaled step's outcome is final and
// replays: it finished and did not fail (a failed step is performed again
// when a failed run is resumed).
func replayable(s store.Step) bool {
	if s.FinishedAt.IsZero() {
		return false
	}
	switch s.Status {
	case interp.StepCompleted, interp.StepContinued, interp.StepMocked:
		return true
	}
	return false
}

// journalEntry turns a stored step into the interpreter's journal entry.
func journalEntry(key string, s store.Step) (*interp.StepRecord, error) {
	var result interp.Value
	if len(s.Result) > 0 {
		v, err := interp.ParseJSON(s.Result)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", key, err)
		}
		result = v
	}
	return &interp.StepRecord{Key: key, Name: s.Name, Result: result, Err: s.Error, Status: s.Status,
		Attempts: s.Attempts, Started: s.StartedAt, Finished: s.FinishedAt}, nil
}

// eventIDOf reads the id of the event a wait event's recorded result holds.
func eventIDOf(result json.RawMessage) string {
	var ev struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(result, &ev) != nil {
		return ""
	}
	return ev.ID
}

// Step journals the step's intent, performs (or replays, or mocks) it and
// journals its outcome. An effect whose intent could not be journaled is
// not performed.
func (h *durableHost) Step(ctx context.Context, st *interp.Step) (interp.Value, error) {
	h.setRedact(st.Redact)
	j, known := h.journal[st.Key]
	if known && replayable(j) {
		if err := h.checkSame(st, j); err != nil {
			return nil, err
		}
		return h.MemHost.Step(ctx, st)
	}
	if known && j.Status == store.StepStarted && st.Options.OnInterrupt == interp.OnInterruptFail {
		return nil, &interp.Error{Kind: interp.KindInterrupted, Step: st.Name, StepKey: st.Key,
			Msg: fmt.Sprintf("%s was interrupted after it started at %s: it may or may not have taken effect; "+
				"check its target, then resume the run to perform it again or cancel it", st.Name, j.StartedAt.Format(time.RFC3339))}
	}
	if err := h.checkSteps(st.Key, st.File, st.Pos, st.Workflow); err != nil {
		return nil, err
	}
	performs := h.performs(st.Name)
	atomic := performs && h.storeAtomic(st.Name, st.Options)
	if performs && !known && (!atomic || h.mode.created) {
		// A step the journal has never seen cannot have taken effect under
		// its key before: its first attempt tells the local Persona backend
		// so, which then skips looking for an earlier result. A
		// store-atomic step writes no intent, so the journal cannot know,
		// unless the run was created for this execution.
		do, first := st.Do, true
		st.Do = func(ctx context.Context) (interp.Value, error) {
			if first {
				first = false
				ctx = persona.FreshKey(ctx)
			}
			return do(ctx)
		}
	}
	if performs && !atomic {
		intent := store.Step{Key: st.Key, Seq: h.seqFor(st.Key), Name: st.Name, Args: h.jsonOf(st.Args),
			Options: optionsJSON(st.Options), Status: store.StepStarted, StartedAt: h.e.clock.Now()}
		if err := h.writeSteps(context.WithoutCancel(ctx), intent); err != nil {
			return nil, fmt.Errorf("journaling the intent of %s: %w", st.Name, err)
		}
	}
	v, err := h.MemHost.Step(ctx, st)
	if p, parked := interp.AsParked(err); parked {
		// The step waits for another run (workflow.call): it is performed
		// again when the run continues, and is not in doubt meanwhile.
		h.saveRow(store.Step{Key: st.Key, Seq: h.seqFor(st.Key), Name: st.Name, Args: h.jsonOf(st.Args),
			Options: optionsJSON(st.Options), Status: store.StepWaiting, StartedAt: st.Started})
		return nil, p
	}
	if serr := h.storeErr(); serr != nil {
		return nil, serr
	}
	return v, err
}

// performs reports whether this execution performs the action name (not a
// dry run, not mocked).
func (h *durableHost) performs(name string) bool { return !h.mode.dryRun && h.Mocks[name] == nil }

// storeAtomic reports whether an action's effect commits together with the
// record of its idempotency key, so that it needs no intent: a Persona
// action on the local backend, unless the script asked for
// on_interrupt "fail" (then it is journaled as any other effect).
func (h *durableHost) storeAtomic(name string, o interp.StepOptions) bool {
	if o.OnInterrupt == interp.OnInterruptFail {
		return false
	}
	_, local := h.e.Persona.(*persona.Local)
	return local && persona.IsAction(name)
}

// writeSteps commits the pending outcomes with rows, in one transaction.
// On an error the pending outcomes stay pending (the run's end tries them
// again).
func (h *durableHost) writeSteps(ctx context.Context, rows ...store.Step) error {
	pending := h.takePending()
	if len(rows) == 0 && len(pending) == 0 {
		return nil
	}
	all := rows
	if len(pending) > 0 {
		all = append(pending[:len(pending):len(pending)], rows...)
	}
	err := h.e.Store.SaveSteps(ctx, h.run.ID, all)
	if err != nil {
		h.putBack(pending)
	}
	return err
}

// putBack returns outcomes taken for a write that failed to the pending
// ones, ahead of any added since.
func (h *durableHost) putBack(pending []store.Step) {
	if len(pending) == 0 {
		return
	}
	h.mu.Lock()
	h.pending = append(pending, h.pending...)
	h.mu.Unlock()
}

// takePending returns the pending outcomes, for the run's end to save.
func (h *durableHost) takePending() []store.Step {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pending
	h.pending = nil
	return p
}

// checkSame stops a replay whose script no longer asks for what the
// journal recorded under this key.
func (h *durableHost) checkSame(st *interp.Step, j store.Step) error {
	args := h.jsonOf(st.Args)
	if j.Name == st.Name && (len(j.Args) == 0 || JSONEqual(args, j.Args)) {
		return nil
	}
	return &interp.Error{Kind: interp.KindNondeterminism, Step: st.Name, StepKey: st.Key,
		Msg: fmt.Sprintf("replaying step %s: the journal has %s(%s), the script now asks for %s(%s); "+
			"the run cannot continue on this version (rerun it instead)", st.Key, j.Name, j.Args, st.Name, args)}
}

// JSONEqual reports whether two JSON texts hold the same value (whatever
// their spacing and key order); a text that is not JSON equals only
// itself, byte for byte.
func JSONEqual(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// optionsJSON records a step's `with {…}` options (nil when it has none).
func optionsJSON(o interp.StepOptions) json.RawMessage {
	if o == (interp.StepOptions{}) {
		return nil
	}
	b, _ := json.Marshal(o) // a struct of numbers, durations, bools and strings
	return b
}

// Wait journals a wait when it begins and ends it, or parks the run.
func (h *durableHost) Wait(ctx context.Context, w *interp.Wait) (interp.Value, error) {
	if j, ok := h.journal[w.Key]; ok && replayable(j) {
		return h.MemHost.Wait(ctx, w)
	}
	if !h.mode.park && w.Event != "" {
		return h.MemHost.Wait(ctx, w) // answered from --event-file events
	}
	if err := h.checkSteps(w.Key, w.File, w.Pos, w.Workflow); err != nil {
		return nil, err
	}
	started := h.e.clock.Now()
	if j, ok := h.journal[w.Key]; ok && j.Status == store.StepWaiting && !j.StartedAt.IsZero() {
		started = j.StartedAt
	} else {
		h.saveRow(store.Step{Key: w.Key, Seq: h.seqFor(w.Key), Name: waitName(w), Args: h.jsonOf(waitArgs(w)),
			Status: store.StepWaiting, StartedAt: started})
		if serr := h.storeErr(); serr != nil {
			return nil, serr
		}
	}
	w.Started = started
	if w.Event == "" {
		return h.timeWait(ctx, w)
	}
	return h.eventWait(ctx, w)
}

func waitName(w *interp.Wait) string {
	if w.Event != "" {
		return "wait event"
	}
	return "wait"
}

func waitArgs(w *interp.Wait) *interp.Map {
	m := interp.NewMap(2)
	if w.Event == "" {
		m.Set("duration", w.Duration)
		return m
	}
	m.Set("event", w.Event)
	m.Set("timeout", w.Timeout)
	return m
}

// timeWait ends a time wait that is due; otherwise it parks the run, or
// (in the process) sleeps until it is due.
func (h *durableHost) timeWait(ctx context.Context, w *interp.Wait) (interp.Value, error) {
	due := w.Started.Add(w.Duration)
	if left := due.Sub(h.e.clock.Now()); left > 0 && !h.mode.skipWaits {
		if h.mode.park {
			return nil, interp.Park(interp.ParkedWait{Key: w.Key, Until: due})
		}
		if err := h.e.clock.Sleep(ctx, left); err != nil {
			h.endWait(w, nil, interp.StepCancelled, err.Error(), h.e.clock.Now())
			return nil, err
		}
	}
	w.Finished = due
	h.endWait(w, nil, interp.StepCompleted, "", due)
	return nil, nil
}

// eventWait ends an event wait with the first recorded event since the run
// began that matches it and no earlier wait took, or with null once its
// timeout has passed; otherwise it parks the run.
func (h *durableHost) eventWait(ctx context.Context, w *interp.Wait) (interp.Value, error) {
	seen, err := h.e.Store.MaxEventSeq(ctx)
	if err != nil {
		return nil, err
	}
	glob := store.IsGlob(w.Event)
	cands, err := h.e.Store.EventsSince(ctx, w.Event, glob, h.run.StartedAt, maxCandidates)
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		if h.isConsumed(c.ID) || (glob && !lang.EventMatches(w.Event, c.Name)) {
			continue
		}
		ev, err := eventValue(c.Body)
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", c.ID, err)
		}
		if w.Match != nil {
			ok, err := w.Match(ev)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		h.consume(c.ID)
		w.Finished = w.Started
		if c.ReceivedAt.After(w.Started) {
			w.Finished = c.ReceivedAt
		}
		h.endWait(w, ev, interp.StepCompleted, "", w.Finished)
		return ev, nil
	}
	deadline := w.Started.Add(w.Timeout)
	if h.e.clock.Now().Before(deadline) {
		h.noteSeen(seen)
		return nil, interp.Park(interp.ParkedWait{Key: w.Key, Until: deadline, Event: w.Event})
	}
	w.Finished = deadline
	h.endWait(w, nil, interp.StepCompleted, "", deadline)
	return nil, nil
}

// maxCandidates bounds the events one event wait looks at.
const maxCandidates = 1000

func (h *durableHost) isConsumed(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.consumed[id]
}

func (h *durableHost) consume(id string) {
	h.mu.Lock()
	h.consumed[id] = true
	h.mu.Unlock()
}

// noteSeen keeps the oldest newest-event seq seen by a wait that parked:
// events after it may wake the run.
func (h *durableHost) noteSeen(seq int64) {
	h.mu.Lock()
	if h.seen == 0 || seq < h.seen {
		h.seen = seq
	}
	h.mu.Unlock()
}

// eventsSeen is the seq ParkRun checks newer events against.
func (h *durableHost) eventsSeen() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen
}

// eventValue decodes a stored event as a wait event sees it: {name, id,
// created_at, trigger}, created_at a time.
func eventValue(body json.RawMessage) (*interp.Map, error) {
	v, err := interp.ParseJSON(body)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*interp.Map)
	if !ok {
		return nil, fmt.Errorf("the stored event is not an object")
	}
	fixTime(m, "created_at")
	return m, nil
}

// fixTime turns an RFC 3339 string under key back into a time.
func fixTime(m *interp.Map, key string) {
	if s, ok := m.Get(key); ok {
		if str, ok := s.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, str); err == nil {
				m.Set(key, t.UTC())
			}
		}
	}
}

// endWait journals a wait's end.
func (h *durableHost) endWait(w *interp.Wait, result interp.Value, status, errText string, finished time.Time) {
	h.record(&interp.StepRecord{Key: w.Key, Name: waitName(w), Args: waitArgs(w), Result: result, Err: errText,
		Status: status, Attempts: 1, Started: w.Started, Finished: finished, File: w.File, Pos: w.Pos})
}

// record journals a step record the host made itself (a wait's end).
func (h *durableHost) record(rec *interp.StepRecord) { h.saveStep(rec) }

func (h *durableHost) setRedact(r func(string) string) {
	if r == nil {
		return
	}
	h.mu.Lock()
	h.redact = r
	h.mu.Unlock()
}

func (h *durableHost) storeErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

func (h *durableHost) scrub(s string) string {
	h.mu.Lock()
	r := h.redact
	h.mu.Unlock()
	if r == nil {
		return s
	}
	return r(s)
}

// seqFor is the journal order of a step: the seq its row already has, or
// the next one.
func (h *durableHost) seqFor(key string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if j, ok := h.journal[key]; ok && j.Seq > 0 {
		return j.Seq
	}
	for i := range h.steps {
		if h.steps[i].Key == key {
			return h.steps[i].Seq
		}
	}
	h.seq++
	return h.seq
}

// saveStep journals a step's outcome (replays are already in the journal).
func (h *durableHost) saveStep(rec *interp.StepRecord) {
	if rec.Status == interp.StepReplayed {
		return
	}
	st := store.Step{
		Key: rec.Key, Seq: h.seqFor(rec.Key), Name: rec.Name, Status: rec.Status, Attempts: rec.Attempts,
		StartedAt: rec.Started, FinishedAt: rec.Finished, Error: h.scrub(rec.Err),
		Args: h.jsonOf(rec.Args), Result: h.jsonOf(rec.Result), Options: optionsJSON(rec.Options),
		AttemptLog: attemptsJSON(rec.AttemptLog),
	}
	if st.FinishedAt.IsZero() {
		st.FinishedAt = h.e.clock.Now()
	}
	if h.performs(rec.Name) && h.storeAtomic(rec.Name, rec.Options) {
		h.mu.Lock()
		h.pending = append(h.pending, st)
		h.noteRowLocked(st)
		h.mu.Unlock()
		return
	}
	h.saveRow(st)
}

func attemptsJSON(as []interp.Attempt) json.RawMessage {
	if len(as) == 0 {
		return nil
	}
	b, _ := json.Marshal(as) // numbers, strings and times
	return b
}

// saveRow writes a step row (with the pending outcomes); a failure fails
// the run.
func (h *durableHost) saveRow(st store.Step) {
	if err := h.writeSteps(context.Background(), st); err != nil {
		h.fail(fmt.Errorf("recording step %s: %w", st.Key, err))
		return
	}
	h.mu.Lock()
	h.noteRowLocked(st)
	h.mu.Unlock()
}

// noteRowLocked keeps st among the rows this execution wrote.
func (h *durableHost) noteRowLocked(st store.Step) {
	for i := range h.steps {
		if h.steps[i].Key == st.Key {
			h.steps[i] = st
			return
		}
	}
	h.steps = append(h.steps, st)
}

func (h *durableHost) saveLog(l *interp.LogLine) {
	entry := store.Log{At: l.At, Level: "info", Message: h.scrub(l.Message), Key: l.Key,
		Pos: fmt.Sprintf("%s:%d:%d", l.File, l.Pos.Line, l.Pos.Col)}
	h.mu.Lock()
	h.logBytes += len(entry.Message)
	over := h.logBytes > h.e.caps.MaxLogBytes
	h.seq++
	entry.Seq = h.seq
	h.mu.Unlock()
	if over {
		// The record stays bounded: no more lines, and the run fails.
		h.fail(&interp.Error{Kind: interp.KindLimit, File: l.File, Pos: l.Pos, Workflow: l.Workflow,
			Msg: fmt.Sprintf("the run's log lines are over %d bytes, the most a run may record", h.e.caps.MaxLogBytes)})
		return
	}
	pending := h.takePending()
	if err := h.e.Store.AppendLog(context.Background(), h.run.ID, entry, pending); err != nil {
		h.putBack(pending)
		h.fail(fmt.Errorf("recording log line: %w", err))
		return
	}
	h.mu.Lock()
	h.logs = append(h.logs, entry)
	h.mu.Unlock()
}

// checkSteps fails a new step that would take the run's record past its
// cap of steps.
func (h *durableHost) checkSteps(key, file string, pos lang.Pos, workflow string) error {
	if _, known := h.journal[key]; known {
		return nil
	}
	h.mu.Lock()
	n := len(h.journal) + len(h.steps)
	h.mu.Unlock()
	if n < h.e.caps.MaxSteps {
		return nil
	}
	return &interp.Error{Kind: interp.KindLimit, File: file, Pos: pos, Workflow: workflow,
		Msg: fmt.Sprintf("the run has recorded %d steps, the most a run may", n)}
}

func (h *durableHost) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		h.err = err
	}
}

// jsonOf encodes a value for the record, with secrets removed. A value
// that cannot be encoded (too large, nested too deep) fails the run: its
// journal would replay a note in its place, not the value. The record
// shows that note.
func (h *durableHost) jsonOf(v interp.Value) json.RawMessage {
	b, err := recordJSON(v)
	if err != nil {
		h.fail(interp.Errorf(interp.KindLimit, "a step's value cannot be recorded: %v", err))
		b, _ = json.Marshal("[value not recorded: " + err.Error() + "]")
	}
	if b == nil {
		return nil
	}
	// b is this call's own copy, never written again: it is read as a
	// string without copying it, and kept when scrubbing finds nothing.
	text := unsafe.String(unsafe.SliceData(b), len(b))
	if scrubbed := h.scrub(text); scrubbed != text {
		return json.RawMessage(scrubbed)
	}
	return b
}

// stepsForRecord returns the run's steps as the record shows them after this
// execution: the journal as it was, overlaid by what this execution wrote,
// with steps replayed now marked replayed; in journal order.
func (h *durableHost) stepsForRecord() []store.Step {
	h.mu.Lock()
	defer h.mu.Unlock()
	byKey := make(map[string]store.Step, len(h.journal)+len(h.steps))
	for k, s := range h.journal {
		byKey[k] = s
	}
	for _, rec := range h.MemHost.Steps {
		if rec.Status == interp.StepReplayed {
			if s, ok := byKey[rec.Key]; ok {
				s.Status = interp.StepReplayed
				byKey[rec.Key] = s
			}
		}
	}
	for _, s := range h.steps {
		byKey[s.Key] = s
	}
	out := make([]store.Step, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seq != out[j].Seq {
			return out[i].Seq < out[j].Seq
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// performed returns the keys of the steps this execution wrote.
func (h *durableHost) performed() map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]bool, len(h.steps))
	for _, s := range h.steps {
		out[s.Key] = true
	}
	return out
}
