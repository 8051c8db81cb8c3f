package app

import (
	"net"
	"strconv"
)

// splitHostPort splits "host:port" into its parts (port 0 if missing).
func splitHostPort(addr string) (string, int) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	port, _ := strconv.Atoi(p)
	return host, port
}
