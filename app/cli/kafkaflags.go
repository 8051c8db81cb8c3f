package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/starling-broker/starling/netcore/kafka"
)

// kafkaConnFlags adds the flags that say how to reach and authenticate to a
// Kafka cluster; broker, sendvo and kafka share them.
func kafkaConnFlags(a *argSet) {
	a.add(option{long: "kafka-preset", kind: flagValue, meta: "gcn|gcn-test|hopskotch", help: "fill the bootstrap, TLS, auth and token URL of a public alert cluster"})
	a.add(option{long: "kafka-bootstrap", kind: flagValue, meta: "HOST:PORT[,…]", help: "the Kafka brokers to connect to"})
	a.add(option{long: "kafka-auth", kind: flagValue, meta: "METHOD", help: "none, plain, scram-sha-256, scram-sha-512 or oidc"})
	a.add(option{long: "kafka-user", kind: flagValue, meta: "USER", help: "user for plain and SCRAM"})
	a.add(option{long: "kafka-password-file", kind: flagValue, meta: "FILE", help: "file holding the password for plain and SCRAM"})
	a.add(option{long: "kafka-client-id", kind: flagValue, meta: "ID", help: "OIDC client id"})
	a.add(option{long: "kafka-client-secret-file", kind: flagValue, meta: "FILE", help: "file holding the OIDC client secret"})
	a.add(option{long: "kafka-token-url", kind: flagValue, meta: "URL", help: "OIDC token URL"})
	a.add(option{long: "kafka-scope", kind: flagValue, meta: "SCOPE", help: "OIDC scope"})
	a.add(option{long: "kafka-tls", kind: flagBool, help: "use TLS (default, except for loopback addresses)"})
	a.add(option{long: "kafka-no-tls", kind: flagBool, help: "do not use TLS"})
	a.add(option{long: "kafka-insecure-skip-verify", kind: flagBool, help: "do not verify the cluster's TLS certificate (logged as a warning)"})
}

// kafkaWanted reports whether any connection flag was given.
func kafkaWanted(a *argSet) bool {
	return a.isSet("kafka-preset") || a.isSet("kafka-bootstrap")
}

// kafkaConfig builds the connection from the flags, reading secrets from
// their files. It never prints a secret.
func kafkaConfig(a *argSet, log *slog.Logger) (kafka.Config, error) {
	var cfg kafka.Config
	if name := a.str("kafka-preset", ""); name != "" {
		p, ok := kafka.FindPreset(name)
		if !ok {
			return cfg, fmt.Errorf("--kafka-preset: unknown preset %q (gcn, gcn-test or hopskotch)", name)
		}
		cfg = kafka.Config{Name: p.Name, Bootstrap: p.Bootstrap, TLS: true, Auth: p.Auth, TokenURL: p.TokenURL, Scope: p.Scope}
	}
	if b := a.str("kafka-bootstrap", ""); b != "" {
		cfg.Bootstrap = nil
		for _, s := range strings.Split(b, ",") {
			if s = strings.TrimSpace(s); s != "" {
				cfg.Bootstrap = append(cfg.Bootstrap, s)
			}
		}
		if cfg.Name == "" && len(cfg.Bootstrap) > 0 {
			cfg.Name = cfg.Bootstrap[0]
		}
		if !a.isSet("kafka-preset") {
			cfg.TLS = kafka.DefaultTLS(cfg.Bootstrap)
		}
	}
	if cfg.Auth == "" {
		cfg.Auth = kafka.AuthNone
	}
	if s := a.str("kafka-auth", ""); s != "" {
		auth, err := kafka.ParseAuth(s)
		if err != nil {
			return cfg, fmt.Errorf("--kafka-auth: %v", err)
		}
		cfg.Auth = auth
	}
	switch {
	case a.isSet("kafka-tls") && a.isSet("kafka-no-tls"):
		return cfg, fmt.Errorf("give --kafka-tls or --kafka-no-tls, not both")
	case a.isSet("kafka-tls"):
		cfg.TLS = true
	case a.isSet("kafka-no-tls"):
		cfg.TLS = false
	}
	cfg.InsecureSkipVerify = a.isSet("kafka-insecure-skip-verify")
	cfg.TokenURL = a.str("kafka-token-url", cfg.TokenURL)
	cfg.Scope = a.str("kafka-scope", cfg.Scope)
	cfg.Credentials.User = a.str("kafka-user", "")
	cfg.Credentials.ClientID = a.str("kafka-client-id", "")
	var err error
	if f := a.str("kafka-password-file", ""); f != "" {
		if cfg.Credentials.Password, err = readSecret(f, log); err != nil {
			return cfg, fmt.Errorf("--kafka-password-file: %v", err)
		}
	}
	if f := a.str("kafka-client-secret-file", ""); f != "" {
		if cfg.Credentials.ClientSecret, err = readSecret(f, log); err != nil {
			return cfg, fmt.Errorf("--kafka-client-secret-file: %v", err)
		}
	}
	return cfg, cfg.Validate()
}

// readSecret reads a secret from a file (its first line), warning when
// other users may read the file.
func readSecret(name string, log *slog.Logger) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn(fmt.Sprintf("secret file %s can be read by other users (mode %04o); chmod 600 it", name, fi.Mode().Perm()), "component", "kafka")
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", err
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	return s, nil
}
