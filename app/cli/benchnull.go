package cli

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/bench"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
)

// runBenchNull runs `starling bench null`: a null broker that acks and relays
// without checking or storing anything, to measure the machine's ceiling.
func runBenchNull(env Env, args []string) error {
	a := newArgSet("starling bench null", "starling bench null [--receive ENDPOINT] [--broadcast ENDPOINT] [--local-ivo IVO] [--batch-interval DURATION] [--fsync FILE]")
	a.add(option{long: "receive", kind: flagValue, meta: "ENDPOINT", help: "where authors submit (default tcp:8098)"})
	a.add(option{long: "broadcast", kind: flagValue, meta: "ENDPOINT", help: "where subscribers connect (default tcp:8099)"})
	a.add(option{long: "local-ivo", kind: flagValue, meta: "IVO", help: "the IVO its packets carry (default ivo://starling.bench/null)"})
	a.add(option{long: "batch-interval", kind: flagValue, meta: "DURATION", help: "each subscriber's writer waits this long after being woken, to send more in one write (default: none)"})
	a.add(option{long: "fsync", kind: flagValue, meta: "FILE", help: "durable: append each event to FILE and fsync it (group commits) before its ack, the fair ceiling for a broker that stores before it acks"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	var gap time.Duration
	if v := a.str("batch-interval", ""); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			return exitf(exitUsage, "--batch-interval: %v", err)
		}
		gap = d
	}
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for _, side := range []struct {
		opt, def string
		port     int
	}{{"receive", "tcp:8098", broker.DefaultReceivePort}, {"broadcast", "tcp:8099", broker.DefaultBroadcastPort}} {
		ep, err := endpoint.Server(a.str(side.opt, side.def), side.port)
		if err != nil {
			return exitf(exitUsage, "--%s: %v", side.opt, err)
		}
		l, err := app.Listen(ep)
		if err != nil {
			return exitf(exitUsage, "--%s: %v", side.opt, err)
		}
		ls = append(ls, l)
	}
	nb := bench.NewNullBroker(a.str("local-ivo", "ivo://starling.bench/null"))
	nb.BatchInterval = gap
	kind := "no parsing, validation, dedup or storage"
	if path := a.str("fsync", ""); path != "" {
		if err := nb.Journal(path); err != nil {
			return exitf(exitFailure, "--fsync: %v", err)
		}
		kind = "no parsing, validation or dedup; each event appended to " + path + " and fsynced before its ack"
	}
	defer nb.Close()
	fmt.Fprintf(env.Stderr, "Null broker (%s: a ceiling for benchmarks)\nreceiving on %s, broadcasting on %s; Ctrl-C stops it\n", kind, ls[0].Addr(), ls[1].Addr())
	errs := make(chan error, 2)
	go func() { errs <- nb.ServeReceive(ls[0]) }()
	go func() { errs <- nb.ServeBroadcast(ls[1]) }()
	ctx, stop := context.WithCancel(env.Context())
	defer stop()
	select {
	case <-ctx.Done():
	case err := <-errs:
		return exitf(exitFailure, "%v", err)
	}
	return nil
}
