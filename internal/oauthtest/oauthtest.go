// Package oauthtest lets tests speak SASL OAUTHBEARER to a kfake cluster,
// which has no OAUTHBEARER of its own: tokens of the form
// tok.<expiry-ms>.<hex HMAC-SHA256>, minted by a test's token server and
// checked by request hooks on the cluster with the same secret. It is for
// tests and the e2e fixture only.
package oauthtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Mint makes a token that Check accepts, with secret, until expiry.
func Mint(secret []byte, expiry time.Time) string {
	body := "tok." + strconv.FormatInt(expiry.UnixMilli(), 10)
	return body + "." + sign(secret, body)
}

func sign(secret []byte, body string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(body))
	return hex.EncodeToString(mac.Sum(nil))
}

// Check reads a client's first OAUTHBEARER message (RFC 7628) and returns
// its token's remaining lifetime, or why the token is refused.
func Check(msg, secret []byte) (time.Duration, error) {
	var tok string
	for _, kv := range bytes.Split(msg, []byte{1}) {
		if v, ok := bytes.CutPrefix(kv, []byte("auth=Bearer ")); ok {
			tok = string(v)
		}
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != "tok" {
		return 0, errors.New("malformed token")
	}
	want, err := hex.DecodeString(sign(secret, parts[0]+"."+parts[1]))
	got, err2 := hex.DecodeString(parts[2])
	if err != nil || err2 != nil || !hmac.Equal(got, want) {
		return 0, errors.New("bad signature")
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, errors.New("malformed expiry")
	}
	left := time.Until(time.UnixMilli(ms))
	if left <= 0 {
		return 0, fmt.Errorf("token expired %s ago", -left.Round(time.Millisecond))
	}
	return left, nil
}

// Serve makes c answer SASL OAUTHBEARER through request hooks: a token is
// good while Check accepts it, and the session then lives until the token
// expires, so that the client re-authenticates with a new one. told, if not
// nil, hears of every authentication (err nil when accepted).
func Serve(c *kfake.Cluster, secret []byte, told func(left time.Duration, err error)) {
	c.ControlKey(int16(kmsg.SASLHandshake), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.SASLHandshakeRequest)
		resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
		resp.SupportedMechanisms = []string{"OAUTHBEARER"}
		if req.Mechanism != "OAUTHBEARER" {
			resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
		}
		return resp, nil, true
	})
	c.ControlKey(int16(kmsg.SASLAuthenticate), func(r kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := r.(*kmsg.SASLAuthenticateRequest)
		resp := req.ResponseKind().(*kmsg.SASLAuthenticateResponse)
		left, err := Check(req.SASLAuthBytes, secret)
		if told != nil {
			told(left, err)
		}
		if err != nil {
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "token refused: " + err.Error()
			resp.ErrorMessage = &msg
			return resp, nil, true
		}
		resp.SessionLifetimeMillis = left.Milliseconds()
		return resp, nil, true
	})
}
