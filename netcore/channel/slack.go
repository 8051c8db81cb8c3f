package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// slack posts to a Slack incoming webhook, whose address (the secret)
// embeds its token. Servers that take Slack's incoming-webhook JSON
// (Mattermost, Rocket.Chat) work too.
//
// Slack has no idempotency key: a send whose answer is lost (a crash, a
// dropped connection after the POST) is sent again on retry and may show
// twice. Delivery is at least once.
type slack struct {
	url    string
	shown  string
	client *http.Client
}

// newSlack checks the webhook address without ever naming it in an error.
func newSlack(cfg Config, secret string) (Sender, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, fmt.Errorf("channel %q: a Slack channel needs its incoming webhook address (https://hooks.slack.com/services/…) as its secret", cfg.Name)
	}
	if err := checkHTTPURL("the Slack webhook address", secret); err != nil {
		return nil, fmt.Errorf("channel %q: %w", cfg.Name, scrubbed(err, secret))
	}
	u, _ := url.Parse(secret)
	shown := u.Scheme + "://" + u.Host + "/…"
	return &slack{url: secret, shown: shown, client: newHTTPClient()}, nil
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackText is m as one Slack message: the title in bold, then the body.
func slackText(m Message) string {
	var b strings.Builder
	if m.Critical {
		b.WriteString(":rotating_light: *[CRITICAL]* ")
	}
	fmt.Fprintf(&b, "*%s*", slackEscape(m.Title))
	if m.Body != "" {
		b.WriteString("\n" + slackEscape(m.Body))
	}
	if m.IVORN != "" {
		b.WriteString("\n`" + slackEscape(m.IVORN) + "`")
	}
	return b.String()
}

// Send POSTs {"text": …}. Slack answers 200 "ok"; 429 with Retry-After
// when sending too fast; 400, 403, 404 and 410 (invalid_token,
// channel_not_found, no_service, channel_is_archived…) will not pass on a
// retry.
func (s *slack) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(struct {
		Text string `json:"text"`
	}{slackText(m)})
	if err != nil {
		return &Error{Permanent: true, Err: fmt.Errorf("the message cannot be written as JSON: %w", err)}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("User-Agent", "Starling")
	r, err := do(ctx, s.client, http.MethodPost, s.url, s.shown, s.url, h, body)
	if err != nil {
		return err
	}
	if r.status/100 == 2 {
		return nil
	}
	return statusError(r, fmt.Sprintf("Slack (%s) answered %s: %s", s.shown, http.StatusText(r.status), snippet(r.body)), s.url)
}
