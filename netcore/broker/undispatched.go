package broker

import (
	"sync"
	"sync/atomic"
	"time"
)

// undispatchedMaxAge is how long an admitted event may wait for its
// dispatch before it no longer holds subscribers' cursors back (an event
// whose author's connection failed before its dispatch is never dispatched).
const undispatchedMaxAge = 30 * time.Second

// undispatched tracks the archive ids of the events admitted and not yet
// dispatched. Ids are given in the order of admission, but events may be
// dispatched out of it (concurrent authors, a Kafka fetch handled at
// once): a subscriber's cursor must stay below the lowest of these, or a
// replay after it leaves would skip an event relayed only after it left.
type undispatched struct {
	on  atomic.Bool
	mu  sync.Mutex
	ids map[int64]time.Time
}

// track turns the tracking on (a broadcaster with replay does).
func (u *undispatched) track() { u.on.Store(true) }

func (u *undispatched) add(id int64) {
	if id == 0 || !u.on.Load() {
		return
	}
	u.mu.Lock()
	if u.ids == nil {
		u.ids = map[int64]time.Time{}
	}
	u.ids[id] = time.Now()
	u.mu.Unlock()
}

func (u *undispatched) done(id int64) {
	if id == 0 || !u.on.Load() {
		return
	}
	u.mu.Lock()
	delete(u.ids, id)
	u.mu.Unlock()
}

// floor is the lowest id admitted and not dispatched, 0 for none; entries
// older than undispatchedMaxAge are forgotten.
func (u *undispatched) floor(now time.Time) int64 {
	if !u.on.Load() {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	var low int64
	for id, at := range u.ids {
		if now.Sub(at) > undispatchedMaxAge {
			delete(u.ids, id)
			continue
		}
		if low == 0 || id < low {
			low = id
		}
	}
	return low
}
