package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/oauth"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// DefaultDialTimeout bounds one connection attempt to a broker.
const DefaultDialTimeout = 10 * time.Second

// MaxRecordBytes is the largest record a consumer reads or a publisher
// writes (GCN messages reach about 4 MiB).
const MaxRecordBytes = 8 << 20

// clientOptions are the connection and authentication options of cfg.
func clientOptions(cfg Config, tokens *TokenSource, connErr *lastError) []kgo.Opt {
	dial := cfg.DialTimeout
	if dial <= 0 {
		dial = DefaultDialTimeout
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Bootstrap...),
		kgo.DialTimeout(dial),
		kgo.ClientID("starling"),
		kgo.WithHooks(connErr),
	}
	if cfg.TLS {
		opts = append(opts, kgo.DialTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify}))
	}
	cr := cfg.Credentials
	switch cfg.Auth {
	case AuthPlain:
		opts = append(opts, kgo.SASL(plain.Auth{User: cr.User, Pass: cr.Password}.AsMechanism()))
	case AuthScramSHA256:
		opts = append(opts, kgo.SASL(scram.Auth{User: cr.User, Pass: cr.Password}.AsSha256Mechanism()))
	case AuthScramSHA512:
		opts = append(opts, kgo.SASL(scram.Auth{User: cr.User, Pass: cr.Password}.AsSha512Mechanism()))
	case AuthOIDC:
		opts = append(opts, kgo.SASL(oauth.Oauth(func(ctx context.Context) (oauth.Auth, error) {
			tok, err := tokens.Token(ctx)
			if err != nil {
				connErr.set(err)
				return oauth.Auth{}, err
			}
			return oauth.Auth{Token: tok}, nil
		})))
	}
	return opts
}

// newTokenSource makes the OIDC token source of cfg, or nil.
func newTokenSource(cfg Config) *TokenSource {
	if cfg.Auth != AuthOIDC {
		return nil
	}
	return NewTokenSource(cfg.TokenURL, cfg.Scope, cfg.Credentials.ClientID, cfg.Credentials.ClientSecret, nil)
}

// lastError keeps the newest connection failure, which franz-go retries
// quietly, so that health and errors can name it.
type lastError struct {
	mu  sync.Mutex
	err error
	// watch, when set, is told of every connection attempt's result
	// (nil for a success), so that a consuming source can say that the
	// cluster went away and came back.
	watch func(error)
}

// setWatch sets the function told of connection results.
func (l *lastError) setWatch(f func(error)) {
	l.mu.Lock()
	l.watch = f
	l.mu.Unlock()
}

func (l *lastError) set(err error) {
	l.mu.Lock()
	l.err = err
	l.mu.Unlock()
}

func (l *lastError) get() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// OnBrokerConnect records dial, TLS and authentication failures
// (kgo.HookBrokerConnect). A connection cut during authentication, already
// recorded as such by OnBrokerE2E, keeps that clearer name.
func (l *lastError) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	l.mu.Lock()
	watch := l.watch
	if ac, ok := l.err.(*AuthClosedError); err != nil && !(ok && errors.Is(err, ac.Err)) {
		l.err = err
	}
	l.mu.Unlock()
	if watch != nil {
		watch(err)
	}
}

// OnBrokerE2E records a connection cut during SASL authentication
// (kgo.HookBrokerE2E): some clusters close the connection on a wrong
// password instead of answering with an error, which the client would
// otherwise report as a bare EOF.
func (l *lastError) OnBrokerE2E(_ kgo.BrokerMetadata, key int16, e2e kgo.BrokerE2E) {
	if err := e2e.Err(); err != nil && (key == int16(kmsg.SASLHandshake) || key == int16(kmsg.SASLAuthenticate)) {
		l.set(&AuthClosedError{Err: err})
	}
}

// AuthClosedError is a connection that the cluster closed during SASL
// authentication, usually because it refused the credentials.
type AuthClosedError struct{ Err error }

// Error says what happened.
func (e *AuthClosedError) Error() string {
	return "the cluster closed the connection during authentication: " + e.Err.Error()
}

// Unwrap returns the connection error.
func (e *AuthClosedError) Unwrap() error { return e.Err }

// pingError is the clearest reason a ping failed: the connection failure
// behind it when there is one.
func pingError(err error, connErr *lastError) error {
	if ce := connErr.get(); ce != nil {
		return ce
	}
	return err
}

// warnInsecure logs the warning that --kafka-insecure-skip-verify calls for.
func warnInsecure(cfg Config, log *slog.Logger) {
	if cfg.TLS && cfg.InsecureSkipVerify {
		log.Warn("TLS certificates of "+cfg.Name+" are NOT verified (--kafka-insecure-skip-verify): anyone on the path can read and forge alerts", "component", "kafka")
	}
}
