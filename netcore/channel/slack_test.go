package channel

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// slackHook behaves as Slack's incoming webhooks do: the token is the path;
// a good post gets 200 "ok", a bad token 403 "invalid_token", a removed
// channel 404 "channel_not_found", a removed app 404 "no_service", too
// many posts 429 with Retry-After.
type slackHook struct {
	mu       sync.Mutex
	path     string // /services/T…/B…/TOKEN
	gone     string // "" or the 404 reason
	limit    int    // answer 429 to this many posts first
	messages []string
}

func (s *slackHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Method != http.MethodPost {
		http.Error(w, "invalid_method", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path != s.path {
		http.Error(w, "invalid_token", http.StatusForbidden)
		return
	}
	if s.gone != "" {
		http.Error(w, s.gone, http.StatusNotFound)
		return
	}
	if s.limit > 0 {
		s.limit--
		w.Header().Set("Retry-After", "3")
		http.Error(w, "rate_limited", http.StatusTooManyRequests)
		return
	}
	var p struct {
		Text string `json:"text"`
	}
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &p) != nil || p.Text == "" {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.messages = append(s.messages, p.Text)
	io.WriteString(w, "ok")
}

const slackToken = "xoxTOKENabc123def456"

func newSlackHook(t *testing.T) (*slackHook, string) {
	h := &slackHook{path: "/services/T0001/B0001/" + slackToken}
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

// slackSender makes a Slack sender, trusting httptest's certificate when trust.
func slackSender(t *testing.T, secret string, trust bool) Sender {
	s, err := New(Config{Name: "ops", Kind: Slack}, secret)
	if err != nil {
		t.Fatal(err)
	}
	if trust {
		trustTestTLS(s)
	}
	return s
}

func TestSlackDelivery(t *testing.T) {
	h := &slackHook{path: "/services/T0001/B0001/" + slackToken, limit: 1}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	s := slackSender(t, srv.URL+h.path, true)
	m := testMessage("s-1")
	m.Critical = true
	m.Title = "Retraction <of> S261206ab & co"
	err := s.Send(context.Background(), m)
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent || ce.Status != 429 || ce.RetryAfter != 3*time.Second {
		t.Fatalf("want a temporary 429 asking for 3s, got %v", err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(h.messages) != 1 {
		t.Fatalf("Slack kept %d messages", len(h.messages))
	}
	got := h.messages[0]
	for _, want := range []string{"[CRITICAL]", "Retraction &lt;of&gt; S261206ab &amp; co", "Swift BAT trigger 123456", m.IVORN} {
		if !strings.Contains(got, want) {
			t.Errorf("Slack text %q lacks %q", got, want)
		}
	}
}

func TestSlackRefusalsArePermanentAndHideTheURL(t *testing.T) {
	h, base := newSlackHook(t)
	cases := []struct {
		secret, gone, reason string
	}{
		{base + "/services/T0001/B0001/xoxWRONGtoken999", "", "invalid_token"},
		{base + h.path, "channel_not_found", "channel_not_found"},
		{base + h.path, "no_service", "no_service"},
	}
	for _, c := range cases {
		h.mu.Lock()
		h.gone = c.gone
		h.mu.Unlock()
		s, err := New(Config{Name: "ops", Kind: Slack}, c.secret)
		if err != nil {
			t.Fatal(err)
		}
		trustTestTLS(s)
		err = s.Send(context.Background(), testMessage("s-2"))
		var ce *Error
		if !errors.As(err, &ce) || !ce.Permanent || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: want a permanent refusal saying %s, got %v", c.reason, c.reason, err)
		}
		if strings.Contains(err.Error(), "xox") || strings.Contains(err.Error(), "/services/") {
			t.Errorf("%s: the error shows the webhook address: %v", c.reason, err)
		}
	}
}

func TestSlackTransportErrorHidesTheURL(t *testing.T) {
	// A server with an untrusted certificate: the TLS failure comes back
	// as a *url.Error naming the full address, which is the secret.
	h, base := newSlackHook(t)
	s := slackSender(t, base+h.path, false)
	err := s.Send(context.Background(), testMessage("s-3"))
	var ce *Error
	if !errors.As(err, &ce) || err == nil {
		t.Fatalf("want an error, got %v", err)
	}
	if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("the error does not say why: %v", err)
	}
	if strings.Contains(err.Error(), slackToken) || strings.Contains(err.Error(), "/services/") {
		t.Fatalf("the error shows the webhook address: %v", err)
	}
	if _, err := New(Config{Name: "ops", Kind: Slack}, "http://hooks.example.org/services/T/B/"+slackToken); err == nil || strings.Contains(err.Error(), slackToken) {
		t.Fatalf("an http:// Slack address: want a refusal that hides it, got %v", err)
	}
	if _, err := New(Config{Name: "ops", Kind: Slack}, ""); err == nil {
		t.Fatal("a Slack channel without its address was accepted")
	}
}
