package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/starling-broker/starling/internal/oauthtest"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	testSecret   = "hmac-shared-by-token-server-and-cluster"
	clientID     = "starling-test"
	clientSecret = "c1ient-s3cret"
	testScope    = "gcn.nasa.gov/kafka-public-consumer"
)

// signToken makes a token that oauthCluster accepts until expiry.
func signToken(expiry time.Time) string { return oauthtest.Mint([]byte(testSecret), expiry) }

// tokenServer is an OIDC client-credentials endpoint issuing tokens that
// live for life; it counts the requests and the tokens issued.
type tokenServer struct {
	*httptest.Server
	life             time.Duration
	requests, issued atomic.Int64
	down             atomic.Bool // answer 503
}

func newTokenServer(t *testing.T, life time.Duration) *tokenServer {
	ts := &tokenServer{life: life}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		if ts.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		id, secret, ok := r.BasicAuth()
		switch {
		case r.Method != http.MethodPost || r.ParseForm() != nil || r.PostForm.Get("grant_type") != "client_credentials":
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "unsupported_grant_type"})
			return
		case !ok || id != clientID || secret != clientSecret:
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client"})
			return
		case r.PostForm.Get("scope") != testScope:
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_scope"})
			return
		}
		ts.issued.Add(1)
		json.NewEncoder(w).Encode(map[string]any{"access_token": signToken(time.Now().Add(ts.life)),
			"token_type": "Bearer", "expires_in": ts.life.Seconds()})
	}))
	t.Cleanup(ts.Close)
	return ts
}

// oauthCluster is a kfake cluster that answers SASL OAUTHBEARER through
// request hooks, checking each token's signature and expiry, and ends each
// session when its token expires; it counts the authentications.
func oauthCluster(t *testing.T, topics ...string) (*kfake.Cluster, *atomic.Int64) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	var auths atomic.Int64
	oauthtest.Serve(c, []byte(testSecret), func(_ time.Duration, err error) {
		if err == nil {
			auths.Add(1)
		}
	})
	return c, &auths
}

// collector is a Handler that keeps every record's value.
type collector struct {
	mu   sync.Mutex
	vals []string
	at   []time.Time
}

func (h *collector) Handle(_ context.Context, r *Record) (Outcome, func(), error) {
	h.mu.Lock()
	h.vals = append(h.vals, string(r.Value))
	h.at = append(h.at, time.Now())
	h.mu.Unlock()
	return Stored, nil, nil
}

func (h *collector) snapshot() ([]string, []time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.vals...), append([]time.Time(nil), h.at...)
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func runConsumer(t *testing.T, cfg ConsumerConfig, h Handler) *Consumer {
	t.Helper()
	if cfg.HealthInterval == 0 {
		cfg.HealthInterval = -1
	}
	cons, err := NewConsumer(cfg, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { cons.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return cons
}

// TestOIDCTokensRenewedAcrossExpiries: with tokens that live 2 s, a
// consumer keeps receiving a steady stream for more than three lifetimes:
// it fetches a new token for each re-authentication, and no record is
// missed, repeated or long delayed.
func TestOIDCTokensRenewedAcrossExpiries(t *testing.T) {
	const life = 2 * time.Second
	ts := newTokenServer(t, life)
	c, auths := oauthCluster(t, "gcn.heartbeat")
	h := &collector{}
	cons := runConsumer(t, ConsumerConfig{
		Config: Config{Name: "gcn-test", Bootstrap: c.ListenAddrs(), Auth: AuthOIDC, TokenURL: ts.URL, Scope: testScope,
			Credentials: Credentials{ClientID: clientID, ClientSecret: clientSecret}},
		Topics: []string{"gcn.heartbeat"}, Group: "oidc", From: From{Earliest: true},
	}, h)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("gcn.heartbeat"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	const n = 70 // one every 100 ms: 7 s, three and a half token lifetimes
	tick := time.NewTicker(100 * time.Millisecond)
	for i := 0; i < n; i++ {
		<-tick.C
		if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: []byte(strconv.Itoa(i))}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	waitUntil(t, "every record", 10*time.Second, func() bool { v, _ := h.snapshot(); return len(v) >= n })
	vals, at := h.snapshot()
	var maxGap time.Duration
	for i, v := range vals {
		if v != strconv.Itoa(i) {
			t.Fatalf("record %d is %q: the stream has a gap or a repeat", i, v)
		}
		if i > 0 {
			maxGap = max(maxGap, at[i].Sub(at[i-1]))
		}
	}
	if len(vals) != n {
		t.Fatalf("got %d records, want %d", len(vals), n)
	}
	fetched, authn := ts.issued.Load(), auths.Load()
	t.Logf("%d tokens fetched (%d by the source), %d authentications, longest pause between records %s", fetched, cons.tokens.Fetched(), authn, maxGap)
	if fetched < 3 || authn < 3 {
		t.Fatalf("%d tokens fetched, %d authentications over 7 s of 2 s tokens: the source did not re-authenticate", fetched, authn)
	}
	// The failure this guards against is a consumer that stops until its
	// token has expired (or until a restart): a pause of a token's lifetime.
	// A shorter one is the machine's scheduling, not the client's.
	if maxGap >= life {
		t.Fatalf("the stream paused for %s around a re-authentication: as long as a token lives (%s)", maxGap, life)
	}
	if h := cons.Health(); h.State != StateConsuming {
		t.Fatalf("health %s", h)
	}
}

// TestOIDCWrongSecret: a refused client secret is the source's error, in
// words, and no secret appears in it.
func TestOIDCWrongSecret(t *testing.T) {
	ts := newTokenServer(t, time.Minute)
	c, _ := oauthCluster(t, "t")
	cons := runConsumer(t, ConsumerConfig{
		Config: Config{Bootstrap: c.ListenAddrs(), Auth: AuthOIDC, TokenURL: ts.URL, Scope: testScope,
			Credentials: Credentials{ClientID: clientID, ClientSecret: "wrong-secret"}},
		Topics: []string{"t"}, Group: "g",
	}, &collector{})
	waitUntil(t, "the error state", 10*time.Second, func() bool { return cons.Health().State == StateError })
	h := cons.Health()
	if !strings.Contains(h.Error, "client id or secret was refused") || strings.Contains(h.Error, "wrong-secret") {
		t.Fatalf("error %q", h.Error)
	}
}

// TestOIDCTokenURLDown: while the token URL answers 503, token requests
// back off (1 s doubling) instead of looping; when it is back, the source
// consumes.
func TestOIDCTokenURLDown(t *testing.T) {
	ts := newTokenServer(t, time.Minute)
	ts.down.Store(true)
	c, _ := oauthCluster(t, "t")
	h := &collector{}
	cons := runConsumer(t, ConsumerConfig{
		Config: Config{Bootstrap: c.ListenAddrs(), Auth: AuthOIDC, TokenURL: ts.URL, Scope: testScope,
			Credentials: Credentials{ClientID: clientID, ClientSecret: clientSecret}},
		Topics: []string{"t"}, Group: "g", From: From{Earliest: true}, MaxBackoff: 4 * time.Second,
	}, h)
	time.Sleep(5 * time.Second) // the window over which requests are counted
	n := ts.requests.Load()
	t.Logf("%d token requests in 5 s while the token URL was down; health: %s", n, cons.Health())
	if n < 2 || n > 6 {
		t.Fatalf("%d token requests in 5 s: want a bounded backoff (1 s, 2 s, 4 s …), at least one retry", n)
	}
	if h := cons.Health(); h.State != StateError || !strings.Contains(h.Error, "HTTP 503") {
		t.Fatalf("health while down: %s", h)
	}
	ts.down.Store(false)
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := prod.ProduceSync(context.Background(), &kgo.Record{Value: []byte("after")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the record after recovery", 15*time.Second, func() bool { v, _ := h.snapshot(); return len(v) == 1 })
}

// TestOIDCTokenURLRefused: nothing listening at the token URL is said so.
func TestOIDCTokenURLRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/token"
	l.Close()
	ts := NewTokenSource(url, testScope, clientID, clientSecret, nil)
	_, err = ts.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || !strings.Contains(Explain(err), "connection refused") {
		t.Fatalf("error %v", err)
	}
	if _, err2 := ts.Token(context.Background()); err2 != err {
		t.Fatalf("a second call within the backoff asked again: %v", err2)
	}
}
