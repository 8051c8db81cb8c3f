// Package app holds Core, the application core that the desktop window and the
// command line share: it opens the store and owns the local broker.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/internal/watch"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/seen"
	"github.com/starling-broker/starling/netcore/voevent"
)

// DefaultPruneInterval is how often expired seen-list entries are removed.
const DefaultPruneInterval = 6 * time.Hour

// Options configure a Core.
type Options struct {
	// DataDir holds the SQLite store; default DefaultDataDir().
	DataDir string
	// Log receives log lines; default discards them.
	Log *slog.Logger
	// SeenMaxAge is how long the seen-list remembers an event (default 30 days).
	SeenMaxAge time.Duration
	// PruneInterval is how often expired seen-list entries are removed (default 6 h).
	PruneInterval time.Duration
	// RunSubscriptions starts the saved subscriptions (the desktop app does).
	RunSubscriptions bool
	// Shared opens beside a Starling that may be running there, for the
	// commands: no lock on the data directory, no outbox worker, no
	// pruning, no subscriptions, no back-fill; the schema loads when needed.
	Shared bool
	// MustExist, with Shared, makes a data directory without a database
	// ErrNoData rather than creating it.
	MustExist bool
	// BackupEvery is how often the owner of the data directory backs the
	// archive up into DATADIR/backups (default DefaultBackupEvery; negative:
	// never; the setting backup.daily=off stops them too).
	BackupEvery time.Duration
	// BackupKeep is how many backups to keep (default 7; the setting
	// backup.keep overrides it).
	BackupKeep int
	// BackupDelay is how long after the start the first backup waits when
	// none is younger than BackupEvery (default a minute).
	BackupDelay time.Duration
	// ReadOnly, with Shared, refuses writes to the store (unless its schema
	// needs an upgrade first, which a read-write open then does).
	ReadOnly bool
}

// Core is the application: the store, the seen-list, the schema, and the
// local broker when it runs.
type Core struct {
	opt   Options
	log   *slog.Logger
	store *store.Store
	seen  *seen.List
	// b is the one broker of a core that owns its data directory: the local
	// broker's listeners, the subscriptions and the Kafka sources feed it,
	// and its handlers (the broadcaster among them) pass their events on.
	b       *broker.Broker
	schema  *voevent.Schema
	checker *voevent.Checker

	// ctx is the core's context, from the one given to Open: its
	// subscriptions, Kafka sources, prune, backups and outbox derive from
	// it, and Close cancels it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	broker *LocalBroker

	subs  subscriptions
	kafka kafkaSources

	outbox *outbox.Worker

	chw *channelWorker // the channels' delivery; nil for a shared core

	changes watch.List[Change] // WatchChanges

	sends   *sendLog
	draftMu sync.Mutex

	schemaOnce sync.Once
	schemaErr  error

	skymaps skymaps // EventSkymap's recent maps

	sitesOnce sync.Once
	sites     *Sites // Sites
}

// DefaultDataDir is $STARLING_DATA_DIR, else the user's data directory:
// %APPDATA%\Starling on Windows, $XDG_DATA_HOME/starling or
// ~/.local/share/starling elsewhere.
func DefaultDataDir() string {
	home, _ := os.UserHomeDir()
	return dataDirFor(runtime.GOOS, os.Getenv, home)
}

// dataDirFor is DefaultDataDir for the system goos, with the environment
// read through getenv and the home directory given (empty when unknown).
func dataDirFor(goos string, getenv func(string) string, home string) string {
	if d := getenv("STARLING_DATA_DIR"); d != "" {
		return d
	}
	if goos == "windows" {
		if d := getenv("APPDATA"); d != "" {
			return filepath.Join(d, "Starling")
		}
		if home != "" {
			return filepath.Join(home, "AppData", "Roaming", "Starling")
		}
		return filepath.Join(os.TempDir(), "Starling")
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "starling")
	}
	if home != "" {
		return filepath.Join(home, ".local", "share", "starling")
	}
	return filepath.Join(os.TempDir(), "starling")
}

// Open opens (creating if needed) the data directory and everything in it. It
// refuses a data directory that another Starling process is using, unless
// opt.Shared. The core's work runs under ctx until Close.
func Open(ctx context.Context, opt Options) (*Core, error) {
	if opt.DataDir == "" {
		opt.DataDir = DefaultDataDir()
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.SeenMaxAge <= 0 {
		opt.SeenMaxAge = seen.DefaultMaxAge
	}
	if opt.PruneInterval <= 0 {
		opt.PruneInterval = DefaultPruneInterval
	}
	if opt.Shared {
		return openShared(ctx, opt)
	}
	st, err := store.Open(ctx, opt.DataDir, store.Options{Exclusive: true, Log: opt.Log})
	if err != nil {
		return nil, err
	}
	sl, err := seen.NewList(st, seen.Options{MaxAge: opt.SeenMaxAge})
	if err != nil {
		st.Close()
		return nil, err
	}
	schema, err := voevent.LoadSchema()
	if err != nil {
		sl.Close()
		st.Close()
		return nil, fmt.Errorf("loading the VOEvent schema: %w", err)
	}
	c := &Core{
		opt: opt, log: opt.Log, store: st, seen: sl, schema: schema,
		checker: &voevent.Checker{Schema: schema},
	}
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.b = broker.New(broker.Config{LocalIVO: c.Settings().Broker(ctx).LocalIVO, Checker: c.checker, Seen: sl, Log: c.log, Context: c.ctx})
	c.b.Watch(func(a broker.Activity) { c.tell(activityChange(a)) })
	c.wg.Add(1)
	go c.pruneLoop()
	st.WatchHealth(func(store.Health) { c.changed(ChangeHealth) })
	c.startOutbox()
	c.startBackups()
	c.startChannels()
	c.Sites().watch()
	if opt.RunSubscriptions {
		if err := c.startSubscriptions(c.ctx); err != nil {
			c.Close(ctx)
			return nil, err
		}
	}
	return c, nil
}

// DataDir is the directory the core's store lives in.
func (c *Core) DataDir() string { return c.opt.DataDir }

// Prune removes seen-list entries older than the maximum age now.
func (ar *Archive) Prune(ctx context.Context) (int64, error) {
	c := ar.c
	n, err := c.store.Prune(ctx, time.Now().Add(-c.opt.SeenMaxAge))
	if err != nil {
		c.log.Warn("pruning the seen-list failed", "component", "seen", "err", err)
	} else {
		c.log.Info(fmt.Sprintf("Expired %d seen-list entries older than %s", n, c.opt.SeenMaxAge), "component", "seen")
	}
	// The publish queue's rows done with go with them.
	if _, perr := c.store.PrunePublished(ctx, time.Now().Add(-c.opt.SeenMaxAge)); perr != nil {
		c.log.Warn("pruning the Kafka publish queue failed", "component", "kafka", "err", perr)
	}
	return n, err
}

func (c *Core) pruneLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.opt.PruneInterval)
	defer t.Stop()
	c.Archive().Prune(c.ctx)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.Archive().Prune(c.ctx)
		}
	}
}

// Close stops the local broker, the sources and the outbox, letting work in
// progress finish until ctx ends, and closes the store.
func (c *Core) Close(ctx context.Context) error {
	if !c.opt.Shared {
		c.stopOutbox(ctx)
	}
	err := c.Brokers().Stop(ctx)
	c.stopSubscriptions()
	c.cancel()
	c.wg.Wait()
	if c.seen != nil {
		c.seen.Close()
	}
	if c.schema != nil {
		c.schema.Close()
	}
	return errors.Join(err, c.store.Close())
}
