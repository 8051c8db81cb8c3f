package broker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/starling-broker/starling/netcore/voevent"
)

// Spawn handler limits.
const (
	// DefaultMaxRunning is how many --cmd programs run at once by default.
	DefaultMaxRunning = 4
	// spawnQueueLen bounds the events waiting for a free slot; it is generous
	// so that a burst is delayed rather than dropped.
	spawnQueueLen = 10000
	// maxLoggedOutput caps how much of a program's output is kept for the log.
	maxLoggedOutput = 64 << 10
)

// SpawnHandler runs an external program for each event with the raw event on
// its standard input, as Comet's --cmd does. At most maxRunning run at once;
// later events wait their turn in a bounded queue.
type SpawnHandler struct {
	program    string
	args       []string
	maxRunning int
	log        *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	running int
	queue   []spawnJob
	closed  bool
	idle    *sync.Cond
}

// NewSpawnHandler returns the handler behind --cmd PROGRAM: program is run with
// args (Comet passes none); maxRunning <= 0 means DefaultMaxRunning.
func NewSpawnHandler(program string, args []string, maxRunning int, log *slog.Logger) *SpawnHandler {
	if maxRunning <= 0 {
		maxRunning = DefaultMaxRunning
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &SpawnHandler{
		program: program, args: append([]string(nil), args...), maxRunning: maxRunning,
		log: log.With("component", "spawn"), ctx: ctx, cancel: cancel,
	}
	h.idle = sync.NewCond(&h.mu)
	return h
}

// HandleEvent starts the program for ev, or queues ev when maxRunning are busy.
func (h *SpawnHandler) HandleEvent(ev *voevent.Event, source string) {
	if ev == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		h.log.Warn(fmt.Sprintf("Not running %s: shutting down", h.program), "ivorn", ev.IVORN)
	case h.running < h.maxRunning:
		h.running++
		go h.work(ev.Raw, ev.IVORN)
	case len(h.queue) < spawnQueueLen:
		h.queue = append(h.queue, spawnJob{ev.Raw, ev.IVORN})
	default:
		h.log.Warn(fmt.Sprintf("Not running %s: %d events already waiting; event dropped", h.program, len(h.queue)), "ivorn", ev.IVORN)
	}
}

// spawnJob is an event waiting for a free slot.
type spawnJob struct {
	raw   []byte
	ivorn string
}

// work runs the program for raw and then for queued events until none are left.
func (h *SpawnHandler) work(raw []byte, ivorn string) {
	for {
		h.run(raw, ivorn)
		h.mu.Lock()
		if len(h.queue) == 0 || h.closed {
			h.running--
			if h.running == 0 {
				h.idle.Broadcast()
			}
			h.mu.Unlock()
			return
		}
		raw, ivorn = h.queue[0].raw, h.queue[0].ivorn
		h.queue[0] = spawnJob{}
		h.queue = h.queue[1:]
		if len(h.queue) == 0 {
			h.queue = nil
		}
		h.mu.Unlock()
	}
}

// run runs the program once and logs its output and any failure.
func (h *SpawnHandler) run(raw []byte, ivorn string) {
	h.log.Info("Running external command: "+h.program, "ivorn", ivorn)
	cmd := exec.CommandContext(h.ctx, h.program, h.args...)
	cmd.Stdin = bytes.NewReader(raw)
	// Once killed, do not wait for children that keep its output open.
	cmd.WaitDelay = time.Second
	var out limitedBuffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	text := strings.TrimSpace(out.String())
	var exit *exec.ExitError
	switch {
	case err == nil:
		if text != "" {
			h.log.Debug("External process said: " + text)
		}
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		h.log.Warn(fmt.Sprintf("%s returned non-zero (%d)", h.program, exit.ExitCode()), "output", text)
	case errors.As(err, &exit):
		h.log.Warn(fmt.Sprintf("%s ended abnormally (%s)", h.program, exit.String()), "output", text)
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, exec.ErrDot):
		h.log.Warn(fmt.Sprintf("%s is not executable (%v)", h.program, err))
	default:
		h.log.Warn(fmt.Sprintf("%s could not be run: %v", h.program, err))
	}
}

// Close drops the queued events and waits for running programs; when ctx ends
// first, they are killed.
func (h *SpawnHandler) Close(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	if n := len(h.queue); n > 0 {
		h.log.Warn(fmt.Sprintf("Shutting down: %d events not passed to %s", n, h.program))
	}
	h.queue = nil
	h.mu.Unlock()
	done := make(chan struct{})
	go func() {
		h.mu.Lock()
		for h.running > 0 {
			h.idle.Wait()
		}
		h.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		h.cancel()
		return nil
	case <-ctx.Done():
		h.cancel()
		<-done
		return ctx.Err()
	}
}

// limitedBuffer keeps the first maxLoggedOutput bytes written to it.
type limitedBuffer struct {
	bytes.Buffer
	cut bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxLoggedOutput - b.Len(); room < len(p) {
		b.cut = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

func (b *limitedBuffer) String() string {
	if b.cut {
		return b.Buffer.String() + " [...]"
	}
	return b.Buffer.String()
}
