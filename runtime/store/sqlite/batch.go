package sqlite

import (
	"context"
	"errors"
)

// Group commit. Every write on the hot path of a run (creating it, journaling a step, a log
// line, finishing it, the local Persona backend's objects) goes through one writer goroutine
// that gathers the writes waiting at that moment into one transaction: many concurrent runs
// share each commit, and each caller returns only once its write is committed. An op that
// fails does not take the others down: the batch is rolled back and its ops are applied again
// one transaction each, so every caller gets its own outcome.

// maxGroup caps the ops in one commit, so one transaction stays short.
const maxGroup = 256

// writeOp is one write waiting for the writer: fn runs inside the batch's transaction.
type writeOp struct {
	fn   func(tx dbtx) error
	done chan error
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
	op := writeOp{fn: fn, done: make(chan error, 1)}
	s.wmu.RLock()
	if s.closed {
		s.wmu.RUnlock()
		return errClosed
	}
	s.ops <- op
	s.wmu.RUnlock()
	return <-op.done
}

// writeLoop is the writer goroutine: it commits batches until ops is closed.
func (s *Store) writeLoop() {
	defer close(s.writerDone)
	batch := make([]writeOp, 0, maxGroup)
	for op := range s.ops {
		batch = append(batch[:0], op)
	gather:
		for len(batch) < maxGroup {
			select {
			case next, ok := <-s.ops:
				if !ok {
					break gather
				}
				batch = append(batch, next)
			default:
				break gather
			}
		}
		s.commit(batch)
	}
}

// commit applies a batch in one transaction; when that fails, each op alone.
func (s *Store) commit(batch []writeOp) {
	ctx := context.Background()
	if len(batch) > 1 {
		if err := s.inTx(ctx, func(tx dbtx) error {
			for _, op := range batch {
				if err := op.fn(tx); err != nil {
					return err
				}
			}
			return nil
		}); err == nil {
			for _, op := range batch {
				op.done <- nil
			}
			return
		}
	}
	for _, op := range batch {
		op.done <- s.inTx(ctx, op.fn)
	}
}
