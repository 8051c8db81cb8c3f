package channel

import (
	"context"
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

// homeserver answers PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}
// as the spec says: the access token from the Authorization header, a
// repeated (token, txnId) answered with the first event's ID and not
// posted again, M_UNKNOWN_TOKEN (401), M_FORBIDDEN (403) for a room the
// account is not in, M_LIMIT_EXCEEDED (429) with retry_after_ms.
type homeserver struct {
	mu     sync.Mutex
	tokens map[string]bool
	rooms  map[string]bool
	limit  int
	txns   map[string]string // token + " " + txn -> event ID
	events []map[string]string
}

func (h *homeserver) fail(w http.ResponseWriter, status int, code, msg string, extra map[string]any) {
	body := map[string]any{"errcode": code, "error": msg}
	for k, v := range extra {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func (h *homeserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		h.fail(w, 401, "M_MISSING_TOKEN", "Missing access token", nil)
		return
	}
	if !h.tokens[token] {
		h.fail(w, 401, "M_UNKNOWN_TOKEN", "Unrecognised access token", map[string]any{"soft_logout": false})
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/_matrix/client/v3/rooms/")
	parts := strings.Split(rest, "/")
	if !ok || r.Method != http.MethodPut || len(parts) != 4 || parts[1] != "send" || parts[2] != "m.room.message" {
		h.fail(w, 404, "M_UNRECOGNIZED", "Unrecognized request", nil)
		return
	}
	room, txn := parts[0], parts[3]
	if !h.rooms[room] {
		h.fail(w, 403, "M_FORBIDDEN", "User @starling:localhost not in room "+room, nil)
		return
	}
	if id, ok := h.txns[token+" "+txn]; ok {
		json.NewEncoder(w).Encode(map[string]string{"event_id": id})
		return
	}
	if h.limit > 0 {
		h.limit--
		h.fail(w, 429, "M_LIMIT_EXCEEDED", "Too Many Requests", map[string]any{"retry_after_ms": 2500})
		return
	}
	var content map[string]string
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &content); err != nil || content["msgtype"] != "m.text" || content["body"] == "" {
		h.fail(w, 400, "M_BAD_JSON", "Content not JSON.", nil)
		return
	}
	id := fmt.Sprintf("$event%d", len(h.events)+1)
	h.txns[token+" "+txn] = id
	h.events = append(h.events, content)
	json.NewEncoder(w).Encode(map[string]string{"event_id": id})
}

const matrixRoom = "!AbCdEf:localhost"

func newHomeserver(t *testing.T, limit int) (*homeserver, string) {
	h := &homeserver{
		tokens: map[string]bool{"syt_good_token_42": true},
		rooms:  map[string]bool{matrixRoom: true},
		limit:  limit, txns: map[string]string{},
	}
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func matrixSender(t *testing.T, base, room, token string) Sender {
	s, err := New(Config{Name: "rota", Kind: Matrix, URL: base + "/", Room: room}, token)
	if err != nil {
		t.Fatal(err)
	}
	trustTestTLS(s)
	return s
}

func TestMatrixDeliveryIsDeduplicatedByTxnID(t *testing.T) {
	h, base := newHomeserver(t, 1)
	s := matrixSender(t, base, matrixRoom, "syt_good_token_42")
	m := testMessage("m-1")
	m.Title = "GW S261206ab <significant>"
	err := s.Send(context.Background(), m)
	var ce *Error
	if !errors.As(err, &ce) || ce.Permanent || ce.Status != 429 || ce.RetryAfter != 2500*time.Millisecond || !strings.Contains(err.Error(), "M_LIMIT_EXCEEDED") {
		t.Fatalf("want a temporary M_LIMIT_EXCEEDED asking for 2.5s, got %v", err)
	}
	// The retry posts; a second retry (a crash before the answer was
	// recorded) reaches the homeserver but is not posted again.
	for i := 0; i < 2; i++ {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	// A new sender (Starling restarted) with the same token: still one.
	if err := matrixSender(t, base, matrixRoom, "syt_good_token_42").Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(h.events) != 1 {
		t.Fatalf("the room shows %d events, want 1", len(h.events))
	}
	e := h.events[0]
	if e["format"] != "org.matrix.custom.html" || !strings.Contains(e["formatted_body"], "GW S261206ab &lt;significant&gt;") ||
		!strings.Contains(e["body"], "GW S261206ab <significant>") || !strings.Contains(e["body"], m.Body) {
		t.Fatalf("event content %v", e)
	}
	if err := s.Send(context.Background(), testMessage("m-2")); err != nil || len(h.events) != 2 {
		t.Fatalf("a second message: %v, %d events", err, len(h.events))
	}
}

func TestMatrixRefusalsArePermanent(t *testing.T) {
	_, base := newHomeserver(t, 0)
	cases := []struct {
		room, token, code string
	}{
		{matrixRoom, "syt_revoked_token_7", "M_UNKNOWN_TOKEN"},
		{"!Other:localhost", "syt_good_token_42", "M_FORBIDDEN"},
	}
	for _, c := range cases {
		err := matrixSender(t, base, c.room, c.token).Send(context.Background(), testMessage("m-3"))
		var ce *Error
		if !errors.As(err, &ce) || !ce.Permanent || !strings.Contains(err.Error(), c.code) {
			t.Errorf("%s: want a permanent refusal, got %v", c.code, err)
		}
		if strings.Contains(err.Error(), c.token) {
			t.Errorf("%s: the error shows the token: %v", c.code, err)
		}
	}
	if _, err := New(Config{Name: "rota", Kind: Matrix, URL: base, Room: matrixRoom}, ""); err == nil {
		t.Error("a Matrix channel without a token was accepted")
	}
}

func TestMatrixTxnIDIsStableAndURLSafe(t *testing.T) {
	a, b := MatrixTxnID("alert/ivo://x#1 ü"), MatrixTxnID("alert/ivo://x#1 ü")
	if a != b || a == MatrixTxnID("alert/ivo://x#2 ü") {
		t.Fatalf("txn IDs %q %q", a, b)
	}
	for _, r := range a {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			t.Fatalf("txn ID %q holds %q", a, r)
		}
	}
}
