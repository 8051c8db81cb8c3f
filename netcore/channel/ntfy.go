package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ntfy publishes to an ntfy topic (https://ntfy.sh/TOPIC or a self-hosted
// server), with an access token (the secret) when the topic is protected.
//
// ntfy has no idempotency key: a send whose answer is lost (a crash, a
// dropped connection after the POST) is published again on retry and may
// show twice. Delivery is at least once.
type ntfy struct {
	url    string
	shown  string
	token  string
	client *http.Client
}

// newNtfy takes the optional access token.
func newNtfy(cfg Config, secret string) (Sender, error) {
	secret = strings.TrimSpace(secret)
	if strings.ContainsAny(secret, " \t\r\n") {
		return nil, fmt.Errorf("channel %q: the ntfy access token holds spaces or line breaks", cfg.Name)
	}
	u, _ := url.Parse(cfg.URL)
	return &ntfy{url: cfg.URL, shown: shownURL(u), token: secret, client: newHTTPClient()}, nil
}

// ntfyMaxBody is the longest message ntfy shows as text; a longer one it
// turns into an attachment, so the body is cut to fit.
const ntfyMaxBody = 4096

// NtfyPriority is the ntfy priority of m: 5 (max) for a critical message, 4
// (high) for one about a trigger, 3 (default) otherwise.
func NtfyPriority(m Message) int {
	switch {
	case m.Critical:
		return 5
	case m.Trigger != "":
		return 4
	}
	return 3
}

// headerText makes s fit a header: one line, RFC 2047 encoded when not ASCII
// (ntfy decodes it).
func headerText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return mime.BEncoding.Encode("utf-8", strings.ToValidUTF8(s, "?"))
		}
	}
	return s
}

// Send POSTs the body as the message with Title, Priority and Tags headers.
func (s *ntfy) Send(ctx context.Context, m Message) error {
	text := m.Body
	if m.IVORN != "" {
		text += "\n" + m.IVORN
	}
	text = strings.TrimSpace(text)
	if text == "" {
		text = m.Title
	}
	if len(text) > ntfyMaxBody {
		text = text[:ntfyMaxBody-len("…")]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
		text += "…"
	}
	tags := "telescope"
	if m.Critical {
		tags = "rotating_light"
	}
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("User-Agent", "Starling")
	h.Set("Title", headerText(m.Title))
	h.Set("Priority", fmt.Sprint(NtfyPriority(m)))
	h.Set("Tags", tags)
	if s.token != "" {
		h.Set("Authorization", "Bearer "+s.token)
	}
	r, err := do(ctx, s.client, http.MethodPost, s.url, s.shown, s.token, h, []byte(text))
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	var ne struct {
		Error string `json:"error"`
	}
	what := snippet(r.body)
	if json.Unmarshal(r.body, &ne) == nil && ne.Error != "" {
		what = snippet([]byte(ne.Error))
	}
	return statusError(r, fmt.Sprintf("ntfy (%s) answered %s: %s", s.shown, http.StatusText(r.status), what), s.token)
}
