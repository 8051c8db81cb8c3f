package broker

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/starling-broker/starling/netcore/voevent"
	"github.com/starling-broker/starling/netcore/vtp"
)

// handlerQueueLen bounds the events waiting for a print or save handler.
const handlerQueueLen = 10000

// serialQueue runs jobs one at a time, in order, on a goroutine that exists
// only while there is work, so that a handler never delays the broker.
type serialQueue struct {
	name string
	log  *slog.Logger

	mu      sync.Mutex
	jobs    []func()
	running bool
	idle    chan struct{} // closed when the queue empties; nil while idle
}

// push queues job; when handlerQueueLen jobs are waiting it is dropped and logged.
func (q *serialQueue) push(job func(), ivorn string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) >= handlerQueueLen {
		q.log.Warn(fmt.Sprintf("%s: %d events already waiting; event dropped", q.name, len(q.jobs)), "ivorn", ivorn)
		return
	}
	q.jobs = append(q.jobs, job)
	if !q.running {
		q.running = true
		q.idle = make(chan struct{})
		go q.run()
	}
}

func (q *serialQueue) run() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			close(q.idle)
			q.idle = nil
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		if len(q.jobs) == 0 {
			q.jobs = nil
		}
		q.mu.Unlock()
		job()
	}
}

// wait returns when every queued job has run, or with ctx's error.
func (q *serialQueue) wait(ctx context.Context) error {
	q.mu.Lock()
	idle := q.idle
	q.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PrintHandler writes each event to a writer, as Comet's print-event plugin
// prints it: the root element and a newline, without the XML declaration or
// anything else outside the root. The bytes are the event's own, not a
// re-serialisation. Events are written in order by a background goroutine.
type PrintHandler struct {
	w io.Writer
	q serialQueue
}

// NewPrintHandler returns the handler behind --print-event; log may be nil.
func NewPrintHandler(w io.Writer, log *slog.Logger) *PrintHandler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PrintHandler{w: w, q: serialQueue{name: "print-event", log: log.With("component", "print-event")}}
}

// HandleEvent queues ev's root element and a newline for writing.
func (p *PrintHandler) HandleEvent(ev *voevent.Event, source string) {
	if ev == nil {
		return
	}
	raw := ev.Raw
	p.q.push(func() {
		out := make([]byte, 0, len(raw)+1)
		out = append(append(out, vtp.RootElement(raw)...), '\n')
		if _, err := p.w.Write(out); err != nil {
			p.q.log.Warn("could not print event", "err", err)
		}
	}, ev.IVORN)
}

// Close waits until the queued events are written, or ctx ends.
func (p *PrintHandler) Close(ctx context.Context) error { return p.q.wait(ctx) }
