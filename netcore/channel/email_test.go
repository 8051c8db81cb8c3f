package channel

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// mailPassword has no spaces: mailpit reads its credentials as words.
const mailPassword = "correct-horse-battery-staple"

func emailConfig(mp *mailpit, tls string) Config {
	return Config{
		Name: "night", Kind: Email, SMTPHost: "127.0.0.1", SMTPPort: mp.smtpPort, TLS: tls,
		Username: "starling", From: "Starling <starling@example.org>",
		To: []string{"duty@example.org", "pi@example.org"}, CAFile: mp.ca.caFile,
	}
}

func TestEmailSTARTTLSDelivery(t *testing.T) {
	mp := startMailpit(t, "starttls", mailPassword)
	s, err := New(emailConfig(mp, "starttls"), mailPassword)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage("n-20261206-1")
	m.Critical = true
	m.Title = "Retraction of S261206ab"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mp.messages(t)
	if len(got) != 1 {
		t.Fatalf("mailpit holds %d mails", len(got))
	}
	g := got[0]
	var to []string
	for _, a := range g.To {
		to = append(to, a.Address)
	}
	slices.Sort(to)
	if g.Subject != "[CRITICAL] Retraction of S261206ab" || g.MessageID != "n-20261206-1@starling" ||
		g.From.Address != "starling@example.org" || !slices.Equal(to, []string{"duty@example.org", "pi@example.org"}) {
		t.Fatalf("mail arrived as subject %q, Message-ID %q, from %q, to %v", g.Subject, g.MessageID, g.From.Address, to)
	}
	for _, want := range []string{"Swift BAT trigger 123456", "RA 10.0 Dec -20.0", "IVORN: " + m.IVORN} {
		if !strings.Contains(g.Text, want) {
			t.Errorf("the text lacks %q:\n%s", want, g.Text)
		}
	}
	// A retry of the same message carries the same Message-ID.
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := mp.messages(t); len(got) != 2 || got[0].MessageID != got[1].MessageID {
		t.Fatalf("a repeat: %d mails, Message-IDs differ", len(got))
	}
}

func TestEmailImplicitTLS(t *testing.T) {
	mp := startMailpit(t, "tls", mailPassword)
	s, err := New(emailConfig(mp, "tls"), mailPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMessage("n-2")); err != nil {
		t.Fatal(err)
	}
	got := mp.messages(t)
	if len(got) != 1 || got[0].Subject != "GRB 261206A" || got[0].MessageID != "n-2@starling" {
		t.Fatalf("mailpit holds %+v", got)
	}
}

func TestEmailRefusals(t *testing.T) {
	mp := startMailpit(t, "starttls", mailPassword, "--enable-chaos")
	send := func(cfg Config, secret string) *Error {
		t.Helper()
		s, err := New(cfg, secret)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Send(context.Background(), testMessage("n-3"))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("want an *Error, got %v", err)
		}
		if strings.Contains(err.Error(), mailPassword) || strings.Contains(err.Error(), "wrong password") {
			t.Fatalf("the error shows the password: %v", err)
		}
		t.Log(err)
		return ce
	}

	// TLS is verified: without the CA file the certificate is not trusted.
	untrusted := emailConfig(mp, "starttls")
	untrusted.CAFile = ""
	if e := send(untrusted, mailPassword); !e.Permanent || !strings.Contains(e.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v (permanent %v)", e, e.Permanent)
	}
	// The wrong password: 535, permanent.
	if e := send(emailConfig(mp, "starttls"), "wrong password"); !e.Permanent || e.Status != 535 {
		t.Errorf("wrong password: %v (permanent %v, status %d)", e, e.Permanent, e.Status)
	}
	// A 4xx reply may pass later; a 5xx one will not.
	mp.chaos(t, "Recipient", 451)
	if e := send(emailConfig(mp, "starttls"), mailPassword); e.Permanent || e.Status != 451 {
		t.Errorf("451 to RCPT TO: %v (permanent %v, status %d)", e, e.Permanent, e.Status)
	}
	mp.chaos(t, "Recipient", 550)
	if e := send(emailConfig(mp, "starttls"), mailPassword); !e.Permanent || e.Status != 550 {
		t.Errorf("550 to RCPT TO: %v (permanent %v, status %d)", e, e.Permanent, e.Status)
	}
	if got := mp.messages(t); len(got) != 0 {
		t.Fatalf("mailpit holds %d mails after refusals", len(got))
	}
}

func TestEmailPlainServerRefusedUnderSTARTTLS(t *testing.T) {
	mp := startMailpit(t, "none", mailPassword)
	s, err := New(emailConfig(mp, "starttls"), mailPassword)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), testMessage("n-4"))
	var ce *Error
	if !errors.As(err, &ce) || !ce.Permanent || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("want a permanent refusal naming STARTTLS, got %v", err)
	}
	if got := mp.messages(t); len(got) != 0 {
		t.Fatalf("a mail went out in clear: %d stored", len(got))
	}
	// "none" is allowed to this machine, and then the mail goes.
	s, err = New(emailConfig(mp, "none"), mailPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMessage("n-5")); err != nil {
		t.Fatal(err)
	}
	if got := mp.messages(t); len(got) != 1 || got[0].MessageID != "n-5@starling" {
		t.Fatalf("mailpit holds %+v", got)
	}
}

func TestEmailUnreachableIsTemporary(t *testing.T) {
	cfg := Config{Name: "night", Kind: Email, SMTPHost: "127.0.0.1", SMTPPort: freePort(t), From: "a@example.org", To: []string{"b@example.org"}}
	s, err := New(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), testMessage("n-6"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent {
		t.Fatalf("want a temporary error, got %v", err)
	}
}

func TestMessageID(t *testing.T) {
	if got := MessageID("n-20261206.1"); got != "n-20261206.1@starling" {
		t.Errorf("plain key: %q", got)
	}
	a := MessageID("ivo://nasa.gsfc.gcn/SWIFT#BAT <1>")
	if a != MessageID("ivo://nasa.gsfc.gcn/SWIFT#BAT <1>") || strings.ContainsAny(a, "<> :") || !strings.HasSuffix(a, "@starling") {
		t.Errorf("odd key: %q", a)
	}
}
