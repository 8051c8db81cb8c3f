package app

import (
	"context"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/starling-broker/starling/internal/porttest"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// TestDroppedFileSourceNamed: a file sent from the Send panel to the local
// broker goes through the outbox and a real VTP connection, and is archived
// with the source "dropped file NAME", not the loopback port it came from;
// the same broker still names another peer's submission by its address.
func TestDroppedFileSourceNamed(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	s := DefaultBrokerSettings()
	s.ReceivePort, s.BroadcastPort, s.TestInterval = porttest.One(t), porttest.One(t), 0
	if err := c.Settings().SaveBroker(ctx, s); err != nil {
		t.Fatal(err)
	}
	lb, err := c.Brokers().Start(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Brokers().Stop(ctx)
	const name = "BAT_GRB_Pos_1201696-785.xml"
	raw, err := os.ReadFile("../testdata/voevents/public/swift/" + name)
	if err != nil {
		t.Fatal(err)
	}
	dest := Destination{Name: LocalDestinationName, Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ReceivePort)), Local: true}
	ln := c.Sends().Add(SendLine{Name: name, State: SendChecking})
	if _, err := c.Sends().Queue(ctx, ln, dest, raw); err != nil {
		t.Fatal(err)
	}
	c.Outbox().Kick()

	// Another peer's submission keeps its address.
	other, err := os.ReadFile("../testdata/voevents/public/swift/XRT_Pos_1201696-838.xml")
	if err != nil {
		t.Fatal(err)
	}
	recv, _ := lb.Addresses()
	if _, err := sender.Send(ctx, endpoint.Endpoint{Network: "tcp", Address: recv}, other, "", 10*time.Second); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(20 * time.Second)
	for {
		rows, err := c.Archive().Events(ctx, EventFilter{}.Query(EventCursor{}, 10))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 2 {
			got := map[string]string{}
			for _, r := range rows {
				got[r.IVORN] = r.Source
			}
			if src := got["ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1201696-785"]; src != "dropped file "+name {
				t.Errorf("dropped file's source %q", src)
			}
			if src := got["ivo://nasa.gsfc.gcn/SWIFT#XRT_Pos_1201696-838"]; src == "" || src[:10] != "127.0.0.1:" {
				t.Errorf("peer's source %q", src)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("archived %d of 2", len(rows))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
