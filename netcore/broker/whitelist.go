package broker

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Whitelist is a set of networks allowed to connect; empty allows everyone.
type Whitelist []netip.Prefix

// ParseNetwork reads a network as Python's ip_network does: CIDR
// ("10.0.0.0/8"), address/netmask ("10.0.0.0/255.0.0.0") or a bare address.
func ParseNetwork(s string) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(strings.TrimSpace(s), "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a network: %v", s, err)
	}
	a = a.Unmap()
	bits := a.BitLen()
	if hasMask {
		if m, err := netip.ParseAddr(mask); err == nil && a.Is4() && m.Is4() {
			ones, total := net.IPMask(m.AsSlice()).Size()
			if total == 0 {
				return netip.Prefix{}, fmt.Errorf("%q: %s is not a contiguous netmask", s, mask)
			}
			bits = ones
		} else if _, err := fmt.Sscanf(mask, "%d", &bits); err != nil || bits < 0 || bits > a.BitLen() || fmt.Sprint(bits) != mask {
			return netip.Prefix{}, fmt.Errorf("%q: prefix length %q is not valid", s, mask)
		}
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

// ParseWhitelist reads a list of networks.
func ParseWhitelist(items []string) (Whitelist, error) {
	var w Whitelist
	for _, s := range items {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			p, err := ParseNetwork(f)
			if err != nil {
				return nil, err
			}
			w = append(w, p)
		}
	}
	return w, nil
}

// Allows reports whether a peer address may connect. Addresses that are not IP
// (Unix sockets) always pass, as in Comet.
func (w Whitelist) Allows(addr net.Addr) bool {
	if len(w) == 0 {
		return true
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return true
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return false
	}
	ip = ip.Unmap()
	for _, p := range w {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// String lists the networks.
func (w Whitelist) String() string {
	if len(w) == 0 {
		return "everywhere"
	}
	parts := make([]string, len(w))
	for i, p := range w {
		parts[i] = p.String()
	}
	return strings.Join(parts, ", ")
}
