package broker

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/vtp"
)

// frames concatenates framed packets, as they would arrive on a connection.
func frames(packets ...[]byte) []byte {
	var out []byte
	for _, p := range packets {
		out = vtp.AppendFrame(out, p)
	}
	return out
}

// fuzzSeeds are streams a peer might send: every Transport role, old and new
// filter forms, garbage, an empty frame and lengths that lie.
func fuzzSeeds() [][]byte {
	sub := "ivo://starling.test/sub"
	return [][]byte{
		frames(vtp.Ack(sub, "ivo://a/b#1"), vtp.IAmAliveResponse(sub, relayLocalIVO)),
		frames(vtp.AuthenticateResponse(sub, relayLocalIVO, []string{`//Param[@name="mag" and @value > 10]`, `//Param[@name=`, `count(//Param)`})),
		frames([]byte(`<Transport role="authenticate"><Origin>x</Origin><Meta><filter type="xpath">//Who</filter></Meta></Transport>`)),
		frames(vtp.Nak(sub, "ivo://a/b#1", "no")),
		frames(vtp.Authenticate(relayUpstreamIVO), vtp.IAmAlive(relayUpstreamIVO), relayEvent("fuzz", 3), relayEvent("fuzz", 3)),
		frames([]byte("<<<"), []byte(`<Transport role="other"/>`), []byte(`<x role="ack">`)),
		append(frames(vtp.Ack(sub, "x")), 0, 0, 0, 0),
		binary.BigEndian.AppendUint32(nil, 1<<30),
		append(binary.BigEndian.AppendUint32(nil, 100), "<Transport"...),
	}
}

// drive feeds data to serve over net.Pipe, discarding what serve writes
// back, and waits for serve to return once the peer has hung up.
func drive(t *testing.T, data []byte, serve func(net.Conn)) {
	server, client := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve(server)
	}()
	go io.Copy(io.Discard, client)
	client.Write(data) // fails once serve has closed its end; that is fine
	client.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("connection handler did not return after the peer hung up")
	}
}

func FuzzBroadcasterInput(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	b, _ := newRelayBroker(f)
	bc := b.NewBroadcaster(BroadcastConfig{QueueLen: 8})
	ev := mustParse(f, relayEvent("fuzz-published", 15))
	f.Fuzz(func(t *testing.T, data []byte) {
		drive(t, data, func(c net.Conn) {
			stop, stopped := make(chan struct{}), make(chan struct{})
			go func() {
				// Publish and check liveness while the peer talks (one
				// such goroutine at a time, as the broadcaster's own
				// ticker sends iamalive from one goroutine).
				defer close(stopped)
				for {
					select {
					case <-stop:
						return
					default:
						bc.Publish(ev)
						bc.sendIAmAlive()
						time.Sleep(time.Millisecond)
					}
				}
			}()
			bc.serveConn(c)
			close(stop)
			<-stopped
		})
		if n := bc.Subscribers(); n != 0 {
			t.Fatalf("%d subscribers left after the connection ended", n)
		}
	})
}

func FuzzUpstreamInput(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	b, _ := newRelayBroker(f)
	s := b.NewUpstream(UpstreamConfig{AliveTimeout: 5 * time.Second, Filters: []string{"//Who"}})
	f.Fuzz(func(t *testing.T, data []byte) {
		drive(t, data, func(c net.Conn) {
			s.serveConn(context.Background(), c)
			c.Close()
		})
	})
}
