package broker

import (
	"net"
	"testing"
)

func TestNamedSubmissionOnceLoopbackBounded(t *testing.T) {
	b := &Broker{}
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
	far := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 50000}
	b.NameSubmission([]byte("a"), "dropped file a.xml")
	if got := b.sourceOf([]byte("a"), far, "192.0.2.7:50000"); got != "192.0.2.7:50000" {
		t.Errorf("a remote peer took the name: %q", got)
	}
	if got := b.sourceOf([]byte("a"), lo, "127.0.0.1:50000"); got != "dropped file a.xml" {
		t.Errorf("loopback: %q", got)
	}
	if got := b.sourceOf([]byte("a"), lo, "127.0.0.1:50000"); got != "127.0.0.1:50000" {
		t.Errorf("the name was used twice: %q", got)
	}
	for i := 0; i <= maxNamed; i++ {
		b.NameSubmission([]byte{byte(i), byte(i >> 8), 1}, "n")
	}
	if len(b.named.names) != maxNamed || len(b.named.order) != maxNamed {
		t.Errorf("%d names, %d in order; bound %d", len(b.named.names), len(b.named.order), maxNamed)
	}
	if got := b.sourceOf([]byte{0, 0, 1}, lo, "p"); got != "p" {
		t.Errorf("the oldest name was kept: %q", got)
	}
}
