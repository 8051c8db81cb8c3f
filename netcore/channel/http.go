package channel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// sendTimeout bounds one send when the caller's context has no deadline.
const sendTimeout = 30 * time.Second

// newHTTPClient returns a client with bounded dial, TLS and header waits
// that follows no redirect: a channel's address is expected to be its final
// one, and a redirect should not carry a token elsewhere.
func newHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: sendTimeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   2,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// withDeadline gives ctx a deadline of sendTimeout if it has none.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, sendTimeout)
}

// reply is a server's answer: its status, its headers and the start of its body.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// maxReply is the most of a reply's body read.
const maxReply = 64 << 10

// do sends one request with body and returns the answer. shown is the
// address as errors may name it, and secret is scrubbed from every error:
// a *url.Error names the full URL, which for Slack is the secret.
func do(ctx context.Context, client *http.Client, method, target, shown, secret string, header http.Header, body []byte) (*reply, error) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Permanent: true, Err: scrubbed(fmt.Errorf("%s %s: the address is not usable", method, shown), secret)}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &Error{Err: scrubbed(fmt.Errorf("%s %s: %w", method, shown, err), secret)}
	}
	defer resp.Body.Close()
	// A torn body leaves what was read: the status is the answer.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	return &reply{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date (0: none).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// statusError turns a non-2xx answer into an *Error: 408, 425, 429 and 5xx
// may pass on a retry; any other status will not. what says what the server
// answered, in words.
func statusError(r *reply, what, secret string) *Error {
	temporary := r.status == http.StatusRequestTimeout || r.status == http.StatusTooEarly ||
		r.status == http.StatusTooManyRequests || r.status >= 500
	return &Error{
		Status:     r.status,
		Permanent:  !temporary,
		RetryAfter: retryAfter(r.header, time.Now()),
		Err:        scrubbed(errors.New(what), secret),
	}
}

// snippet is the start of a reply's body as one line of text, for an error.
func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	if s == "" {
		return "(no text)"
	}
	return s
}

// scrubError is an error whose words had a secret taken out; it still
// unwraps to the error it came from (for context.DeadlineExceeded).
type scrubError struct {
	msg string
	err error
}

// Error returns the scrubbed words.
func (e *scrubError) Error() string { return e.msg }

// Unwrap returns what the scrubbed error wrapped (not the error itself,
// whose words may hold the secret).
func (e *scrubError) Unwrap() error { return errors.Unwrap(e.err) }

// scrubbed returns err with every occurrence of secret (and of its URL
// path and query, were it an address) replaced by "[secret]".
func scrubbed(err error, secret string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secretForms(secret) {
		msg = strings.ReplaceAll(msg, s, "[secret]")
	}
	return &scrubError{msg: msg, err: err}
}

// secretForms lists the strings that would give secret away: itself, and
// for an address its escaped form, its path and its query.
func secretForms(secret string) []string {
	if len(secret) < 4 {
		// Too short to scrub without mangling ordinary words; and too
		// short to be a real token.
		return nil
	}
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	if u, err := url.Parse(secret); err == nil && u.Host != "" {
		if p := u.EscapedPath(); len(p) > 1 {
			forms = append(forms, p, u.Path)
		}
		if u.RawQuery != "" {
			forms = append(forms, u.RawQuery)
		}
	}
	return forms
}
