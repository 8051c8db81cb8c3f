// Package store holds Starling's SQLite database (modernc.org/sqlite): the
// persistent seen-list, the event archive, the outbox, settings and profiles.
// One file per data directory, in WAL mode. Each archived alert has the one
// event model's summary in its row (migration 3) and its text in an FTS5
// index; rows archived before that are summarised from their raw bytes
// when the database is opened (backfill.go).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"github.com/starling-broker/starling/internal/watch"
)

// FileName is the database's name inside the data directory.
const FileName = "starling.db"

// ErrNotFound reports a missing row.
var ErrNotFound = errors.New("not found")

// Options configure Open.
type Options struct {
	// Exclusive locks the data directory so that no other Starling process
	// uses it at the same time.
	Exclusive bool
	// Synchronous is SQLite's synchronous setting: "FULL" (default) makes each
	// commit durable against power loss; "NORMAL" only against a process crash.
	Synchronous string
	// MaxPages, when set, caps the database's size in pages (SQLite's
	// max_page_count), so that tests can meet a full disk.
	MaxPages int
	// NoBackfill leaves the back-fill of archived summaries after an
	// upgrade to the process that owns the data directory.
	NoBackfill bool
	// ReadOnly refuses writes (SQLite's query_only) and leaves the
	// back-fill and the index's catch-up to a writer; a database whose
	// schema is not current is ErrOutdated.
	ReadOnly bool
	// NoCheck skips the integrity check that an Exclusive open runs.
	NoCheck bool
	// CheckWaitBytes is the largest database whose integrity check Open
	// waits for (default DefaultCheckWaitBytes; negative: never wait); a
	// larger one is checked in the background while the store works.
	CheckWaitBytes int64
	// CheckTimeout bounds the integrity check (default DefaultCheckTimeout).
	CheckTimeout time.Duration
	// Log receives the store's log lines, such as the progress of a
	// back-fill of summaries after an upgrade (default slog.Default()).
	Log *slog.Logger
}

// Store is an open database.
type Store struct {
	dir  string
	db   *sql.DB
	lock *os.File
	log  *slog.Logger

	admit      admitStmts // prepared once, bound to each batch's transaction
	admits     chan *admitReq
	indexMu    sync.Mutex
	indexQueue []indexDoc // committed, not yet in the full-text index
	// indexWrite is held while a batch taken from indexQueue is being
	// written, so that a search that flushes the queue first also waits for
	// the batch in flight.
	indexWrite sync.Mutex

	// seenCount follows the seen-list's size once SeenCount has counted it.
	seenCount     atomic.Int64
	seenCounted   bool
	seenCountOnce sync.Mutex
	stop          chan struct{}
	writerWG      sync.WaitGroup
	closeOnce     sync.Once
	noBackfill    bool
	readOnly      bool

	// publishWatch hears, after each commit, the topics it queued events for.
	publishWatch watch.List[string]

	healthMu    sync.Mutex
	health      Health
	healthWatch watch.List[Health]
	checkCancel context.CancelFunc // the integrity check on open, if any
	checkDone   chan struct{}
}

// Open opens (creating if needed) the store in dir and brings its schema up to date.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	s := &Store{dir: dir, admits: make(chan *admitReq, 4096), stop: make(chan struct{}), log: opt.Log, noBackfill: opt.NoBackfill || opt.ReadOnly, readOnly: opt.ReadOnly}
	if s.log == nil {
		s.log = slog.Default()
	}
	if opt.Exclusive {
		f, err := lockDir(dir)
		if err != nil {
			return nil, err
		}
		s.lock = f
	}
	sync := opt.Synchronous
	if sync == "" {
		sync = "FULL"
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(" + sync + ")", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	if opt.ReadOnly {
		q.Add("_pragma", "query_only(1)")
	}
	if opt.MaxPages > 0 {
		q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", opt.MaxPages))
	}
	// Write transactions take the lock at BEGIN, so a second writer waits on
	// busy_timeout instead of failing when it upgrades.
	q.Set("_txlock", "immediate")
	dsn := "file:" + filepath.Join(dir, FileName) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		s.unlock()
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	s.db = db
	err = s.migrate(ctx)
	if err == nil {
		err = s.admit.prepare(db)
	}
	if err != nil {
		db.Close()
		s.unlock()
		if IsCorrupt(err) {
			return nil, fmt.Errorf("opening %s: %w; the archive is damaged: run starling doctor --data-dir %s", filepath.Join(dir, FileName), err, dir)
		}
		return nil, fmt.Errorf("opening %s: %w", filepath.Join(dir, FileName), err)
	}
	s.writerWG.Add(1)
	go s.writer()
	if !s.noBackfill {
		s.startRefsBackfill()
	}
	if opt.Exclusive && !opt.ReadOnly && !opt.NoCheck {
		wait := opt.CheckWaitBytes
		if wait == 0 {
			wait = DefaultCheckWaitBytes
		}
		size := fileSize(filepath.Join(dir, FileName)) + fileSize(filepath.Join(dir, FileName)+"-wal")
		s.startCheck(wait > 0 && size <= wait, opt.CheckTimeout)
	}
	return s, nil
}

// Dir is the data directory.
func (s *Store) Dir() string { return s.dir }

// DB gives tests and tools direct access to the database.
func (s *Store) DB() *sql.DB { return s.db }

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.checkCancel != nil {
			s.checkCancel()
			<-s.checkDone
		}
		close(s.stop)
		s.writerWG.Wait()
		s.admit.close()
		err = s.db.Close()
		s.unlock()
	})
	return err
}
