package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
)

// ErrNoData reports a data directory that holds no database yet (Options.MustExist).
var ErrNoData = errors.New("no Starling data there yet")

// openShared opens a core for commands that run beside a running Starling:
// SQLite's WAL mode lets both read, and change single rows, safely.
func openShared(ctx context.Context, opt Options) (*Core, error) {
	if opt.MustExist {
		if _, err := os.Stat(filepath.Join(opt.DataDir, store.FileName)); errors.Is(err, os.ErrNotExist) {
			return nil, ErrNoData
		}
	}
	st, err := store.Open(ctx, opt.DataDir, store.Options{NoBackfill: true, ReadOnly: opt.ReadOnly, Log: opt.Log})
	if opt.ReadOnly && errors.Is(err, store.ErrOutdated) {
		st, err = store.Open(ctx, opt.DataDir, store.Options{NoBackfill: true, Log: opt.Log})
	}
	if err != nil {
		return nil, err
	}
	c := &Core{opt: opt, log: opt.Log, store: st}
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.outbox = outbox.New(c.ctx, st, outbox.Options{})
	return c, nil
}

// InUse reports, as an error naming the process, whether another Starling
// process holds the data directory; nil when none does.
func (c *Core) InUse() error { return store.Locked(c.opt.DataDir) }

// LockHolder describes the process that holds dir's lock, e.g. "pid 1234".
func LockHolder(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "starling.lock"))
	if p := strings.TrimSpace(string(b)); err == nil && p != "" {
		return "pid " + p
	}
	return "another process"
}
