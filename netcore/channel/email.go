package channel

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
)

// email sends plain-text mail through an SMTP server: STARTTLS (the
// default; refused if the server does not offer it) or implicit TLS, the
// certificate always verified against the system's authorities and
// Config.CAFile; "none" only to a server on this machine. With a Username
// it logs in (SMTP AUTH) with the secret as password.
//
// SMTP has no idempotency key: a send whose answer is lost is sent again
// on retry. Each copy carries the same Message-ID (<KEY@starling>), by
// which many mail readers and Gmail drop or merge the repeat.
type email struct {
	cfg    Config
	addr   string
	secret string
	// mu keeps to one SMTP session at a time per channel.
	mu     sync.Mutex
	client *mail.Client
}

// smtpTimeout bounds each SMTP exchange.
const smtpTimeout = 20 * time.Second

// newEmail reads Config.CAFile and makes the SMTP client.
func newEmail(cfg Config, secret string) (Sender, error) {
	if cfg.Username != "" && secret == "" {
		return nil, fmt.Errorf("channel %q: the SMTP login %q needs its password as the channel's secret", cfg.Name, cfg.Username)
	}
	mode := cfg.TLS
	if mode == "" {
		mode = "starttls"
	}
	port := cfg.SMTPPort
	if port == 0 {
		port = map[string]int{"starttls": mail.DefaultPortTLS, "tls": mail.DefaultPortSSL, "none": mail.DefaultPort}[mode]
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("channel %q: the CA file cannot be read: %w", cfg.Name, err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("channel %q: the CA file %s holds no PEM certificate", cfg.Name, cfg.CAFile)
		}
	}
	opts := []mail.Option{
		mail.WithPort(port),
		mail.WithTimeout(smtpTimeout),
		mail.WithTLSConfig(&tls.Config{ServerName: cfg.SMTPHost, RootCAs: roots, MinVersion: tls.VersionTLS12}),
	}
	switch mode {
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.Username != "" {
		// SCRAM when offered, else PLAIN or LOGIN (inside TLS, or to this
		// machine), CRAM-MD5 last: it needs the server to keep the
		// password itself.
		opts = append(opts, mail.WithOpportunisticSMTPAuth(
			mail.SMTPAuthSCRAMSHA256PLUS, mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthPlain,
			mail.SMTPAuthLogin, mail.SMTPAuthCramMD5),
			mail.WithUsername(cfg.Username), mail.WithPassword(secret))
	}
	client, err := mail.NewClient(cfg.SMTPHost, opts...)
	if err != nil {
		return nil, fmt.Errorf("channel %q: %w", cfg.Name, scrubbed(err, secret))
	}
	return &email{cfg: cfg, addr: net.JoinHostPort(cfg.SMTPHost, strconv.Itoa(port)), secret: secret, client: client}, nil
}

// MessageID is the Message-ID of the mail for the message with key,
// without its angle brackets: KEY@starling when the key is made of
// characters a Message-ID may hold, else a hash of it.
func MessageID(key string) string {
	ok := key != "" && !strings.HasPrefix(key, ".") && !strings.HasSuffix(key, ".") && !strings.Contains(key, "..")
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)) {
			ok = false
			break
		}
	}
	if ok && len(key) <= 200 {
		return key + "@starling"
	}
	sum := sha256.Sum256([]byte(key))
	return "h" + hex.EncodeToString(sum[:16]) + "@starling"
}

// mailSubject is the Subject of m: its title, "[CRITICAL] " first when critical.
func mailSubject(m Message) string {
	s := strings.Join(strings.Fields(m.Title), " ")
	if m.Critical {
		s = "[CRITICAL] " + s
	}
	return s
}

// mailBody is m as plain text.
func mailBody(m Message) string {
	var b strings.Builder
	b.WriteString(m.Body)
	b.WriteString("\n\n")
	if m.IVORN != "" {
		fmt.Fprintf(&b, "IVORN: %s\n", m.IVORN)
	}
	if m.Trigger != "" {
		fmt.Fprintf(&b, "Trigger: %s\n", m.Trigger)
	}
	if m.Rule != "" {
		fmt.Fprintf(&b, "Rule: %s\n", m.Rule)
	}
	if !m.Time.IsZero() {
		fmt.Fprintf(&b, "Archived: %s\n", m.Time.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n-- \nSent by Starling\n")
	return b.String()
}

// Send mails m to every recipient in one SMTP transaction.
func (e *email) Send(ctx context.Context, m Message) error {
	if m.Key == "" {
		return &Error{Permanent: true, Err: errors.New("the message has no key (the mail's Message-ID)")}
	}
	msg := mail.NewMsg()
	if err := msg.From(e.cfg.From); err != nil {
		return &Error{Permanent: true, Err: fmt.Errorf("the From address %q: %w", e.cfg.From, err)}
	}
	if err := msg.To(e.cfg.To...); err != nil {
		return &Error{Permanent: true, Err: fmt.Errorf("the To addresses: %w", err)}
	}
	msg.Subject(mailSubject(m))
	msg.SetMessageIDWithValue(MessageID(m.Key))
	msg.SetDate()
	msg.SetUserAgent("Starling")
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	if m.Critical {
		msg.SetImportance(mail.ImportanceUrgent)
	}
	msg.SetBodyString(mail.TypeTextPlain, mailBody(m))
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.client.DialAndSendWithContext(ctx, msg); err != nil {
		return e.mailError(err)
	}
	return nil
}

// mailError turns a failed SMTP exchange into an *Error: a 5xx reply, an
// untrusted certificate, a server without STARTTLS or SMTP AUTH will not
// pass on a retry; a 4xx reply, a network failure or a timeout may.
func (e *email) mailError(err error) *Error {
	out := &Error{}
	var se *mail.SendError
	var te *textproto.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
	case errors.As(err, &se) && se.ErrorCode() != 0:
		out.Status = se.ErrorCode()
		out.Permanent = out.Status >= 500
	case errors.As(err, &te):
		out.Status = te.Code
		out.Permanent = te.Code >= 500
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid):
		out.Permanent = true
		msg = "the server's certificate is not trusted (" + msg + "); for a private authority set the channel's CA file"
	case strings.Contains(msg, "does not support STARTTLS"):
		out.Permanent = true
		msg = "the server does not offer STARTTLS, and mail is not sent in clear to another machine"
	case strings.Contains(msg, "does not support SMTP AUTH"):
		out.Permanent = true
		msg = "the server does not offer SMTP AUTH, but the channel has a login"
	case errors.As(err, &se):
		out.Permanent = !se.IsTemp() && se.Reason != mail.ErrConnCheck && se.Reason != mail.ErrWriteContent
	}
	out.Err = scrubbed(&wrapped{msg: "mail via " + e.addr + ": " + msg, err: err}, e.secret)
	return out
}

// wrapped is an error with other words that unwraps to the original.
type wrapped struct {
	msg string
	err error
}

// Error returns the other words.
func (w *wrapped) Error() string { return w.msg }

// Unwrap returns the original error.
func (w *wrapped) Unwrap() error { return w.err }
