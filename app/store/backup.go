package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// BackupDir is the folder of backups inside the data directory.
const BackupDir = "backups"

// DefaultBackupKeep is how many backups Backup keeps unless told.
const DefaultBackupKeep = 7

// backupPrefix and backupStamp name a backup: starling-YYYYMMDD-HHMMSS.db (UTC).
const (
	backupPrefix = "starling-"
	backupStamp  = "20060102-150405"
)

// BackupFile is one backup in a data directory.
type BackupFile struct {
	Path string
	Time time.Time // from its name (UTC)
	Size int64
	seq  int // the n of a second backup in one second, starling-…-n.db
}

// Backups lists the backups in dir/backups, newest first.
func Backups(dir string) ([]BackupFile, error) {
	ents, err := os.ReadDir(filepath.Join(dir, BackupDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []BackupFile
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, ".db") {
			continue
		}
		stamp := strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), ".db")
		t, err := time.Parse(backupStamp, stamp[:min(len(stamp), len(backupStamp))])
		if err != nil {
			continue
		}
		seq := 1
		if rest := stamp[len(backupStamp):]; rest != "" {
			if n, err := strconv.Atoi(strings.TrimPrefix(rest, "-")); err == nil && strings.HasPrefix(rest, "-") {
				seq = n
			} else {
				continue
			}
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, BackupFile{Path: filepath.Join(dir, BackupDir, name), Time: t, Size: fi.Size(), seq: seq})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].seq > out[j].seq
	})
	return out, nil
}

// Backup writes a consistent copy of the database, while it works, into
// dir/backups/starling-YYYYMMDD-HHMMSS.db (SQLite's VACUUM INTO: one read
// transaction, so admissions go on), then removes all but the newest keep
// backups (DefaultBackupKeep when keep <= 0). It returns the new file. It
// refuses to copy an archive known to be damaged.
func (s *Store) Backup(ctx context.Context, keep int) (path string, err error) {
	defer s.note(&err)
	if err := s.Damaged(); err != nil {
		return "", fmt.Errorf("no backup of a damaged archive: %w", err)
	}
	if keep <= 0 {
		keep = DefaultBackupKeep
	}
	bdir := filepath.Join(s.dir, BackupDir)
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		return "", err
	}
	now := time.Now().UTC()
	name := backupPrefix + now.Format(backupStamp)
	path = filepath.Join(bdir, name+".db")
	for i := 2; exists(path); i++ { // two in one second
		path = filepath.Join(bdir, fmt.Sprintf("%s-%d.db", name, i))
	}
	partial := path + ".partial"
	os.Remove(partial)
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		os.Remove(partial)
		return "", fmt.Errorf("backing up into %s: %w", path, err)
	}
	if err := syncFile(partial); err != nil {
		os.Remove(partial)
		return "", err
	}
	if err := os.Rename(partial, path); err != nil {
		os.Remove(partial)
		return "", err
	}
	syncDir(bdir)
	all, err := Backups(s.dir)
	if err != nil {
		return path, err
	}
	for _, b := range all[min(keep, len(all)):] {
		if b.Path != path {
			os.Remove(b.Path)
		}
	}
	return path, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Replace puts a copy of the database file from in place of dir's, while
// holding dir's lock (ErrLocked while another Starling process holds it):
// the current file, with its write-ahead log, is kept aside as
// starling.db.TAG-YYYYMMDD-HHMMSS (its name is returned; empty when there
// was none), and no stale -wal or -shm is left beside the new one. from
// must be a whole database: one with a write-ahead log of its own is
// refused.
func Replace(dir, from, tag string) (aside string, err error) {
	if fi, err := os.Stat(from + "-wal"); err == nil && fi.Size() > 0 {
		return "", fmt.Errorf("%s has a write-ahead log beside it (%s-wal): open it with sqlite3 once, or copy it with starling backup, first", from, from)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return "", err
	}
	defer (&Store{lock: lock}).unlock()
	cur := filepath.Join(dir, FileName)
	tmp := cur + ".incoming"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("copying %s: %w", from, err)
	}
	if exists(cur) {
		aside = fmt.Sprintf("%s.%s-%s", cur, tag, time.Now().UTC().Format(backupStamp))
		for i := 2; exists(aside); i++ {
			aside = fmt.Sprintf("%s.%s-%s-%d", cur, tag, time.Now().UTC().Format(backupStamp), i)
		}
		if err := os.Rename(cur, aside); err != nil {
			os.Remove(tmp)
			return "", err
		}
		if exists(cur + "-wal") {
			if err := os.Rename(cur+"-wal", aside+"-wal"); err != nil {
				// Put the old file back: a -wal left beside the new one
				// would be applied to it.
				os.Rename(aside, cur)
				os.Remove(tmp)
				return "", err
			}
		}
	}
	// The shared-memory index belongs to the file moved aside: SQLite
	// builds a new one.
	if err := os.Remove(cur + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return aside, err
	}
	if err := os.Rename(tmp, cur); err != nil {
		return aside, err
	}
	syncDir(dir)
	return aside, nil
}

// copyFile copies from to a new file to, durably.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return errors.Join(out.Sync(), out.Close())
}
