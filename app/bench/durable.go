package bench

import (
	"fmt"
	"os"
	"sync"
)

// journal appends each submission's bytes to one file and fsyncs, in group
// commits: while one fsync runs, the submissions that arrive wait together
// for the next. It is the least that any broker which stores an event before
// acking it must do on this disk, and so the fair ceiling for a durable one.
type journal struct {
	f *os.File

	mu      sync.Mutex
	pending []byte       // appended since the last write
	waiters []chan error // told when pending is on disk
	busy    bool         // a writer is flushing
	err     error        // sticky: a failed write or fsync
}

// openJournal creates (or truncates) path for a durable null broker.
func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	return &journal{f: f}, nil
}

// append returns once raw is written and fsynced, with every other append
// that arrived while the previous group was being written.
func (j *journal) append(raw []byte) error {
	done := make(chan error, 1)
	j.mu.Lock()
	if j.err != nil {
		err := j.err
		j.mu.Unlock()
		return err
	}
	j.pending = append(j.pending, raw...)
	j.waiters = append(j.waiters, done)
	if !j.busy {
		j.busy = true
		go j.flush()
	}
	j.mu.Unlock()
	return <-done
}

// flush writes and fsyncs groups until nothing is pending.
func (j *journal) flush() {
	var buf []byte
	for {
		j.mu.Lock()
		if len(j.waiters) == 0 {
			j.busy = false
			j.mu.Unlock()
			return
		}
		buf, j.pending = j.pending, buf[:0]
		waiters := j.waiters
		j.waiters = nil
		j.mu.Unlock()

		_, err := j.f.Write(buf)
		if err == nil {
			err = j.f.Sync()
		}
		if err != nil {
			err = fmt.Errorf("journal: %w", err)
			j.mu.Lock()
			j.err = err
			j.mu.Unlock()
		}
		for _, w := range waiters {
			w <- err
		}
	}
}

// close closes the file.
func (j *journal) close() error { return j.f.Close() }
