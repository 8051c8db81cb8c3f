package app

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
)

// TestSendLineShowsQueuedBeforeEarlyChange checks that a line tied to an
// entry after the entry already moved on shows "queued", then what it became.
func TestSendLineShowsQueuedBeforeEarlyChange(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var states []string
	c.Watch(func(ch Change) {
		if ch.Send == nil {
			return
		}
		mu.Lock()
		states = append(states, string(ch.Send.State))
		mu.Unlock()
	})
	ln := c.Sends().Add(SendLine{Name: "early.xml", State: SendChecking})
	c.sends.post(sendOp{change: &outbox.Change{ID: 77, State: store.StateSent}})
	ln.State = SendQueued
	c.sends.post(sendOp{line: &ln, entry: 77})
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		got := fmt.Sprint(states)
		mu.Unlock()
		if got == "[checking queued acked]" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("states %s, want [checking queued acked]", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The history survives a restart.
	c, err = Open(context.Background(), Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ls := c.Sends().Lines()
	if len(ls) != 1 || ls[0].Name != "early.xml" || ls[0].State != SendAcked || ls[0].EntryID != 77 {
		t.Fatalf("history after restart: %+v", ls)
	}
}
