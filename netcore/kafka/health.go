package kafka

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"
)

// State is a source's connection state.
type State string

// The states a source goes through.
const (
	StateConnecting State = "connecting"
	StateConsuming  State = "consuming"
	StatePaused     State = "paused"
	StateError      State = "error"
	StateStopped    State = "stopped"
)

// HeartbeatTopic is GCN's liveness topic (about one message a second).
const HeartbeatTopic = "gcn.heartbeat"

// HeartbeatSilence is how long gcn.heartbeat may be silent before a warning.
const HeartbeatSilence = 30 * time.Second

// Health is a snapshot of a source's state, for the log and the window.
type Health struct {
	Name  string
	State State
	// Error says in words why the source is not consuming (with StateError).
	Error string
	// Since is when the state last changed.
	Since time.Time
	// Lag is, per topic, how many records the cluster holds that were not yet read.
	Lag map[string]int64
	// LastMessage is when the newest record arrived; zero if none yet.
	LastMessage time.Time
	// PerMinute counts the records of the last minute.
	PerMinute int
	// LastHeartbeat is when gcn.heartbeat last spoke; zero if never.
	LastHeartbeat time.Time
	// Totals since start.
	Received, Stored, Duplicates, Refused, Skipped uint64
}

// HeartbeatSilent reports whether a heartbeat that was seen has been silent too long.
func (h Health) HeartbeatSilent(now time.Time) bool {
	return !h.LastHeartbeat.IsZero() && now.Sub(h.LastHeartbeat) > HeartbeatSilence
}

// TotalLag adds the lag of every topic.
func (h Health) TotalLag() int64 {
	var n int64
	for _, l := range h.Lag {
		n += l
	}
	return n
}

// String is the one-line form that the log and the status bar show.
func (h Health) String() string {
	now := time.Now()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", h.Name, h.State)
	if h.State == StateError && h.Error != "" {
		fmt.Fprintf(&b, " (%s)", h.Error)
	}
	fmt.Fprintf(&b, ", lag %d, %d/min", h.TotalLag(), h.PerMinute)
	if !h.LastMessage.IsZero() {
		fmt.Fprintf(&b, ", last message %s ago", now.Sub(h.LastMessage).Round(time.Second))
	}
	if !h.LastHeartbeat.IsZero() {
		fmt.Fprintf(&b, ", heartbeat %s ago", now.Sub(h.LastHeartbeat).Round(time.Second))
		if h.HeartbeatSilent(now) {
			b.WriteString(" (SILENT)")
		}
	}
	return b.String()
}

// healthState is a source's live health.
type healthState struct {
	mu      sync.Mutex
	h       Health
	hw      map[tp]int64 // high watermark per partition
	next    map[tp]int64 // next offset to read per partition
	buckets [60]int      // records per second, ring over the last minute
	bucketT [60]int64
}

type tp struct {
	topic     string
	partition int32
}

func newHealthState(name string) *healthState {
	return &healthState{h: Health{Name: name, State: StateConnecting, Since: time.Now()}, hw: map[tp]int64{}, next: map[tp]int64{}}
}

// setState changes the state and reports whether it changed.
func (s *healthState) setState(st State, errText string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h.State == st && s.h.Error == errText {
		return false
	}
	s.h.State, s.h.Error, s.h.Since = st, errText, time.Now()
	return true
}

// partition records what a fetch said of a partition.
func (s *healthState) partition(topic string, part int32, highWatermark, next int64) {
	s.mu.Lock()
	k := tp{topic, part}
	s.hw[k] = highWatermark
	if next >= 0 {
		s.next[k] = next
	}
	s.mu.Unlock()
}

// record counts one record that arrived.
func (s *healthState) record(r *Record, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.Received++
	s.h.LastMessage = now
	if r.Topic == HeartbeatTopic {
		s.h.LastHeartbeat = now
	}
	sec := now.Unix()
	i := sec % 60
	if s.bucketT[i] != sec {
		s.bucketT[i], s.buckets[i] = sec, 0
	}
	s.buckets[i]++
}

// outcome counts what became of a record.
func (s *healthState) outcome(o Outcome) {
	s.mu.Lock()
	switch o {
	case Stored:
		s.h.Stored++
	case Duplicate:
		s.h.Duplicates++
	case Refused:
		s.h.Refused++
	case Skipped:
		s.h.Skipped++
	}
	s.mu.Unlock()
}

// snapshot returns the health now.
func (s *healthState) snapshot() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.h
	now := time.Now().Unix()
	for i, t := range s.bucketT {
		if now-t < 60 {
			h.PerMinute += s.buckets[i]
		}
	}
	h.Lag = map[string]int64{}
	keys := make([]tp, 0, len(s.hw))
	for k := range maps.Keys(s.hw) {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].topic < keys[j].topic })
	for _, k := range keys {
		lag := s.hw[k] - s.next[k]
		if n, ok := s.next[k]; !ok || n < 0 {
			lag = 0
		}
		h.Lag[k.topic] += max(lag, 0)
	}
	return h
}
