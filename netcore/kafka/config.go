// Package kafka connects Starling to Kafka (design §7): sources that consume
// alerts from GCN Kafka, SCiMMA Hopskotch or any cluster and feed them to the
// broker's pipeline, committing offsets only after each event is stored, and
// a publisher that produces accepted events for other brokers to share.
package kafka

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/when"
)

// Auth is how a client authenticates to the cluster.
type Auth string

// The authentication methods.
const (
	AuthNone        Auth = "none"
	AuthPlain       Auth = "plain"
	AuthScramSHA256 Auth = "scram-sha-256"
	AuthScramSHA512 Auth = "scram-sha-512"
	// AuthOIDC is SASL OAUTHBEARER with tokens from an OIDC client-credentials grant (GCN).
	AuthOIDC Auth = "oidc"
)

// Auths lists every method, in the order a person would pick them.
var Auths = []Auth{AuthNone, AuthPlain, AuthScramSHA256, AuthScramSHA512, AuthOIDC}

// ParseAuth reads an authentication method's name.
func ParseAuth(s string) (Auth, error) {
	for _, a := range Auths {
		if strings.EqualFold(s, string(a)) {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown authentication %q (one of none, plain, scram-sha-256, scram-sha-512, oidc)", s)
}

// Preset is a well-known cluster's settings.
type Preset struct {
	Name      string
	Bootstrap []string
	Auth      Auth
	TokenURL  string
	// Scope is the OIDC scope a consumer asks for.
	Scope string
}

// Presets are the public alert clusters (design §7).
var Presets = []Preset{
	{Name: "gcn", Bootstrap: []string{"kafka.gcn.nasa.gov:9092"}, Auth: AuthOIDC,
		TokenURL: "https://auth.gcn.nasa.gov/oauth2/token", Scope: "gcn.nasa.gov/kafka-public-consumer"},
	{Name: "gcn-test", Bootstrap: []string{"kafka.test.gcn.nasa.gov:9092"}, Auth: AuthOIDC,
		TokenURL: "https://auth.test.gcn.nasa.gov/oauth2/token", Scope: "gcn.nasa.gov/kafka-public-consumer"},
	{Name: "hopskotch", Bootstrap: []string{"kafka.scimma.org:9092"}, Auth: AuthScramSHA512},
}

// FindPreset returns the preset with that name.
func FindPreset(name string) (Preset, bool) {
	for _, p := range Presets {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Credentials are the secrets of a source. They are read from files or the
// window, and never logged: their String method hides them.
type Credentials struct {
	User         string
	Password     string
	ClientID     string
	ClientSecret string
}

// String names which secrets are set, never their values.
func (c Credentials) String() string {
	return fmt.Sprintf("user=%q password=%s client-id=%q client-secret=%s", c.User, hidden(c.Password), c.ClientID, hidden(c.ClientSecret))
}

func hidden(s string) string {
	if s == "" {
		return "(none)"
	}
	return "(set)"
}

// Config is a connection to a cluster: what consumers, publishers and topic
// listings share.
type Config struct {
	// Name labels the source in logs and the window ("gcn", a host name, …).
	Name      string
	Bootstrap []string
	// TLS is on unless turned off; see DefaultTLS.
	TLS bool
	// InsecureSkipVerify skips certificate checks (logged as a warning).
	InsecureSkipVerify bool
	Auth               Auth
	Credentials        Credentials
	// TokenURL and Scope are the OIDC token endpoint and scope.
	TokenURL string
	Scope    string
	// DialTimeout bounds a connection attempt (default 10 s).
	DialTimeout time.Duration
}

// DefaultTLS is whether TLS is on by default for these brokers: on, unless
// every one of them is a loopback address.
func DefaultTLS(bootstrap []string) bool {
	for _, b := range bootstrap {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		if host == "localhost" {
			continue
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return true
		}
	}
	return len(bootstrap) == 0
}

// Validate says what is missing or wrong, in words.
func (c Config) Validate() error {
	if len(c.Bootstrap) == 0 {
		return errors.New("no Kafka bootstrap server given (--kafka-bootstrap or --kafka-preset)")
	}
	for _, b := range c.Bootstrap {
		if _, port, err := net.SplitHostPort(b); err != nil || port == "" {
			return fmt.Errorf("bootstrap server %q is not HOST:PORT", b)
		}
	}
	switch c.Auth {
	case AuthNone, "":
	case AuthPlain, AuthScramSHA256, AuthScramSHA512:
		if c.Credentials.User == "" || c.Credentials.Password == "" {
			return fmt.Errorf("%s authentication needs a user and a password (--kafka-user, --kafka-password-file)", c.Auth)
		}
	case AuthOIDC:
		if c.Credentials.ClientID == "" || c.Credentials.ClientSecret == "" {
			return errors.New("oidc authentication needs a client id and secret (--kafka-client-id, --kafka-client-secret-file)")
		}
		if c.TokenURL == "" {
			return errors.New("oidc authentication needs a token URL (--kafka-token-url)")
		}
	default:
		return fmt.Errorf("unknown authentication %q", c.Auth)
	}
	return nil
}

// SplitTopics separates plain topic names from regular expressions (values
// starting with ^), checking that each expression compiles.
func SplitTopics(topics []string) (names, patterns []string, err error) {
	for _, t := range topics {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
		case strings.HasPrefix(t, "^"):
			if _, err := regexp.Compile(t); err != nil {
				return nil, nil, fmt.Errorf("topic pattern %q is not a valid regular expression: %v", t, err)
			}
			patterns = append(patterns, t)
		default:
			names = append(names, t)
		}
	}
	return names, patterns, nil
}

// From is where a new consumer group starts reading.
type From struct {
	// Earliest starts at the oldest record the cluster keeps.
	Earliest bool
	// At starts at the first record at or after this time; zero with
	// Earliest false means "latest": only what arrives from now on.
	At time.Time
}

// String gives From as --kafka-from takes it.
func (f From) String() string {
	switch {
	case f.Earliest:
		return "earliest"
	case f.At.IsZero():
		return "latest"
	}
	return f.At.UTC().Format(time.RFC3339)
}

// ParseFrom reads --kafka-from: earliest, latest, a duration ago (24h, 90m,
// 3d) or an RFC 3339 time.
func ParseFrom(s string, now time.Time) (From, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "earliest", "beginning":
		return From{Earliest: true}, nil
	case "latest", "", "now":
		return From{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return From{At: t}, nil
	}
	if dur, err := when.Ago(s); err == nil {
		return From{At: now.Add(-dur)}, nil
	} else if errors.Is(err, when.ErrTooFar) {
		return From{}, err
	}
	return From{}, fmt.Errorf("%q is not earliest, latest, a duration such as 24h or 3d, nor an RFC 3339 time", s)
}
