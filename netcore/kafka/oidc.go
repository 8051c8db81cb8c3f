package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TokenSource fetches OAUTHBEARER tokens with the OIDC client-credentials
// grant: a fresh token for every SASL session, so that a re-authentication
// before the old token expires always has a valid one. After a failure it
// refuses to ask again until a backoff has passed (1 s doubling to 60 s), so
// a token URL that is down is never hammered.
type TokenSource struct {
	url, scope string
	id, secret string
	client     *http.Client
	min, max   time.Duration
	mu         sync.Mutex
	failures   int
	lastErr    error
	retryAt    time.Time
	fetched    int
}

// NewTokenSource returns a token source for the client credentials; client
// may be nil for http.DefaultClient's settings with a 30 s timeout.
func NewTokenSource(tokenURL, scope, clientID, clientSecret string, client *http.Client) *TokenSource {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &TokenSource{url: tokenURL, scope: scope, id: clientID, secret: clientSecret, client: client,
		min: time.Second, max: time.Minute}
}

// TokenError is a failure to get a token, in plain words.
type TokenError struct {
	URL    string
	Reason string
}

// Error says what went wrong with the token URL.
func (e *TokenError) Error() string {
	return fmt.Sprintf("could not get an OIDC token from %s: %s", e.URL, e.Reason)
}

// Token fetches a new access token, or returns the last error while backing off.
func (t *TokenSource) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if time.Now().Before(t.retryAt) {
		return "", t.lastErr
	}
	tok, expires, err := t.fetch(ctx)
	if err != nil {
		t.failures++
		wait := min(t.min<<min(t.failures-1, 10), t.max)
		t.retryAt = time.Now().Add(wait)
		t.lastErr = err
		return "", err
	}
	t.failures, t.lastErr, t.retryAt = 0, nil, time.Time{}
	t.fetched++
	_ = expires // a fresh token per session: the cluster's session lifetime decides when to re-authenticate
	return tok, nil
}

// Fetched counts the tokens fetched so far.
func (t *TokenSource) Fetched() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fetched
}

func (t *TokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if t.scope != "" {
		form.Set("scope", t.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, &TokenError{URL: t.url, Reason: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(url.QueryEscape(t.id), url.QueryEscape(t.secret))
	resp, err := t.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", 0, &TokenError{URL: t.url, Reason: explainNet(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, &TokenError{URL: t.url, Reason: "reading the answer: " + err.Error()}
	}
	var tr struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
		Error       string  `json:"error"`
		Description string  `json:"error_description"`
	}
	jsonErr := json.Unmarshal(body, &tr)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || tr.Error == "invalid_client":
		return "", 0, &TokenError{URL: t.url, Reason: "the client id or secret was refused (" + statusText(resp.StatusCode, tr.Error, tr.Description) + ")"}
	case resp.StatusCode != http.StatusOK:
		return "", 0, &TokenError{URL: t.url, Reason: statusText(resp.StatusCode, tr.Error, tr.Description)}
	case jsonErr != nil || tr.AccessToken == "":
		return "", 0, &TokenError{URL: t.url, Reason: "the answer holds no access_token"}
	}
	return tr.AccessToken, time.Duration(tr.ExpiresIn * float64(time.Second)), nil
}

func statusText(code int, oauthErr, desc string) string {
	s := fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))
	if oauthErr != "" {
		s += ": " + oauthErr
	}
	if desc != "" {
		s += " (" + desc + ")"
	}
	return s
}
