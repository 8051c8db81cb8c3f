package channel

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a webhook receiver as a program would write one: it
// checks the signature with crypto/hmac, drops repeated event IDs and
// keeps what it accepted.
type hookReceiver struct {
	secret string
	mu     sync.Mutex
	seen   map[string]bool
	got    []Message
	calls  int
	fail   int // answer 503 to this many requests first
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("User-Agent") != "Starling" {
		http.Error(w, "bad request shape", http.StatusBadRequest)
		return
	}
	if h.secret != "" {
		sig, ok := strings.CutPrefix(r.Header.Get("X-Starling-Signature"), "sha256=")
		got, err := hex.DecodeString(sig)
		mac := hmac.New(sha256.New, []byte(h.secret))
		mac.Write(body)
		if !ok || err != nil || !hmac.Equal(got, mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	}
	if h.fail > 0 {
		h.fail--
		w.Header().Set("Retry-After", "7")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	id := r.Header.Get("X-Starling-Event-Id")
	if h.seen[id] {
		w.WriteHeader(http.StatusOK) // already have it
		return
	}
	var m Message
	if err := json.Unmarshal(body, &m); err != nil || m.Key != id {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	h.seen[id] = true
	h.got = append(h.got, m)
	w.WriteHeader(http.StatusNoContent)
}

func testMessage(key string) Message {
	return Message{
		Key: key, Title: "GRB 261206A", Body: "Swift BAT trigger 123456\nRA 10.0 Dec -20.0",
		Critical: false, Rule: "grb", Trigger: "123456", IVORN: "ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_123456-259",
		Time:  time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC),
		Alert: json.RawMessage(`{"ivorn":"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_123456-259","role":"observation"}`),
	}
}

func TestWebhookSignedDelivery(t *testing.T) {
	rcv := &hookReceiver{secret: "s3cret-signing-key", seen: map[string]bool{}, fail: 1}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	s, err := New(Config{Name: "hook", Kind: Webhook, URL: srv.URL + "/in"}, rcv.secret)
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage("n-1")
	err = s.Send(context.Background(), m)
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent || ce.Status != 503 || ce.RetryAfter != 7*time.Second {
		t.Fatalf("first send: want a temporary 503 with Retry-After 7s, got %#v", err)
	}
	// The retry and a repeat after a "crash" carry the same event ID: the
	// receiver keeps one.
	for i := 0; i < 2; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if len(rcv.got) != 1 || rcv.calls != 3 {
		t.Fatalf("receiver kept %d messages in %d calls, want 1 in 3", len(rcv.got), rcv.calls)
	}
	g := rcv.got[0]
	if g.Title != m.Title || g.Body != m.Body || g.IVORN != m.IVORN || !g.Time.Equal(m.Time) || string(g.Alert) != string(m.Alert) {
		t.Fatalf("received %+v, sent %+v", g, m)
	}
}

func TestWebhookWrongSecretIsPermanent(t *testing.T) {
	rcv := &hookReceiver{secret: "the-right-key", seen: map[string]bool{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	s, err := New(Config{Name: "hook", Kind: Webhook, URL: srv.URL}, "the-wrong-key")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), testMessage("n-2"))
	var ce *Error
	if !errors.As(err, &ce) || !ce.Permanent || ce.Status != 401 {
		t.Fatalf("want a permanent 401, got %v", err)
	}
	if strings.Contains(err.Error(), "the-wrong-key") {
		t.Fatalf("error shows the secret: %v", err)
	}
}

func TestWebhookUnreachableIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	s, err := New(Config{Name: "hook", Kind: Webhook, URL: addr + "/x?token=querysecret"}, "")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), testMessage("n-3"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent || ce.Status != 0 {
		t.Fatalf("want a temporary error with no status, got %v", err)
	}
	if strings.Contains(err.Error(), "querysecret") {
		t.Fatalf("error shows the URL's query: %v", err)
	}
}

func TestWebhookDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s, err := New(Config{Name: "hook", Kind: Webhook, URL: srv.URL}, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = s.Send(ctx, testMessage("n-4"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a temporary deadline error, got %v", err)
	}
}

func TestWebhookConcurrentSends(t *testing.T) {
	rcv := &hookReceiver{secret: "k3y-for-many", seen: map[string]bool{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	s, err := New(Config{Name: "hook", Kind: Webhook, URL: srv.URL}, rcv.secret)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), testMessage(fmt.Sprintf("c-%d", i%8)))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(rcv.got) != 8 || rcv.calls != 16 {
		t.Fatalf("receiver kept %d of %d calls, want 8 of 16", len(rcv.got), rcv.calls)
	}
}
