package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/sender"
	"github.com/starling-broker/starling/netcore/vtp"
)

// FanoutConfig describes a fanout run: Subscribers connect to the broker's
// broadcaster, then Authors submit Events to its receiver, and every
// delivery is timed.
type FanoutConfig struct {
	Target      endpoint.Endpoint
	Subscribe   endpoint.Endpoint
	Subscribers int
	Events      int
	Authors     int
	// Rate paces submissions (events/s); 0 is as fast as the authors go.
	Rate     float64
	Template *Template
	Timeout  time.Duration
	// BrokerPID, when set, is read for the broker's resident memory.
	BrokerPID int
	// Progress, when set, is called about once a second while events flow.
	Progress func(sent, delivered int64)
}

// FanoutResult is what a fanout run measured.
type FanoutResult struct {
	Subscribers, Connected int
	Expected, Delivered    int64
	Acks, Naks, Errors     int64
	FirstError             string
	Elapsed                time.Duration
	EventsPerSecond        float64
	Latency                Latencies
	// BrokerRSS and BrokerPeakRSS are in bytes, 0 when unknown.
	BrokerRSS, BrokerPeakRSS int64
	Note                     string
}

// pool is a set of subscribers that answer like a well-behaved client and
// time each event's arrival against its submission.
type pool struct {
	tpl       *Template
	sentAt    []atomic.Int64 // unix ns per event index; 0 = not sent yet
	delivered atomic.Int64
	warm      atomic.Int64 // how many subscribers got the warm-up event
	mu        sync.Mutex
	lat       []time.Duration
	conns     []net.Conn
	wg        sync.WaitGroup
}

func newPool(tpl *Template, events int) *pool {
	return &pool{tpl: tpl, sentAt: make([]atomic.Int64, events+1)}
}

// connect opens n subscribers; it returns how many connected.
func (p *pool) connect(ctx context.Context, ep endpoint.Endpoint, n int) (int, error) {
	var d net.Dialer
	var firstErr error
	for i := 0; i < n; i++ {
		c, err := d.DialContext(ctx, ep.Network, ep.Address)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		p.conns = append(p.conns, c)
		p.wg.Add(1)
		go p.run(c)
	}
	return len(p.conns), firstErr
}

func (p *pool) close() {
	for _, c := range p.conns {
		c.Close()
	}
	p.wg.Wait()
}

// run is one subscriber: it answers authenticate and iamalive, acks events
// and records when each arrived.
func (p *pool) run(c net.Conn) {
	defer p.wg.Done()
	br := bufio.NewReaderSize(c, 8192)
	var local []time.Duration
	defer func() {
		p.mu.Lock()
		p.lat = append(p.lat, local...)
		p.mu.Unlock()
	}()
	for {
		raw, err := vtp.ReadFrame(br, vtp.DefaultMaxFrame)
		if err != nil {
			return
		}
		now := time.Now()
		head := raw[:min(len(raw), 512)]
		if bytes.Contains(head, []byte("Transport")) {
			m, err := vtp.Parse(raw)
			if err != nil {
				continue
			}
			switch m.Role {
			case vtp.RoleIAmAlive:
				vtp.WriteFrame(c, vtp.IAmAliveResponse("ivo://starling.bench/subscriber", m.Origin))
			case vtp.RoleAuthenticate:
				vtp.WriteFrame(c, vtp.AuthenticateResponse("ivo://starling.bench/subscriber", m.Origin, nil))
			}
			continue
		}
		ivorn, n := p.index(raw)
		vtp.WriteFrame(c, vtp.Ack("ivo://starling.bench/subscriber", ivorn))
		switch {
		case n == 0:
			p.warm.Add(1)
		case n > 0 && n < len(p.sentAt):
			if t := p.sentAt[n].Load(); t > 0 {
				local = append(local, now.Sub(time.Unix(0, t)))
				p.delivered.Add(1)
			}
		}
	}
}

// index finds an event's IVORN and, for this run's events, its number
// (-1 for an event that is not ours, such as a broker test event).
func (p *pool) index(raw []byte) (string, int) {
	i := bytes.Index(raw, []byte(`ivorn=`))
	if i < 0 || i+7 > len(raw) {
		return "", -1
	}
	q := raw[i+6]
	rest := raw[i+7:]
	j := bytes.IndexByte(rest, q)
	if j < 0 {
		return "", -1
	}
	ivorn := string(rest[:j])
	if strings.HasPrefix(ivorn, p.tpl.prefix+"warmup") {
		return ivorn, 0
	}
	num, ok := strings.CutPrefix(ivorn, p.tpl.prefix)
	if !ok {
		return ivorn, -1
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return ivorn, -1
	}
	return ivorn, n
}

// RaiseFileLimit lifts the soft limit on open files to the hard limit, so
// that thousands of subscribers fit; it returns the limit now in force.
func RaiseFileLimit() uint64 {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return 0
	}
	r.Cur = r.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	return r.Cur
}

// RSS reads a process's resident and peak resident memory, in bytes.
func RSS(pid int) (rss, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

// Fanout runs one fanout benchmark.
func Fanout(ctx context.Context, cfg FanoutConfig) (FanoutResult, error) {
	if cfg.Authors < 1 {
		cfg.Authors = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	res := FanoutResult{Subscribers: cfg.Subscribers}
	if lim := RaiseFileLimit(); lim > 0 && lim < uint64(cfg.Subscribers+cfg.Authors+64) {
		res.Note = fmt.Sprintf("open-file limit %d is below what %d subscribers need", lim, cfg.Subscribers)
	}
	p := newPool(cfg.Template, cfg.Events)
	defer p.close()
	n, err := p.connect(ctx, cfg.Subscribe, cfg.Subscribers)
	res.Connected = n
	if n == 0 {
		return res, fmt.Errorf("no subscriber could connect to %s: %v", cfg.Subscribe, err)
	}
	// Warm-up: a warm-up event must reach every subscriber before timing
	// starts, so that all of them are registered with the broadcaster; one
	// that reaches only some is followed by another, with a new IVORN.
	deadline := time.Now().Add(cfg.Timeout)
	for round := 1; ; round++ {
		p.warm.Store(0)
		raw, _ := cfg.Template.Event(0)
		ivorn := fmt.Sprintf("%swarmup%d", cfg.Template.prefix, round)
		raw = bytes.Replace(raw, []byte(cfg.Template.prefix+"0"), []byte(ivorn), 1)
		if _, err := sender.Send(ctx, cfg.Target, raw, ivorn, cfg.Timeout); err != nil {
			return res, fmt.Errorf("warm-up event: %w", err)
		}
		wait := time.Now().Add(time.Second)
		for p.warm.Load() < int64(n) && time.Now().Before(wait) && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		if p.warm.Load() >= int64(n) {
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return res, fmt.Errorf("only %d of %d subscribers got the warm-up event within %s", p.warm.Load(), n, cfg.Timeout)
		}
	}

	var next, acks, naks, errs atomic.Int64
	var firstErr atomic.Value
	var tick <-chan time.Time
	if cfg.Rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / cfg.Rate))
		defer t.Stop()
		tick = t.C
	}
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
					cfg.Progress(acks.Load()+naks.Load()+errs.Load(), p.delivered.Load())
				}
			}
		}()
	}
	start := time.Now()
	var wg sync.WaitGroup
	for a := 0; a < cfg.Authors; a++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > cfg.Events {
					return
				}
				if tick != nil {
					select {
					case <-tick:
					case <-ctx.Done():
						return
					}
				}
				raw, ivorn := cfg.Template.Event(i)
				p.sentAt[i].Store(time.Now().UnixNano())
				_, err := sender.Send(ctx, cfg.Target, raw, ivorn, cfg.Timeout)
				var se *sender.Error
				switch {
				case err == nil:
					acks.Add(1)
				case errors.As(err, &se) && se.Kind == sender.Refused:
					naks.Add(1)
				default:
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Acks, res.Naks, res.Errors = acks.Load(), naks.Load(), errs.Load()
	if s, ok := firstErr.Load().(string); ok {
		res.FirstError = s
	}
	res.Expected = res.Acks * int64(n)
	wait := time.Now().Add(cfg.Timeout)
	for p.delivered.Load() < res.Expected && time.Now().Before(wait) && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	close(stopProgress)
	if cfg.BrokerPID > 0 {
		res.BrokerRSS, res.BrokerPeakRSS = RSS(cfg.BrokerPID)
	}
	p.close()
	res.Delivered = p.delivered.Load()
	if res.Elapsed > 0 {
		res.EventsPerSecond = float64(res.Acks) / res.Elapsed.Seconds()
	}
	p.mu.Lock()
	res.Latency = Summarise(p.lat)
	p.mu.Unlock()
	return res, nil
}
