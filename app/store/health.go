package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/starling-broker/starling/netcore/seen"
)

// HealthState says what is known of the archive's integrity.
type HealthState int

// The states of the archive's health.
const (
	// HealthUnknown: not checked (a store opened beside the owner), or the
	// check was interrupted.
	HealthUnknown HealthState = iota
	// HealthChecking: the check on open is running.
	HealthChecking
	// HealthOK: the check found nothing wrong and no query has met damage.
	HealthOK
	// HealthDamaged: the check found damage, or a query met it; sticky
	// until the process ends.
	HealthDamaged
)

// String names the state.
func (h HealthState) String() string {
	switch h {
	case HealthChecking:
		return "checking"
	case HealthOK:
		return "ok"
	case HealthDamaged:
		return "damaged"
	}
	return "unknown"
}

// Health is what is known of the archive's integrity.
type Health struct {
	State HealthState
	// Detail says, in a few words, what was found ("database disk image is
	// malformed", "quick_check found 3 problems") or why the state is unknown.
	Detail string
	// Problems are the first lines of what the check reported, when damaged.
	Problems []string
	// At is when the state was reached; Took is how long the check ran.
	At   time.Time
	Took time.Duration
}

// DefaultCheckWaitBytes is the largest database whose check Open waits for;
// a larger one is checked in the background while the store works.
const DefaultCheckWaitBytes = 32 << 20

// DefaultCheckTimeout bounds the check on open.
const DefaultCheckTimeout = 15 * time.Minute

// maxProblems bounds the problems a check reports.
const maxProblems = 100

// Health returns what is known of the archive's integrity.
func (s *Store) Health() Health {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	return s.health
}

// WatchHealth registers f to be told of every change of Health; f must not
// block. The returned function unregisters it.
func (s *Store) WatchHealth(f func(Health)) (cancel func()) { return s.healthWatch.Add(f) }

// Damaged is nil, or the error every admission gets once the archive is
// known to be damaged (it wraps seen.ErrArchiveDamaged).
func (s *Store) Damaged() error {
	h := s.Health()
	if h.State != HealthDamaged {
		return nil
	}
	return &seen.DamagedError{Detail: h.Detail}
}

// setHealth records h unless the archive is already known damaged.
func (s *Store) setHealth(h Health) {
	s.healthMu.Lock()
	if s.health.State == HealthDamaged {
		s.healthMu.Unlock()
		return
	}
	if h.At.IsZero() {
		h.At = time.Now()
	}
	s.health = h
	s.healthMu.Unlock()
	s.healthWatch.Tell(h)
}

// markDamaged records that the archive is damaged, logs it once, and makes
// every admission from now on fail with seen.ErrArchiveDamaged.
func (s *Store) markDamaged(detail string, problems []string, took time.Duration) {
	s.healthMu.Lock()
	if s.health.State == HealthDamaged {
		s.healthMu.Unlock()
		return
	}
	h := Health{State: HealthDamaged, Detail: detail, Problems: problems, At: time.Now(), Took: took}
	s.health = h
	s.healthMu.Unlock()
	args := []any{"file", filepath.Join(s.dir, FileName), "detail", detail}
	for i, p := range problems[:min(len(problems), 5)] {
		args = append(args, fmt.Sprintf("problem%d", i+1), p)
	}
	s.log.Error("The archive is damaged: new events are refused until it is repaired; stop Starling and run starling doctor", args...)
	s.healthWatch.Tell(h)
}

// IsCorrupt reports whether err is SQLite's SQLITE_CORRUPT or SQLITE_NOTADB
// (of any extended code), or already a damaged-archive error.
func IsCorrupt(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, seen.ErrArchiveDamaged) {
		return true
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// codeSuffix is the " (11)" that modernc.org/sqlite puts after a message.
var codeSuffix = regexp.MustCompile(`\s*\(\d+\)$`)

// corruptDetail is err's message without its code, for people.
func corruptDetail(err error) string {
	var d *seen.DamagedError
	if errors.As(err, &d) {
		return d.Detail
	}
	var e *sqlite.Error
	if errors.As(err, &e) {
		return codeSuffix.ReplaceAllString(e.Error(), "")
	}
	return err.Error()
}

// note marks the archive damaged if *err says it is, and then makes *err a
// seen.DamagedError; every query of the store goes through it, so that
// damage met anywhere stops the admissions.
func (s *Store) note(err *error) {
	if err == nil || *err == nil || !IsCorrupt(*err) {
		return
	}
	detail := corruptDetail(*err)
	s.markDamaged(detail, nil, 0)
	if !errors.Is(*err, seen.ErrArchiveDamaged) {
		*err = &seen.DamagedError{Detail: detail}
	}
}

// startCheck runs PRAGMA quick_check on a goroutine under the store's
// lifetime (cancelled by Close, and after timeout); with wait, Open waits
// for it (a small database: a few milliseconds).
func (s *Store) startCheck(wait bool, timeout time.Duration) {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s.checkCancel = cancel
	s.checkDone = make(chan struct{})
	s.setHealth(Health{State: HealthChecking})
	go func() {
		defer close(s.checkDone)
		defer cancel()
		s.runCheck(ctx, timeout)
	}()
	if wait {
		<-s.checkDone
	}
}

// runCheck checks the archive and records and logs the result.
func (s *Store) runCheck(ctx context.Context, timeout time.Duration) {
	start := time.Now()
	problems, err := quickCheck(ctx, s)
	took := time.Since(start)
	switch {
	case IsCorrupt(err):
		s.markDamaged(corruptDetail(err), []string{err.Error()}, took)
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		s.log.Warn("The archive's integrity check did not finish in time; run starling doctor to check it in full", "timeout", timeout)
		s.setHealth(Health{State: HealthUnknown, Detail: fmt.Sprintf("the check did not finish within %s", timeout), Took: took})
	case err != nil && ctx.Err() != nil:
		s.setHealth(Health{State: HealthUnknown, Detail: "the check was interrupted", Took: took})
	case err != nil:
		s.log.Warn("Could not check the archive's integrity", "err", err)
		s.setHealth(Health{State: HealthUnknown, Detail: "the check failed: " + err.Error(), Took: took})
	case len(problems) > 0:
		s.markDamaged(problemsDetail(problems), problems, took)
	default:
		s.log.Info("Archive integrity check: ok", "seconds", took.Round(time.Millisecond).Seconds())
		s.setHealth(Health{State: HealthOK, Detail: "quick_check found no problem", Took: took})
	}
}

// problemsDetail sums up a check's problems in a few words.
func problemsDetail(problems []string) string {
	if len(problems) >= maxProblems {
		return fmt.Sprintf("the integrity check found %d or more problems", len(problems))
	}
	if len(problems) == 1 {
		return "the integrity check found 1 problem"
	}
	return fmt.Sprintf("the integrity check found %d problems", len(problems))
}

// rowsLike is *sql.Rows, or what reads like it.
type rowsLike = interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// quickCheck runs PRAGMA quick_check on s's file and returns the problems
// it found (none: the archive is sound, as far as quick_check sees), on a
// connection of its own (checkFile).
func quickCheck(ctx context.Context, s *Store) ([]string, error) {
	return checkFile(ctx, filepath.Join(s.dir, FileName), "quick_check")
}

// checkFile runs PRAGMA pragma (quick_check or integrity_check) on the
// database at path through a new connection, closed afterwards; never on
// one of a pool that has used the full-text index. Both pragmas run FTS5's
// own check of events_fts, which walks the index's segments as the
// connection's FTS5 table last cached their list (the index's "structure"
// record) without looking whether another connection has written to the
// index since, as FTS5's queries and writes do (SQLite 3.54). On a pooled
// connection that read events_fts before another connection indexed alerts
// and FTS5 merged segments away (Open's catchUpIndex after a crash), the
// check read segments that no longer exist and reported "fts5: corruption
// found reading blob ... from table events_fts" in a sound file. A new
// connection reads the structure inside the check's one statement, from
// the same snapshot as everything else the check reads.
func checkFile(ctx context.Context, path, pragma string) ([]string, error) {
	db, err := openFile(path, true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return checkDB(ctx, func(ctx context.Context, q string) (rowsLike, error) { return db.QueryContext(ctx, q) }, pragma)
}

// checkDB runs PRAGMA pragma (quick_check or integrity_check) through query.
func checkDB(ctx context.Context, query func(context.Context, string) (rowsLike, error), pragma string) ([]string, error) {
	rows, err := query(ctx, fmt.Sprintf("PRAGMA %s(%d)", pragma, maxProblems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		for _, l := range strings.Split(line, "\n") {
			if l = strings.TrimSpace(l); l != "" && l != "ok" && !strings.HasPrefix(l, "*** ") {
				problems = append(problems, l)
			}
		}
	}
	return problems, rows.Err()
}

// fileSize is the size of path, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
