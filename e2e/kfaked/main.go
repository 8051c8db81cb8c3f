// Command kfaked is a test fixture: a kfake Kafka cluster on a loopback port for the end-to-end tests.
package main

import (
	"context"
	"crypto/tls"
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

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/starling-broker/starling/internal/oauthtest"
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

// oauthBearer answers SASL OAUTHBEARER (see internal/oauthtest) and says
// on standard error what became of each authentication.
func oauthBearer(c *kfake.Cluster, secret []byte) {
	var good, bad atomic.Int64
	oauthtest.Serve(c, secret, func(left time.Duration, err error) {
		if err != nil {
			fmt.Fprintf(os.Stderr, "kfaked: OAUTHBEARER authentication refused (%d refused): %v\n", bad.Add(1), err)
			return
		}
		fmt.Fprintf(os.Stderr, "kfaked: OAUTHBEARER authentication %d accepted, session lifetime %d ms\n", good.Add(1), left.Milliseconds())
	})
}
