package sqlite

import (
	"context"
	"errors"
)

// Group commit. Every write on the hot path of a run (creating it, journaling a step, a log
// line, finishing it, the local Persona backend's objects) joins a queue; the writes waiting
// at one moment are committed in one transaction, so many concurrent runs share each commit,
// and each caller returns only once its write is committed. There is no writer goroutine:
// the first caller to find no commit under way leads, committing batch after batch in its
// own goroutine until its own write is in, then hands the lead to the oldest write still
// waiting (woken for it). A write that meets no other costs no hand-off between goroutines.
// An op that fails does not take the others down: the batch is rolled back and its ops are
// applied again one transaction each, so every caller gets its own outcome.

// maxGroup caps the ops in one commit, so one transaction stays short.
const maxGroup = 256

// writeOp is one write waiting to be committed: fn runs inside the batch's transaction.
type writeOp struct {
	fn func(tx dbtx) error
	// wake is closed when the op is committed (done) or its caller is to lead (lead); nil
	// for a caller that leads from the start.
	wake chan struct{}
	lead bool
	done bool
	err  error
}

// errClosed is returned for writes after Close.
var errClosed = errors.New("store: closed")

// write runs fn in a write transaction shared with the other writes waiting at the same
// moment, and returns once that transaction is committed (or fn failed and nothing of it was
// kept). fn may run twice (a second time alone, when another op of its batch failed), so it
// must have no effect but the statements it runs on tx.
func (s *Store) write(ctx context.Context, fn func(tx dbtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{fn: fn}
	s.qmu.Lock()
	if s.closed {
		s.qmu.Unlock()
		return errClosed
	}
	s.pending = append(s.pending, op)
	if s.leading {
		op.wake = make(chan struct{})
		s.qmu.Unlock()
		<-op.wake
		if op.done {
			return op.err
		}
		s.qmu.Lock() // op.lead: the previous leader handed over; op is first in the queue
	}
	s.leading = true
	for !op.done {
		n := min(len(s.pending), maxGroup)
		batch := append(s.batch[:0], s.pending[:n]...)
		s.pending = append(s.pending[:0], s.pending[n:]...)
		s.qmu.Unlock()
		s.commit(batch, op)
		clear(batch)
		s.batch = batch
		s.qmu.Lock()
	}
	if len(s.pending) > 0 {
		next := s.pending[0]
		next.lead = true
		close(next.wake)
	} else {
		s.leading = false
		s.idle.Broadcast()
	}
	s.qmu.Unlock()
	return op.err
}

// commit applies a batch in one transaction; when that fails, each op alone. Every op but
// self (the leader's own) is woken.
func (s *Store) commit(batch []*writeOp, self *writeOp) {
	ctx := context.Background()
	ok := false
	if len(batch) > 1 {
		ok = s.inTx(ctx, func(tx dbtx) error {
			for _, op := range batch {
				if err := op.fn(tx); err != nil {
					return err
				}
			}
			return nil
		}) == nil
	}
	for _, op := range batch {
		if !ok {
			op.err = s.inTx(ctx, op.fn)
		}
		op.done = true
		if op != self {
			close(op.wake)
		}
	}
}
