package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Explain turns a client error into plain words a person can act on:
// authentication refused, host not found, TLS failed, topic not authorized, …
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var te *TokenError
	var ke *kerr.Error
	var ac *AuthClosedError
	switch {
	case errors.As(err, &te):
		return te.Error()
	case errors.As(err, &ac):
		return "authentication refused: the cluster closed the connection while checking the credentials (wrong user, password or authentication method?)"
	case errors.As(err, &ke):
		switch ke {
		case kerr.SaslAuthenticationFailed:
			return "authentication refused: wrong user, password or token (" + strings.TrimSpace(firstLine(err.Error())) + ")"
		case kerr.UnsupportedSaslMechanism, kerr.IllegalSaslState:
			return "authentication refused: the cluster does not accept this authentication method (" + ke.Message + ")"
		case kerr.TopicAuthorizationFailed:
			return "topic not authorized: these credentials may not read it"
		case kerr.GroupAuthorizationFailed:
			return "consumer group not authorized: these credentials may not use it"
		case kerr.UnknownTopicOrPartition:
			return "topic does not exist (yet)"
		}
		return ke.Message + ": " + ke.Description
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out: no answer from the cluster"
	}
	return explainNet(err)
}

// explainNet words the network and TLS failures that happen before Kafka speaks.
func explainNet(err error) string {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dns):
		return "host not found: " + dns.Name
	case errors.As(err, &unknownCA), errors.As(err, &certErr):
		return "TLS failed: the server's certificate is not trusted (" + err.Error() + "); --kafka-insecure-skip-verify skips this check"
	case errors.As(err, &hostErr):
		return "TLS failed: the certificate is for another host (" + hostErr.Error() + ")"
	case errors.As(err, &recErr):
		return "TLS failed: the server does not speak TLS (try --kafka-no-tls)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens at the bootstrap address"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the cluster closed the connection (wrong credentials, a TLS setting that does not match the cluster's, or the broker went away)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out connecting to the cluster"
	}
	return err.Error()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
