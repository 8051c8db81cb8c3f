package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
)

// Defaults of a fanout or soak run.
const (
	// DefaultAuthors is the number of concurrent authors.
	DefaultAuthors = 4
	// DefaultWait is how long to wait for deliveries after the last submission.
	DefaultWait = 30 * time.Second
	// MaxEvents bounds the events of one run (memory is a few bytes per event).
	MaxEvents = 10_000_000
	// warmupRounds is how many warm-up events are tried before the
	// subscribers that have not received one are left out.
	warmupRounds = 4
)

// FanoutConfig describes a fanout run: Subscribers connect to the broker's
// broadcaster, then Authors submit Events to its receiver, and every
// delivery is timed.
type FanoutConfig struct {
	// Target is the broker's receiver, Subscribe its broadcaster.
	Target    endpoint.Endpoint
	Subscribe endpoint.Endpoint
	// Subscribers is how many subscribers to connect.
	Subscribers int
	// Events is how many events to submit.
	Events int
	// Authors is how many submit concurrently (default 4).
	Authors int
	// Rate paces submissions (events/s); 0 is as fast as the authors go.
	Rate float64
	// Template makes the events; each gets a unique IVORN ending in its number.
	Template *Template
	// Timeout bounds one submission (default 30 s).
	Timeout time.Duration
	// Wait bounds the wait for deliveries after the last submission (default 30 s).
	Wait time.Duration
	// ConnectTimeout bounds connecting the subscribers (default 10 s plus 10 ms each).
	ConnectTimeout time.Duration
	// BrokerPID, when set, is read for the broker's resident memory.
	BrokerPID int
	// Progress, when set, is called about once a second while events flow.
	Progress func(sent, delivered int64)
}

// FanoutResult is what a fanout (or soak) run measured.
type FanoutResult struct {
	// Subscribers were asked for; Connected connected and received the
	// warm-up event, and are the ones measured.
	Subscribers, Connected int
	// Events were asked for; Submitted were handed to the receiver.
	Events    int
	Submitted int64
	// Acks, Naks and Errors are the receiver's answers to the submissions.
	Acks, Naks, Errors   int64
	FirstError, FirstNak string
	// Expected is acked events × subscribers; Delivered counts the deliveries
	// of acked events (each event once per subscriber).
	Expected, Delivered int64
	// Extra counts deliveries of events whose submission failed or was refused.
	Extra int64
	// Duplicates counts events a subscriber received more than once.
	Duplicates int64
	// EventsIncomplete counts acked events that reached some but not all
	// subscribers; EventsLost those that reached none.
	EventsIncomplete, EventsLost int
	// MissingToDropped counts missing deliveries to subscribers whose
	// connection ended during the run; the rest of the missing deliveries
	// were to subscribers still connected at the end.
	MissingToDropped int64
	// Drops lists the subscribers whose connection ended during the run.
	Drops []Drop
	// Elapsed is the submit phase, from the first submission to the last answer.
	Elapsed time.Duration
	// EventsPerSecond is the ingest rate: acks per second over the submit phase.
	EventsPerSecond float64
	// Latency is the delivery latency (receipt - submission) over all
	// event × subscriber pairs.
	Latency Latencies
	// Waited is how long the run waited for deliveries after the last
	// submission; WaitTimedOut says the wait ran out.
	Waited       time.Duration
	WaitTimedOut bool
	// Rate is the pace asked for (0 = as fast as possible); Behind says the
	// authors were still behind it at the end, Late how many events were
	// handed out more than 100 ms late, MaxLag the most they fell behind.
	Rate   float64
	Behind bool
	Late   int64
	MaxLag time.Duration
	// BrokerPID is the broker process measured (0 = none). Memory is in bytes,
	// 0 when unknown: before the subscribers connected, when submissions
	// started, at the end, and the peak (VmHWM).
	BrokerPID                                int
	BrokerRSSIdle, BrokerRSSStart, BrokerRSS int64
	BrokerPeakRSS                            int64
	// FileLimit is this process's open-file limit after raising it.
	FileLimit uint64
	// Iamalives, Foreign and Unknown count the other packets the
	// subscribers received: keep-alives, VOEvents not from this run
	// (broker test events), and packets not understood.
	Iamalives, Foreign, Unknown int64
	// Notes say what needs attention, one sentence each; Note joins them.
	Notes []string
	Note  string
}

// OK reports whether every subscriber took part, every submission was
// acked, and every expected delivery arrived exactly once.
func (r FanoutResult) OK() bool {
	return r.Connected == r.Subscribers && r.Delivered >= r.Expected && r.Naks == 0 && r.Errors == 0 && r.Duplicates == 0
}

// Fanout runs one fanout benchmark.
func Fanout(ctx context.Context, cfg FanoutConfig) (FanoutResult, error) {
	return runLoad(ctx, loadConfig{FanoutConfig: cfg})
}

// loadConfig is a fanout run, optionally bounded in time with interval reports (soak).
type loadConfig struct {
	FanoutConfig
	duration    time.Duration
	reportEvery time.Duration
	onInterval  func(SoakInterval)
}

// loadRun is the state of one run.
type loadRun struct {
	cfg  loadConfig
	tr   *tracker
	pool *subscriberPool

	acked                       []bool // per event; written by its author, read after all finish
	submitted, acks, naks, errs atomic.Int64
	lastAnswer                  atomic.Int64 // ns since the run started
	lag                         atomic.Int64 // lateness of the latest paced submission, ns
	maxLag                      atomic.Int64
	late                        atomic.Int64

	mu                 sync.Mutex
	firstErr, firstNak string
}

func runLoad(ctx context.Context, cfg loadConfig) (FanoutResult, error) {
	if cfg.Authors < 1 {
		cfg.Authors = DefaultAuthors
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = sender.DefaultTimeout
	}
	if cfg.Wait <= 0 {
		cfg.Wait = DefaultWait
	}
	res := FanoutResult{Subscribers: cfg.Subscribers, Events: cfg.Events, Rate: cfg.Rate, BrokerPID: cfg.BrokerPID}
	switch {
	case cfg.Template == nil:
		return res, errors.New("no template event")
	case cfg.Subscribers < 1:
		return res, errors.New("at least one subscriber is needed")
	case cfg.Events < 1 || cfg.Events > MaxEvents:
		return res, fmt.Errorf("the number of events must be between 1 and %d", MaxEvents)
	case cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0):
		return res, errors.New("the rate must be a positive number of events per second, or 0")
	}
	note := func(format string, v ...any) {
		res.Notes = append(res.Notes, fmt.Sprintf(format, v...))
		res.Note = strings.Join(res.Notes, "; ")
	}

	res.FileLimit = RaiseFileLimit()
	if need := uint64(cfg.Subscribers + cfg.Authors + 64); res.FileLimit > 0 && res.FileLimit < need {
		note("the open-file limit is %d, too low for %d subscribers and %d authors (about %d needed): raise the hard limit (ulimit -Hn) or use fewer subscribers",
			res.FileLimit, cfg.Subscribers, cfg.Authors, need)
	}
	if cfg.BrokerPID > 0 {
		res.BrokerRSSIdle, _ = RSS(cfg.BrokerPID)
		if res.BrokerRSSIdle == 0 {
			note("cannot read the memory of process %d (not running, or not on this machine?)", cfg.BrokerPID)
		}
		if lim := FileLimitOf(cfg.BrokerPID); lim > 0 && lim < uint64(cfg.Subscribers+64) {
			note("the broker's open-file limit is %d, too low for %d subscribers", lim, cfg.Subscribers)
		}
	}

	r := &loadRun{cfg: cfg, tr: newTracker(cfg.Template, cfg.Events), acked: make([]bool, cfg.Events+1)}
	pool, err := dialPool(ctx, poolConfig{Broadcaster: cfg.Subscribe, Subscribers: cfg.Subscribers, ConnectTimeout: cfg.ConnectTimeout}, r.tr)
	if pool.Len() == 0 {
		pool.Close()
		if err == nil {
			err = ctx.Err()
		}
		return res, fmt.Errorf("no subscriber could connect to %s: %v", cfg.Subscribe, err)
	}
	r.pool = pool
	defer pool.Close()
	if n := pool.Len(); n < cfg.Subscribers {
		note("only %d of %d subscribers could connect to %s (first error: %v)", n, cfg.Subscribers, cfg.Subscribe, err)
	}
	if n := pool.authenticated(); n < pool.Len() {
		note("%d of %d subscribers were not sent an authenticate packet on connecting", pool.Len()-n, pool.Len())
	}
	left, err := r.warmUp(ctx)
	if err != nil {
		return res, err
	}
	res.Connected = pool.Len()
	if left > 0 {
		note("%d subscribers connected but received none of the warm-up events; they are left out of the figures", left)
	}
	if cfg.BrokerPID > 0 {
		res.BrokerRSSStart, _ = RSS(cfg.BrokerPID)
	}

	// Submit, reporting as we go.
	submitStart := r.tr.since()
	stopReports := make(chan struct{})
	var reports sync.WaitGroup
	if cfg.Progress != nil {
		reports.Add(1)
		go func() {
			defer reports.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stopReports:
					return
				case <-t.C:
					cfg.Progress(r.submitted.Load(), pool.delivered())
				}
			}
		}()
	}
	intervalsDone := make(chan struct{})
	if cfg.onInterval != nil && cfg.reportEvery > 0 {
		reports.Add(1)
		go func() {
			defer reports.Done()
			r.intervals(submitStart, intervalsDone)
		}()
	}
	r.submit(ctx)
	close(intervalsDone)
	submitEnd := r.tr.since()
	res.Submitted, res.Acks, res.Naks, res.Errors = r.submitted.Load(), r.acks.Load(), r.naks.Load(), r.errs.Load()
	res.FirstError, res.FirstNak = r.firstErr, r.firstNak
	if last := time.Duration(r.lastAnswer.Load()); last > submitStart {
		res.Elapsed = last - submitStart
		res.EventsPerSecond = float64(res.Acks) / res.Elapsed.Seconds()
	}
	res.Late, res.MaxLag = r.late.Load(), time.Duration(r.maxLag.Load())
	res.Behind = cfg.Rate > 0 && time.Duration(r.lag.Load()) > lagThreshold(cfg.Rate)

	// Wait for stragglers: until every subscriber still connected has had
	// every acked event, or the wait runs out.
	deadline := time.Now().Add(cfg.Wait)
	for !r.allDelivered(res.Acks) && ctx.Err() == nil {
		if !time.Now().Before(deadline) {
			res.WaitTimedOut = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.Waited = r.tr.since() - submitEnd
	close(stopReports)
	reports.Wait()
	if cfg.BrokerPID > 0 {
		res.BrokerRSS, res.BrokerPeakRSS = RSS(cfg.BrokerPID)
	}
	res.Drops = pool.drops()
	res.Iamalives, res.Foreign, res.Unknown = pool.counters()
	res.Duplicates = pool.duplicates()
	r.tally(&res)
	res.Latency = r.tr.hist.snapshot().latencies()

	// Say what went wrong, precisely.
	if ctx.Err() != nil {
		note("interrupted: %d events were submitted and answered", res.Submitted)
	}
	if res.Naks > 0 {
		note("%d submissions were refused; first reason: %s", res.Naks, res.FirstNak)
	}
	if res.Errors > 0 {
		note("%d submissions failed; first error: %s", res.Errors, res.FirstError)
	}
	if missing := res.Expected - res.Delivered; missing > 0 {
		wait := fmt.Sprintf("after waiting %.1f s", res.Waited.Seconds())
		switch {
		case ctx.Err() != nil:
			wait = "(interrupted: not waited for)"
		case res.WaitTimedOut:
			wait = fmt.Sprintf("after waiting the full %.0f s", cfg.Wait.Seconds())
		}
		note("%d of %d deliveries missing %s: %d to the %d subscribers whose connection ended, %d to subscribers still connected; %d acked events reached only some subscribers, %d reached none",
			missing, res.Expected, wait, res.MissingToDropped, len(res.Drops), missing-res.MissingToDropped, res.EventsIncomplete, res.EventsLost)
	}
	for _, line := range summariseDrops(res.Drops, 5) {
		note("%s", line)
	}
	if res.Duplicates > 0 {
		note("%d events were delivered more than once to the same subscriber", res.Duplicates)
	}
	if res.Extra > 0 {
		note("%d deliveries were of events whose submission was refused or failed", res.Extra)
	}
	if s := r.tr.stray.Load(); s > 0 {
		note("%d deliveries carried this run's IVORN prefix but no submitted event number", s)
	}
	if res.Unknown > 0 {
		note("the subscribers received %d packets they did not understand", res.Unknown)
	}
	switch {
	case res.Behind:
		note("the %d authors could not keep up with %g events/s (up to %.1f s behind): they submitted as fast as they could",
			cfg.Authors, cfg.Rate, res.MaxLag.Seconds())
	case res.Late > 0:
		note("%d of %d events were submitted late, up to %.2f s behind the %g events/s schedule; the authors caught up",
			res.Late, res.Submitted, res.MaxLag.Seconds(), cfg.Rate)
	}
	return res, nil
}

// warmUp sends warm-up events until every subscriber has received one, so
// that all are registered with the broadcaster before timing starts; those
// that never receive one are left out, and counted.
func (r *loadRun) warmUp(ctx context.Context) (int, error) {
	tpl := r.tr.warmupTemplate(r.cfg.Template)
	wait := 3*time.Second + time.Duration(r.pool.Len())*2*time.Millisecond
	var k int
	for k = 1; k <= warmupRounds; k++ {
		raw, ivorn := tpl.Event(k)
		if _, err := sender.Send(ctx, r.cfg.Target, raw, ivorn, r.cfg.Timeout); err != nil {
			return 0, fmt.Errorf("the warm-up event was not accepted: %w", err)
		}
		deadline := time.Now().Add(wait)
		for r.pool.warmedUp(int64(k)) < r.pool.Len() && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		if r.pool.warmedUp(int64(k)) == r.pool.Len() || ctx.Err() != nil {
			break
		}
	}
	k = min(k, warmupRounds)
	left := r.pool.keepWarm(int64(k))
	if r.pool.Len() == 0 {
		if err := ctx.Err(); err != nil {
			return left, err
		}
		return left, fmt.Errorf("no subscriber received the warm-up events from %s (%d sent to %s and acked)", r.cfg.Subscribe, k, r.cfg.Target)
	}
	return left, nil
}

// submit hands the events to the authors, paced when a rate is set, and
// returns when every submission has been answered (or ctx ends).
func (r *loadRun) submit(ctx context.Context) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for a := 0; a < r.cfg.Authors; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r.send(ctx, i)
			}
		}()
	}
	r.pace(ctx, jobs)
	close(jobs)
	wg.Wait()
}

// pace gives out event numbers: as fast as the authors take them, or on a
// schedule of Rate per second; an author that is late takes the next event
// at once, so a run that cannot keep the pace goes as fast as it can. With
// a duration, no event is given out after it.
func (r *loadRun) pace(ctx context.Context, jobs chan<- int) {
	start := time.Now()
	var stop time.Time
	if r.cfg.duration > 0 {
		stop = start.Add(r.cfg.duration)
	}
	rate := r.cfg.Rate
	threshold := lagThreshold(rate)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for i := 1; i <= r.cfg.Events; i++ {
		var due time.Time
		if rate > 0 {
			due = start.Add(time.Duration(float64(i-1) / rate * float64(time.Second)))
			if !stop.IsZero() && !due.Before(stop) {
				return
			}
			if w := time.Until(due); w > 0 {
				timer.Reset(w)
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
			}
		}
		if !stop.IsZero() && !time.Now().Before(stop) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case jobs <- i:
		}
		if rate > 0 {
			lag := time.Since(due)
			r.lag.Store(int64(lag))
			if int64(lag) > r.maxLag.Load() {
				r.maxLag.Store(int64(lag))
			}
			if lag > threshold {
				r.late.Add(1)
			}
		}
	}
}

// lagThreshold is how late a paced submission may be before it counts as
// late: 100 ms plus one interval of the schedule.
func lagThreshold(rate float64) time.Duration {
	return 100*time.Millisecond + time.Duration(float64(time.Second)/max(rate, 1))
}

// ended reports whether ctx is done, or its deadline has passed (a dial can
// fail at the deadline a moment before ctx.Err says so).
func ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// send submits event i and counts the answer.
func (r *loadRun) send(ctx context.Context, i int) {
	raw, ivorn := r.cfg.Template.Event(i)
	r.tr.markSent(i)
	r.submitted.Add(1)
	_, err := sender.Send(ctx, r.cfg.Target, raw, ivorn, r.cfg.Timeout)
	now := int64(r.tr.since())
	for {
		last := r.lastAnswer.Load()
		if now <= last || r.lastAnswer.CompareAndSwap(last, now) {
			break
		}
	}
	var se *sender.Error
	switch {
	case err != nil && ended(ctx):
		r.submitted.Add(-1) // interrupted: neither answered nor failed
	case err == nil:
		r.acked[i] = true
		r.acks.Add(1)
	case errors.As(err, &se) && se.Kind == sender.Refused:
		r.naks.Add(1)
		r.mu.Lock()
		if r.firstNak == "" {
			r.firstNak = se.Reason
		}
		r.mu.Unlock()
	default:
		r.errs.Add(1)
		r.mu.Lock()
		if r.firstErr == "" {
			r.firstErr = err.Error()
		}
		r.mu.Unlock()
	}
}

// allDelivered reports whether every subscriber still connected has received
// at least acks events.
func (r *loadRun) allDelivered(acks int64) bool {
	for _, s := range r.pool.subs {
		if !s.ended() && s.delivered.Load() < acks {
			return false
		}
	}
	return true
}

// tally counts the deliveries of acked events, once the authors are done.
func (r *loadRun) tally(res *FanoutResult) {
	subs := int64(r.pool.Len())
	res.Expected = res.Acks * subs
	for i := 1; i < len(r.acked); i++ {
		n := int64(r.tr.copies[i].Load())
		if !r.acked[i] {
			res.Extra += n
			continue
		}
		res.Delivered += min(n, subs)
		switch {
		case n == 0:
			res.EventsLost++
		case n < subs:
			res.EventsIncomplete++
		}
	}
	for _, d := range res.Drops {
		res.MissingToDropped += max(0, res.Acks-d.Delivered)
	}
	res.MissingToDropped = min(res.MissingToDropped, max(0, res.Expected-res.Delivered))
}

// RSS reads a local process's resident and peak resident memory (VmRSS and
// VmHWM), in bytes; 0 when unknown.
func RSS(pid int) (rss, peak int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fs[1], 10, 64)
		switch fs[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

// FileLimitOf reads a local process's soft open-file limit; 0 when unknown.
func FileLimitOf(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			if fs := strings.Fields(rest); len(fs) > 0 {
				n, _ := strconv.ParseUint(fs[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// FindListenerPID finds the local process listening on ep's TCP port, when
// ep's host is this machine's loopback, by matching the listening socket in
// /proc/net/tcp* with the processes' open files. It returns 0 when there is
// none or it cannot be seen (another user's process, another OS).
func FindListenerPID(ep endpoint.Endpoint) int {
	if ep.Network != "tcp" {
		return 0
	}
	host, portStr, err := net.SplitHostPort(ep.Address)
	if err != nil {
		return 0
	}
	if ip := net.ParseIP(host); !(host == "localhost" || host == "" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified()))) {
		return 0
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // 0A = LISTEN
				continue
			}
			_, p, ok := strings.Cut(fs[1], ":")
			if n, err := strconv.ParseUint(p, 16, 16); ok && err == nil && n == port {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || pid == os.Getpid() {
			continue
		}
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(dir + "/fd/" + fd.Name()); err == nil && inodes[link] {
				return pid
			}
		}
	}
	return 0
}
