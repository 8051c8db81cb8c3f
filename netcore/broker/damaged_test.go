package broker

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// damagedStore is a seen.Store whose archive is damaged: every admission
// fails as app/store's does then.
type damagedStore struct{ relayMemStore }

func (s *damagedStore) Admit(context.Context, seen.Record) (seen.Verdict, seen.Entry, error) {
	return 0, seen.Entry{}, &seen.DamagedError{Detail: "database disk image is malformed"}
}

// TestDamagedArchiveNaksAndCommitsNothing: the receiver naks, over a real
// socket, with a reason that says the archive is damaged and names the fix;
// a Kafka record is not stored, so its offset is not committed.
func TestDamagedArchiveNaksAndCommitsNothing(t *testing.T) {
	list, err := seen.NewList(&damagedStore{}, seen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	b := New(Config{LocalIVO: "ivo://test/broker", Checker: &voevent.Checker{}, Seen: list})
	r := b.NewReceiver(Whitelist{mustPrefix(t, "127.0.0.1/32")})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go r.Serve(l)
	defer r.Shutdown(context.Background())

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := vtp.WriteFrame(c, relayEvent("damaged", 1)); err != nil {
		t.Fatal(err)
	}
	raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
	if err != nil {
		t.Fatal(err)
	}
	m, err := vtp.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := "Event rejected: this broker's archive is damaged (database disk image is malformed); its operator must run starling doctor"
	if m.Role != vtp.RoleNak || m.Result != want {
		t.Fatalf("answer %s %q, want a nak %q", m.Role, m.Result, want)
	}
	if n := b.Counters(); n.Accepted != 0 || n.Refused != 1 {
		t.Fatalf("counters %+v", n)
	}

	_, after, err := b.KafkaHandler().Handle(context.Background(), &kafka.Record{Topic: "gcn.test", Value: relayEvent("kafka", 2)})
	if !errors.Is(err, seen.ErrArchiveDamaged) || after != nil { // an error: not stored, offset not committed
		t.Fatalf("Kafka record into a damaged archive: %v %v", after != nil, err)
	}
	if !strings.Contains(ReasonArchiveDamaged(errors.New("other")), "starling doctor") {
		t.Fatal("the reason without a detail does not name the fix")
	}
}
