package channel

import (
	"strings"
	"testing"
)

func TestCheckRefusesInWords(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Kind: Webhook, URL: "https://example.org/h"}, "no name"},
		{Config{Name: "x", Kind: "sms"}, `kind "sms"`},
		{Config{Name: "x", Kind: Webhook}, "URL is missing"},
		{Config{Name: "x", Kind: Webhook, URL: "ftp://example.org/h"}, "must start with https://"},
		{Config{Name: "x", Kind: Webhook, URL: "http://example.org/h"}, "only https is allowed"},
		{Config{Name: "x", Kind: Webhook, URL: "https://user:pw@example.org/h"}, "user name or password"},
		{Config{Name: "x", Kind: Matrix, URL: "https://matrix.example.org"}, "needs a room ID"},
		{Config{Name: "x", Kind: Matrix, URL: "https://matrix.example.org", Room: "#ops:example.org"}, "alias"},
		{Config{Name: "x", Kind: Ntfy, URL: "https://ntfy.sh/"}, "names no topic"},
		{Config{Name: "x", Kind: Slack, URL: "https://hooks.slack.com/services/T/B/X"}, "as the secret"},
		{Config{Name: "x", Kind: Email, SMTPHost: "mail.example.org", TLS: "none", From: "a@example.org", To: []string{"b@example.org"}}, "only for a server on this machine"},
		{Config{Name: "x", Kind: Email, SMTPHost: "mail.example.org", TLS: "ssl", From: "a@example.org", To: []string{"b@example.org"}}, `TLS mode "ssl"`},
		{Config{Name: "x", Kind: Email, SMTPHost: "mail.example.org", From: "a@example.org"}, "at least one To"},
		{Config{Name: "x", Kind: Email, SMTPHost: "mail.example.org", From: "not an address", To: []string{"b@example.org"}}, "From address"},
		{Config{Name: "x", Kind: Webhook, URL: "https://example.org/h", PerMinute: -1}, "per minute"},
	}
	for _, c := range cases {
		err := c.cfg.Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: want an error saying %q, got %v", c.cfg, c.want, err)
		}
		if _, nerr := New(c.cfg, ""); nerr == nil {
			t.Errorf("%+v: New accepted what Check refuses", c.cfg)
		}
	}
	good := []Config{
		{Name: "a", Kind: Webhook, URL: "https://example.org/h"},
		{Name: "b", Kind: Webhook, URL: "http://127.0.0.1:8080/h"},
		{Name: "c", Kind: Webhook, URL: "http://[::1]:8080/h"},
		{Name: "d", Kind: Webhook, URL: "http://localhost/h"},
		{Name: "e", Kind: Matrix, URL: "https://matrix.example.org", Room: "!abc:example.org"},
		{Name: "f", Kind: Ntfy, URL: "https://ntfy.sh/starling-alerts"},
		{Name: "g", Kind: Slack},
		{Name: "h", Kind: Email, SMTPHost: "127.0.0.1", TLS: "none", From: "a@example.org", To: []string{"b@example.org"}},
		{Name: "i", Kind: Email, SMTPHost: "mail.example.org", SMTPPort: 587, From: "Starling <a@example.org>", To: []string{"b@example.org", "c@example.org"}},
	}
	for _, c := range good {
		if err := c.Check(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

func TestRate(t *testing.T) {
	want := map[Kind]float64{Slack: 60, Matrix: 30, Ntfy: 60, Email: 10, Webhook: 120}
	for k, r := range want {
		if got := (Config{Kind: k}).Rate(); got != r {
			t.Errorf("%s: rate %v, want %v", k, got, r)
		}
	}
	if got := (Config{Kind: Slack, PerMinute: 5}).Rate(); got != 5 {
		t.Errorf("PerMinute 5 gives rate %v", got)
	}
}
