package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/app/outbox"
)

func outboxFlush(env Env, args []string) error {
	a := outboxArgs("flush", "starling outbox flush [--timeout SECONDS] [-v|-q] [--data-dir DIR]")
	a.add(option{long: "timeout", kind: flagValue, meta: "SECONDS", help: "give up after this long (default: when nothing more can be done now)"})
	a.add(option{long: "verbose", short: "v", kind: flagCount, help: "log every attempt"})
	a.add(option{long: "quiet", short: "q", kind: flagBool, help: "no progress line"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	secs, err := a.intVal("timeout", 0)
	if err != nil || secs < 0 {
		return exitf(exitUsage, "--timeout must be a number of seconds")
	}
	dir := dataDir(a)
	level := -1 // warnings only, unless -v
	if a.count("verbose") > 0 {
		level = 0
	}
	// The core lives until Close; the signal ends the flush (ctx below).
	core, err := app.Open(context.WithoutCancel(env.Context()), app.Options{DataDir: dir, Log: logger(env.Stderr, max(level, 0), level < 0)})
	if errors.Is(err, app.ErrLocked) {
		return exitf(exitFailure, "data directory %s is in use by Starling (%s), which sends the outbox itself; watch it with `starling outbox list`", dir, app.LockHolder(dir))
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)

	ctx, stop := context.WithCancel(env.Context())
	defer stop()
	if secs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(secs)*time.Second)
		defer cancel()
	}

	w := core.Outbox()
	before, err := w.Counts(ctx)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	p := newProgress(env.Stderr, a.isSet("quiet"))
	start := time.Now()
	err = w.Flush(ctx, func(c outbox.Counts) { p.show(before, c, time.Since(start)) })
	p.end()
	cctx, cancel := env.shutdown()
	defer cancel()
	after, cerr := w.Counts(cctx)
	if cerr != nil {
		after = before
	}
	fmt.Fprintf(env.Stdout, "flush: %d delivered, %d refused, %d failed in %.1f s; %d still queued\n",
		after.Sent-before.Sent, after.Refused-before.Refused, after.Failed-before.Failed, time.Since(start).Seconds(), after.Waiting())
	var ue *outbox.UndeliveredError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ue):
		return exitf(exitUndelivered, "%v\nSee `starling outbox list` for the reasons.", err)
	case errors.Is(err, context.DeadlineExceeded):
		return exitf(exitUndelivered, "gave up after %d s with %d still queued", secs, after.Waiting())
	case errors.Is(err, context.Canceled):
		return exitf(exitUndelivered, "interrupted with %d still queued", after.Waiting())
	}
	return exitf(exitFailure, "%v", err)
}

// progress writes the flush's progress line: rewritten in place on a
// terminal, otherwise a line at most every second.
type progress struct {
	w      io.Writer
	quiet  bool
	tty    bool
	last   time.Time
	shown  bool
	length int
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	if !p.tty {
		p.last = time.Now() // the first line after a second, not at once
	}
	return p
}

func (p *progress) show(before, c outbox.Counts, elapsed time.Duration) {
	if p.quiet || (!p.tty && time.Since(p.last) < time.Second) {
		return
	}
	p.last = time.Now()
	sent := c.Sent - before.Sent
	line := fmt.Sprintf("flush: %d sent, %d queued, %d refused, %d failed", sent, c.Waiting(), c.Refused-before.Refused, c.Failed-before.Failed)
	if s := elapsed.Seconds(); s > 0.5 && sent > 0 {
		line += fmt.Sprintf(" (%.0f/s)", float64(sent)/s)
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%-*s", p.length, line)
		p.length = len(line)
		p.shown = true
		return
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) end() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
