package broker

import (
	"net"
	"testing"
)

func TestParseNetwork(t *testing.T) {
	cases := map[string]string{
		"10.0.0.0/8":                "10.0.0.0/8",
		"10.0.0.0/255.0.0.0":        "10.0.0.0/8",
		"192.168.1.7/255.255.255.0": "192.168.1.0/24",
		"127.0.0.1":                 "127.0.0.1/32",
		"::1":                       "::1/128",
		"2001:db8::/32":             "2001:db8::/32",
		"0.0.0.0/0":                 "0.0.0.0/0",
	}
	for in, want := range cases {
		p, err := ParseNetwork(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseNetwork(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "nope", "10.0.0.0/33", "10.0.0.0/255.0.255.0", "10.0.0.0/x", "1.2.3.4/08x"} {
		if p, err := ParseNetwork(bad); err == nil {
			t.Errorf("ParseNetwork(%q) = %v, want an error", bad, p)
		}
	}
}

func TestWhitelistAllows(t *testing.T) {
	w, err := ParseWhitelist([]string{"127.0.0.1/32", "10.0.0.0/255.0.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	tcp := func(s string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(s), Port: 1} }
	for addr, want := range map[string]bool{"127.0.0.1": true, "127.0.0.2": false, "10.9.8.7": true, "::ffff:10.1.1.1": true, "::1": false} {
		if got := w.Allows(tcp(addr)); got != want {
			t.Errorf("Allows(%s) = %v, want %v", addr, got, want)
		}
	}
	if !w.Allows(&net.UnixAddr{Name: "/x", Net: "unix"}) {
		t.Error("unix peers must bypass the whitelist, as in Comet")
	}
	if !(Whitelist{}).Allows(tcp("8.8.8.8")) {
		t.Error("an empty whitelist must allow everyone")
	}
}
