package channel

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// The webhook's request headers.
const (
	// EventIDHeader carries Message.Key, the same on every retry: a
	// receiver that remembers the IDs it has seen drops repeats.
	EventIDHeader = "X-Starling-Event-Id"
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the exact
	// body keyed with the channel's secret (absent when it has none).
	SignatureHeader = "X-Starling-Signature"
)

// webhook POSTs each message as JSON to a URL.
type webhook struct {
	url    string
	shown  string
	secret string
	client *http.Client
}

// newWebhook returns the webhook sender; secret ("" for none) keys the
// signature.
func newWebhook(cfg Config, secret string) (Sender, error) {
	u, _ := url.Parse(cfg.URL)
	return &webhook{url: cfg.URL, shown: shownURL(u), secret: secret, client: newHTTPClient()}, nil
}

// Sign returns the X-Starling-Signature value for body keyed with secret:
// "sha256=" and the hex HMAC-SHA256. Receivers compute the same and compare
// with hmac.Equal.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send POSTs m's JSON; any 2xx answer is delivery.
func (w *webhook) Send(ctx context.Context, m Message) error {
	if m.Key == "" {
		return &Error{Permanent: true, Err: fmt.Errorf("the message has no key (the webhook's event ID)")}
	}
	body, err := json.Marshal(m)
	if err != nil {
		return &Error{Permanent: true, Err: fmt.Errorf("the message cannot be written as JSON: %w", err)}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Starling")
	h.Set(EventIDHeader, m.Key)
	if w.secret != "" {
		h.Set(SignatureHeader, Sign(w.secret, body))
	}
	r, err := do(ctx, w.client, http.MethodPost, w.url, w.shown, w.secret, h, body)
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	return statusError(r, fmt.Sprintf("the webhook at %s answered %s: %s", w.shown, http.StatusText(r.status), snippet(r.body)), w.secret)
}

// shownURL is an address as errors may name it: scheme, host and path,
// without user, query or fragment.
func shownURL(u *url.URL) string {
	if u == nil {
		return "(no address)"
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return v.String()
}
