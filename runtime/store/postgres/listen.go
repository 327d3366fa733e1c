package postgres

import (
	"context"
	"time"
)

// listenPing is how often the listener checks that its connection still answers while no
// announcement arrives; a check that fails, or takes longer, ends the feed's vouching.
const listenPing = time.Second

// ListenListChanges follows the announcements of List changes (NOTIFY on ListChannel) until
// ctx ends: changed is called with the name of each List that changed, live(true) once the
// connection listens (every change committed from then on will be announced), and
// live(false) as soon as it cannot vouch for that (the connection failed or did not answer a
// check within listenPing); it then connects again, with a backoff. So a follower that
// trusts its cache only while live sees every change within one announcement, and falls
// back within about 2 × listenPing when the connection dies silently.
func (s *Store) ListenListChanges(ctx context.Context, changed func(list string), live func(bool)) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if s.listen(ctx, changed, live) {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen follows announcements on one connection until it fails or ctx ends; it reports
// whether it got as far as listening.
func (s *Store) listen(ctx context.Context, changed func(string), live func(bool)) bool {
	pooled, err := s.pool.Acquire(ctx)
	if err != nil {
		return false
	}
	conn := pooled.Hijack() // a listening connection is not returned to the pool
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+ListChannel); err != nil {
		return false
	}
	live(true)
	defer live(false)
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return true
		case err == nil:
			changed(n.Payload)
			continue
		case wctx.Err() == nil:
			return true // the connection failed
		}
		pctx, cancel := context.WithTimeout(ctx, listenPing)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return true
		}
	}
}
