package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/bench"
	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
)

func init() {
	register(Command{Name: "bench", Summary: "measure any VTP broker (submit, fanout)", Run: runBench})
}

func runBench(env Env, args []string) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "usage: starling bench submit|fanout [options]   (see `starling bench submit --help`)")
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "submit":
		return runBenchSubmit(env, args[1:])
	case "fanout":
		return runBenchFanout(env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "starling bench: unknown benchmark %q (have: submit, fanout)\n", args[0])
	return 2
}

func runBenchSubmit(env Env, args []string) int {
	a := newArgSet("starling bench submit", "starling bench submit [--target HOST[:PORT]] [-c 1,4,16] [-n EVENTS] [--file TEMPLATE.xml] [--json]")
	a.add(option{long: "target", short: "t", kind: flagValue, meta: "HOST[:PORT]", help: "receiver to measure (default localhost:8098)"})
	a.add(option{long: "concurrency", short: "c", kind: flagValue, meta: "N[,N...]", help: "concurrent authors; a list runs one measurement each (default 16)"})
	a.add(option{long: "events", short: "n", kind: flagValue, meta: "N", help: "submissions per measurement (default 10000)"})
	a.add(option{long: "duration", kind: flagValue, meta: "SECONDS", help: "stop a measurement after this long (default: no limit)"})
	a.add(option{long: "file", short: "f", kind: flagValue, meta: "FILE", help: "template event (default: a built-in test event); its IVORN is made unique per submission"})
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "per-submission timeout (default 30)"})
	a.add(option{long: "json", kind: flagBool, help: "print results as JSON lines"})
	if st, ok := parseOrHelp(env, a, args); !ok {
		return st
	}
	fail := func(format string, v ...any) int {
		fmt.Fprintf(env.Stderr, "starling bench submit: "+format+"\n", v...)
		return 2
	}
	ep, err := endpoint.Client(a.str("target", "localhost"), broker.DefaultReceivePort)
	if err != nil {
		return fail("%v", err)
	}
	var levels []int
	for _, f := range strings.Split(a.str("concurrency", "16"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fail("--concurrency: %q is not a positive number", f)
		}
		levels = append(levels, n)
	}
	events, err := a.intVal("events", 10000)
	if err != nil || events < 1 {
		return fail("--events must be a positive number")
	}
	secs, err := a.intVal("duration", 0)
	if err != nil || secs < 0 {
		return fail("--duration must be a number of seconds")
	}
	tmo, err := a.intVal("timeout", 30)
	if err != nil || tmo < 1 {
		return fail("--timeout must be a positive number of seconds")
	}
	raw := assets.SampleTestEvent
	if f := a.str("file", ""); f != "" {
		if raw, err = os.ReadFile(f); err != nil {
			return fail("%v", err)
		}
	}
	asJSON := a.isSet("json")
	status := 0
	for _, c := range levels {
		tpl, err := bench.NewTemplate(raw, fmt.Sprintf("bench-%d-c%d", time.Now().UnixNano(), c))
		if err != nil {
			return fail("%v", err)
		}
		if !asJSON {
			fmt.Fprintf(env.Stdout, "submit: %d events to %s with %d concurrent authors\n", events, ep, c)
		}
		cfg := bench.SubmitConfig{
			Target: ep, Template: tpl, Concurrency: c, Events: events,
			Duration: time.Duration(secs) * time.Second, Timeout: time.Duration(tmo) * time.Second,
		}
		if !asJSON {
			cfg.Progress = func(done, acks, naks, errs int64) {
				fmt.Fprintf(env.Stderr, "  ... %d/%d done (%d acks, %d naks, %d errors)\n", done, events, acks, naks, errs)
			}
		}
		r := bench.Submit(context.Background(), cfg)
		if asJSON {
			json.NewEncoder(env.Stdout).Encode(submitJSON(ep.String(), r))
		} else {
			printSubmit(env, r)
		}
		if r.Errors > 0 || r.Naks > 0 {
			status = 1
		}
	}
	return status
}

func printSubmit(env Env, r bench.SubmitResult) {
	fmt.Fprintf(env.Stdout, "  %d sent: %d acks, %d naks, %d errors in %.2f s\n", r.Sent, r.Acks, r.Naks, r.Errors, r.Elapsed.Seconds())
	fmt.Fprintf(env.Stdout, "  %.0f events/s   latency p50 %s  p90 %s  p99 %s  max %s\n", r.EventsPerSecond,
		ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
	if r.FirstNak != "" {
		fmt.Fprintf(env.Stdout, "  first nak: %s\n", r.FirstNak)
	}
	if r.FirstError != "" {
		fmt.Fprintf(env.Stdout, "  first error: %s\n", r.FirstError)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func submitJSON(target string, r bench.SubmitResult) map[string]any {
	toMS := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return map[string]any{
		"benchmark": "submit", "target": target, "concurrency": r.Concurrency,
		"sent": r.Sent, "acks": r.Acks, "naks": r.Naks, "errors": r.Errors,
		"elapsed_s": r.Elapsed.Seconds(), "events_per_s": r.EventsPerSecond,
		"p50_ms": toMS(r.Latency.P50), "p90_ms": toMS(r.Latency.P90), "p99_ms": toMS(r.Latency.P99), "max_ms": toMS(r.Latency.Max),
		"first_nak": r.FirstNak, "first_error": r.FirstError,
	}
}
