package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
)

// Setting keys and files of the Send panel's memory.
const (
	keySendHistory     = "send.history"
	keySendDestination = "send.destination"
	pasteDraftFile     = "paste-draft.xml"
)

// MaxSendLines bounds the send history kept (and shown).
const MaxSendLines = 200

// SendState is where one line of the Send panel is: a file being checked, an
// invalid one, or an event following its outbox entry.
type SendState string

// Send line states.
const (
	SendChecking  SendState = "checking"
	SendInvalid   SendState = "invalid"
	SendValid     SendState = "valid"
	SendDeclined  SendState = "not sent"
	SendNotQueued SendState = "not queued"
	SendQueued    SendState = "queued"
	SendSending   SendState = "sending"
	SendAcked     SendState = "acked"
	SendRefused   SendState = "refused"
	SendFailed    SendState = "failed"
	SendCancelled SendState = "cancelled"
	SendDeleted   SendState = "deleted"
)

// SendLine is one line of the send history: a file, what it is, where it
// went and what became of it.
type SendLine struct {
	Key         int64     `json:"key"`
	Name        string    `json:"name"`
	IVORN       string    `json:"ivorn,omitempty"`
	Role        string    `json:"role,omitempty"`
	Destination string    `json:"destination,omitempty"`
	EntryID     int64     `json:"entry,omitempty"`
	State       SendState `json:"state"`
	Reason      string    `json:"reason,omitempty"`
	Time        time.Time `json:"time"`
	// Pasted marks pasted XML; Digest is its SHA-256, to clear the draft once sent.
	Pasted bool   `json:"pasted,omitempty"`
	Digest string `json:"digest,omitempty"`
}

// Waiting reports whether the line may still change by itself.
func (l SendLine) Waiting() bool {
	return l.State == SendChecking || l.State == SendQueued || l.State == SendSending
}

// sendOp is one change to the send history, applied in order by the loop.
type sendOp struct {
	line   *SendLine      // add or replace a line
	entry  int64          // with line: tie it to this outbox entry
	change *outbox.Change // an outbox entry changed
}

// sendLog is the send history: lines follow their outbox entries.
type sendLog struct {
	c      *Core
	mu     sync.Mutex
	lines  []SendLine // newest first
	next   int64
	ops    []sendOp
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	unsub  func()
	entry  map[int64]int64 // outbox entry → line key
	early  map[int64]outbox.Change
	loaded bool
}

// startSendLog loads the history and follows the outbox.
func (c *Core) startSendLog() {
	l := &sendLog{c: c, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		entry: map[int64]int64{}, early: map[int64]outbox.Change{}}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	if v, ok, err := c.store.GetSetting(ctx, keySendHistory); err == nil && ok {
		if err := json.Unmarshal([]byte(v), &l.lines); err != nil {
			c.log.Warn("the send history is unreadable; starting a new one", "component", "send", "err", err)
			l.lines = nil
		}
	}
	for i, ln := range l.lines {
		if ln.Key >= l.next {
			l.next = ln.Key
		}
		if ln.EntryID != 0 {
			l.entry[ln.EntryID] = ln.Key
		}
		if ln.Waiting() && ln.EntryID != 0 {
			// The entry may have moved on while Starling was not running.
			if e, err := c.store.GetOutbox(ctx, ln.EntryID); err == nil {
				l.lines[i] = applyChange(ln, outbox.Change{ID: e.ID, State: e.State, Reason: e.LastError})
			} else if errors.Is(err, store.ErrNotFound) {
				l.lines[i] = applyChange(ln, outbox.Change{ID: ln.EntryID, State: outbox.StateDeleted, Reason: "no longer in the outbox"})
			}
		} else if ln.State == SendChecking {
			l.lines[i].State, l.lines[i].Reason = SendNotQueued, "interrupted while checking (Starling stopped); add it again"
		}
	}
	c.sends = l
	l.unsub = c.outbox.WatchEntries(func(ch outbox.Change) { l.post(sendOp{change: &ch}) })
	go l.loop()
}

// stopSendLog stops following the outbox and saves the history.
func (c *Core) stopSendLog() {
	if c.sends == nil {
		return
	}
	c.sends.unsub()
	close(c.sends.stop)
	<-c.sends.done
}

func (l *sendLog) post(op sendOp) {
	l.mu.Lock()
	l.ops = append(l.ops, op)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

func (l *sendLog) loop() {
	defer close(l.done)
	for {
		select {
		case <-l.stop:
			l.drain()
			return
		case <-l.wake:
			l.drain()
		}
	}
}

// drain applies the ops posted so far, tells the watchers and saves.
func (l *sendLog) drain() {
	l.mu.Lock()
	ops := l.ops
	l.ops = nil
	var changed []SendLine
	for _, op := range ops {
		changed = append(changed, l.applyLocked(op)...)
	}
	var data []byte
	if len(changed) > 0 {
		data, _ = json.Marshal(l.lines)
	}
	l.mu.Unlock()
	if len(changed) == 0 {
		return
	}
	for _, ln := range changed {
		if ln.Pasted && ln.State == SendAcked {
			l.c.clearPasteDraft(ln.Digest)
		}
		l.c.tell(Change{Kind: ChangeSend, Send: &ln})
	}
	ctx, cancel := context.WithTimeout(l.c.ctx, 10*time.Second)
	defer cancel()
	if err := l.c.store.SetSetting(ctx, keySendHistory, string(data)); err != nil {
		l.c.log.Warn("could not save the send history", "component", "send", "err", err)
	}
}

// applyLocked applies op and returns the lines it changed, each state in
// turn (a line tied to an entry shows "queued" before what the entry did
// meanwhile); l.mu is held.
func (l *sendLog) applyLocked(op sendOp) []SendLine {
	if op.line != nil {
		ln := *op.line
		if op.entry != 0 {
			ln.EntryID = op.entry
		}
		l.setLocked(ln)
		out := []SendLine{ln}
		if op.entry != 0 {
			l.entry[op.entry] = ln.Key
			if ch, ok := l.early[op.entry]; ok {
				delete(l.early, op.entry)
				ln = applyChange(ln, ch)
				l.setLocked(ln)
				out = append(out, ln)
			}
		}
		return out
	}
	ch := *op.change
	key, ok := l.entry[ch.ID]
	if !ok {
		if len(l.early) > 1000 {
			clear(l.early)
		}
		l.early[ch.ID] = ch
		return nil
	}
	for i := range l.lines {
		if l.lines[i].Key == key {
			l.lines[i] = applyChange(l.lines[i], ch)
			return []SendLine{l.lines[i]}
		}
	}
	return nil
}

// setLocked replaces the line with ln's key, or adds ln first.
func (l *sendLog) setLocked(ln SendLine) {
	for i := range l.lines {
		if l.lines[i].Key == ln.Key {
			l.lines[i] = ln
			return
		}
	}
	l.lines = append([]SendLine{ln}, l.lines...)
	if len(l.lines) > MaxSendLines {
		for _, old := range l.lines[MaxSendLines:] {
			delete(l.entry, old.EntryID)
		}
		l.lines = l.lines[:MaxSendLines]
	}
}

// applyChange is ln after its outbox entry changed.
func applyChange(ln SendLine, ch outbox.Change) SendLine {
	ln.Time = time.Now()
	ln.Reason = ch.Reason
	switch ch.State {
	case store.StateQueued:
		ln.State = SendQueued
	case store.StateSending:
		ln.State = SendSending
	case store.StateSent:
		ln.State = SendAcked
	case store.StateRefused:
		ln.State = SendRefused
	case store.StateFailed:
		ln.State = SendFailed
	case store.StateCancelled:
		ln.State = SendCancelled
	case outbox.StateDeleted:
		ln.State = SendDeleted
	}
	return ln
}

// Lines is the send history, newest first.
func (sd *Sends) Lines() []SendLine {
	c := sd.c
	c.sends.mu.Lock()
	defer c.sends.mu.Unlock()
	return append([]SendLine(nil), c.sends.lines...)
}

// Add adds a line (state, name…) to the send history and returns it
// with its key; watchers hear of it.
func (sd *Sends) Add(ln SendLine) SendLine {
	c := sd.c
	c.sends.mu.Lock()
	c.sends.next++
	ln.Key = c.sends.next
	c.sends.mu.Unlock()
	if ln.Time.IsZero() {
		ln.Time = time.Now()
	}
	c.sends.post(sendOp{line: &ln})
	return ln
}

// Update replaces the line with ln's key; watchers hear of it.
func (sd *Sends) Update(ln SendLine) {
	c := sd.c
	ln.Time = time.Now()
	c.sends.post(sendOp{line: &ln})
}

// Queue queues raw for dest and ties line ln to the outbox entry:
// from then on its state follows the entry's (queued, sending, acked,
// refused with the broker's reason…).
func (sd *Sends) Queue(ctx context.Context, ln SendLine, dest Destination, raw []byte) (SendLine, error) {
	c := sd.c
	ln.Destination = dest.Label()
	if ln.Pasted {
		sum := sha256.Sum256(raw)
		ln.Digest = hex.EncodeToString(sum[:])
	}
	if dest.Local {
		c.b.NameSubmission(raw, SubmissionSource(ln))
	}
	id, err := c.Outbox().Queue(ctx, dest, raw)
	ln.Time = time.Now()
	if err != nil {
		ln.State, ln.Reason = SendNotQueued, err.Error()
		posted := ln
		c.sends.post(sendOp{line: &posted})
		return ln, err
	}
	ln.State, ln.Reason, ln.EntryID = SendQueued, "", id
	posted := ln
	c.sends.post(sendOp{line: &posted, entry: id})
	return ln, nil
}

// SubmissionSource is the source the archive records for a line sent to
// the local broker: "dropped file NAME", or "pasted event".
func SubmissionSource(ln SendLine) string {
	if ln.Pasted {
		return "pasted event"
	}
	return "dropped file " + ln.Name
}

// LastDestination is the destination last chosen in the Send panel (its label), or "".
func (sd *Sends) LastDestination(ctx context.Context) string {
	return sd.c.setting(ctx, keySendDestination, "")
}

// SaveLastDestination remembers the destination chosen in the Send panel.
func (sd *Sends) SaveLastDestination(ctx context.Context, label string) error {
	return sd.c.store.SetSetting(ctx, keySendDestination, label)
}

// PasteDraft is the pasted XML kept until it is sent, or "".
func (sd *Sends) PasteDraft() string {
	c := sd.c
	b, err := os.ReadFile(filepath.Join(c.DataDir(), pasteDraftFile))
	if err != nil {
		return ""
	}
	return string(b)
}

// SavePasteDraft keeps pasted XML in the data directory until it is sent ("" removes it).
func (sd *Sends) SavePasteDraft(text string) error {
	c := sd.c
	c.draftMu.Lock()
	defer c.draftMu.Unlock()
	p := filepath.Join(c.DataDir(), pasteDraftFile)
	if text == "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// clearPasteDraft removes the draft if it is the XML with this digest.
func (c *Core) clearPasteDraft(digest string) {
	d := c.Sends().PasteDraft()
	sum := sha256.Sum256([]byte(d))
	if d != "" && hex.EncodeToString(sum[:]) == digest {
		c.Sends().SavePasteDraft("")
	}
}
