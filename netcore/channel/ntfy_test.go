package channel

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// ntfyServer publishes as ntfy does: POST to /TOPIC with the message as
// body and Title, Priority and Tags headers (RFC 2047 allowed); a protected
// topic wants "Authorization: Bearer tk_…" and answers 403 with ntfy's JSON
// error otherwise.
type ntfyServer struct {
	mu     sync.Mutex
	token  string
	posted []map[string]string
}

func (n *ntfyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.token != "" && r.Header.Get("Authorization") != "Bearer "+n.token {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}`+"\n")
		return
	}
	body, _ := io.ReadAll(r.Body)
	dec := new(mime.WordDecoder)
	title, err := dec.DecodeHeader(r.Header.Get("Title"))
	if err != nil || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"code":40000,"http":400,"error":"bad request"}`)
		return
	}
	n.posted = append(n.posted, map[string]string{
		"topic": strings.TrimPrefix(r.URL.Path, "/"), "message": string(body), "title": title,
		"priority": r.Header.Get("Priority"), "tags": r.Header.Get("Tags"),
	})
	json.NewEncoder(w).Encode(map[string]any{"id": "abc", "event": "message", "topic": strings.TrimPrefix(r.URL.Path, "/")})
}

func TestNtfyHeadersAndToken(t *testing.T) {
	n := &ntfyServer{token: "tk_abcdefghijklmnop"}
	srv := httptest.NewServer(n)
	defer srv.Close()
	s, err := New(Config{Name: "phone", Kind: Ntfy, URL: srv.URL + "/starling-alerts"}, n.token)
	if err != nil {
		t.Fatal(err)
	}
	crit := testMessage("t-1")
	crit.Critical = true
	crit.Title = "Rétraction S261206ab"
	plain := testMessage("t-2")
	plain.Trigger = ""
	for _, m := range []Message{crit, testMessage("t-3"), plain} {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if len(n.posted) != 3 {
		t.Fatalf("ntfy got %d messages", len(n.posted))
	}
	p := n.posted[0]
	if p["topic"] != "starling-alerts" || p["title"] != "Rétraction S261206ab" || p["priority"] != "5" ||
		p["tags"] != "rotating_light" || !strings.Contains(p["message"], "Swift BAT trigger 123456") {
		t.Fatalf("critical message arrived as %v", p)
	}
	if n.posted[1]["priority"] != "4" || n.posted[2]["priority"] != "3" {
		t.Fatalf("priorities %q, %q: want 4 for a trigger, 3 otherwise", n.posted[1]["priority"], n.posted[2]["priority"])
	}

	wrong, err := New(Config{Name: "phone", Kind: Ntfy, URL: srv.URL + "/starling-alerts"}, "tk_wrongwrongwrong")
	if err != nil {
		t.Fatal(err)
	}
	err = wrong.Send(context.Background(), testMessage("t-4"))
	var ce *Error
	if !errors.As(err, &ce) || !ce.Permanent || ce.Status != 403 || !strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("want a permanent 403 saying forbidden, got %v", err)
	}
	if strings.Contains(err.Error(), "tk_wrong") {
		t.Fatalf("the error shows the token: %v", err)
	}
}

func TestNtfyLongBodyIsCut(t *testing.T) {
	n := &ntfyServer{}
	srv := httptest.NewServer(n)
	defer srv.Close()
	s, err := New(Config{Name: "phone", Kind: Ntfy, URL: srv.URL + "/t"}, "")
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage("t-5")
	m.Body = strings.Repeat("é", 5000)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := n.posted[0]["message"]
	if len(got) > ntfyMaxBody || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Fatalf("body of %d bytes, ends %q", len(got), got[len(got)-8:])
	}
}
