package app

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-broker/starling/app/store"
)

// Setting keys of the daily backups.
const (
	// keyBackupDaily is "off" to stop the daily backups.
	keyBackupDaily = "backup.daily"
	// keyBackupKeep is how many backups to keep.
	keyBackupKeep = "backup.keep"
)

// DefaultBackupEvery is how often the process that owns the data directory
// backs the archive up.
const DefaultBackupEvery = 24 * time.Hour

// defaultBackupDelay is how long after the start the first backup of the
// day waits, so that it does not slow the start.
const defaultBackupDelay = time.Minute

// ArchiveHealth is what is known of the archive's integrity.
type ArchiveHealth struct {
	// State is "unknown", "checking", "ok" or "damaged".
	State string
	// Detail says what was found, in a few words.
	Detail string
	// Problems are the first lines the check reported, when damaged.
	Problems []string
	// At is when the state was reached; Took is how long the check ran.
	At   time.Time
	Took time.Duration
}

// Damaged reports whether the archive is known to be damaged.
func (h ArchiveHealth) Damaged() bool { return h.State == store.HealthDamaged.String() }

// Text is the health in words, for people.
func (h ArchiveHealth) Text() string {
	switch h.State {
	case "damaged":
		return "archive damaged (" + h.Detail + "): new events are refused; stop Starling and run starling doctor"
	case "checking":
		return "archive: checking its integrity…"
	case "ok":
		return fmt.Sprintf("archive: sound (checked in %s)", h.Took.Round(time.Millisecond))
	}
	if h.Detail != "" {
		return "archive: not checked (" + h.Detail + ")"
	}
	return "archive: not checked"
}

// Health returns what is known of the archive's integrity: checked
// when the owner opens the data directory, and marked damaged for good when
// any query meets damage.
func (ar *Archive) Health() ArchiveHealth {
	c := ar.c
	h := c.store.Health()
	return ArchiveHealth{State: h.State.String(), Detail: h.Detail, Problems: h.Problems, At: h.At, Took: h.Took}
}

// Backup copies the archive now into DATADIR/backups and keeps the newest
// keep backups (store.DefaultBackupKeep when keep <= 0); it returns the
// new file's path.
func (ar *Archive) Backup(ctx context.Context, keep int) (string, error) {
	return ar.c.store.Backup(ctx, keep)
}

// backupPlan reads the backup settings over the options: how often (0 for
// never) and how many to keep.
func (c *Core) backupPlan(ctx context.Context) (every time.Duration, keep int) {
	every, keep = c.opt.BackupEvery, c.opt.BackupKeep
	if every == 0 {
		every = DefaultBackupEvery
	}
	if v, ok, _ := c.store.GetSetting(ctx, keyBackupDaily); ok && (v == "off" || v == "false" || v == "0") {
		every = -1
	}
	if v, ok, _ := c.store.GetSetting(ctx, keyBackupKeep); ok {
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil && n > 0 {
			keep = n
		}
	}
	if keep <= 0 {
		keep = store.DefaultBackupKeep
	}
	if every < 0 {
		return 0, keep
	}
	return every, keep
}

// startBackups starts the daily backups: the first a little after the
// start unless one is younger than a day, then one a day.
func (c *Core) startBackups() {
	every, keep := c.backupPlan(c.ctx)
	if every == 0 {
		return
	}
	delay := c.opt.BackupDelay
	if delay <= 0 {
		delay = defaultBackupDelay
	}
	if bs, err := store.Backups(c.opt.DataDir); err == nil && len(bs) > 0 {
		if age := time.Since(bs[0].Time); age < every {
			delay = max(delay, every-age)
		}
	}
	ctx := c.ctx
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTimer(delay)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			c.backupNow(ctx, keep)
			t.Reset(every)
		}
	}()
}

// backupNow makes the scheduled backup and logs what became of it.
func (c *Core) backupNow(ctx context.Context, keep int) {
	if c.Archive().Health().Damaged() {
		c.log.Warn("No backup today: the archive is damaged; run starling doctor", "component", "backup")
		return
	}
	start := time.Now()
	path, err := c.store.Backup(ctx, keep)
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn("The daily backup failed", "component", "backup", "err", err)
		}
		return
	}
	c.log.Info("Archive backed up", "component", "backup", "file", path, "seconds", time.Since(start).Round(time.Millisecond).Seconds(), "keep", keep)
}
