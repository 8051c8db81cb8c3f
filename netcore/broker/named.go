package broker

import (
	"crypto/sha256"
	"net"
	"sync"
)

// maxNamed bounds the submissions waiting for their name (oldest dropped).
const maxNamed = 256

// named holds the names of submissions this program sends itself (a
// dropped file sent to the local broker) until the receiver takes them:
// the receiver sees only a loopback address with an ephemeral port, which
// says nothing to a person reading the archive's source.
type named struct {
	mu    sync.Mutex
	names map[[32]byte]string
	order [][32]byte
}

// NameSubmission names the bytes raw, when a loopback peer submits them to
// the receiver, as source in the archive and the log ("dropped file
// GRB.xml") instead of the peer's address. The name is used once.
func (b *Broker) NameSubmission(raw []byte, source string) {
	n := &b.named
	sum := sha256.Sum256(raw)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.names == nil {
		n.names = map[[32]byte]string{}
	}
	if _, ok := n.names[sum]; !ok {
		n.order = append(n.order, sum)
	}
	n.names[sum] = source
	for len(n.order) > maxNamed {
		delete(n.names, n.order[0])
		n.order = n.order[1:]
	}
}

// sourceOf is the source of raw submitted from addr (peer as named):
// its name from NameSubmission when addr is loopback, else peer.
func (b *Broker) sourceOf(raw []byte, addr net.Addr, peer string) string {
	n := &b.named
	n.mu.Lock()
	empty := len(n.names) == 0
	n.mu.Unlock()
	if empty || !isLoopback(addr) {
		return peer
	}
	sum := sha256.Sum256(raw)
	n.mu.Lock()
	defer n.mu.Unlock()
	name, ok := n.names[sum]
	if !ok {
		return peer
	}
	delete(n.names, sum)
	for i, k := range n.order {
		if k == sum {
			n.order = append(n.order[:i], n.order[i+1:]...)
			break
		}
	}
	return name
}

// isLoopback reports whether addr is this machine: a loopback IP or a Unix socket.
func isLoopback(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}
