// Package logs writes human-readable log lines, one per event, with the time,
// the level, the component and the message, as Comet's log does.
package logs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Handler is a slog.Handler that writes "TIME LEVEL [component] message key=value".
type Handler struct {
	mu        *sync.Mutex
	w         io.Writer
	level     slog.Leveler
	component string
	attrs     string
}

// New returns a logger writing to w at the given minimum level.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(&Handler{mu: &sync.Mutex{}, w: w, level: level})
}

// Enabled reports whether records at level l are written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle writes one record.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	b.WriteString(t.UTC().Format("2006-01-02 15:04:05.000Z07:00"))
	b.WriteByte(' ')
	b.WriteString(levelName(r.Level))
	comp := h.component
	attrs := h.attrs
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "component" {
			comp = a.Value.String()
		} else {
			attrs += formatAttr(a)
		}
		return true
	})
	if comp != "" {
		b.WriteString(" [" + comp + "]")
	}
	b.WriteByte(' ')
	b.WriteString(r.Message)
	b.WriteString(attrs)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// WithAttrs returns a handler that adds attrs to every record; the attribute
// "component" names the part of the program.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	for _, a := range as {
		if a.Key == "component" {
			n.component = a.Value.String()
		} else {
			n.attrs += formatAttr(a)
		}
	}
	return &n
}

// WithGroup is accepted and ignored: groups are not used here.
func (h *Handler) WithGroup(string) slog.Handler { return h }

func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN "
	case l >= slog.LevelInfo:
		return "INFO "
	}
	return "DEBUG"
}

func formatAttr(a slog.Attr) string {
	v := a.Value.Resolve().String()
	if v == "" || strings.ContainsAny(v, " \t\"=") {
		v = fmt.Sprintf("%q", v)
	}
	return " " + a.Key + "=" + v
}
