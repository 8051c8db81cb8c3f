package channel

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
)

// trustTestTLS makes an HTTP sender trust, besides the system's
// authorities, the certificate every httptest.NewTLSServer serves. Only the
// roots change: the sender's timeouts and redirect rule stay.
func trustTestTLS(s Sender) {
	srv := httptest.NewTLSServer(nil)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	srv.Close()
	var c *http.Client
	switch s := s.(type) {
	case *webhook:
		c = s.client
	case *slack:
		c = s.client
	case *matrix:
		c = s.client
	case *ntfy:
		c = s.client
	default:
		panic("not an HTTP sender")
	}
	c.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool}
}
