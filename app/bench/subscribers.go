package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/vtp"
)

// SubscriberIVO is the IVO the benchmark's subscribers answer as.
const SubscriberIVO = "ivo://starling.bench/subscriber"

// maxSeenBytes bounds the memory the pool spends detecting duplicate
// deliveries (one bit per event per subscriber); beyond it they are not checked.
const maxSeenBytes = 64 << 20

// tracker maps this run's events to their submission times and counts and
// times every delivery. Events are numbered 1..n; their IVORNs are the
// template's prefix followed by the number, and warm-up events are the prefix
// followed by "w" and a number.
type tracker struct {
	prefix []byte
	start  time.Time
	// sentAt is the submission time of each event, in ns since start plus 1;
	// 0 means not submitted (yet).
	sentAt []atomic.Int64
	// copies counts the deliveries of each event, over all subscribers.
	copies []atomic.Int32
	hist   histogram
	// stray counts deliveries of this run's events that cannot be timed
	// (numbered out of range, or not submitted).
	stray atomic.Int64
}

func newTracker(tpl *Template, events int) *tracker {
	return &tracker{
		prefix: []byte(tpl.prefix),
		start:  time.Now(),
		sentAt: make([]atomic.Int64, events+1),
		copies: make([]atomic.Int32, events+1),
	}
}

// since returns the time since the run started.
func (t *tracker) since() time.Duration { return time.Since(t.start) }

// markSent records that event i is being submitted now.
func (t *tracker) markSent(i int) { t.sentAt[i].Store(int64(t.since()) + 1) }

// warmupTemplate makes the run's warm-up events, which subscribers tell
// apart from the measured ones.
func (t *tracker) warmupTemplate(tpl *Template) *Template {
	return &Template{before: tpl.before, after: tpl.after, prefix: tpl.prefix + "w"}
}

// Event identities as a subscriber sees them.
const (
	eventForeign = iota // not this run's (a broker's test event, say)
	eventMeasured
	eventWarmup
)

// identify finds a VOEvent's IVORN and, for this run's events, its number.
func (t *tracker) identify(raw []byte) (kind, n int, ivorn string) {
	head := raw[:min(len(raw), 4096)]
	if i := bytes.Index(head, t.prefix); i >= 0 {
		k := i + len(t.prefix)
		kind = eventMeasured
		if k < len(head) && head[k] == 'w' {
			kind, k = eventWarmup, k+1
		}
		j := k
		for j < len(head) && j-k < 12 && head[j] >= '0' && head[j] <= '9' {
			n = n*10 + int(head[j]-'0')
			j++
		}
		if j > k && j < len(head) && (head[j] == '"' || head[j] == '\'') {
			return kind, n, string(head[i:j])
		}
		n = 0
	}
	if m := ivornAttr.FindSubmatch(head); m != nil {
		return eventForeign, 0, string(m[2])
	}
	return eventForeign, 0, ""
}

// poolConfig describes a pool of subscribers.
type poolConfig struct {
	// Broadcaster is the broker's broadcast endpoint.
	Broadcaster endpoint.Endpoint
	// Subscribers is how many to connect.
	Subscribers int
	// ConnectTimeout bounds connecting all of them and their authentication
	// (default 10 s plus 10 ms per subscriber).
	ConnectTimeout time.Duration
}

// Drop describes a subscriber whose connection ended during a run.
type Drop struct {
	// Subscriber numbers the subscriber from 1; Local is its local address.
	Subscriber int
	Local      string
	// At is when it happened, since the run started; Delivered is how many
	// measured events it had received by then.
	At        time.Duration
	Delivered int64
	// Reason says how the connection ended.
	Reason string
}

// String describes the drop in a sentence.
func (d Drop) String() string {
	return fmt.Sprintf("subscriber %d (%s) lost its connection %.1f s into the run after %d events: %s",
		d.Subscriber, d.Local, d.At.Seconds(), d.Delivered, d.Reason)
}

// subscriber is one connection to the broadcaster, served by one goroutine.
type subscriber struct {
	id    int
	c     net.Conn
	local string
	tr    *tracker

	authenticated atomic.Bool
	warm          atomic.Int64 // highest warm-up number received
	delivered     atomic.Int64 // measured events received (duplicates excluded)
	duplicates    atomic.Int64
	iamalives     atomic.Int64
	foreign       atomic.Int64 // VOEvents that are not this run's
	unknown       atomic.Int64 // packets neither VOEvent nor understood Transport
	seen          []uint64     // bit per event; touched only by the reader

	done   chan struct{}
	endAt  time.Duration
	endErr error // why the reader stopped; read after done is closed
}

// subscriberPool is a set of subscribers that answer a broker like well-behaved
// clients (authenticate without filters, iamalive, ack every event) and time
// the arrival of each measured event against its submission.
type subscriberPool struct {
	tr      *tracker
	subs    []*subscriber
	closing atomic.Bool
	wg      sync.WaitGroup
}

// dialPool connects cfg.Subscribers subscribers, a few at a time, and waits
// until each has been sent the broker's authenticate (or the connect timeout
// passes). It returns the pool of those that connected, and the first error.
func dialPool(ctx context.Context, cfg poolConfig, tr *tracker) (*subscriberPool, error) {
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = 10*time.Second + time.Duration(cfg.Subscribers)*10*time.Millisecond
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := &subscriberPool{tr: tr}
	conns := make([]net.Conn, cfg.Subscribers)
	var mu sync.Mutex
	var firstErr error
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(cfg.Subscribers, 32); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d net.Dialer
			for {
				i := int(next.Add(1)) - 1
				if i >= cfg.Subscribers || ctx.Err() != nil {
					return
				}
				c, err := d.DialContext(ctx, cfg.Broadcaster.Network, cfg.Broadcaster.Address)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	seenWords := 0
	if int64(cfg.Subscribers)*int64(len(tr.sentAt))/8 <= maxSeenBytes {
		seenWords = (len(tr.sentAt) + 63) / 64
	}
	for i, c := range conns {
		if c == nil {
			continue
		}
		s := &subscriber{id: i + 1, c: c, local: c.LocalAddr().String(), tr: tr, done: make(chan struct{})}
		if seenWords > 0 {
			s.seen = make([]uint64, seenWords)
		}
		p.subs = append(p.subs, s)
		p.wg.Add(1)
		go p.serve(s)
	}
	// Wait for the authenticate packets.
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for p.authenticated() < len(p.subs) && ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	return p, firstErr
}

// authenticated counts the subscribers that have been sent an authenticate.
func (p *subscriberPool) authenticated() int {
	n := 0
	for _, s := range p.subs {
		if s.authenticated.Load() {
			n++
		}
	}
	return n
}

// Len is the number of subscribers in the pool.
func (p *subscriberPool) Len() int { return len(p.subs) }

// warmedUp counts the subscribers, still connected, that have received
// warm-up event k or a later one.
func (p *subscriberPool) warmedUp(k int64) int {
	n := 0
	for _, s := range p.subs {
		if s.warm.Load() >= k && !s.ended() {
			n++
		}
	}
	return n
}

// keepWarm closes and forgets the subscribers that did not receive warm-up
// k, and returns how many were left out.
func (p *subscriberPool) keepWarm(k int64) int {
	var keep, out []*subscriber
	for _, s := range p.subs {
		if s.warm.Load() >= k && !s.ended() {
			keep = append(keep, s)
		} else {
			out = append(out, s)
		}
	}
	for _, s := range out {
		s.c.Close()
	}
	p.subs = keep
	return len(out)
}

// delivered sums the measured deliveries over the subscribers.
func (p *subscriberPool) delivered() int64 {
	var n int64
	for _, s := range p.subs {
		n += s.delivered.Load()
	}
	return n
}

// duplicates sums the duplicate deliveries over the subscribers.
func (p *subscriberPool) duplicates() int64 {
	var n int64
	for _, s := range p.subs {
		n += s.duplicates.Load()
	}
	return n
}

// drops lists the subscribers whose connection has ended, in order.
func (p *subscriberPool) drops() []Drop {
	var ds []Drop
	for _, s := range p.subs {
		if !s.ended() || s.endErr == nil {
			continue // still connected, or closed by the pool itself
		}
		ds = append(ds, Drop{Subscriber: s.id, Local: s.local, At: s.endAt, Delivered: s.delivered.Load(), Reason: describeEnd(s.endErr)})
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].At < ds[j].At })
	return ds
}

// counters sums the other packets the subscribers handled.
func (p *subscriberPool) counters() (iamalives, foreign, unknown int64) {
	for _, s := range p.subs {
		iamalives += s.iamalives.Load()
		foreign += s.foreign.Load()
		unknown += s.unknown.Load()
	}
	return
}

// Close disconnects every subscriber and waits for their goroutines.
func (p *subscriberPool) Close() {
	p.closing.Store(true)
	for _, s := range p.subs {
		s.c.Close()
	}
	p.wg.Wait()
}

func (s *subscriber) ended() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// describeEnd says in plain words how a subscriber's connection ended.
func describeEnd(err error) string {
	switch {
	case err == nil:
		return "closed"
	case errors.Is(err, syscall.ECONNRESET):
		return "the broker reset the connection"
	case errors.Is(err, syscall.EPIPE):
		return "the broker closed the connection (found while sending an answer)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, vtp.ErrEmptyFrame), errors.As(err, new(*vtp.FrameTooLargeError)):
		return "the broker " + vtp.DescribeReadError(err, 1, 0)
	}
	return err.Error()
}

// serve runs one subscriber until its connection ends.
func (p *subscriberPool) serve(s *subscriber) {
	defer p.wg.Done()
	err := s.run()
	s.endAt = s.tr.since()
	if p.closing.Load() {
		err = nil
	}
	s.endErr = err
	s.c.Close()
	close(s.done)
}

// run reads and answers packets; answers are flushed whenever nothing more
// is waiting to be read, so that a burst of events is acked in one write.
func (s *subscriber) run() error {
	bw := bufio.NewWriterSize(s.c, 4<<10)
	fr := vtp.NewFrameReader(s.c, 16<<10, vtp.DefaultMaxFrame)
	var out []byte
	tr := s.tr
	for {
		buf, err := fr.Next()
		switch {
		case errors.Is(err, vtp.ErrEmptyFrame):
			s.unknown.Add(1)
			continue
		case err != nil:
			return err
		}
		at := tr.since()
		var reply []byte
		root, _ := vtp.PeekRoot(buf)
		switch root.Local {
		case "VOEvent":
			kind, i, ivorn := tr.identify(buf)
			reply = vtp.Ack(SubscriberIVO, ivorn)
			switch kind {
			case eventMeasured:
				s.record(i, at)
			case eventWarmup:
				if int64(i) > s.warm.Load() {
					s.warm.Store(int64(i))
				}
			default:
				s.foreign.Add(1)
			}
		case "Transport":
			m, err := vtp.Parse(buf)
			if err != nil {
				s.unknown.Add(1)
				break
			}
			switch m.Role {
			case vtp.RoleAuthenticate:
				reply = vtp.AuthenticateResponse(SubscriberIVO, m.Origin, nil)
				s.authenticated.Store(true)
			case vtp.RoleIAmAlive:
				reply = vtp.IAmAliveResponse(SubscriberIVO, m.Origin)
				s.iamalives.Add(1)
			default:
				s.unknown.Add(1)
			}
		default:
			s.unknown.Add(1)
		}
		if reply != nil {
			out = vtp.AppendFrame(out[:0], reply)
			bw.Write(out)
		}
		if fr.Buffered() == 0 && bw.Buffered() > 0 {
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("sending an answer: %w", err)
			}
		}
	}
}

// record times the delivery of measured event i, received at the given time.
func (s *subscriber) record(i int, at time.Duration) {
	tr := s.tr
	if i < 1 || i >= len(tr.sentAt) {
		tr.stray.Add(1)
		return
	}
	if s.seen != nil {
		w, b := i/64, uint64(1)<<(i%64)
		if s.seen[w]&b != 0 {
			s.duplicates.Add(1)
			return
		}
		s.seen[w] |= b
	}
	sent := tr.sentAt[i].Load()
	if sent == 0 {
		tr.stray.Add(1)
		return
	}
	tr.hist.record(at - time.Duration(sent-1))
	tr.copies[i].Add(1)
	s.delivered.Add(1)
}

// histogram records durations in buckets of at most 1/128 relative width
// (exact below 128 ns), up to about 73 minutes; it is safe for concurrent use
// and its memory is fixed.
type histogram struct {
	counts [histBuckets]atomic.Int64
	sum    atomic.Int64
	min    atomic.Int64 // ns plus 1; 0 = nothing recorded
	max    atomic.Int64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	histMaxBits = 42
	histBuckets = histSub * (histMaxBits - histSubBits + 1)
)

func histIndex(v int64) int {
	if v < 0 {
		v = 0
	}
	if v >= 1<<histMaxBits {
		v = 1<<histMaxBits - 1
	}
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(uint64(v)) - histSubBits - 1
	return histSub*(e+1) + int(v>>e) - histSub
}

// histUpper is the largest value that falls in bucket i.
func histUpper(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub - 1
	m := int64(i%histSub + histSub)
	return (m+1)<<e - 1
}

// histLower is the smallest value that falls in bucket i.
func histLower(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i/histSub - 1
	return int64(i%histSub+histSub) << e
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[histIndex(v)].Add(1)
	h.sum.Add(v)
	for {
		m := h.min.Load()
		if m != 0 && m-1 <= v || h.min.CompareAndSwap(m, v+1) {
			break
		}
	}
	for {
		m := h.max.Load()
		if m >= v || h.max.CompareAndSwap(m, v) {
			break
		}
	}
}

// histSnapshot is a copy of a histogram's counts at one moment.
type histSnapshot struct {
	counts   []int64
	sum      int64
	min, max int64 // exact for a whole histogram; -1 = estimate from buckets
}

func (h *histogram) snapshot() histSnapshot {
	s := histSnapshot{counts: make([]int64, histBuckets), sum: h.sum.Load(), min: h.min.Load() - 1, max: h.max.Load()}
	for i := range h.counts {
		s.counts[i] = h.counts[i].Load()
	}
	return s
}

// since returns what was recorded between prev and s.
func (s histSnapshot) since(prev histSnapshot) histSnapshot {
	d := histSnapshot{counts: make([]int64, len(s.counts)), sum: s.sum - prev.sum, min: -1, max: -1}
	for i := range s.counts {
		d.counts[i] = s.counts[i]
		if prev.counts != nil {
			d.counts[i] -= prev.counts[i]
		}
	}
	return d
}

// latencies summarises the snapshot: percentiles by nearest rank, each the
// top of its bucket, kept between the minimum and the maximum.
func (s histSnapshot) latencies() Latencies {
	var n int64
	first, last := -1, -1
	for i, c := range s.counts {
		if c > 0 {
			n += c
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if n == 0 {
		return Latencies{}
	}
	lo, hi := s.min, s.max
	if lo < 0 || hi < lo {
		lo, hi = histLower(first), histUpper(last)
	}
	rank := func(p float64) time.Duration {
		target := int64(p*float64(n) + 0.999999)
		target = max(1, min(target, n))
		var acc int64
		for i, c := range s.counts {
			acc += c
			if acc >= target {
				return time.Duration(max(lo, min(histUpper(i), hi)))
			}
		}
		return time.Duration(hi)
	}
	return Latencies{
		Count: int(n), Min: time.Duration(lo), Max: time.Duration(hi),
		P50: rank(0.50), P90: rank(0.90), P99: rank(0.99),
		Mean: time.Duration(s.sum / n),
	}
}

// summariseDrops puts a list of drops into a few lines: every one when there
// are few, else the first ones and a count by reason.
func summariseDrops(ds []Drop, show int) []string {
	var lines []string
	for i, d := range ds {
		if i == show {
			break
		}
		lines = append(lines, d.String())
	}
	if len(ds) > show {
		byReason := map[string]int{}
		for _, d := range ds {
			byReason[d.Reason]++
		}
		var parts []string
		for r, n := range byReason {
			parts = append(parts, fmt.Sprintf("%d: %s", n, r))
		}
		sort.Strings(parts)
		lines = append(lines, fmt.Sprintf("... %d subscribers lost in all (%s)", len(ds), strings.Join(parts, "; ")))
	}
	return lines
}
