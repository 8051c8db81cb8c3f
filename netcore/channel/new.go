package channel

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/url"
	"strings"
)

// New returns the sender for the channel cfg, whose secret (a token, a
// password, Slack's webhook address, the webhook's signing key; "" for
// none) is secret. It refuses a config that Check refuses. A sender may be
// used by several goroutines; each Send is bounded by its context's
// deadline, or 30 s when it has none.
func New(cfg Config, secret string) (Sender, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	switch cfg.Kind {
	case Webhook:
		return newWebhook(cfg, secret)
	case Slack:
		return newSlack(cfg, secret)
	case Matrix:
		return newMatrix(cfg, secret)
	case Ntfy:
		return newNtfy(cfg, secret)
	case Email:
		return newEmail(cfg, secret)
	}
	return nil, fmt.Errorf("channel %q: kind %q is not one Starling can send to", cfg.Name, cfg.Kind)
}

// Check says, in words, what is wrong with the channel's config (nil: nothing).
func (c Config) Check() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if strings.TrimSpace(c.Name) == "" {
		bad("the channel has no name")
	}
	if math.IsNaN(c.PerMinute) || math.IsInf(c.PerMinute, 0) || c.PerMinute < 0 {
		bad("messages per minute must be a number of 0 or more (0: the kind's default)")
	}
	switch c.Kind {
	case Webhook:
		if err := checkHTTPURL("the webhook's URL", c.URL); err != nil {
			errs = append(errs, err)
		}
	case Ntfy:
		if err := checkHTTPURL("the ntfy topic's URL", c.URL); err != nil {
			errs = append(errs, err)
		} else if u, _ := url.Parse(c.URL); strings.Trim(u.Path, "/") == "" {
			bad("the ntfy topic's URL names no topic (https://ntfy.sh/TOPIC)")
		}
	case Matrix:
		if err := checkHTTPURL("the Matrix homeserver's URL", c.URL); err != nil {
			errs = append(errs, err)
		}
		switch {
		case c.Room == "":
			bad("a Matrix channel needs a room ID (!abc:example.org)")
		case strings.HasPrefix(c.Room, "#"):
			bad("the Matrix room %q is an alias; give the room ID (it starts with '!': Room settings, Advanced)", c.Room)
		case !strings.HasPrefix(c.Room, "!") || strings.ContainsAny(c.Room, " \t\r\n"):
			bad("the Matrix room ID %q does not start with '!' or holds spaces", c.Room)
		}
	case Slack:
		if c.URL != "" {
			bad("a Slack channel's webhook address embeds its token: give it as the secret, not as the URL")
		}
	case Email:
		errs = append(errs, c.checkEmail()...)
	case "":
		bad("the channel has no kind (one of slack, matrix, ntfy, email, webhook)")
	default:
		bad("the kind %q is not one of slack, matrix, ntfy, email, webhook", c.Kind)
	}
	if len(errs) == 0 {
		return nil
	}
	if c.Name != "" {
		return fmt.Errorf("channel %q: %w", c.Name, errors.Join(errs...))
	}
	return errors.Join(errs...)
}

// checkEmail checks an email channel's server, TLS mode and addresses.
func (c Config) checkEmail() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case c.SMTPHost == "":
		bad("an email channel needs its mail server (SMTP host)")
	case strings.ContainsAny(c.SMTPHost, " /:@") && net.ParseIP(c.SMTPHost) == nil:
		bad("the SMTP host %q is not a host name or an address", c.SMTPHost)
	}
	if c.SMTPPort < 0 || c.SMTPPort > 65535 {
		bad("the SMTP port %d is not between 1 and 65535 (0: the TLS mode's usual port)", c.SMTPPort)
	}
	switch c.TLS {
	case "", "starttls", "tls":
	case "none":
		if c.SMTPHost != "" && !isLoopback(c.SMTPHost) {
			bad("TLS \"none\" would send the password and the mail in clear to %s: it is allowed only for a server on this machine (127.0.0.1, ::1, localhost)", c.SMTPHost)
		}
	default:
		bad("the TLS mode %q is not one of starttls, tls, none", c.TLS)
	}
	if c.From == "" {
		bad("an email channel needs a From address")
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		bad("the From address %q is not an email address", c.From)
	}
	if len(c.To) == 0 {
		bad("an email channel needs at least one To address")
	}
	for _, to := range c.To {
		if _, err := mail.ParseAddress(to); err != nil {
			bad("the To address %q is not an email address", to)
		}
	}
	return errs
}

// checkHTTPURL checks that raw is an absolute http or https address, http
// only for a host on this machine. what names the address in the error.
func checkHTTPURL(what, raw string) error {
	if raw == "" {
		return fmt.Errorf("%s is missing", what)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s is not a URL", what)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("%s has no host (it must be https://HOST/…)", what)
	}
	if u.User != nil {
		return fmt.Errorf("%s holds a user name or password: give credentials as the channel's secret", what)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return fmt.Errorf("%s is http:// to %s: only https is allowed except to this machine (127.0.0.1, ::1, localhost)", what, u.Hostname())
		}
	default:
		return fmt.Errorf("%s must start with https:// (it starts with %q)", what, u.Scheme+":")
	}
	return nil
}

// isLoopback reports whether host (a name or an address) is this machine.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Rate is the most messages per minute to send to the channel: PerMinute
// when set, else the kind's default (Slack 60, Matrix 30, ntfy 60, email 10,
// webhook 120), kept under what each service tolerates.
func (c Config) Rate() float64 {
	if c.PerMinute > 0 && !math.IsInf(c.PerMinute, 0) {
		return c.PerMinute
	}
	switch c.Kind {
	case Slack:
		return 60
	case Matrix:
		return 30
	case Ntfy:
		return 60
	case Email:
		return 10
	case Webhook:
		return 120
	}
	return 10
}
