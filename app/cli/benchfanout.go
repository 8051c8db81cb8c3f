package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/starling-broker/starling/app/bench"
	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
)

func runBenchFanout(env Env, args []string) int {
	a := newArgSet("starling bench fanout", "starling bench fanout [--target HOST:PORT] [--subscribe HOST:PORT] [-s SUBSCRIBERS] [-n EVENTS] [-c AUTHORS] [--rate N] [--broker-pid PID] [--json]")
	a.add(option{long: "target", short: "t", kind: flagValue, meta: "HOST[:PORT]", help: "the broker's receiver (default localhost:8098)"})
	a.add(option{long: "subscribe", kind: flagValue, meta: "HOST[:PORT]", help: "the broker's broadcaster (default localhost:8099)"})
	a.add(option{long: "subscribers", short: "s", kind: flagValue, meta: "N", help: "subscribers to connect (default 100)"})
	a.add(option{long: "events", short: "n", kind: flagValue, meta: "N", help: "events to submit (default 1000)"})
	a.add(option{long: "authors", short: "c", kind: flagValue, meta: "N", help: "concurrent authors (default 4)"})
	a.add(option{long: "rate", kind: flagValue, meta: "EVENTS/S", help: "pace submissions (default: as fast as the authors go)"})
	a.add(option{long: "file", short: "f", kind: flagValue, meta: "FILE", help: "template event (default: a built-in test event)"})
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "wait for stragglers and per-submission timeout (default 30)"})
	a.add(option{long: "broker-pid", kind: flagValue, meta: "PID", help: "report this local broker process's resident memory"})
	a.add(option{long: "json", kind: flagBool, help: "print the result as JSON"})
	if st, ok := parseOrHelp(env, a, args); !ok {
		return st
	}
	fail := func(format string, v ...any) int {
		fmt.Fprintf(env.Stderr, "starling bench fanout: "+format+"\n", v...)
		return 2
	}
	target, err := endpoint.Client(a.str("target", "localhost"), broker.DefaultReceivePort)
	if err != nil {
		return fail("--target: %v", err)
	}
	sub, err := endpoint.Client(a.str("subscribe", "localhost"), broker.DefaultBroadcastPort)
	if err != nil {
		return fail("--subscribe: %v", err)
	}
	nums := map[string]int{}
	for name, dflt := range map[string]int{"subscribers": 100, "events": 1000, "authors": 4, "timeout": 30, "broker-pid": 0, "rate": 0} {
		n, err := a.intVal(name, dflt)
		if err != nil || n < 0 || (n == 0 && name != "broker-pid" && name != "rate") {
			return fail("--%s must be a positive whole number", name)
		}
		nums[name] = n
	}
	raw := assets.SampleTestEvent
	if f := a.str("file", ""); f != "" {
		if raw, err = os.ReadFile(f); err != nil {
			return fail("%v", err)
		}
	}
	tpl, err := bench.NewTemplate(raw, fmt.Sprintf("fanout-%d", time.Now().UnixNano()))
	if err != nil {
		return fail("%v", err)
	}
	asJSON := a.isSet("json")
	cfg := bench.FanoutConfig{
		Target: target, Subscribe: sub, Subscribers: nums["subscribers"], Events: nums["events"],
		Authors: nums["authors"], Rate: float64(nums["rate"]), Template: tpl,
		Timeout: time.Duration(nums["timeout"]) * time.Second, BrokerPID: nums["broker-pid"],
	}
	if !asJSON {
		fmt.Fprintf(env.Stdout, "fanout: %d subscribers on %s, %d events to %s from %d authors\n", cfg.Subscribers, sub, cfg.Events, target, cfg.Authors)
		cfg.Progress = func(sent, delivered int64) {
			fmt.Fprintf(env.Stderr, "  ... %d/%d submitted, %d deliveries\n", sent, cfg.Events, delivered)
		}
	}
	r, err := bench.Fanout(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "starling bench fanout: %v\n", err)
		return 1
	}
	toMS := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	if asJSON {
		json.NewEncoder(env.Stdout).Encode(map[string]any{
			"benchmark": "fanout", "subscribers": r.Subscribers, "connected": r.Connected,
			"expected": r.Expected, "delivered": r.Delivered, "acks": r.Acks, "naks": r.Naks, "errors": r.Errors,
			"elapsed_s": r.Elapsed.Seconds(), "ingest_events_per_s": r.EventsPerSecond,
			"p50_ms": toMS(r.Latency.P50), "p90_ms": toMS(r.Latency.P90), "p99_ms": toMS(r.Latency.P99), "max_ms": toMS(r.Latency.Max),
			"broker_rss_bytes": r.BrokerRSS, "broker_peak_rss_bytes": r.BrokerPeakRSS, "note": r.Note, "first_error": r.FirstError,
		})
	} else {
		fmt.Fprintf(env.Stdout, "  %d/%d subscribers connected; delivered %d/%d\n", r.Connected, r.Subscribers, r.Delivered, r.Expected)
		fmt.Fprintf(env.Stdout, "  ingest %.0f events/s (%d acks, %d naks, %d errors in %.2f s)\n", r.EventsPerSecond, r.Acks, r.Naks, r.Errors, r.Elapsed.Seconds())
		fmt.Fprintf(env.Stdout, "  delivery latency p50 %s  p90 %s  p99 %s  max %s\n", ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
		if r.BrokerRSS > 0 {
			fmt.Fprintf(env.Stdout, "  broker resident memory %.1f MB (peak %.1f MB)\n", float64(r.BrokerRSS)/(1<<20), float64(r.BrokerPeakRSS)/(1<<20))
		}
		for _, s := range []string{r.Note, r.FirstError} {
			if s != "" {
				fmt.Fprintln(env.Stdout, "  note:", s)
			}
		}
	}
	if r.Delivered < r.Expected || r.Errors > 0 || r.Connected < r.Subscribers {
		return 1
	}
	return 0
}
