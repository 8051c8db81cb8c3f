package outbox

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWatchEntriesInOrder(t *testing.T) {
	st := openStore(t, t.TempDir())
	w := newWorker(t, st, fast)
	var mu sync.Mutex
	got := map[int64][]string{}
	w.WatchEntries(func(c Change) {
		mu.Lock()
		got[c.ID] = append(got[c.ID], string(c.State)+" "+c.Reason)
		mu.Unlock()
	})
	rcv := newFakeReceiver(t, "", func(n int, ivorn string) answer {
		if strings.HasSuffix(ivorn, "w001") {
			return answer{nak: "Previously seen by this broker"}
		}
		return ack
	})
	ids := enqueue(t, w, rcv.addr(), events("w", 2))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both entries done", 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got[ids[0]]) == 3 && len(got[ids[1]]) == 3
	})
	mu.Lock()
	a, b := fmt.Sprint(got[ids[0]]), fmt.Sprint(got[ids[1]])
	mu.Unlock()
	if a != "[queued  sending  sent ]" {
		t.Errorf("acked entry's changes %s", a)
	}
	if b != "[queued  sending  refused Previously seen by this broker]" {
		t.Errorf("refused entry's changes %s", b)
	}
	if err := w.Delete(context.Background(), ids[1]); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	last := got[ids[1]][len(got[ids[1]])-1]
	mu.Unlock()
	if !strings.HasPrefix(last, string(StateDeleted)) {
		t.Errorf("after delete: %q", last)
	}
}
