package app

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/internal/porttest"
)

// changes collects what Watch reports.
type changes chan Change

// await waits until a reported change includes want, and returns it.
func (cs changes) await(t *testing.T, want ChangeKind, what string) Change {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ch := <-cs:
			if ch.Kind&want != 0 {
				return ch
			}
		case <-deadline:
			t.Fatalf("no change reported for %s", what)
		}
	}
}

func TestChangesArePushed(t *testing.T) {
	c, err := Open(context.Background(), Options{DataDir: t.TempDir(), RunSubscriptions: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx := context.Background()
	cs := make(changes, 1000)
	own := c.Watchers() // the core's own: the sites' precomputation
	cancel := c.Watch(func(ch Change) { cs <- ch })
	if c.Watchers() != own+1 {
		t.Fatalf("%d watchers, want %d", c.Watchers(), own+1)
	}

	raw, err := os.ReadFile(notices + "gcn-schema/fermi.gbm.trigger.ground1.example.json")
	if err != nil {
		t.Fatal(err)
	}
	deliverKafka(t, c, raw, "gcn.notices.fermi.gbm")
	ch := cs.await(t, ChangeArchive, "an archived alert")
	row, _, err := c.Archive().EventByID(ctx, ch.Alert.ID)
	if err != nil || ch.Alert.Trigger == "" || ch.Activity == nil || ch.Activity.Kind != "ack" {
		t.Fatalf("the archived alert's change %+v names no alert and trigger (%v)", ch, err)
	}
	if row.Summary().Trigger != ch.Alert.Trigger {
		t.Fatalf("change names trigger %q, the archive %q", ch.Alert.Trigger, row.Summary().Trigger)
	}

	// A queued event for a broker that is not there waits in the outbox.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ev, err := os.ReadFile("../testdata/voevents/fink-voevent/ivo__nasa.gsfc.gcn_FermiGBM_Test_Pos_20191201T173223.00_099999_1692.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Outbox().Queue(ctx, Destination{Name: "away", Address: addr}, ev); err != nil {
		t.Fatal(err)
	}
	cs.await(t, ChangeOutbox, "a queued event")
	if o := c.Outbox().Waiting(ctx); o.Err != nil || o.Queued != 1 {
		t.Fatalf("outbox waiting %+v, want 1 queued", o)
	}
	if line := c.StatusLineWith(c.Outbox().Waiting(ctx), time.Now()); !strings.Contains(line, "outbox: 1 queued") {
		t.Fatalf("status line %q", line)
	}

	s := DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort = porttest.One(t), porttest.One(t)
	if _, err := c.Brokers().Start(s.Config()); err != nil {
		t.Fatal(err)
	}
	cs.await(t, ChangeBroker, "the broker started")
	if err := c.Brokers().Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cs.await(t, ChangeBroker, "the broker stopped")

	cancel()
	if c.Watchers() != own {
		t.Fatalf("%d watchers after cancel, want %d", c.Watchers(), own)
	}
	for len(cs) > 0 {
		<-cs
	}
	_, _ = c.Outbox().Queue(ctx, Destination{Name: "away", Address: addr}, ev)
	time.Sleep(200 * time.Millisecond)
	if len(cs) != 0 {
		t.Fatalf("%d changes reported after cancel", len(cs))
	}
}
