package kafka

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTokenSourceClientCredentials(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		id, secret, _ := r.BasicAuth()
		if r.Method != http.MethodPost || r.FormValue("grant_type") != "client_credentials" || r.FormValue("scope") != "gcn.nasa.gov/kafka-public-consumer" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		if id != "client" || secret != "right" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok-` + time.Now().Format("150405.000000") + `","expires_in":3600,"token_type":"bearer"}`))
	}))
	defer srv.Close()

	ts := NewTokenSource(srv.URL, "gcn.nasa.gov/kafka-public-consumer", "client", "right", nil)
	a, err := ts.Token(context.Background())
	if err != nil || !strings.HasPrefix(a, "tok-") {
		t.Fatalf("Token = %q, %v", a, err)
	}
	b, _ := ts.Token(context.Background())
	if a == b || ts.Fetched() != 2 {
		t.Fatalf("each SASL session must get a fresh token: %q then %q, %d fetched", a, b, ts.Fetched())
	}

	bad := NewTokenSource(srv.URL, "gcn.nasa.gov/kafka-public-consumer", "client", "wrong", nil)
	before := calls.Load()
	_, err = bad.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "client id or secret was refused") {
		t.Fatalf("wrong secret gave %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("the error shows the secret: %v", err)
	}
	// While backing off, a second call does not reach the server.
	for range 20 {
		bad.Token(context.Background())
	}
	if n := calls.Load() - before; n != 1 {
		t.Fatalf("the token URL was asked %d times during the backoff, want 1", n)
	}
}

func TestTokenSourceURLDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := NewTokenSource(url, "", "c", "s", nil).Token(context.Background())
	if err == nil || !strings.Contains(Explain(err), "could not get an OIDC token from "+url) || !strings.Contains(Explain(err), "connection refused") {
		t.Fatalf("token URL down gave %q", Explain(err))
	}
}
