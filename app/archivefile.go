package app

import (
	"context"
	"path/filepath"

	"github.com/starling-broker/starling/app/store"
)

// The archive as files in a data directory, for `starling doctor`,
// `backup` and `restore`, which work on a data directory that no core may
// have open.

// ArchiveFileName is the archive's file name in a data directory.
const ArchiveFileName = store.FileName

// DefaultBackupKeep is how many backups are kept unless told.
const DefaultBackupKeep = store.DefaultBackupKeep

// ErrLocked reports a data directory that another Starling process uses.
var ErrLocked = store.ErrLocked

// Recovery is what recovering an archive copied, table by table.
type Recovery = store.Recovery

// BackupFile is one backup in a data directory's backups folder.
type BackupFile = store.BackupFile

// ArchivePath is the archive's file in the data directory dir.
func ArchivePath(dir string) string { return filepath.Join(dir, ArchiveFileName) }

// DataDirInUse is nil when no Starling process holds dir, else an error
// naming the one that does.
func DataDirInUse(dir string) error { return store.Locked(dir) }

// CheckArchiveFile checks an archive file (integrity_check when full, else
// quick_check) and returns the problems it found, none for a sound file.
func CheckArchiveFile(ctx context.Context, path string, full bool) ([]string, error) {
	return store.CheckFile(ctx, path, full)
}

// RecoverArchive copies every row that can still be read from the archive
// src into a new archive dst.
func RecoverArchive(ctx context.Context, src, dst string) (Recovery, error) {
	return store.Recover(ctx, src, dst, nil)
}

// ReplaceArchive puts the archive file from in place of dir's archive,
// keeping the current one aside under a name with tag; it returns that name.
func ReplaceArchive(dir, from, tag string) (aside string, err error) {
	return store.Replace(dir, from, tag)
}

// Backups lists dir's backups, the newest first.
func Backups(dir string) ([]BackupFile, error) { return store.Backups(dir) }
