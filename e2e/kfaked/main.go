// Command kfaked is a test fixture: a kfake Kafka cluster on a loopback port for the end-to-end tests.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	var seeds, scram512, scram256, plain list
	flag.Var(&seeds, "seed-topic", "NAME[:PARTITIONS] to create; repeatable")
	flag.Var(&scram512, "scram512", "USER:PASSWORDFILE, a SCRAM-SHA-512 user; repeatable")
	flag.Var(&scram256, "scram256", "USER:PASSWORDFILE, a SCRAM-SHA-256 user; repeatable")
	flag.Var(&plain, "plain", "USER:PASSWORDFILE, a PLAIN user; repeatable")
	cert := flag.String("tls-cert", "", "TLS certificate (PEM)")
	key := flag.String("tls-key", "", "TLS key (PEM)")
	dataDir := flag.String("data-dir", "", "keep records and group offsets here across restarts")
	maxMsg := flag.Int("max-message-bytes", 0, "largest produce batch accepted")
	oauth := flag.String("oauth-secret", "", "accept OAUTHBEARER tokens tok.<expiry-ms>.<hex HMAC-SHA256 of tok.<expiry-ms>> signed with this secret")
	flag.Parse()

	_, portText, err := net.SplitHostPort(*addr)
	if err != nil {
		fail(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		fail(err)
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.Ports(port)}
	for _, s := range seeds {
		name, parts, _ := strings.Cut(s, ":")
		n := 1
		if parts != "" {
			if n, err = strconv.Atoi(parts); err != nil {
				fail(fmt.Errorf("-seed-topic %s: %v", s, err))
			}
		}
		opts = append(opts, kfake.SeedTopics(int32(n), name))
	}
	users := 0
	for method, l := range map[string]list{"SCRAM-SHA-512": scram512, "SCRAM-SHA-256": scram256, "PLAIN": plain} {
		for _, u := range l {
			user, file, ok := strings.Cut(u, ":")
			if !ok {
				fail(fmt.Errorf("%q is not USER:PASSWORDFILE", u))
			}
			pw, err := os.ReadFile(file)
			if err != nil {
				fail(err)
			}
			opts = append(opts, kfake.Superuser(method, user, strings.TrimSpace(string(pw))))
			users++
		}
	}
	if users > 0 {
		opts = append(opts, kfake.EnableSASL())
	}
	if *cert != "" {
		kp, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fail(err)
		}
		opts = append(opts, kfake.TLS(&tls.Config{Certificates: []tls.Certificate{kp}}))
	}
	if *dataDir != "" {
		opts = append(opts, kfake.DataDir(*dataDir))
	}
	if *maxMsg > 0 {
		opts = append(opts, kfake.BrokerConfigs(map[string]string{"message.max.bytes": strconv.Itoa(*maxMsg)}))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		fail(err)
	}
	if *oauth != "" {
		oauthBearer(c, []byte(*oauth))
	}
	fmt.Println(c.ListenAddrs()[0])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	<-ctx.Done()
	stop()
	c.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kfaked:", err)
	os.Exit(2)
}

// oauthBearer answers SASL OAUTHBEARER, which kfake does not speak: the
// handshake is accepted, and a token is good while it is unexpired and
// signed; the session then lives until the token expires, so that the
// client re-authenticates with a new one.
func oauthBearer(c *kfake.Cluster, secret []byte) {
	var good, bad atomic.Int64
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
		left, err := checkToken(req.SASLAuthBytes, secret)
		if err != nil {
			n := bad.Add(1)
			fmt.Fprintf(os.Stderr, "kfaked: OAUTHBEARER authentication refused (%d refused): %v\n", n, err)
			resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
			msg := "token refused: " + err.Error()
			resp.ErrorMessage = &msg
			return resp, nil, true
		}
		n := good.Add(1)
		fmt.Fprintf(os.Stderr, "kfaked: OAUTHBEARER authentication %d accepted, session lifetime %d ms\n", n, left.Milliseconds())
		resp.SessionLifetimeMillis = left.Milliseconds()
		return resp, nil, true
	})
}

// checkToken reads the client's first message (RFC 7628) and returns the
// token's remaining lifetime.
func checkToken(msg, secret []byte) (time.Duration, error) {
	var tok string
	for _, kv := range bytes.Split(msg, []byte{1}) {
		if v, ok := bytes.CutPrefix(kv, []byte("auth=Bearer ")); ok {
			tok = string(v)
		}
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != "tok" {
		return 0, fmt.Errorf("malformed token")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := hex.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return 0, fmt.Errorf("bad signature")
	}
	ms, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed expiry")
	}
	left := time.Until(time.UnixMilli(ms))
	if left <= 0 {
		return 0, fmt.Errorf("token expired %s ago", -left.Round(time.Millisecond))
	}
	return left, nil
}
