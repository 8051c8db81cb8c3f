package broker

import (
	"testing"
	"time"
)

func TestUndispatchedFloor(t *testing.T) {
	var u undispatched
	u.add(5)
	if f := u.floor(time.Now()); f != 0 {
		t.Fatalf("floor %d while tracking is off", f)
	}
	u.track()
	u.add(7)
	u.add(5)
	u.add(9)
	now := time.Now()
	if f := u.floor(now); f != 5 {
		t.Fatalf("floor %d, want 5", f)
	}
	u.done(5)
	if f := u.floor(now); f != 7 {
		t.Fatalf("floor %d after 5 was dispatched, want 7", f)
	}
	if f := u.floor(now.Add(undispatchedMaxAge + time.Second)); f != 0 {
		t.Fatalf("floor %d once every entry is too old, want 0", f)
	}
	if len(u.ids) != 0 {
		t.Fatalf("%d old entries kept", len(u.ids))
	}
}
