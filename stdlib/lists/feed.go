package lists

// A change feed. By itself, Handle reads a list's row on every call (one primary-key read)
// to see whether the list changed. A store shared by several processes can do better: it
// announces every change as it commits (PostgreSQL's LISTEN/NOTIFY), and while that feed is
// live, Handle answers from the cached handle of a list no announcement has marked, reading
// nothing. A list marked changed is read again at its next Handle, which layers only the
// changes over the index it has (as without a feed).
//
// Staleness: while the feed is live, a Handle sees a change once its announcement has
// reached this process (the commit, then one message). The feed's owner calls
// SetFeedLive(false) as soon as it cannot vouch for the feed (its connection failed or
// stopped answering), and Handle reads every list's row again until it is live once more.

// Changed marks a list as changed: the next Handle reads it from the store.
func (s *Service) Changed(name string) {
	s.mu.Lock()
	e := s.cache[name]
	s.mu.Unlock()
	if e != nil {
		e.changed.Store(true)
	}
}

// SetFeedLive says whether a change feed now announces every change. Going live marks every
// cached list changed first, since changes made while the feed was down were not announced.
func (s *Service) SetFeedLive(live bool) {
	if live {
		s.mu.Lock()
		for _, e := range s.cache {
			e.changed.Store(true)
		}
		s.mu.Unlock()
	}
	s.feed.Store(live)
}

// fresh returns the cached handle of e when a live feed vouches for it. Otherwise it clears
// e's mark before the caller reads the list, so an announcement arriving meanwhile marks it
// again.
func (s *Service) fresh(e *cacheEntry) (*Handle, bool) {
	if !s.feed.Load() {
		return nil, false
	}
	if h := e.snap.Load(); h != nil && !e.changed.Load() {
		return h, true
	}
	e.changed.Store(false)
	return nil, false
}
