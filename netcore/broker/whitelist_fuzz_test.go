package broker

import (
	"net"
	"testing"
)

// FuzzWhitelist parses arbitrary --receive-whitelist / --broadcast-whitelist
// entries: never a panic, and a parsed network contains its own address.
func FuzzWhitelist(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "10.0.0.0/255.0.0.0", "127.0.0.1", "::1", "2001:db8::/32", "1.2.3.4/33", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseNetwork(s)
		if err != nil {
			return
		}
		w := Whitelist{p}
		if !w.Allows(&net.TCPAddr{IP: net.IP(p.Addr().AsSlice())}) {
			t.Fatalf("%q → %s does not contain its own address", s, p)
		}
	})
}
