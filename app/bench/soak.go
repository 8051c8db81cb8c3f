package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
)

// DefaultReportEvery is how often a soak run reports.
const DefaultReportEvery = 5 * time.Second

// SoakConfig describes a soak run: Subscribers stay connected while Authors
// submit Rate events per second for Duration; every ReportEvery the run
// reports on the interval.
type SoakConfig struct {
	// Target is the broker's receiver, Subscribe its broadcaster.
	Target    endpoint.Endpoint
	Subscribe endpoint.Endpoint
	// Template makes the events; each gets a unique IVORN ending in its number.
	Template *Template
	// Subscribers is how many subscribers to connect.
	Subscribers int
	// Authors is how many submit concurrently (default 4).
	Authors int
	// Rate is the pace in events per second; it must be positive.
	Rate float64
	// Duration is how long to submit; it must be positive.
	Duration time.Duration
	// ReportEvery is the report interval (default 5 s).
	ReportEvery time.Duration
	// Timeout bounds one submission (default 30 s).
	Timeout time.Duration
	// Wait bounds the wait for deliveries after the last submission (default 30 s).
	Wait time.Duration
	// ConnectTimeout bounds connecting the subscribers (default 10 s plus 10 ms each).
	ConnectTimeout time.Duration
	// BrokerPID, when set, is read for the broker's resident memory.
	BrokerPID int
	// OnInterval, when set, receives each report; it is called from one
	// goroutine at a time.
	OnInterval func(SoakInterval)
}

// SoakResult is what a soak run measured, over the whole run.
type SoakResult struct {
	FanoutResult
	// Duration is the submit period asked for.
	Duration time.Duration
}

// Soak runs one soak benchmark. It is bounded: at most Rate × Duration
// events are submitted, then it waits at most Wait for deliveries.
func Soak(ctx context.Context, cfg SoakConfig) (SoakResult, error) {
	res := SoakResult{Duration: cfg.Duration}
	switch {
	case !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0):
		return res, errors.New("a soak run needs a positive rate")
	case cfg.Duration <= 0:
		return res, errors.New("a soak run needs a positive duration")
	}
	events := math.Ceil(cfg.Rate * cfg.Duration.Seconds())
	if events > MaxEvents {
		return res, fmt.Errorf("%.0f events/s for %s is %.0f events, more than the %d a run may submit", cfg.Rate, cfg.Duration, events, MaxEvents)
	}
	if cfg.ReportEvery <= 0 {
		cfg.ReportEvery = DefaultReportEvery
	}
	r, err := runLoad(ctx, loadConfig{
		FanoutConfig: FanoutConfig{
			Target: cfg.Target, Subscribe: cfg.Subscribe, Template: cfg.Template,
			Subscribers: cfg.Subscribers, Events: max(1, int(events)), Authors: cfg.Authors, Rate: cfg.Rate,
			Timeout: cfg.Timeout, Wait: cfg.Wait, ConnectTimeout: cfg.ConnectTimeout, BrokerPID: cfg.BrokerPID,
		},
		duration:    cfg.Duration,
		reportEvery: cfg.ReportEvery,
		onInterval:  cfg.OnInterval,
	})
	res.FanoutResult = r
	return res, err
}

// SoakInterval is one report of a soak run.
type SoakInterval struct {
	// Elapsed is the time since submissions started.
	Elapsed time.Duration
	// Submitted and Acks are counts so far; IngestPerSecond is acks per
	// second over the interval.
	Submitted, Acks int64
	IngestPerSecond float64
	// Delivered and Expected (acks so far × subscribers) are counts so far.
	Delivered, Expected int64
	// Latency is of the deliveries within the interval.
	Latency Latencies
	// Drops is the number of subscribers lost so far.
	Drops int
	// Behind says the authors are not keeping the pace, Lag by how much.
	Behind bool
	Lag    time.Duration
	// BrokerRSS is the broker's resident memory in bytes, 0 when unknown.
	BrokerRSS int64
}

// intervals reports every reportEvery until done is closed, then once more
// for the last part interval.
func (r *loadRun) intervals(start time.Duration, done <-chan struct{}) {
	t := time.NewTicker(r.cfg.reportEvery)
	defer t.Stop()
	prev := r.tr.hist.snapshot()
	prevAt, prevAcks := start, int64(0)
	threshold := lagThreshold(r.cfg.Rate)
	report := func() {
		now := r.tr.since()
		snap := r.tr.hist.snapshot()
		acks := r.acks.Load()
		iv := SoakInterval{
			Elapsed: now - start, Submitted: r.submitted.Load(), Acks: acks,
			Delivered: r.pool.delivered(), Expected: acks * int64(r.pool.Len()),
			Latency: snap.since(prev).latencies(), Drops: len(r.pool.drops()),
			Lag: time.Duration(r.lag.Load()),
		}
		iv.Behind = r.cfg.Rate > 0 && iv.Lag > threshold
		if d := now - prevAt; d > 0 {
			iv.IngestPerSecond = float64(acks-prevAcks) / d.Seconds()
		}
		if r.cfg.BrokerPID > 0 {
			iv.BrokerRSS, _ = RSS(r.cfg.BrokerPID)
		}
		prev, prevAt, prevAcks = snap, now, acks
		r.cfg.onInterval(iv)
	}
	for {
		select {
		case <-done:
			if r.tr.since()-prevAt >= 100*time.Millisecond {
				report()
			}
			return
		case <-t.C:
			report()
		}
	}
}
