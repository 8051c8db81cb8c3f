package e2e

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/netcore/vtp"
)

// submit sends one frame to addr and returns the Transport answer.
func submit(t *testing.T, addr string, payload []byte) *vtp.Message {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	if err := vtp.WriteFrame(c, payload); err != nil {
		t.Fatal(err)
	}
	raw, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	m, err := vtp.Parse(raw)
	if err != nil {
		t.Fatalf("answer is not Transport: %v\n%s", err, raw)
	}
	if _, err := vtp.ReadFrame(c, vtp.DefaultMaxFrame); !errors.Is(err, io.EOF) {
		t.Fatalf("receiver did not close after answering: %v", err)
	}
	return m
}

func sample(t *testing.T) []byte {
	raw, err := os.ReadFile("testdata/voevent.xml")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func withIVORN(raw []byte, ivorn string) []byte {
	return bytes.Replace(raw, []byte(`ivorn="ivo://hotwired.org/gaia_demo#1"`), []byte(`ivorn="`+ivorn+`"`), 1)
}

// TestRefusals sends every kind of bad event and checks each nak's reason.
func TestRefusals(t *testing.T) {
	b, addr := startBroker(t, t.TempDir())
	good := sample(t)
	noIVORN := bytes.Replace(good, []byte(`ivorn="ivo://hotwired.org/gaia_demo#1"`), nil, 1)
	schemaBad := bytes.Replace(withIVORN(good, "ivo://hotwired.org/gaia_demo#schema"), []byte("<What>"), []byte("<Bogus/><What>"), 1)
	lol := []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" role="test" version="2.0" ivorn="ivo://a.b/c#1">&lol3;</voe:VOEvent>`)
	cases := []struct {
		name, want string
		payload    []byte
	}{
		{"not XML", "well-formed", []byte("this is not XML at all")},
		{"truncated XML", "well-formed", good[:len(good)/2]},
		{"DTD with entities", "DTD", lol},
		{"not a VOEvent", "not a voevent", vtp.IAmAlive("ivo://x/y")},
		{"missing IVORN", "ivorn", noIVORN},
		{"malformed IVORN", "ivorn", withIVORN(good, "http://hotwired.org/x#1")},
		{"no local part", "local", withIVORN(good, "ivo://hotwired.org/gaia_demo")},
		{"schema-invalid", "line", schemaBad},
		{"accepted", "", good},
		{"previously seen", "Previously seen by this broker", good},
		{"same IVORN, other bytes", "different content", append(append([]byte{}, good...), '\n')},
	}
	for _, c := range cases {
		m := submit(t, addr, c.payload)
		if c.want == "" {
			if m.Role != vtp.RoleAck {
				t.Fatalf("%s: got %s (%s), want ack", c.name, m.Role, m.Result)
			}
			continue
		}
		if m.Role != vtp.RoleNak {
			t.Errorf("%s: got %s, want nak", c.name, m.Role)
			continue
		}
		if !strings.HasPrefix(m.Result, "Event rejected: ") || !strings.Contains(strings.ToLower(m.Result), strings.ToLower(c.want)) {
			t.Errorf("%s: nak reason %q lacks %q", c.name, m.Result, c.want)
		}
		t.Logf("%-25s → %s", c.name, m.Result)
	}
	if strings.Contains(b.logText(), "lollol") {
		t.Error("an entity was expanded")
	}
	// After all of that the broker still accepts a valid event.
	if m := submit(t, addr, withIVORN(good, "ivo://hotwired.org/gaia_demo#after")); m.Role != vtp.RoleAck {
		t.Fatalf("valid event after refusals: %s %s", m.Role, m.Result)
	}
}

// expectClosed checks that the receiver closes c without answering.
func expectClosed(t *testing.T, c net.Conn, within time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 1)
	n, err := c.Read(buf)
	if n != 0 || err == nil {
		t.Fatalf("expected the broker to close the connection, read %d bytes, err %v", n, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the broker did not close the connection within %s", within)
	}
}

// TestBadFrames sends broken frames and idles; each connection is closed
// cleanly and logged, and the broker keeps accepting events.
func TestBadFrames(t *testing.T) {
	b, addr := startBroker(t, t.TempDir(), "--receive-timeout=1", "--max-frame=4096")
	good := sample(t)
	le := make([]byte, 4)
	binary.LittleEndian.PutUint32(le, uint32(len(good)))
	cases := []struct {
		name, log string
		send      []byte
	}{
		{"empty frame", "sent an empty frame", []byte{0, 0, 0, 0}},
		{"oversized frame", "exceeded the length limit: frame of 5000 bytes declared, limit is 4096", append([]byte{0, 0, 0x13, 0x88}, make([]byte, 100)...)},
		{"little-endian prefix", "wrong byte order", append(le, good...)},
		{"idle client", "timed out after 1 seconds", nil},
		{"half a frame then silence", "timed out after 1 seconds", []byte{0, 0, 1, 0, '<'}},
	}
	for _, c := range cases {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if c.send != nil {
			conn.Write(c.send)
		}
		expectClosed(t, conn, 5*time.Second)
		conn.Close()
		b.waitLog(regexpQuote(c.log))
	}
	if m := submit(t, addr, good); m.Role != vtp.RoleAck {
		t.Fatalf("valid event after bad frames: %s %s", m.Role, m.Result)
	}
	// A frame just under the limit is read; a large valid event over it is refused.
	big := withIVORN(good, "ivo://hotwired.org/gaia_demo#big")
	big = bytes.Replace(big, []byte("</voe:VOEvent>"), append(bytes.Repeat([]byte(" "), 4096), "</voe:VOEvent>"...), 1)
	conn, _ := net.Dial("tcp", addr)
	vtp.WriteFrame(conn, big)
	expectClosed(t, conn, 5*time.Second)
	conn.Close()
}

// TestWhitelist refuses a submission from 127.0.0.2 when only 127.0.0.1 is allowed.
func TestWhitelist(t *testing.T) {
	b, addr := startBroker(t, t.TempDir(), "--receive-whitelist", "127.0.0.1/255.255.255.255", "10.0.0.0/8")
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Skipf("cannot bind 127.0.0.2 here: %v", err)
	}
	vtp.WriteFrame(c, sample(t))
	expectClosed(t, c, 5*time.Second)
	c.Close()
	b.waitLog(`Attempted submission from non-whitelisted 127\.0\.0\.2`)
	if m := submit(t, addr, sample(t)); m.Role != vtp.RoleAck {
		t.Fatalf("whitelisted sender refused: %s", m.Result)
	}
}
