package store

import (
	"os"

	"golang.org/x/sys/windows"
)

// errWouldBlock is lockFile's error when another process holds the lock.
var errWouldBlock = windows.ERROR_LOCK_VIOLATION

// lockRegion is the byte range locked: one byte at 4 GiB, far past the pid
// text, so that a second process can still read whose lock it is (Windows
// locks are mandatory: a locked byte cannot be read by anyone else).
var lockRegion = windows.Overlapped{OffsetHigh: 1}

// lockFile takes an exclusive LockFileEx lock on f without waiting.
func lockFile(f *os.File) error {
	ol := lockRegion
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
}

func unlockFile(f *os.File) {
	ol := lockRegion
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
