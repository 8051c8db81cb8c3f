package channel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// matrix sends to a Matrix room through the client-server API with an
// access token (the secret) as a bot or user account.
//
// Each message is one PUT …/send/m.room.message/{txnId} whose txnId is
// derived from Message.Key: a homeserver remembers the transaction IDs of
// an access token (a device) and answers a repeat with the first event's
// ID instead of posting again, so a retry after a crash is not shown
// twice, as long as the token is the same.
type matrix struct {
	base   string
	shown  string
	room   string
	token  string
	client *http.Client
}

// newMatrix needs the access token.
func newMatrix(cfg Config, secret string) (Sender, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, fmt.Errorf("channel %q: a Matrix channel needs an access token as its secret", cfg.Name)
	}
	if strings.ContainsAny(secret, " \t\r\n") {
		return nil, fmt.Errorf("channel %q: the Matrix access token holds spaces or line breaks", cfg.Name)
	}
	u, _ := url.Parse(cfg.URL)
	return &matrix{
		base: strings.TrimRight(cfg.URL, "/"), shown: shownURL(u),
		room: cfg.Room, token: secret, client: newHTTPClient(),
	}, nil
}

// MatrixTxnID is the transaction ID of the message with key: the same for
// the same key, made of URL-safe characters only.
func MatrixTxnID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "starling-" + hex.EncodeToString(sum[:16])
}

// matrixError is the Matrix error body.
type matrixError struct {
	Code         string `json:"errcode"`
	Error        string `json:"error"`
	RetryAfterMS int64  `json:"retry_after_ms"`
}

// Send PUTs m as an m.text event with an HTML form.
func (s *matrix) Send(ctx context.Context, m Message) error {
	if m.Key == "" {
		return &Error{Permanent: true, Err: fmt.Errorf("the message has no key (the Matrix transaction ID)")}
	}
	plain := m.Title
	formatted := "<b>" + html.EscapeString(m.Title) + "</b>"
	if m.Critical {
		plain = "[CRITICAL] " + plain
		formatted = "<b>[CRITICAL]</b> " + formatted
	}
	if m.Body != "" {
		plain += "\n" + m.Body
		formatted += "<br>" + strings.ReplaceAll(html.EscapeString(m.Body), "\n", "<br>")
	}
	if m.IVORN != "" {
		plain += "\n" + m.IVORN
		formatted += "<br><code>" + html.EscapeString(m.IVORN) + "</code>"
	}
	body, err := json.Marshal(map[string]string{
		"msgtype": "m.text", "body": plain,
		"format": "org.matrix.custom.html", "formatted_body": formatted,
	})
	if err != nil {
		return &Error{Permanent: true, Err: fmt.Errorf("the message cannot be written as JSON: %w", err)}
	}
	target := s.base + "/_matrix/client/v3/rooms/" + url.PathEscape(s.room) +
		"/send/m.room.message/" + MatrixTxnID(m.Key)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Starling")
	h.Set("Authorization", "Bearer "+s.token)
	r, err := do(ctx, s.client, http.MethodPut, target, s.shown, s.token, h, body)
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	var me matrixError
	_ = json.Unmarshal(r.body, &me)
	what := fmt.Sprintf("the Matrix homeserver %s answered %s", s.shown, http.StatusText(r.status))
	if me.Code != "" {
		what += ": " + me.Code
		if me.Error != "" {
			what += " (" + snippet([]byte(me.Error)) + ")"
		}
	} else {
		what += ": " + snippet(r.body)
	}
	switch me.Code {
	case "M_FORBIDDEN":
		what += "; is the account a member of room " + s.room + " and allowed to post?"
	case "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN":
		what += "; the access token is not valid: give a new one"
	}
	e := statusError(r, what, s.token)
	if me.RetryAfterMS > 0 {
		e.RetryAfter = time.Duration(me.RetryAfterMS) * time.Millisecond
	}
	if me.Code == "M_LIMIT_EXCEEDED" {
		e.Permanent = false
	}
	return e
}
