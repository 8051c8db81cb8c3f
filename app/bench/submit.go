package bench

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// SubmitConfig describes a submit run: Events one-shot submissions by
// Concurrency authors, each a new connection with a unique IVORN.
type SubmitConfig struct {
	Target      endpoint.Endpoint
	Template    *Template
	Concurrency int
	Events      int
	// Duration, when set, ends the run early.
	Duration time.Duration
	Timeout  time.Duration
	// Progress, when set, is called about once a second.
	Progress func(done, acks, naks, errs int64)
}

// SubmitResult is what a submit run measured.
type SubmitResult struct {
	Concurrency     int
	Sent            int64
	Acks, Naks      int64
	Errors          int64
	FirstError      string
	FirstNak        string
	Elapsed         time.Duration
	EventsPerSecond float64
	Latency         Latencies
}

// Submit runs one submit benchmark.
func Submit(ctx context.Context, cfg SubmitConfig) SubmitResult {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	var next, acks, naks, errs atomic.Int64
	var mu sync.Mutex
	var firstErr, firstNak string
	lat := make([][]time.Duration, cfg.Concurrency)
	start := time.Now()
	stopProgress := make(chan struct{})
	if cfg.Progress != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case <-t.C:
					cfg.Progress(acks.Load()+naks.Load()+errs.Load(), acks.Load(), naks.Load(), errs.Load())
				}
			}
		}()
	}
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := int(next.Add(1))
				if n > cfg.Events {
					return
				}
				raw, ivorn := cfg.Template.Event(n)
				t0 := time.Now()
				_, err := sender.Send(ctx, cfg.Target, raw, ivorn, cfg.Timeout)
				d := time.Since(t0)
				var se *sender.Error
				switch {
				case err == nil:
					acks.Add(1)
					lat[w] = append(lat[w], d)
				case errors.As(err, &se) && se.Kind == sender.Refused:
					naks.Add(1)
					lat[w] = append(lat[w], d)
					mu.Lock()
					if firstNak == "" {
						firstNak = se.Reason
					}
					mu.Unlock()
				case ctx.Err() != nil:
					return
				default:
					errs.Add(1)
					mu.Lock()
					if firstErr == "" {
						firstErr = err.Error()
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(stopProgress)
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	r := SubmitResult{
		Concurrency: cfg.Concurrency, Acks: acks.Load(), Naks: naks.Load(), Errors: errs.Load(),
		FirstError: firstErr, FirstNak: firstNak, Elapsed: elapsed, Latency: Summarise(all),
	}
	r.Sent = r.Acks + r.Naks + r.Errors
	if elapsed > 0 {
		r.EventsPerSecond = float64(r.Acks+r.Naks) / elapsed.Seconds()
	}
	return r
}
