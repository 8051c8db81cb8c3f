package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/bench"
	"github.com/starling-broker/starling/assets"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
)

func runBench(env Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "usage: starling bench submit|fanout|soak|null [options]   (see `starling bench NAME --help`)")
		fmt.Fprintln(env.Stdout, "  submit   one-shot submissions by concurrent authors: ingest rate and ack latency")
		fmt.Fprintln(env.Stdout, "  fanout   subscribers attached, N events submitted: delivery counts and latency")
		fmt.Fprintln(env.Stdout, "  soak     subscribers attached, a steady rate for a while: a report every few seconds")
		fmt.Fprintln(env.Stdout, "  null     serve as a null broker (ack and relay, no checks, no storage): the machine's ceiling")
		if len(args) == 0 {
			return exitStatus(exitUsage)
		}
		return nil
	}
	stopProfile, err := cpuProfileFromEnv()
	if err != nil {
		fmt.Fprintf(env.Stderr, "starling bench: cannot write a CPU profile: %v\n", err)
	}
	defer stopProfile()
	switch args[0] {
	case "submit":
		return withPrefix("starling bench submit", runBenchSubmit(env, args[1:]))
	case "fanout", "soak":
		return withPrefix("starling bench "+args[0], runBenchLoad(env, args[0], args[1:]))
	case "null":
		return withPrefix("starling bench null", runBenchNull(env, args[1:]))
	}
	return exitBare(exitUsage, fmt.Sprintf("starling bench: unknown benchmark %q (have: submit, fanout, soak, null)", args[0]))
}

func runBenchSubmit(env Env, args []string) error {
	a := newArgSet("starling bench submit", "starling bench submit [--target HOST[:PORT]] [-c 1,4,16] [-n EVENTS] [--file TEMPLATE.xml] [--json]")
	a.add(option{long: "target", short: "t", kind: flagValue, meta: "HOST[:PORT]", help: "receiver to measure (default localhost:8098)"})
	a.add(option{long: "concurrency", short: "c", kind: flagValue, meta: "N[,N...]", help: "concurrent authors; a list runs one measurement each (default 16)"})
	a.add(option{long: "events", short: "n", kind: flagValue, meta: "N", help: "submissions per measurement (default 10000)"})
	a.add(option{long: "duration", kind: flagValue, meta: "SECONDS", help: "stop a measurement after this long (default: no limit)"})
	a.add(option{long: "file", short: "f", kind: flagValue, meta: "FILE", help: "template event (default: a built-in test event); its IVORN is made unique per submission"})
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "per-submission timeout (default 30)"})
	a.add(option{long: "json", kind: flagBool, help: "print results as JSON lines"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	ep, err := endpoint.Client(a.str("target", "localhost"), broker.DefaultReceivePort)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	var levels []int
	for _, f := range strings.Split(a.str("concurrency", "16"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return exitf(exitUsage, "--concurrency: %q is not a positive number", f)
		}
		levels = append(levels, n)
	}
	events, err := a.intVal("events", 10000)
	if err != nil || events < 1 {
		return exitf(exitUsage, "--events must be a positive number")
	}
	secs, err := a.intVal("duration", 0)
	if err != nil || secs < 0 {
		return exitf(exitUsage, "--duration must be a number of seconds")
	}
	tmo, err := a.intVal("timeout", 30)
	if err != nil || tmo < 1 {
		return exitf(exitUsage, "--timeout must be a positive number of seconds")
	}
	raw := assets.SampleTestEvent
	if f := a.str("file", ""); f != "" {
		if raw, err = os.ReadFile(f); err != nil {
			return exitf(exitUsage, "%v", err)
		}
	}
	asJSON := a.isSet("json")
	status := 0
	for _, c := range levels {
		tpl, err := bench.NewTemplate(raw, fmt.Sprintf("bench-%d-c%d", time.Now().UnixNano(), c))
		if err != nil {
			return exitf(exitUsage, "%v", err)
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
		r := bench.Submit(env.Context(), cfg)
		if asJSON {
			json.NewEncoder(env.Stdout).Encode(submitJSON(ep.String(), r))
		} else {
			printSubmit(env, r)
		}
		if r.Errors > 0 || r.Naks > 0 {
			status = 1
		}
	}
	if status != 0 {
		return exitStatus(status)
	}
	return nil
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

// runBenchLoad runs `starling bench fanout` or `starling bench soak`.
func runBenchLoad(env Env, which string, args []string) error {
	name := "starling bench " + which
	usage := name + " [--target HOST:PORT] [--subscribe HOST:PORT] [-s SUBSCRIBERS] [-n EVENTS] [-c AUTHORS] [--rate EVENTS/S] [--broker-pid PID] [--json]"
	if which == "soak" {
		usage = name + " [--target HOST:PORT] [--subscribe HOST:PORT] [-s SUBSCRIBERS] [--rate EVENTS/S] [--duration 60s] [--report-every 5s] [-c AUTHORS] [--broker-pid PID] [--json]"
	}
	a := newArgSet(name, usage)
	a.add(option{long: "target", short: "t", kind: flagValue, meta: "HOST[:PORT]", help: "the broker's receiver (default localhost:8098)"})
	a.add(option{long: "subscribe", kind: flagValue, meta: "HOST[:PORT]", help: "the broker's broadcaster (default localhost:8099)"})
	a.add(option{long: "subscribers", short: "s", kind: flagValue, meta: "N", help: "subscribers to connect (default 100)"})
	if which == "fanout" {
		a.add(option{long: "events", short: "n", kind: flagValue, meta: "N", help: "events to submit (default 1000)"})
		a.add(option{long: "rate", kind: flagValue, meta: "EVENTS/S", help: "pace the submissions (default 0: as fast as the authors go)"})
	} else {
		a.add(option{long: "rate", kind: flagValue, meta: "EVENTS/S", help: "events per second to submit (default 100)"})
		a.add(option{long: "duration", short: "d", kind: flagValue, meta: "DURATION", help: "how long to submit, e.g. 60s, 10m (default 60s)"})
		a.add(option{long: "report-every", kind: flagValue, meta: "DURATION", help: "report interval (default 5s)"})
	}
	a.add(option{long: "authors", short: "c", kind: flagValue, meta: "N", help: "concurrent authors (default 4)"})
	a.add(option{long: "file", short: "f", kind: flagValue, meta: "FILE", help: "template event (default: a built-in test event); its IVORN is made unique per submission"})
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "per-submission timeout (default 30)"})
	a.add(option{long: "wait", kind: flagValue, meta: "SECONDS", help: "how long to wait for deliveries after the last submission (default 30)"})
	a.add(option{long: "broker-pid", kind: flagValue, meta: "PID", help: "report this local process's memory (default: the local process listening on --subscribe, if it can be found)"})
	a.add(option{long: "json", kind: flagBool, help: "print results as JSON (soak: one object per report and one for the summary)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	target, err := endpoint.Client(a.str("target", "localhost"), broker.DefaultReceivePort)
	if err != nil {
		return exitf(exitUsage, "--target: %v", err)
	}
	sub, err := endpoint.Client(a.str("subscribe", "localhost"), broker.DefaultBroadcastPort)
	if err != nil {
		return exitf(exitUsage, "--subscribe: %v", err)
	}
	var bad []string // each option out of range, one line each
	positive := func(long string, dflt, lo int) (int, bool) {
		n, err := a.intVal(long, dflt)
		if err != nil || n < lo {
			bad = append(bad, fmt.Sprintf("%s: --%s must be a whole number of at least %d", name, long, lo))
			return 0, false
		}
		return n, true
	}
	subs, ok1 := positive("subscribers", 100, 1)
	authors, ok2 := positive("authors", bench.DefaultAuthors, 1)
	tmo, ok3 := positive("timeout", 30, 1)
	wait, ok4 := positive("wait", 30, 1)
	pid, ok5 := positive("broker-pid", 0, 0)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return exitBare(exitUsage, strings.Join(bad, "\n"))
	}
	dfltRate := "0"
	if which == "soak" {
		dfltRate = "100"
	}
	rate, err := strconv.ParseFloat(a.str("rate", dfltRate), 64)
	if err != nil || rate < 0 || math.IsInf(rate, 0) || math.IsNaN(rate) || (which == "soak" && rate == 0) {
		return exitf(exitUsage, "--rate must be a positive number of events per second")
	}
	raw := assets.SampleTestEvent
	if f := a.str("file", ""); f != "" {
		if raw, err = os.ReadFile(f); err != nil {
			return exitf(exitUsage, "%v", err)
		}
	}
	tpl, err := bench.NewTemplate(raw, fmt.Sprintf("%s-%d", which, time.Now().UnixNano()))
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	asJSON := a.isSet("json")
	pidHow := "given"
	if pid == 0 {
		if pid = bench.FindListenerPID(sub); pid > 0 {
			pidHow = "the process listening on " + sub.String()
		}
	}
	pace := "as fast as they go"
	if rate > 0 {
		pace = fmt.Sprintf("at %g events/s", rate)
	}
	// Ctrl-C ends the run early; the results so far are still reported.
	ctx, stop := context.WithCancel(env.Context())
	defer stop()
	if which == "fanout" {
		events, ok := positive("events", 1000, 1)
		if !ok {
			return exitBare(exitUsage, strings.Join(bad, "\n"))
		}
		cfg := bench.FanoutConfig{
			Target: target, Subscribe: sub, Subscribers: subs, Events: events, Authors: authors, Rate: rate,
			Template: tpl, Timeout: time.Duration(tmo) * time.Second, Wait: time.Duration(wait) * time.Second, BrokerPID: pid,
		}
		if !asJSON {
			fmt.Fprintf(env.Stdout, "fanout: %d subscribers on %s; %d events to %s from %d authors, %s\n", subs, sub, events, target, authors, pace)
			if pid > 0 {
				fmt.Fprintf(env.Stdout, "  broker pid %d (%s)\n", pid, pidHow)
			}
			cfg.Progress = func(sent, delivered int64) {
				fmt.Fprintf(env.Stderr, "  ... %d/%d submitted, %d deliveries\n", sent, events, delivered)
			}
		}
		r, err := bench.Fanout(ctx, cfg)
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		if asJSON {
			m := loadJSON(r)
			m["benchmark"], m["type"] = "fanout", "summary"
			m["target"], m["subscribe"] = target.String(), sub.String()
			json.NewEncoder(env.Stdout).Encode(m)
		} else {
			printLoad(env, r)
		}
		if !r.OK() {
			return exitStatus(exitFailure)
		}
		return nil
	}

	dur, err := parseDuration(a.str("duration", "60s"))
	if err != nil {
		return exitf(exitUsage, "--duration: %v", err)
	}
	every, err := parseDuration(a.str("report-every", "5s"))
	if err != nil {
		return exitf(exitUsage, "--report-every: %v", err)
	}
	cfg := bench.SoakConfig{
		Target: target, Subscribe: sub, Template: tpl, Subscribers: subs, Authors: authors, Rate: rate,
		Duration: dur, ReportEvery: every, Timeout: time.Duration(tmo) * time.Second, Wait: time.Duration(wait) * time.Second,
		BrokerPID: pid,
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		cfg.OnInterval = func(iv bench.SoakInterval) {
			enc.Encode(map[string]any{
				"benchmark": "soak", "type": "interval", "elapsed_s": iv.Elapsed.Seconds(),
				"submitted": iv.Submitted, "acks": iv.Acks, "ingest_events_per_s": iv.IngestPerSecond,
				"delivered": iv.Delivered, "expected": iv.Expected, "deliveries_in_interval": iv.Latency.Count,
				"p50_ms": toMS(iv.Latency.P50), "p99_ms": toMS(iv.Latency.P99), "max_ms": toMS(iv.Latency.Max),
				"subscribers_lost": iv.Drops, "behind": iv.Behind, "lag_s": iv.Lag.Seconds(), "broker_rss_bytes": iv.BrokerRSS,
			})
		}
	} else {
		fmt.Fprintf(env.Stdout, "soak: %d subscribers on %s; %g events/s to %s for %s from %d authors; a report every %s\n",
			subs, sub, rate, target, dur, authors, every)
		if pid > 0 {
			fmt.Fprintf(env.Stdout, "  broker pid %d (%s)\n", pid, pidHow)
		}
		header := false
		cfg.OnInterval = func(iv bench.SoakInterval) {
			if !header {
				fmt.Fprintf(env.Stdout, "  %8s %9s %9s %26s %9s %9s %11s\n", "elapsed", "submitted", "ingest/s", "delivered/expected", "p50 ms", "p99 ms", "broker RSS")
				header = true
			}
			pct := 100.0
			if iv.Expected > 0 {
				pct = 100 * float64(iv.Delivered) / float64(iv.Expected)
			}
			rss := "-"
			if iv.BrokerRSS > 0 {
				rss = mb(iv.BrokerRSS)
			}
			line := fmt.Sprintf("  %7.1fs %9d %9.1f %26s %9.2f %9.2f %11s", iv.Elapsed.Seconds(), iv.Submitted, iv.IngestPerSecond,
				fmt.Sprintf("%d/%d (%.1f%%)", iv.Delivered, iv.Expected, pct), toMS(iv.Latency.P50), toMS(iv.Latency.P99), rss)
			if iv.Drops > 0 {
				line += fmt.Sprintf("  %d subscribers lost", iv.Drops)
			}
			if iv.Behind {
				line += fmt.Sprintf("  behind by %.1f s: the authors cannot keep up, submitting as fast as they can", iv.Lag.Seconds())
			}
			fmt.Fprintln(env.Stdout, line)
		}
	}
	r, err := bench.Soak(ctx, cfg)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	if asJSON {
		m := loadJSON(r.FanoutResult)
		m["benchmark"], m["type"] = "soak", "summary"
		m["target"], m["subscribe"] = target.String(), sub.String()
		m["duration_s"] = r.Duration.Seconds()
		json.NewEncoder(env.Stdout).Encode(m)
	} else {
		fmt.Fprintln(env.Stdout, "  summary:")
		printLoad(env, r.FanoutResult)
	}
	if !r.OK() {
		return exitStatus(exitFailure)
	}
	return nil
}

// parseDuration reads "60s", "10m", "1h30m" or a bare number of seconds.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, err2 := strconv.ParseFloat(s, 64)
		if err2 != nil {
			return 0, fmt.Errorf("%q is not a duration (60s, 10m, or seconds)", s)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration", s)
	}
	return d, nil
}

func toMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// printLoad prints a fanout or soak result for people.
func printLoad(env Env, r bench.FanoutResult) {
	w := env.Stdout
	fmt.Fprintf(w, "  subscribers  %d/%d connected and measured\n", r.Connected, r.Subscribers)
	fmt.Fprintf(w, "  submitted    %d: %d acks, %d naks, %d errors in %.2f s\n", r.Submitted, r.Acks, r.Naks, r.Errors, r.Elapsed.Seconds())
	fmt.Fprintf(w, "  ingest       %.1f events/s\n", r.EventsPerSecond)
	pct := 100.0
	if r.Expected > 0 {
		pct = 100 * float64(r.Delivered) / float64(r.Expected)
	}
	waited := fmt.Sprintf("waited %.2f s after the last answer", r.Waited.Seconds())
	if r.WaitTimedOut {
		waited = fmt.Sprintf("gave up waiting after %.0f s", r.Waited.Seconds())
	}
	fmt.Fprintf(w, "  delivered    %d/%d (%.2f%%) = %d acked events x %d subscribers; %s\n", r.Delivered, r.Expected, pct, r.Acks, r.Connected, waited)
	l := r.Latency
	fmt.Fprintf(w, "  latency      p50 %s  p90 %s  p99 %s  max %s  (%d deliveries, submit to receipt)\n", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), l.Count)
	if r.BrokerPID > 0 && (r.BrokerRSS > 0 || r.BrokerRSSStart > 0) {
		fmt.Fprintf(w, "  broker RSS   %s idle, %s with subscribers connected, %s at the end; peak (VmHWM) %s\n",
			mb(r.BrokerRSSIdle), mb(r.BrokerRSSStart), mb(r.BrokerRSS), mb(r.BrokerPeakRSS))
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "  note:", n)
	}
	if r.OK() {
		fmt.Fprintln(w, "  result       every event reached every subscriber")
	}
}

// loadJSON is a fanout or soak result as a JSON object.
func loadJSON(r bench.FanoutResult) map[string]any {
	drops := make([]map[string]any, 0, len(r.Drops))
	for _, d := range r.Drops {
		drops = append(drops, map[string]any{"subscriber": d.Subscriber, "local": d.Local, "at_s": d.At.Seconds(), "delivered": d.Delivered, "reason": d.Reason})
	}
	return map[string]any{
		"subscribers": r.Subscribers, "connected": r.Connected, "events": r.Events, "submitted": r.Submitted,
		"acks": r.Acks, "naks": r.Naks, "errors": r.Errors, "first_nak": r.FirstNak, "first_error": r.FirstError,
		"expected": r.Expected, "delivered": r.Delivered, "extra": r.Extra, "duplicates": r.Duplicates,
		"events_incomplete": r.EventsIncomplete, "events_lost": r.EventsLost, "missing_to_dropped": r.MissingToDropped,
		"dropped_subscribers": drops, "submit_s": r.Elapsed.Seconds(), "ingest_events_per_s": r.EventsPerSecond,
		"p50_ms": toMS(r.Latency.P50), "p90_ms": toMS(r.Latency.P90), "p99_ms": toMS(r.Latency.P99), "max_ms": toMS(r.Latency.Max),
		"min_ms": toMS(r.Latency.Min), "mean_ms": toMS(r.Latency.Mean), "deliveries_timed": r.Latency.Count,
		"waited_s": r.Waited.Seconds(), "wait_timed_out": r.WaitTimedOut, "rate": r.Rate, "behind": r.Behind, "late_events": r.Late, "max_lag_s": r.MaxLag.Seconds(),
		"broker_pid": r.BrokerPID, "broker_rss_idle_bytes": r.BrokerRSSIdle, "broker_rss_start_bytes": r.BrokerRSSStart,
		"broker_rss_bytes": r.BrokerRSS, "broker_peak_rss_bytes": r.BrokerPeakRSS, "file_limit": r.FileLimit,
		"iamalives": r.Iamalives, "foreign_events": r.Foreign, "unknown_packets": r.Unknown,
		"notes": append([]string{}, r.Notes...), "ok": r.OK(),
	}
}
