// Package channel sends notifications where people and programs read them:
// Slack, Matrix, ntfy, email and a generic signed webhook.
package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Kind names a kind of channel.
type Kind string

// The kinds of channel.
const (
	Slack   Kind = "slack"
	Matrix  Kind = "matrix"
	Ntfy    Kind = "ntfy"
	Email   Kind = "email"
	Webhook Kind = "webhook"
)

// Kinds lists every kind, in the order the window offers them.
var Kinds = []Kind{Slack, Matrix, Ntfy, Email, Webhook}

// Config is one channel as saved: everything but its secret, which is kept
// apart (a file, 0600) and handed to New.
type Config struct {
	// Name is what rules call the channel.
	Name string `json:"name"`
	// Kind says how to send.
	Kind Kind `json:"kind"`
	// URL is the webhook's address (webhook), the ntfy topic's address
	// (ntfy: https://ntfy.sh/TOPIC) or the Matrix homeserver's base address
	// (matrix). A Slack incoming webhook's address embeds its token, so it
	// is Slack's secret, not its URL.
	URL string `json:"url,omitempty"`
	// Room is the Matrix room ID (!abc:example.org).
	Room string `json:"room,omitempty"`
	// SMTPHost and SMTPPort are the mail server (email).
	SMTPHost string `json:"smtp_host,omitempty"`
	SMTPPort int    `json:"smtp_port,omitempty"`
	// TLS is "starttls" (the default), "tls" (implicit TLS) or "none"
	// (allowed only for a server on a loopback address).
	TLS string `json:"tls,omitempty"`
	// Username is the SMTP login ("" for none); its password is the secret.
	Username string `json:"username,omitempty"`
	// From and To are the mail's sender and recipients.
	From string   `json:"from,omitempty"`
	To   []string `json:"to,omitempty"`
	// CAFile, when set, names a PEM file of certificate authorities trusted
	// besides the system's (a self-hosted server). TLS is always verified.
	CAFile string `json:"ca_file,omitempty"`
	// PerMinute caps the messages sent per minute (0: the kind's default).
	PerMinute float64 `json:"per_minute,omitempty"`
}

// Message is one notification to send.
type Message struct {
	// Key identifies the message and is the same on every retry: the Matrix
	// transaction ID, the webhook's event ID, the mail's Message-ID.
	Key string `json:"id"`
	// Title and Body are the words to show.
	Title string `json:"title"`
	Body  string `json:"body"`
	// Critical marks a retraction or an urgent alert.
	Critical bool `json:"critical,omitempty"`
	// Rule is the notification rule that matched.
	Rule string `json:"rule,omitempty"`
	// Trigger is the alert's trigger ("" for none).
	Trigger string `json:"trigger,omitempty"`
	// IVORN is the alert's IVORN.
	IVORN string `json:"ivorn,omitempty"`
	// Time is when the alert was archived.
	Time time.Time `json:"time"`
	// Alert is the alert's summary as JSON (the fields of events list --json),
	// sent as is by the webhook; may be nil.
	Alert json.RawMessage `json:"alert,omitempty"`
}

// Sender sends messages to one channel.
type Sender interface {
	// Send delivers m, or returns why not (an *Error says whether a retry
	// may succeed and when).
	Send(ctx context.Context, m Message) error
}

// Error is a failed send, as the channel's server answered it.
type Error struct {
	// Status is the HTTP status or SMTP reply code (0: no answer).
	Status int
	// Permanent is true when retrying the same message cannot succeed
	// (a refused token, a room that does not exist).
	Permanent bool
	// RetryAfter is how long the server asked to wait (0: not said).
	RetryAfter time.Duration
	// Err is what went wrong, in words fit for the window and the log; it
	// never holds a secret.
	Err error
}

// Error returns the failure in words.
func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%v (status %d)", e.Err, e.Status)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
